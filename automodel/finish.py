"""After the search: the ensemble step, else the best trial's refit and bagging; one fitted model.

:func:`finish` takes a :class:`~automodel.problem.Problem` and the search's records
and returns a :class:`SearchResult` of plain values; it does not know how the
trials ran. How much of the time budget finishing needs is :mod:`automodel.budget`'s.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import effective_n_jobs

from automodel.bagging import bag_best, bag_seconds
from automodel.errors import SearchInterruptedWarning
from automodel.problem import Problem
from automodel.refit import (
    EnsembleOutcome,
    plan_seconds,
    ranked_rows,
    refit_best,
    search_ensemble,
)
from automodel.results import cv_results
from automodel.threads import one_thread
from automodel.trial import TrialRecord
from automodel.uncertainty import Uncertainty, calibrated_uncertainty, uncertainty_seconds

__all__ = [
    "OPTIONAL_ATTRIBUTES",
    "SearchResult",
    "finish",
]

#: Attributes only some fits set.
OPTIONAL_ATTRIBUTES = (
    "best_single_estimator_",
    "ensemble_members_",
    "ensemble_weights_",
    "ensemble_score_",
    "ensemble_note_",
    "ensemble_time_",
    "oof_predictions_",
    "_oof_target",
    "conformal_",
    "interval_method_",
    "expected_score_parts_",
)


@dataclass
class SearchResult:
    """Everything a fit produced, as plain values."""

    task: str
    scoring: Any
    records: list[TrialRecord]
    cv_results: dict[str, Any]
    stop_reason: str
    search_time: float
    refit_time: float
    best_index: int
    best_score: float
    best_estimator: Any
    classes: np.ndarray | None
    #: The checked feature table (a DataFrame or a 2-D array), for the column checks.
    features: Any = None
    #: The refit single best pipeline (the same object as its ensemble member, if any).
    single_estimator: Any = None
    #: The ensemble step (None without ``ensemble``): its members and integer weights
    #: (empty when the single best was kept), scores and why it was not kept.
    ensemble: EnsembleOutcome | None = None
    #: Seconds of the ensemble step (selection and the members' refit), in ``refit_time``.
    ensemble_time: float = 0.0
    #: The best trial's fold models bag in ``best_estimator`` (see automodel.bagging);
    #: ``bag_note`` says why bagging was planned and not done.
    bagged: bool = False
    bag_note: str = ""
    #: The winner's out-of-fold predictions and the matching targets (regression; NaN
    #: for rows in no test fold), for the report's predicted-vs-actual plots.
    oof_predictions: np.ndarray | None = None
    oof_target: np.ndarray | None = None
    #: Why a classifier gives no probabilities ("" when it does; see automodel.calibration).
    proba_note: str = ""
    #: Interval or set calibration and the expected score (see automodel.uncertainty).
    uncertainty: Uncertainty | None = None
    #: hyperopt's trial documents of the search (``trials_``).
    trials: Any = None

    def attributes(self) -> dict[str, Any]:
        """The fitted attributes of an estimator fitted by this search (name -> value;
        ``_docs.py`` documents them; :data:`OPTIONAL_ATTRIBUTES` are the ones only some
        fits set)."""
        values: dict[str, Any] = {
            "task_": self.task,
            "scoring_": self.scoring,
            "trials_": self.trials,
            "cv_results_": self.cv_results,
            "stop_reason_": self.stop_reason,
            "search_time_": self.search_time,
            "refit_time_": self.refit_time,
            "best_index_": self.best_index,
            "best_params_": self.cv_results["params"][self.best_index],
            "best_score_": self.best_score,
            "best_estimator_": self.best_estimator,
            "bagged_": self.bagged,
            "bagging_note_": self.bag_note,
            "proba_note_": self.proba_note,
            **self._ensemble_attributes(),
            **(Uncertainty() if self.uncertainty is None else self.uncertainty).attributes(),
        }
        if self.bagged:
            values["best_single_estimator_"] = self.single_estimator
        if self.oof_predictions is not None:
            values["oof_predictions_"] = self.oof_predictions
            values["_oof_target"] = self.oof_target
        if self.classes is not None:
            values["classes_"] = self.classes
        return values

    def _ensemble_attributes(self) -> dict[str, Any]:
        found = self.ensemble
        if found is None:
            return {}
        kept = found.estimator is not None
        return {
            "best_single_estimator_": self.single_estimator,
            "ensemble_members_": found.members if kept else [self.best_index],
            "ensemble_weights_": found.weights if kept else [1],
            "ensemble_score_": found.score if kept else float("nan"),
            "ensemble_note_": found.note,
            "ensemble_time_": self.ensemble_time,
        }


def _steps_deadline(problem: Problem) -> float | None:
    """When the ensemble or bagging step must be done: the fit's deadline less the
    uncertainty step's share."""
    end = problem.deadline
    return None if end is None else end - uncertainty_seconds(len(problem.y))


