"""After the search: the refit reserve, refitting the best trial, the ensemble step.

Task-free: the objective knows the data and the folds, the task knows how to vote.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs

from automodel.bagging import bag_seconds
from automodel.ensemble import build_voting, ensemble_pool
from automodel.errors import RefitWarning, SearchFailedError
from automodel.evaluate import Objective
from automodel.selection import oof_score, select
from automodel.trial import TrialRecord, ranked

__all__ = [
    "REFIT_MARGIN",
    "REFIT_SAFETY",
    "SIDE_BY_SIDE",
    "EnsembleOutcome",
    "failure_summary",
    "plan_seconds",
    "ranked_rows",
    "refit_best",
    "refit_reserve",
    "search_ensemble",
]

#: A refit is planned at this many times its fold fit, scaled to all rows, plus
#: :data:`REFIT_MARGIN`.
REFIT_SAFETY = 1.2

#: On top of :data:`REFIT_SAFETY`: this share of the scaled fit, at most these seconds.
#: Timing noise is a larger share of a short fit (a 1 s fit is planned at 1.5 s) than
#: of a long one: on a million rows the refit of a pair of LightGBM members took 1.03
#: times what their fold fits scaled to all rows predicted (155 s against 151 s), where
#: a flat 1.5x kept some 70 s of the budget from the search for nothing.
REFIT_MARGIN = (0.3, 3.0)


#: Members refit side by side (an ensemble on several cores) are planned this many
#: times longer again: they contend for memory, where a trial's fit may have run beside
#: lighter ones. On a million rows a LightGBM pair's refit took 0.96x, 1.03x and (from
#: the search's end) at least 1.3x the deep member's trial fit scaled to all rows.
SIDE_BY_SIDE = 1.25


def plan_seconds(seconds: float) -> float:
    """Planned seconds for a fit expected to take ``seconds``: the safety factor, plus
    the margin (:data:`REFIT_SAFETY`, :data:`REFIT_MARGIN`)."""
    share, most = REFIT_MARGIN
    return REFIT_SAFETY * seconds + min(share * seconds, most)


def refit_reserve(
    records: Sequence[TrialRecord],
    scale: float,
    members: int = 0,
    cores: int = 1,
    bag: bool = False,
) -> float:
    """Seconds to keep for the refit on all rows: the current best trial's (and with
    ``bag`` its fold models again), or with ``members`` > 1 an ensemble of the
    ``members`` best trials that can take part, on ``cores`` cores, when that takes
    longer (the ensemble step refits its members, the best among them, instead of
    the best alone). A best trial that a screening rung stopped is refit on that
    rung's share of all rows (:meth:`~automodel.evaluate.Objective.fit_all`), so its
    plan scales like any other's: no extrapolation from a subsample to all rows (a
    boosted model's fit time grows far slower than its rows: 1,000 trees of 127
    leaves took 17.5 s on 15,000 rows of the generated table of benchmarks.million,
    about 120 s on 600,000)."""
    ok = ranked(records)
    if not ok:
        return 0.0
    first = records[ok[0]]
    best = plan_seconds(scale * max(first.fit_time))
    if bag:
        best += plan_seconds(bag_seconds(first.fit_time, cores))
    # Without out-of-fold predictions (an SVC), or stopped on a rung, the best starts
    # no ensemble; the other members are the trials that can take part.
    mixable = [i for i in ok if records[i].oof is not None and records[i].screen_rows is None]
    if members < 2 or not mixable or mixable[0] != ok[0] or len(mixable) < 2:
        return best
    return max(best, _refit_seconds(records, mixable[:members], scale, cores))


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


def ranked_rows(table: dict[str, Any]) -> list[int]:
    """The rows of the successful trials of ``cv_results`` ``table``, best first (the
    order the refit tries them in)."""
    ok = [i for i, status in enumerate(table["status"]) if status == "ok"]
    return sorted(ok, key=lambda i: (table["rank_test_score"][i], i))


def refit_best(
    objective: Objective,
    records: Sequence[TrialRecord],
    table: dict[str, Any],
    stop_reason: str,
    timeout: float | None,
) -> Refit:
    """Refit the best trial on all rows; on failure fall back to the next best."""
    ok = ranked_rows(table)
    if not ok:
        raise SearchFailedError(failure_summary(table, stop_reason, timeout))
    errors = []
    for index in ok:
        config = records[index].config
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline = objective.fit_all(config, records[index].screen_rows)
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
    """What the ensemble step chose, and the estimator to keep (None: the single best).

    ``score`` is the selected ensemble's out-of-fold score, optimistic since the
    weights were chosen on those same predictions; ``single_score`` is the start
    trial's score on the same rows, for comparison.
    """

    members: list[int] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)
    score: float = float("nan")
    single_score: float = float("nan")
    predictions: np.ndarray | None = None
    estimator: Any = None
    note: str = ""


def _refit_seconds(
    records: Sequence[TrialRecord], rows: list[int], scale: float, cores: int
) -> float:
    """Planned seconds to refit trials ``rows`` on all rows, ``cores`` at a time
    (:data:`SIDE_BY_SIDE` longer when several run at once)."""
    fits = [plan_seconds(scale * max(records[i].fit_time)) for i in rows]
    at_once = max(1, min(cores, len(fits)))
    contention = SIDE_BY_SIDE if at_once > 1 else 1.0
    return contention * max(sum(fits) / at_once, max(fits, default=0.0))


def search_ensemble(
    objective: Objective,
    records: Sequence[TrialRecord],
    table: dict[str, Any],
    best_index: int,
    max_members: int,
    voting: type,
    deadline: float | None,
    scale: float,
    n_jobs: int | None = None,
) -> EnsembleOutcome:
    """Greedy ensemble selection over the trials' out-of-fold predictions, then the refit.

    The selection starts from the best trial: when that trial cannot take part (see
    :func:`~automodel.ensemble.ensemble_pool`), no ensemble is built. ``max_members``
    caps the distinct members (0: no cap). The ensemble is kept when it has at least
    two members (the selection then beat the best trial alone) and its refit fits in
    the time left before ``deadline``, or is planned to take no longer than the best's
    refit alone (which would run in its place).
    """
    pool = ensemble_pool(records, table, objective)
    if best_index not in pool:
        # A mix without the best trial would only stand in for a better model.
        best = records[best_index]
        return EnsembleOutcome(note=_left_out(objective, table["family"][best_index], best))
    if len(pool) < 2:
        return EnsembleOutcome(note="fewer than two trials can take part")
    outcome = _select(objective, pool, best_index, max_members, deadline)
    if len(outcome.members) < 2:
        outcome.note = "no mix of trials beat the best alone"
        return outcome
    cores = effective_n_jobs(n_jobs)
    needed = _refit_seconds(records, outcome.members, scale, cores)
    # The best's refit runs anyway; members refit side by side in no more than its plan
    # cost nothing extra, so only a longer plan must fit in the time left.
    alone = _refit_seconds(records, [best_index], scale, cores)
    if deadline is not None and needed > alone and time.monotonic() + needed > deadline:
        outcome.note = (
            f"refitting the {len(outcome.members)} ensemble members needs about {needed:.1f} s "
            "and the time budget has less left"
        )
        warnings.warn(f"Ensemble not refit: {outcome.note}.", UserWarning, stacklevel=4)
        return outcome
    configs = [record.config for record in records]
    weights = dict(zip(outcome.members, outcome.weights, strict=True))
    try:
        outcome.estimator = build_voting(objective, configs, weights, voting, n_jobs)
    except Exception as exc:  # noqa: BLE001 - a member that fails to refit: the single best
        error = f"{type(exc).__name__}: {exc}"
        outcome.note = f"refitting the ensemble failed ({error})"
        warnings.warn(f"Ensemble not refit: {outcome.note}.", RefitWarning, stacklevel=4)
    return outcome


def _left_out(objective: Objective, family: str, record: TrialRecord) -> str:
    """Why the best trial (``record``, of ``family``) cannot take part in an ensemble."""
    cap = objective.families[family].max_rows
    if record.screen_rows is not None:
        why = f"screening stopped it on {record.screen_rows} training rows"
    elif cap is not None and cap < len(objective.y):
        why = f"it trained on a row cap of {cap}, and the ensemble refits on every row"
    else:
        why = "it has no out-of-fold predictions to mix (an SVC has no class probabilities)"
    return f"the best trial ({family}) cannot take part: {why}"


def _select(
    objective: Objective,
    pool: dict[int, np.ndarray],
    start: int,
    max_members: int,
    deadline: float | None,
) -> EnsembleOutcome:
    """The greedy selection from trial ``start`` under the search's scorer."""
    fold = np.full(len(objective.y), -1)
    for k, (_, test) in enumerate(objective.folds):
        fold[test] = k
    y, scoring = objective.y, objective.scoring
    found = select(
        pool, y, scoring, start, fold, max_members=max_members or None, deadline=deadline
    )
    covered = fold >= 0
    return EnsembleOutcome(
        members=found.members,
        weights=[found.weights[i] for i in found.members],
        score=found.score,
        single_score=oof_score(pool[start][covered], y[covered], scoring, fold[covered]),
        predictions=found.predictions,
    )
