"""Opt-in ensembles: soft (or hard) voting over the best distinct pipelines.

The ensemble is scored on the search's own folds and kept only when its CV
score beats the single best trial; it is one scikit-learn ``VotingClassifier``
of plain Pipelines, so it saves and predicts like any other model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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
    estimator: VotingClassifier


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


def _voting(objective: Objective, configs: Sequence[Mapping[str, Any]]) -> VotingClassifier:
    pipelines = [objective.pipeline(config) for config in configs]
    soft = all(hasattr(pipeline, "predict_proba") for pipeline in pipelines)
    names = [f"{decode(config).family}_{k}" for k, config in enumerate(configs)]
    return VotingClassifier(
        list(zip(names, pipelines, strict=True)), voting="soft" if soft else "hard"
    )


def try_ensemble(
    objective: Objective, configs: Sequence[Mapping[str, Any]], members: Sequence[int]
) -> EnsembleResult | None:
    """Score a voting ensemble of the trials ``members``; None if under 2 members."""
    if len(members) < 2:
        return None
    voting = _voting(objective, [configs[i] for i in members])
    result = objective.score(voting)
    return EnsembleResult(list(members), voting.voting, result, voting)


def beats(result: dict[str, Any], best_score: float) -> bool:
    """Whether the ensemble's mean CV score is strictly higher than the single best."""
    return result["status"] == "ok" and float(np.mean(result["scores"])) > best_score
