"""Ensembles of the search's trials, built from their out-of-fold predictions.

The pool is the best distinct successful trials that kept out-of-fold predictions
(:data:`~automodel.selection.ENSEMBLE_POOL` of them); :func:`automodel.selection.select`
picks integer weights over it; the chosen pipelines become one scikit-learn
``VotingClassifier`` (soft, weighted) or ``VotingRegressor`` (weighted mean) refit
on all rows, so the model saves and predicts without automodel's search code.

Who takes part: classifiers need ``predict_proba`` (an ``SVC`` has none and is left
out); families that train on a row cap smaller than the table, and trials that
screening stopped on a rung of fewer rows, are left out, since a voting ensemble
refits its members on every row.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator
from sklearn.ensemble import VotingClassifier

from automodel.evaluate import Objective
from automodel.selection import ENSEMBLE_POOL
from automodel.space import decode
from automodel.trial import TrialRecord, ranked

__all__ = ["build_voting", "ensemble_pool", "keep_best_predictions"]


def keep_best_predictions(
    records: Sequence[TrialRecord], keep: int, per_family: int = 0
) -> list[TrialRecord]:
    """The records with the out-of-fold predictions of all but the ``keep`` best trials
    and the ``per_family`` best of each family dropped (a memory bound)."""
    ok = ranked(records)
    kept = set(ok[:keep])
    if per_family:
        counts: dict[str, int] = {}
        for k in ok:
            family = records[k].config["family"]
            counts[family] = counts.get(family, 0) + 1
            if counts[family] <= per_family:
                kept.add(k)
    return [
        r if k in kept or not r.has_predictions else r.without_predictions()
        for k, r in enumerate(records)
    ]


def ensemble_pool(
    records: Sequence[TrialRecord],
    table: Mapping[str, Any],
    objective: Objective,
    size: int = ENSEMBLE_POOL,
    per_family: int = 0,
) -> dict[int, np.ndarray]:
    """Trial row -> out-of-fold predictions of the ``size`` best distinct trials that
    can take part, best first, and of the ``per_family`` best of each family."""
    order = sorted(
        (i for i, status in enumerate(table["status"]) if status == "ok"),
        key=lambda i: (table["rank_test_score"][i], i),
    )
    pool: dict[int, np.ndarray] = {}
    seen: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    n_rows = len(objective.y)
    for index in order:
        params = table["params"][index]
        family = params["family"]
        oof = records[index].oof
        cap = objective.families[family].max_rows
        if oof is None or params in seen or not _refits_alike(records[index], cap, n_rows):
            continue
        counts[family] = counts.get(family, 0) + 1
        if len(pool) < size or counts[family] <= per_family:
            seen.append(params)
            pool[index] = oof
    return pool


def _refits_alike(record: TrialRecord, cap: int | None, n_rows: int) -> bool:
    """Whether ``record``'s predictions came from the model its refit grows into: not
    from a family's row cap below the table, nor from a screening rung it stopped at."""
    return record.screen_rows is None and (cap is None or cap >= n_rows)


def build_voting(
    objective: Objective,
    configs: Sequence[Mapping[str, Any]],
    weights: Mapping[int, int],
    voting: type,
    n_jobs: int | None = None,
) -> BaseEstimator:
    """The weighted voting ensemble of trials ``weights`` (row -> weight), fitted on all rows.

    Members are fitted in parallel on ``n_jobs`` cores; the fitted ensemble predicts
    in this process (``n_jobs=None``).
    """
    rows = list(weights)
    names = [f"{decode(configs[i]).family}_{i}" for i in rows]
    pipelines = [objective.pipeline(configs[i]) for i in rows]
    estimators = list(zip(names, pipelines, strict=True))
    kwargs: dict[str, Any] = {"weights": [weights[i] for i in rows]}
    if issubclass(voting, VotingClassifier):
        kwargs["voting"] = "soft"
    cores = min(effective_n_jobs(n_jobs), len(rows))
    ensemble = voting(estimators, n_jobs=cores if cores > 1 else None, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ensemble.fit(objective.X, objective.y)
    return ensemble.set_params(n_jobs=None)
