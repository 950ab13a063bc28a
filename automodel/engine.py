"""The search engine: validate -> search -> refit -> ensemble, for any task.

:func:`run` takes the estimator's settings, a :class:`~automodel.tasks.Task` and
the data, and returns a plain :class:`SearchResult`; the scikit-learn facade
(``estimator.py``) only copies its fields onto fitted attributes.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from numbers import Integral
from typing import Any

import numpy as np
from hyperopt import Trials
from joblib import effective_n_jobs
from sklearn.utils import check_random_state

from automodel import checkpoint, data
from automodel.bagging import bag_best, bag_seconds, resolve_bagging
from automodel.ensemble import keep_best_predictions, resolve_size
from automodel.evaluate import Objective
from automodel.families import DataInfo, resolve_families
from automodel.refit import (
    REFIT_SAFETY,
    SearchInterruptedWarning,
    refit_best,
    refit_reserve,
    search_ensemble,
)
from automodel.results import cv_results
from automodel.schema import describe, encoded_width
from automodel.search import InlineExecutor, SearchOutcome, run_search
from automodel.selection import ENSEMBLE_POOL, FAMILY_POOL
from automodel.space import build_space, default_points
from automodel.tasks import Task
from automodel.threads import one_thread
from automodel.tracking import open_tracker
from automodel.trial_hook import TrialHook

__all__ = ["SearchResult", "Settings", "run"]


@dataclass(frozen=True)
class Settings:
    """The parameters of a search (the estimator's ``get_params()``)."""

    max_evals: int | None = 50
    cv: int = 5
    algo: Any = "tpe"
    scoring: Any = None
    families: Any = None
    random_state: Any = None
    n_jobs: int | None = None
    timeout: float | None = None
    trial_timeout: float | None = 300
    early_stop_rounds: int | None = None
    defaults_first: bool = True
    holdout_above: int | None = 20_000
    ensemble: Any = "auto"
    bagging: Any = "auto"
    checkpoint: str | os.PathLike[str] | None = None
    backend: str = "local"
    parallelism: int | None = None
    mlflow_logging: bool | None = None
    verbose: int = 0


@dataclass
class SearchResult:
    """Everything a search produced, as plain values."""

    task: str
    scoring: Any
    trials: Trials
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
    ensemble: Any = None
    #: Seconds of the ensemble step (selection and the members' refit), in ``refit_time``.
    ensemble_time: float = 0.0
    #: The best trial's fold models bag in ``best_estimator`` (see automodel.bagging);
    #: ``bag_note`` says why bagging was planned and not done.
    bagged: bool = False
    bag_note: str = ""
    #: The MLflow tracker of the search (None without tracking); the facade finishes it.
    tracker: Any = None
    #: The winner's out-of-fold predictions and the matching targets (regression; NaN
    #: for rows in no test fold), for the report's predicted-vs-actual plots.
    oof_predictions: np.ndarray | None = None
    oof_target: np.ndarray | None = None


def _seed(random_state: Any) -> int:
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


#: Trials planned in the search's refit reserve for an ensemble (with the best one).
ENSEMBLE_RESERVE_MEMBERS = 5


def run(settings: Settings, task: Task, X: Any, y: Any) -> SearchResult:
    """Search ``settings.families`` on ``(X, y)`` for ``task`` and refit the best."""
    started = time.monotonic()
    if settings.max_evals is None and settings.timeout is None:
        raise ValueError(
            "max_evals=None searches until the time budget ends, but there is no timeout: "
            "give timeout (seconds, e.g. timeout=60) or a number of trials (max_evals=50)."
        )
    if settings.parallelism is not None and settings.backend != "spark":
        warnings.warn(
            f"parallelism={settings.parallelism} is for backend='spark' and is ignored here; "
            "use n_jobs for trials at once on this machine.",
            UserWarning,
            stacklevel=3,
        )
    X = data.check_features(X)
    y_fit, classes = task.check_target(y, X.shape[0])
    task.check_rows(y_fit, classes, settings.cv)
    scoring = task.scoring(settings.scoring)
    families = resolve_families(settings.families, task.name)
    schema = describe(X)
    n_classes = 0 if classes is None else len(classes)
    width = encoded_width(schema, X)
    info = DataInfo(X.shape[0], X.shape[1], n_classes, settings.cv, n_encoded=width)
    space = build_space(families, info)
    points = default_points(families, info) if settings.defaults_first else []
    # The fingerprint hashes the whole table: only worth it when there is a checkpoint.
    fingerprint = None
    resumed = None
    if settings.checkpoint is not None:
        seed_part = settings.random_state if isinstance(settings.random_state, Integral) else None
        fingerprint = checkpoint.fingerprint(
            X, y_fit, str(space), settings.cv, settings.holdout_above, scoring,
            str(settings.algo), seed_part, task.name, settings.defaults_first,
        )  # fmt: skip
        resumed = checkpoint.read(settings.checkpoint, fingerprint)
    seed = resumed.seed if resumed is not None else _seed(settings.random_state)
    holdout = settings.holdout_above is not None and len(y_fit) > settings.holdout_above
    # "auto" ensembles and bags where it paid in the benchmarks: the task's rule by
    # rows, and no ensemble above holdout_above rows (diamonds: no test gain at twice
    # the peak memory).
    auto_ensemble = task.auto_ensembles(len(y_fit)) and not holdout
    ensemble_size = resolve_size(settings.ensemble, auto_ensemble)
    folds = task.folds(X, y_fit, settings.cv, holdout, seed)
    bag = resolve_bagging(settings.bagging, task.auto_bags(len(y_fit)), holdout)
    objective = Objective.build(
        X,
        y_fit,
        folds,
        scoring=scoring,
        families={family.name: family for family in families},
        random_state=seed,
        schema=schema,
        stratify=task.stratified,
        keep_predictions=task.keeps_predictions or ensemble_size is not None,
        n_classes=n_classes,
    )
    refit_scale = len(X) / len(folds[0][0])
    keep = (1, 0) if ensemble_size is None else (ENSEMBLE_POOL, FAMILY_POOL)
    tracker = open_tracker(settings.mlflow_logging)
    if tracker is not None:
        tracker.start(
            {f.name: getattr(settings, f.name) for f in fields(settings)}, task.name, X.shape
        )
        if resumed is not None:
            tracker.skip(range(len(resumed.trials.trials)))
    hook = TrialHook(settings, objective, seed, fingerprint, keep, tracker, started)
    if settings.backend == "spark":
        outcome = _spark_search(settings, space, objective, seed, started, points, resumed, hook)
    else:
        outcome = _local_search(
            settings, space, points, objective, seed, resumed, started, refit_scale, hook,
            ensemble_size, bag,
        )  # fmt: skip
    keep_best_predictions(outcome.trials, *keep)
    table = cv_results([doc["result"] for doc in outcome.trials.trials], len(folds))
    if outcome.stop_reason == "interrupted":
        warnings.warn(
            f"Search interrupted after {len(outcome.trials.trials)} finished trial(s); "
            "refitting the best found so far.",
            SearchInterruptedWarning,
            stacklevel=3,
        )
    refit_start = time.monotonic()
    try:
        with one_thread():  # as in the trials, so the refit takes what the reserve planned
            refit = refit_best(
                objective, outcome.trials, table, outcome.stop_reason, settings.timeout
            )
    except BaseException:
        if tracker is not None:
            tracker.close()  # the trials are logged; no model to log
        raise
    result = SearchResult(
        task=task.name,
        scoring=scoring,
        trials=outcome.trials,
        cv_results=table,
        stop_reason=outcome.stop_reason,
        search_time=outcome.elapsed,
        refit_time=time.monotonic() - refit_start,
        best_index=refit.index,
        best_score=float(table["mean_test_score"][refit.index]),
        best_estimator=refit.estimator,
        classes=classes,
        features=X,
        tracker=tracker,
    )
    result.single_estimator = refit.estimator
    oof = outcome.trials.trials[refit.index]["result"].get("oof")
    if ensemble_size is not None:
        ensemble_start = time.monotonic()
        deadline = None if settings.timeout is None else started + settings.timeout
        with one_thread():
            found = search_ensemble(
                objective,
                outcome.trials,
                table,
                refit.index,
                ensemble_size,
                task.voting,
                deadline,
                refit_scale,
                settings.n_jobs,
            )
        result.ensemble = found
        result.ensemble_time = time.monotonic() - ensemble_start
        result.refit_time = time.monotonic() - refit_start
        if found.estimator is not None:
            result.best_estimator = found.estimator
            oof = found.predictions
            members = dict(found.estimator.named_estimators_)
            same = f"{result.cv_results['family'][refit.index]}_{refit.index}"
            result.single_estimator = members.get(same, refit.estimator)
    if bag and result.best_estimator is refit.estimator:
        _bag(result, objective, task, settings, started)
    if oof is not None and task.keeps_predictions:
        result.oof_predictions = np.asarray(oof, dtype=np.float32)
        result.oof_target = np.asarray(y_fit, dtype=np.float32)
    # Out-of-fold predictions live in the checkpoint, not in the fitted model.
    keep_best_predictions(outcome.trials, 0)
    return result


def _bag(
    result: SearchResult, objective: Objective, task: Task, settings: Settings, started: float
) -> None:
    """Replace the refit single best by its bagged fold models, when they fit in time."""
    bag_start = time.monotonic()
    deadline = None if settings.timeout is None else started + settings.timeout
    fold_times = result.trials.trials[result.best_index]["result"]["fit_time"]
    planned = bag_seconds(fold_times, effective_n_jobs(settings.n_jobs), REFIT_SAFETY)
    config = result.trials.trials[result.best_index]["result"]["config"]
    with one_thread():
        found = bag_best(
            objective, config, task.voting, deadline, planned, settings.n_jobs,
            warn=settings.bagging is True,
        )  # fmt: skip
    result.bag_note = found.note
    if found.estimator is not None:
        result.best_estimator = found.estimator
        result.bagged = True
    result.refit_time += time.monotonic() - bag_start


def _spark_search(
    settings: Settings,
    space: Any,
    objective: Objective,
    seed: int,
    started: float,
    points: list[dict[str, Any]],
    resumed: Any,
    hook: TrialHook,
) -> SearchOutcome:
    from automodel.spark import spark_search

    if settings.n_jobs not in (None, 1):
        warnings.warn(
            f"n_jobs={settings.n_jobs} is for backend='local'; on Spark, parallelism sets "
            "the trials at once (each trial runs on one core).",
            UserWarning,
            stacklevel=4,
        )
    timeout = settings.timeout
    remaining = None if timeout is None else timeout - (time.monotonic() - started)
    trials = resumed.trials if resumed is not None else None
    finished = Trials() if trials is None else trials  # plain copies: what the checkpoint holds
    rng = np.random.default_rng(seed)

    def on_trial(doc: dict[str, Any]) -> None:
        finished.insert_trial_docs([doc])
        finished.refresh()
        hook(doc, finished, rng)

    hook.open_progress(len(finished.trials))
    try:
        return spark_search(
            space,
            replace(objective, n_jobs=1),
            algo=settings.algo,
            max_evals=settings.max_evals,
            rng=rng,
            parallelism=settings.parallelism,
            timeout=remaining,
            early_stop_rounds=settings.early_stop_rounds,
            points_to_evaluate=points,
            trial_timeout=settings.trial_timeout,
            trials=trials,
            on_trial=on_trial,
        )
    finally:
        hook.close()


def _executor(settings: Settings, objective: Objective) -> Any:
    """Trials in this process (folds in parallel), or in worker processes (one per core)."""
    cores = effective_n_jobs(settings.n_jobs)
    if settings.trial_timeout is None:
        return InlineExecutor(replace(objective, n_jobs=cores))
    from automodel.workers import ProcessExecutor  # worker processes: only when needed

    return ProcessExecutor(replace(objective, n_jobs=1), slots=cores)


def _local_search(
    settings: Settings,
    space: Any,
    points: list[dict[str, Any]],
    objective: Objective,
    seed: int,
    resumed: Any,
    started: float,
    refit_scale: float,
    hook: TrialHook,
    size: int | None,
    bag: bool = False,
) -> SearchOutcome:
    """Run the search loop with the settings' budgets, progress and checkpoint;
    ``size`` is the ensemble's member cap (None: no ensemble) and ``bag`` whether the
    best trial's fold models are fitted again after it, for the refit reserve."""
    trials = resumed.trials if resumed is not None else Trials()
    rng = np.random.default_rng(seed)
    if resumed is not None:
        rng.bit_generator.state = resumed.rng_state
    hook.open_progress(len(trials.trials))

    def on_trial(doc: dict[str, Any]) -> None:
        hook(doc, trials, rng)

    deadline: Callable[[], float] | None = None
    members = 0 if size is None else min(size or ENSEMBLE_RESERVE_MEMBERS, ENSEMBLE_RESERVE_MEMBERS)
    cores = effective_n_jobs(settings.n_jobs)
    if settings.timeout is not None:
        end = started + settings.timeout

        def deadline() -> float:
            # Keep time for the final refit of the current best (a fold fit, scaled to all rows).
            return end - refit_reserve(trials, refit_scale, members, cores, bag)

    executor = _executor(settings, objective)
    # Estimators stay single-threaded in the search (OpenMP/BLAS too): n_jobs shares cores.
    try:
        with one_thread():
            return run_search(
                space,
                executor,
                algo=settings.algo,
                max_evals=settings.max_evals,
                rng=rng,
                trials=trials,
                deadline=deadline,
                trial_timeout=settings.trial_timeout,
                early_stop_rounds=settings.early_stop_rounds,
                on_trial=on_trial,
                points_to_evaluate=points,
            )
    finally:
        if hasattr(executor, "close"):
            executor.close()
        hook.close()
