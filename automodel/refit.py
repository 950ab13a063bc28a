"""After the search: the refit reserve, refitting the best trial, the opt-in ensemble.

Task-free: the objective knows the data and the folds, the task knows how to vote.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from hyperopt import Trials

from automodel.ensemble import beats, pick_members, try_ensemble
from automodel.evaluate import Objective

__all__ = [
    "REFIT_SAFETY",
    "RefitWarning",
    "SearchFailedError",
    "SearchInterruptedWarning",
    "failure_summary",
    "refit_best",
    "refit_reserve",
    "search_ensemble",
]

#: The refit reserve is this many times a fold fit of the best trial, scaled to all rows.
REFIT_SAFETY = 1.5


class SearchFailedError(RuntimeError):
    """Every trial of the search failed, so there is no model to return."""


class SearchInterruptedWarning(UserWarning):
    """The search was cut short (Ctrl-C); the best trial so far was refit."""


class RefitWarning(UserWarning):
    """The best trial failed to refit on all rows and the next best was used."""


def refit_reserve(trials: Trials, scale: float) -> float:
    """Seconds to keep for refitting the current best trial on all rows."""
    ok = [r for r in trials.results if r.get("status") == "ok"]
    if not ok:
        return 0.0
    best = min(ok, key=lambda r: r["loss"])
    return REFIT_SAFETY * scale * max(best["fit_time"])


def failure_summary(table: dict[str, Any], stop_reason: str, timeout: float | None) -> str:
    """Why there is no model: counts per failure reason, the first error, what to do."""
    budget_advice = (
        f"No trial finished within timeout={timeout} s: give a larger timeout, or faster "
        "families (e.g. families=['forest', 'tree'])."
    )
    if not table["status"]:
        if stop_reason == "timeout":
            return budget_advice
        return "The search was interrupted before any trial finished; there is no model to refit."
    reasons = pd.Series(table["status"]).value_counts().to_dict()
    first = next((e for e in table["error"] if e), "no error message")
    counts = ", ".join(f"{n} {reason}" for reason, n in reasons.items())
    advice = "Check the data, or restrict `families` to ones that suit it."
    if stop_reason == "timeout" and set(reasons) == {"timeout"}:
        advice = budget_advice
    return f"All {len(table['status'])} trials failed ({counts}); first failure: {first}. {advice}"


@dataclass
class Refit:
    """The trial that was refit on all rows, and the fitted pipeline."""

    index: int
    estimator: Any


def refit_best(
    objective: Objective,
    trials: Trials,
    table: dict[str, Any],
    stop_reason: str,
    timeout: float | None,
) -> Refit:
    """Refit the best trial on all rows; on failure fall back to the next best."""
    ok = [i for i, status in enumerate(table["status"]) if status == "ok"]
    if not ok:
        raise SearchFailedError(failure_summary(table, stop_reason, timeout))
    errors = []
    for index in sorted(ok, key=lambda i: (table["rank_test_score"][i], i)):
        config = trials.trials[index]["result"]["config"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline = objective.fit_all(config)
        except Exception as exc:  # noqa: BLE001 - fall back to the next best
            errors.append(f"trial {index}: {type(exc).__name__}: {exc}")
            warnings.warn(
                f"Refitting trial {index} on all rows failed ({type(exc).__name__}: {exc}); "
                "falling back to the next best trial.",
                RefitWarning,
                stacklevel=4,
            )
            continue
        return Refit(index, pipeline)
    raise SearchFailedError(
        "Every successful trial failed to refit on all rows: " + "; ".join(errors[:3])
    )


@dataclass
class EnsembleOutcome:
    """What the ensemble step tried, and the estimator to keep (None: the single best)."""

    members: list[int]
    score: float
    estimator: Any = None


def search_ensemble(
    objective: Objective,
    trials: Trials,
    table: dict[str, Any],
    size: int,
    best_score: float,
    voting: type,
    deadline: float | None,
) -> EnsembleOutcome:
    """Score a voting ensemble of the ``size`` best trials; keep it only if it beats the best."""
    outcome = EnsembleOutcome([], float("nan"))
    members = pick_members(table, size, len(objective.y), objective)
    if deadline is not None:
        # Scoring costs the members' fold fits again, then one refit of each.
        needed = sum(
            REFIT_SAFETY * 2 * np.sum(trials.trials[i]["result"]["fit_time"]) for i in members
        )
        if time.monotonic() + needed > deadline:
            warnings.warn(
                "Not enough of the time budget is left to score an ensemble; "
                "keeping the single best pipeline.",
                UserWarning,
                stacklevel=4,
            )
            return outcome
    configs = [doc["result"]["config"] for doc in trials.trials]
    found = try_ensemble(objective, configs, members, voting)
    if found is None:
        return outcome
    outcome.members = found.members
    if found.result["status"] == "ok":
        outcome.score = float(np.mean(found.result["scores"]))
    if beats(found.result, best_score):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome.estimator = found.estimator.fit(objective.X, objective.y)
    return outcome
