"""Opt-in ensembles: voting over the best distinct pipelines.

The ensemble is scored on the search's own folds and kept only when its CV
score beats the single best trial; it is one scikit-learn ``VotingClassifier``
(soft, or hard when a member has no ``predict_proba``) or ``VotingRegressor``
(the mean) of plain Pipelines, so it saves and predicts like any other model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.ensemble import VotingClassifier

from automodel.evaluate import Objective
from automodel.space import decode

__all__ = ["EnsembleResult", "pick_members", "try_ensemble"]


@dataclass
class EnsembleResult:
    """The scored ensemble: its members (trial rows), voting and CV result."""

    members: list[int]
    voting: str
    result: dict[str, Any]
    estimator: BaseEstimator


def pick_members(
    table: Mapping[str, Any], size: int, n_rows: int, objective: Objective
) -> list[int]:
    """Rows of the ``size`` best successful trials with distinct parameters.

    Families that train on a row cap smaller than the table are left out: in a
    voting ensemble they would be refit on every row.
    """
    order = sorted(
        (i for i, status in enumerate(table["status"]) if status == "ok"),
        key=lambda i: (table["rank_test_score"][i], i),
    )
    members: list[int] = []
    seen: list[dict[str, Any]] = []
    for index in order:
        params = table["params"][index]
        cap = objective.families[params["family"]].max_rows
        if params in seen or (cap is not None and cap < n_rows):
            continue
        seen.append(params)
        members.append(index)
        if len(members) == size:
            break
    return members


def _voting(
    objective: Objective, configs: Sequence[Mapping[str, Any]], voting: type
) -> tuple[BaseEstimator, str]:
    pipelines = [objective.pipeline(config) for config in configs]
    names = [f"{decode(config).family}_{k}" for k, config in enumerate(configs)]
    estimators = list(zip(names, pipelines, strict=True))
    if not issubclass(voting, VotingClassifier):
        return voting(estimators), "mean"
    soft = all(hasattr(pipeline, "predict_proba") for pipeline in pipelines)
    kind = "soft" if soft else "hard"
    return voting(estimators, voting=kind), kind


def try_ensemble(
    objective: Objective,
    configs: Sequence[Mapping[str, Any]],
    members: Sequence[int],
    voting: type = VotingClassifier,
) -> EnsembleResult | None:
    """Score a ``voting`` ensemble of the trials ``members``; None if under 2 members."""
    if len(members) < 2:
        return None
    estimator, kind = _voting(objective, [configs[i] for i in members], voting)
    result = objective.score(estimator)
    return EnsembleResult(list(members), kind, result, estimator)


def beats(result: dict[str, Any], best_score: float) -> bool:
    """Whether the ensemble's mean CV score is strictly higher than the single best."""
    return result["status"] == "ok" and float(np.mean(result["scores"])) > best_score
