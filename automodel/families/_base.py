"""The family record, what a space may know of the data, and the helpers the family modules share.

``by_task`` builds one family's records for both tasks from one declaration: the
keyword arguments both tasks share once, each task's own as data, and
:class:`PerTask` entries inside a space or default point for what only one task
searches (``class_weight``) or sets differently.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from hyperopt import hp
from hyperopt.pyll import scope
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

__all__ = ["LARGE_ROWS", "TASK_NAMES", "DataInfo", "Family", "PerTask", "by_task"]

#: The tasks a family may serve.
TASK_NAMES = ("classification", "regression")
#: Rows from which a table is large: ``families=None`` searches the "large" preset
#: (where screening starts by default: a 50,000-row training part of the 80/20
#: holdout), and a family may give a different default point (LightGBM's).
LARGE_ROWS = 62_500


@dataclass(frozen=True)
class DataInfo:
    """What a family's space may depend on: the shape of the training data.

    ``n_classes`` is 0 for a regression target. ``n_features`` counts the raw
    columns; ``n_encoded`` the columns after the one-hot column step on the whole
    table (what a net's input layer sees; a training fold can have fewer when a
    rare category is missing from it, so a net should size its input at fit).
    """

    n_rows: int
    n_features: int
    n_classes: int
    cv: int = 5
    n_encoded: int | None = None

    @property
    def fold_rows(self) -> int:
        """Rows in the smallest training fold of a ``cv``-fold split."""
        return self.n_rows - math.ceil(self.n_rows / self.cv)


def _infer_tasks(factory: Callable[..., Any], fixed: Mapping[str, Any]) -> tuple[str, ...]:
    """The task an estimator factory serves, from its class (or an instance it builds)."""
    kind: Any = factory
    if not isinstance(factory, type):
        try:
            kind = type(factory(**fixed))
        except Exception:  # noqa: BLE001 - the caller names the fix
            kind = None
    if isinstance(kind, type) and issubclass(kind, RegressorMixin):
        return ("regression",)
    if isinstance(kind, type) and issubclass(kind, ClassifierMixin):
        return ("classification",)
    return ()


@dataclass(frozen=True)
class Family:
    """One estimator family of the search space.

    Parameters
    ----------
    name : str
        Short name, also the prefix of every hyperopt label of the family
        (``"svm"`` -> ``"svm.C"``).
    estimator : callable
        Builds the unfitted estimator from the decoded hyperparameters as
        keyword arguments (usually the estimator class itself).
    space : callable
        ``space(info: DataInfo) -> dict`` of hyperopt expressions. A value that
        is itself a dict (for example one branch of an ``hp.choice``) is merged
        into its parent when decoded, so conditional parameters stay flat.
    scale : bool
        Whether a scaler choice (none / standard / min-max / unit-norm rows) is
        searched in front of the estimator.
    encoding : {"onehot", "ordinal", "native", "category"}
        How categorical columns are encoded for this family ("native": kept as text
        in a DataFrame, for an estimator that encodes categories itself; "category":
        pandas ``category`` columns, for one that splits on categories natively).
    fixed : mapping
        Constant keyword arguments passed to ``estimator`` on every trial.
    threads : str or None
        The estimator's parameter for its number of threads (set to 1, so
        automodel alone decides how cores are shared), or None if it has none.
    max_rows : int or None
        Train on at most this many rows (a seeded subsample, stratified for
        classes), for families whose fit grows faster than linearly in rows.
    default : callable or None
        ``default(info) -> {label: raw value}``: the family's well-known good
        setting as a point of its space (``hp.choice`` labels take the option's
        index), evaluated before the search proper when ``defaults_first``; or a
        list of such points, evaluated in their order.
    screen_defaults : bool
        False: under screening the default points train on all rows from the start
        (large models whose worth shows only on many rows: LightGBM's on a large table).
    tasks : tuple of {"classification", "regression"} or None
        The task(s) the family serves. None: read from the estimator (a
        scikit-learn classifier or regressor class, or what the factory builds
        from ``fixed``); a factory that is neither must say it.
    scale_target : bool
        Regression only: fit the estimator on a standardised target (inside a
        ``TransformedTargetRegressor``), for estimators whose hyperparameters
        depend on the target's scale (SVR's epsilon, penalties, step sizes).
    seed : str, callable or None
        How the trial's seed reaches the estimator. None: its ``random_state``
        parameter, when it has one; a str: the name of its seed parameter (e.g.
        ``"seed"``, or ``"module__seed"`` for a skorch net whose module seeds
        torch); a callable ``seed(estimator, seed) -> estimator`` for anything else.
    steps : sequence of (name, transformer)
        Steps put between the scaler and the estimator in every pipeline of the
        family (cloned per trial), e.g. ``[("float32", FunctionTransformer(...))]``
        for a net that wants float32 input. Names other than prep, scale, model.
    requires : tuple of str
        Modules the estimator imports when it is fitted (an optional extra); a
        search naming the family without them fails at once with ``install``.
    install : str or None
        The command that installs ``requires`` (default: ``pip install`` them).
    """

    name: str
    estimator: Callable[..., BaseEstimator]
    space: Callable[[DataInfo], dict[str, Any]]
    scale: bool = False
    encoding: Literal["onehot", "ordinal", "native", "category"] = "onehot"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    threads: str | None = None
    max_rows: int | None = None
    default: Callable[[DataInfo], dict[str, Any] | list[dict[str, Any]]] | None = None
    screen_defaults: bool = True
    tasks: tuple[str, ...] | None = None
    scale_target: bool = False
    seed: str | Callable[[BaseEstimator, int | None], BaseEstimator] | None = None
    steps: Sequence[tuple[str, BaseEstimator]] = ()
    requires: tuple[str, ...] = ()
    install: str | None = None

    def __post_init__(self) -> None:
        names = [name for name, _ in self.steps]
        taken = {"prep", "scale", "model"}.intersection(names)
        if taken or len(set(names)) != len(names):
            raise ValueError(
                f"Family {self.name!r}: step names must be distinct and not prep, scale or "
                f"model, got {names}."
            )
        object.__setattr__(self, "steps", tuple(self.steps))
        tasks = self.tasks
        if isinstance(tasks, str):
            tasks = (tasks,)
        if tasks is None:
            tasks = _infer_tasks(self.estimator, self.fixed)
            if not tasks:
                raise ValueError(
                    f"Family {self.name!r}: cannot tell whether its estimator is a classifier "
                    "or a regressor; pass tasks=('classification',), ('regression',) or both."
                )
        unknown = [t for t in tasks if t not in TASK_NAMES]
        if unknown or not tasks:
            raise ValueError(
                f"Family {self.name!r}: tasks must be a non-empty tuple of {TASK_NAMES}, "
                f"got {self.tasks!r}."
            )
        object.__setattr__(self, "tasks", tuple(tasks))

    def label(self, param: str) -> str:
        """The hyperopt label of ``param`` in this family."""
        return f"{self.name}.{param}"

    def serves(self, task: str) -> bool:
        """Whether the family can take part in a search for ``task``."""
        return task in (self.tasks or ())

    def check_installed(self) -> None:
        """Raise ImportError naming the install command if a required module is missing."""
        missing = [name for name in self.requires if importlib.util.find_spec(name) is None]
        if missing:
            install = self.install or f"pip install {' '.join(missing)}"
            raise ImportError(
                f"Family {self.name!r} needs {' and '.join(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not installed: {install}"
            )


# -- one declaration, a record per task --------------------------------------------


class PerTask:
    """An entry of a space or default point that depends on the task.

    ``PerTask(classification=x)`` is ``x`` in the classification record and no entry
    at all in the regression one; ``PerTask(classification=0, regression=2)`` differs.
    """

    __slots__ = ("values",)

    def __init__(self, **values: Any) -> None:
        self.values = values


def _for_task(task: str, build: Callable[[DataInfo], Any], info: DataInfo) -> Any:
    """``build(info)`` (a point, or a list of points) with its :class:`PerTask` entries
    resolved for ``task``."""
    found = build(info)
    if isinstance(found, list):
        return [_resolved(task, point) for point in found]
    return _resolved(task, found)


def _resolved(task: str, point: Mapping[str, Any]) -> dict[str, Any]:
    resolved = {}
    for key, value in point.items():
        if not isinstance(value, PerTask):
            resolved[key] = value
        elif task in value.values:
            resolved[key] = value.values[task]
    return resolved


def by_task(
    name: str,
    estimators: tuple[Any, Any],
    space: Callable[[DataInfo], dict[str, Any]],
    default: Callable[[DataInfo], dict[str, Any] | list[dict[str, Any]]] | None = None,
    *,
    classification: Mapping[str, Any] | None = None,
    regression: Mapping[str, Any] | None = None,
    **common: Any,
) -> dict[str, Family]:
    """One family's :class:`Family` record for each task, by task.

    ``estimators`` is the (classifier, regressor) pair (None for a task the family
    does not serve); ``common`` holds the keyword arguments the records share,
    ``classification`` / ``regression`` a task's own (any shared one it overrides,
    e.g. its own ``name``). The records' spaces and defaults resolve their
    :class:`PerTask` entries for their task.
    """
    own = {"classification": classification or {}, "regression": regression or {}}
    records = {}
    for task, estimator in zip(TASK_NAMES, estimators, strict=True):
        if estimator is None:
            continue
        kwargs = {"name": name, "space": space, "default": default, **common, **own[task]}
        kwargs["space"] = partial(_for_task, task, kwargs["space"])
        if kwargs["default"] is not None:
            kwargs["default"] = partial(_for_task, task, kwargs["default"])
        records[task] = Family(estimator=estimator, tasks=(task,), **kwargs)
    return records


#: Families whose knobs depend on the scale of their input and of a regression target
#: (distances, margins, penalties, step sizes): a scaler is searched in front of them,
#: and as regressors they fit a standardised target.
SCALED: dict[str, Any] = {"scale": True, "regression": {"scale_target": True}}


# -- space helpers -------------------------------------------------------------------


def int_uniform(label: str, low: float, high: float) -> Any:
    """An integer drawn uniformly from ``[low, high]``."""
    return scope.int(hp.quniform(label, low, high, 1))


def log_int(label: str, low: float, high: float) -> Any:
    """An integer whose logarithm is uniform on ``[log(low), log(high)]``."""
    return scope.int(hp.qloguniform(label, math.log(low), math.log(high), 1))


def log_uniform(label: str, low: float, high: float) -> Any:
    """A float whose logarithm is uniform on ``[log(low), log(high)]``."""
    return hp.loguniform(label, math.log(low), math.log(high))


def class_weight(prefix: str) -> PerTask:
    """None or "balanced" class weights: a classification-only entry."""
    return PerTask(classification=hp.choice(f"{prefix}.class_weight", [None, "balanced"]))


def hidden_layers(prefix: str, low: int, high: int, most: int) -> Any:
    """1 to ``most`` hidden layers, each layer's width its own log-scale integer (nets)."""

    def width(layer: int, of: int) -> Any:
        return log_int(f"{prefix}.width_{layer}_of_{of}", low, high)

    depths = range(1, most + 1)
    return hp.choice(
        f"{prefix}.layers", [tuple(width(k, n) for k in range(1, n + 1)) for n in depths]
    )
