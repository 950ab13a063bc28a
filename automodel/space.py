"""The one conditional search space, and decoding a point of it into a Pipeline.

The space is ``hp.choice("family", [branch, ...])``; each branch is a plain dict
``{"family": name, "scaler": ..., "params": {...}}`` holding only plain values
and hyperopt expressions, never estimator instances (those would be shared and
mutated across trials).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hyperopt import hp
from sklearn.base import BaseEstimator, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, StandardScaler

from automodel.families import REGISTRY, DataInfo, Family
from automodel.portfolio import load_portfolio

__all__ = [
    "SCALERS",
    "Candidate",
    "build_space",
    "decode",
    "default_points",
    "unscreened",
    "first_points",
    "make_estimator",
    "make_pipeline",
]

#: Scaling steps searched in front of scale-sensitive families.
SCALERS: dict[str, Any] = {
    "none": None,
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "normalize": Normalizer,
}


@dataclass(frozen=True)
class Candidate:
    """A decoded point: which family, which scaler, which hyperparameters."""

    family: str
    scaler: str
    params: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """Flat ``{"family", "scaler", "<family>.<param>": value}`` view for results."""
        flat: dict[str, Any] = {"family": self.family, "scaler": self.scaler}
        flat.update({f"{self.family}.{k}": v for k, v in self.params.items()})
        return flat


def build_space(families: Sequence[Family], info: DataInfo) -> Any:
    """The ``hp.choice`` over ``families``, each branch with its own parameters."""
    branches = []
    for family in families:
        scaler: Any = "none"
        if family.scale:
            scaler = hp.choice(family.label("scaler"), list(SCALERS))
        branches.append({"family": family.name, "scaler": scaler, "params": family.space(info)})
    return hp.choice("family", branches)


def default_points(families: Sequence[Family], info: DataInfo) -> list[dict[str, Any]]:
    """Each family's well-known default (or defaults, in their order) as raw points of
    ``build_space(families, info)``.

    Scale-sensitive families get standard scaling. Families without a default
    are skipped.
    """
    points = []
    for index, family in enumerate(families):
        if family.default is None:
            continue
        found = family.default(info)
        for values in found if isinstance(found, list) else [found]:
            point = {"family": index, **values}
            if family.scale:
                point[family.label("scaler")] = list(SCALERS).index("standard")
            points.append(point)
    return points


def unscreened(families: Sequence[Family], points: Sequence[dict[str, Any]]) -> frozenset[int]:
    """Indices of the ``points`` (raw points of ``build_space(families, ...)``) that
    train on all rows from the start under screening: their family's
    ``screen_defaults`` is False."""
    return frozenset(
        k for k, point in enumerate(points) if not families[point["family"]].screen_defaults
    )


def first_points(
    families: Sequence[Family],
    info: DataInfo,
    task: str,
    portfolio: Sequence[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Raw points of ``build_space(families, info)`` to evaluate first: the candidates
    of the ``task``'s learned portfolio (``portfolio``, by default the shipped one,
    :mod:`automodel.portfolio`) whose family is searched, in its order, then the
    default of each searched family it does not name."""
    portfolio = load_portfolio(task) if portfolio is None else portfolio
    index = {family.name: k for k, family in enumerate(families)}
    points = [
        {"family": index[candidate["family"]], **candidate["point"]}
        for candidate in portfolio
        if candidate["family"] in index
    ]
    named = {candidate["family"] for candidate in portfolio}
    rest = [family for family in families if family.name not in named]
    for point in default_points(rest, info):
        points.append({**point, "family": index[rest[point["family"]].name]})
    return points


def _flatten(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge nested dicts (conditional branches) into one flat parameter dict."""
    flat: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value))
        else:
            flat[key] = value
    return flat


def decode(config: Mapping[str, Any]) -> Candidate:
    """Turn a ``space_eval`` result into a :class:`Candidate` with flat params."""
    return Candidate(config["family"], config["scaler"], _flatten(config["params"]))


def make_estimator(
    family: Family, params: Mapping[str, Any], random_state: int | None
) -> BaseEstimator:
    """Build the family's estimator, seeded and single-threaded.

    A family with ``scale_target`` is wrapped in a ``TransformedTargetRegressor``
    that standardises the target for it (and maps predictions back).
    """
    estimator = family.estimator(**{**family.fixed, **params})
    # One thread per estimator: automodel's own n_jobs decides how cores are shared.
    settings: dict[str, Any] = {family.threads: 1} if family.threads else {}
    if isinstance(family.seed, str):
        settings[family.seed] = random_state
    elif family.seed is None and "random_state" in estimator.get_params(deep=False):
        settings["random_state"] = random_state
    estimator = estimator.set_params(**settings)
    if callable(family.seed):
        estimator = family.seed(estimator, random_state)
    if family.scale_target:
        return TransformedTargetRegressor(estimator, transformer=StandardScaler())
    return estimator


def make_pipeline(
    candidate: Candidate,
    preprocessors: Mapping[str, BaseEstimator],
    families: Mapping[str, Family] | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """An unfitted ``Pipeline(prep -> scale -> model)`` for ``candidate``.

    ``preprocessors`` maps a family's ``encoding`` to the column step template;
    the template is cloned, so one template serves every trial.
    """
    family = (families or REGISTRY)[candidate.family]
    scaler_cls = SCALERS[candidate.scaler]
    prep = clone(preprocessors[family.encoding])
    return Pipeline(
        [
            ("prep", prep),
            ("scale", "passthrough" if scaler_cls is None else scaler_cls()),
            *((name, clone(step)) for name, step in family.steps),
            ("model", make_estimator(family, candidate.params, random_state)),
        ]
    )
