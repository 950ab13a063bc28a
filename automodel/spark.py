"""Distributed trials on Apache Spark through hyperopt's ``SparkTrials``.

The objective (which holds the training data) is broadcast once and loaded once
per Spark Python worker, which serves the next trials too (hyperopt's trial job is
made to read its input to the end, else pyspark starts a new Python worker per
trial); each trial then ships only its decoded point. With a
``trial_timeout`` the trial runs in a worker process of that Python worker
(automodel's :class:`~automodel.workers.ProcessExecutor`, kept for the next
trials), killed at its limit and recorded as a failed trial with reason
``"timeout"``. Every finished trial is handed to ``on_trial`` on the driver as
SparkTrials reports it (checkpoint, tracking, progress); a search resumed from a
checkpoint starts from its trials. The trials are copied into plain
``hyperopt.Trials`` afterwards, so the results table, refit and save are the same
as for a local search.

Before the search one small Spark job checks that the executors import the same
automodel version as the driver (a clear error otherwise). ``SparkTrials`` limits
that remain: no ``points_to_evaluate`` (automodel hands the default points out
itself), ``early_stop_fn`` (and so ``on_trial``) runs after each *successful*
trial, a failed one is handed over with the next success or at the end.
"""

from __future__ import annotations

import copy
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import cloudpickle
import numpy as np
from hyperopt import Trials, fmin
from hyperopt.base import JOB_STATE_DONE

from automodel.search import (
    SearchOutcome,
    _quiet_hyperopt,
    point_trial,
    rounds_since_best,
    suggest_function,
)

__all__ = ["check_executors", "executor_problem", "spark_search", "spark_session"]

#: Objectives already unpickled in this Python worker, by search key.
_LOADED: dict[str, Any] = {}


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ImportError(
            "backend='spark' needs pyspark: install it with pip install 'automodel[spark]' "
            "(and Java 17 for a local Spark)."
        ) from None