def finish(
    problem: Problem, records: list[TrialRecord], stop_reason: str, search_time: float
) -> SearchResult:
    """The model of ``records``: the ensemble where one is planned and kept (its
    members' refit on all rows holds the best trial's), else the best refit on all rows
    (bagged where planned); a classifier without probabilities (an SVC) gets them from
    its out-of-fold decision values. After a failed ensemble refit the best is refit
    alone, which the reserve did not plan: that path may pass the ``timeout``."""
    table = cv_results(records, len(problem.folds))
    if stop_reason == "interrupted":
        warnings.warn(
            f"Search interrupted after {len(records)} finished trial(s); "
            "finishing with the best found so far.",
            SearchInterruptedWarning,
            stacklevel=4,
        )
    refit_start = time.monotonic()
    found, ensemble_time = _ensemble(problem, records, table)
    kept = found is not None and found.estimator is not None
    index, single = _single_best(problem, records, table, stop_reason, found)
    result = SearchResult(
        task=problem.task.name,
        scoring=problem.scoring,
        records=records,
        cv_results=table,
        stop_reason=stop_reason,
        search_time=search_time,
        refit_time=0.0,
        best_index=index,
        best_score=float(table["mean_test_score"][index]),
        best_estimator=found.estimator if kept else single,
        classes=problem.classes,
        single_estimator=single,
        ensemble=found,
        ensemble_time=ensemble_time,
    )
    oof = found.predictions if kept else records[index].oof
    if problem.bag and not kept:
        _bag(problem, result)
    with one_thread():
        result.best_estimator, result.proba_note, result.uncertainty = calibrated_uncertainty(
            problem,
            records,
            table,
            result.best_index,
            result.best_estimator,
            kept,
            result.bagged,
            oof,
            _members(result) if kept else None,
        )
    if oof is not None and problem.task.keeps_predictions:
        result.oof_predictions = np.asarray(oof, dtype=np.float32)
        result.oof_target = np.asarray(problem.y, dtype=np.float32)
    result.refit_time = time.monotonic() - refit_start
    result.features = problem.X
    return result


def _single_best(
    problem: Problem,
    records: list[TrialRecord],
    table: dict[str, Any],
    stop_reason: str,
    found: EnsembleOutcome | None,
) -> tuple[int, Any]:
    """The best trial's row and its pipeline fitted on all rows: the kept ensemble's
    member, or refit here (falling back to the next best when a refit fails)."""
    if found is not None and found.estimator is not None:
        index = ranked_rows(table)[0]
        return index, dict(found.estimator.named_estimators_)[f"{table['family'][index]}_{index}"]
    with one_thread():  # as in the trials, so the refit takes what the reserve planned
        refit = refit_best(problem.objective, records, table, stop_reason, problem.settings.timeout)
    return refit.index, refit.estimator


def _ensemble(
    problem: Problem, records: list[TrialRecord], table: dict[str, Any]
) -> tuple[EnsembleOutcome | None, float]:
    """The ensemble step (None where none is planned or no trial succeeded) and its
    seconds: the selection from the best trial, then its members' refit."""
    ok = ranked_rows(table)
    if problem.ensemble_size is None or not ok:
        return None, 0.0
    best = ok[0]
    start, deadline, voting = time.monotonic(), _steps_deadline(problem), problem.task.voting
    size, scale, n_jobs = problem.ensemble_size, problem.refit_scale, problem.settings.n_jobs
    with one_thread():
        found = search_ensemble(
            problem.objective, records, table, best, size, voting, deadline, scale, n_jobs
        )
    return found, time.monotonic() - start


def _members(result: SearchResult) -> dict[int, int]:
    """The kept ensemble's trials and weights (trial row -> weight)."""
    found = result.ensemble
    return dict(zip(found.members, found.weights, strict=True))


def _bag(problem: Problem, result: SearchResult) -> None:
    """Replace the refit single best by its bagged fold models, when they fit in time."""
    settings = problem.settings
    best = result.records[result.best_index]
    planned = plan_seconds(bag_seconds(best.fit_time, effective_n_jobs(settings.n_jobs)))
    with one_thread():
        found = bag_best(
            problem.objective,
            best.config,
            problem.task.voting,
            _steps_deadline(problem),
            planned,
            settings.n_jobs,
            warn=settings.bagging is True,
        )
    result.bag_note = found.note
    if found.estimator is not None:
        result.best_estimator = found.estimator
        result.bagged = True