def spark_session(master: str | None = None, parallelism: int | None = None) -> Any:
    """The active Spark session, or a new one on ``master`` (default ``local[N]``).

    Spark's Python workers must run this same interpreter, so ``PYSPARK_PYTHON``
    defaults to ``sys.executable``.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName("automodel")
    builder = builder.master(master or f"local[{parallelism or '*'}]")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    return builder.getOrCreate()


class _PointsFirst:
    """A suggestion function that returns given raw points first, then asks ``algo``."""

    def __init__(self, points: list[dict[str, Any]], algo: Any) -> None:
        self.points = points
        self.algo = algo

    def __call__(
        self, new_ids: list[int], domain: Any, trials: Any, seed: int
    ) -> list[dict[str, Any]]:
        done = len(trials.trials)
        docs = []
        for i, tid in enumerate(new_ids):
            if done + i >= len(self.points):
                return docs + self.algo(new_ids[i:], domain, trials, seed)
            docs.append(point_trial(tid, self.points[done + i], domain))
        return docs


class _InWorker:
    """Runs each trial in a worker process of this Spark Python worker, killed at ``limit``."""

    def __init__(self, objective: Any, limit: float) -> None:
        from automodel.workers import ProcessExecutor

        self.executor = ProcessExecutor(objective, slots=1)
        self.limit = limit
        self.count = 0

    def __call__(self, config: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        self.executor.submit(self.count, config, self.limit)
        while True:
            for tid, result in self.executor.wait(None):
                if tid == self.count:
                    return result

    def close(self) -> None:
        self.executor.close()


def _forget_loaded() -> None:
    for loaded in _LOADED.values():
        if isinstance(loaded, _InWorker):
            loaded.close()
    _LOADED.clear()


class _TrialFunction:
    """The function SparkTrials runs per trial: load the broadcast objective, evaluate."""

    def __init__(self, broadcast: Any, trial_timeout: float | None = None) -> None:
        self.broadcast = broadcast
        self.trial_timeout = trial_timeout
        self.key = uuid.uuid4().hex  # one per search: names the cached objective

    def __call__(self, config: dict[str, Any]) -> dict[str, Any]:
        key = self.key
        if key not in _LOADED:
            _forget_loaded()  # one search's data at a time in a reused worker
            objective = cloudpickle.loads(self.broadcast.value)
            limit = self.trial_timeout
            _LOADED[key] = objective if limit is None else _InWorker(objective, limit)
        result = dict(_LOADED[key](config))
        result["config"] = config
        return result


class _Watcher:
    """fmin's ``early_stop_fn``: hands over finished trials, then the early-stop rule.

    SparkTrials' dispatcher calls it after each successful trial; ``flush`` hands
    over whatever finished since (failed trials too) once the search is over.
    """

    def __init__(
        self,
        rounds: int | None,
        on_trial: Callable[[dict[str, Any]], None] | None,
        seen: set[int],
    ) -> None:
        self.rounds = rounds
        self.on_trial = on_trial
        self.seen = seen
        self.fired = False

    def __call__(self, trials: Trials, *state: Any) -> tuple[bool, list[Any]]:
        self.flush(trials)
        if self.rounds is not None:
            self.fired = rounds_since_best(trials) >= self.rounds
        return self.fired, []

    def flush(self, trials: Trials) -> None:
        for doc in _finished(trials):
            if doc["tid"] not in self.seen:
                self.seen.add(doc["tid"])
                if self.on_trial is not None:
                    self.on_trial(copy.deepcopy(doc))


class _Drained:
    """A partition function that reads its whole input before it runs ``function``.

    hyperopt runs each trial as ``parallelize([0], 1).mapPartitions(task)`` with a
    ``task`` that ignores its input. pyspark's Python worker exits after a task that
    left input unread, instead of waiting for the next one, so every trial paid for a
    new Python process: imports, the broadcast objective, the trial-limit worker
    process (about 8 s a trial on one machine). Read to the end, the worker is reused
    and keeps the objective loaded (``_LOADED``).
    """

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __call__(self, partition: Any) -> Any:
        return self.function(iter(list(partition)))


class _TrialRDD:
    """The RDD of one trial's job, whose ``mapPartitions`` drains its input first."""

    def __init__(self, rdd: Any) -> None:
        self._rdd = rdd

    def withResources(self, profile: Any) -> _TrialRDD:  # noqa: N802 (pyspark's name)
        self._rdd = self._rdd.withResources(profile)
        return self

    def mapPartitions(self, function: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return self._rdd.mapPartitions(_Drained(function), *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rdd, name)


class _TrialContext:
    """A SparkContext whose ``parallelize`` gives :class:`_TrialRDD`; the rest as is."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def parallelize(self, *args: Any, **kwargs: Any) -> _TrialRDD:
        return _TrialRDD(self._context.parallelize(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class _TrialSession:
    """The session handed to ``SparkTrials``: the user's, with :class:`_TrialContext`."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.sparkContext = _TrialContext(session.sparkContext)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _finished(trials: Trials) -> list[dict[str, Any]]:
    """The trials that ran to a result of automodel's objective (not cancelled ones)."""
    return [
        doc
        for doc in list(trials.trials)
        if doc["state"] == JOB_STATE_DONE and "config" in doc["result"]
    ]


def _probe(_: Any) -> Any:
    """Runs on an executor: which automodel (if any) and which Python it has."""
    import sys

    try:
        import automodel

        found = automodel.__version__
    except Exception as exc:  # noqa: BLE001 - reported to the driver as text
        found = None
        error = f"{type(exc).__name__}: {exc}"
    else:
        error = ""
    yield found, error, sys.executable, f"{sys.version_info[0]}.{sys.version_info[1]}"


def check_executors(spark: Any, slots: int = 2) -> None:
    """Raise RuntimeError naming what to install when the executors lack this automodel.

    One small job of ``slots`` tasks; its function travels by value (it must run
    where automodel does not import).
    """
    from pyspark import cloudpickle as spark_pickle  # what pyspark pickles functions with

    from automodel import __version__

    module = sys.modules[__name__]
    spark_pickle.register_pickle_by_value(module)
    try:
        tasks = spark.sparkContext.parallelize(range(slots), slots)
        found = tasks.mapPartitions(_probe).collect()
    finally:
        spark_pickle.unregister_pickle_by_value(module)
    problem = executor_problem(found, __version__, f"{sys.version_info[0]}.{sys.version_info[1]}")
    if problem:
        raise RuntimeError(problem)


def executor_problem(
    found: Sequence[tuple[str | None, str, str, str]], version: str, python: str
) -> str:
    """The driver's message for the executors' answers (empty when all is well)."""
    install = (
        f"install automodel=={version} (pip install 'automodel[spark]=={version}') in the "
        "Python every executor runs, or point spark.pyspark.python / PYSPARK_PYTHON at one "
        "that has it"
    )
    for have, error, executable, their_python in found:
        if have is None:
            return f"Spark executors cannot import automodel ({executable}: {error}): {install}."
        if have != version:
            return (
                f"Spark executors run automodel {have} ({executable}), the driver {version}: "
                f"{install}."
            )
        if their_python != python:
            return (
                f"Spark executors run Python {their_python} ({executable}), the driver "
                f"Python {python}: trials are sent as pickled Python, so use the same Python "
                "version on both."
            )
    return ""


def spark_search(
    space: Any,
    objective: Any,
    *,
    algo: Any,
    max_evals: int | None,
    rng: np.random.Generator,
    parallelism: int | None = None,
    timeout: float | None = None,
    early_stop_rounds: int | None = None,
    session: Any = None,
    points_to_evaluate: Sequence[dict[str, Any]] = (),
    trial_timeout: float | None = None,
    trials: Trials | None = None,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
) -> SearchOutcome:
    """Run the search with ``SparkTrials``; return plain Trials like the local loop.

    ``SparkTrials`` ignores fmin's ``points_to_evaluate``, so the points (e.g. the
    families' defaults) are handed out by the suggestion function itself, first.
    ``trials`` (a resumed search's) are finished trials to start from; they count
    toward ``max_evals`` and are not handed to ``on_trial`` again.
    """
    _require_pyspark()
    from hyperopt import SparkTrials

    start = time.monotonic()
    spark = session if session is not None else spark_session(parallelism=parallelism)
    check_executors(spark)
    spark_trials = SparkTrials(
        parallelism=parallelism,
        timeout=None if timeout is None else max(1, int(timeout)),
        spark_session=_TrialSession(spark),
    )
    done = [copy.deepcopy(doc) for doc in (trials.trials if trials is not None else [])]
    if done:
        spark_trials.insert_trial_docs(done)
        spark_trials.refresh()
    watcher = _Watcher(early_stop_rounds, on_trial, {doc["tid"] for doc in done})
    payload = spark.sparkContext.broadcast(cloudpickle.dumps(objective))
    interrupted = False
    remaining = None if max_evals is None else max_evals - len(done)
    with _quiet_hyperopt():
        try:
            if remaining is None or remaining > 0:
                fmin(
                    _TrialFunction(payload, trial_timeout),
                    space,
                    algo=_PointsFirst(list(points_to_evaluate), suggest_function(algo)),
                    max_evals=max_evals,
                    trials=spark_trials,
                    rstate=rng,
                    early_stop_fn=watcher,
                    show_progressbar=False,
                )
        except KeyboardInterrupt:
            interrupted = True
    payload.unpersist()
    watcher.flush(spark_trials)
    result = Trials()
    result.insert_trial_docs([copy.deepcopy(doc) for doc in _finished(spark_trials)])
    result.refresh()
    reason = "max_evals"
    if interrupted:
        reason = "interrupted"
    elif spark_trials.fmin_cancelled_reason == "fmin run timeout":
        reason = "timeout"
    elif watcher.fired:
        reason = "early_stop"
    return SearchOutcome(result, reason, time.monotonic() - start)
