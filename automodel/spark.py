"""Trials on Apache Spark: each trial one Spark job that automodel's loop submits.

:class:`SparkExecutor` is an :class:`~automodel.search.Executor`, so a Spark search
runs the same loop as a local one (suggestions, defaults first, budgets, early
stop, checkpoint and resume, the observers on the driver). The objective (which
holds the training data) is broadcast once and unpickled once per Spark Python
worker, which serves the next trials too; each trial ships only its decoded point,
from a driver thread of its own, as a one-task job in a job group of its own.

Time limits: with a ``trial_timeout`` each trial runs in a worker process of that
Python worker (a :class:`~automodel.workers.ProcessExecutor`, kept for the next
trials), killed at its limit and recorded as a failed trial with reason
``"timeout"``; without one a trial runs in the Python worker itself, and a trial
still running when the total budget ends is cancelled through its job group. A
lost executor is Spark's business (it runs the task again).

Before the search one small Spark job checks that the executors import the same
automodel version as the driver (a clear error otherwise).
"""

from __future__ import annotations

import os
import queue
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import cloudpickle

from automodel._version import __version__
from automodel.trial import Reason, TrialRecord
from automodel.workers import ProcessExecutor

__all__ = ["SparkExecutor", "check_executors", "executor_problem", "spark_session"]

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


class _InWorker:
    """Runs each trial in a worker process of this Spark Python worker, killed at its limit."""

    def __init__(self, objective: Any) -> None:
        # Forked from this Python worker, which imported the heavy modules when it
        # loaded the objective: no forkserver to start (seconds per Spark worker).
        self.executor = ProcessExecutor(objective, slots=1, start_method="fork")
        self.count = 0

    def __call__(self, config: Mapping[str, Any], limit: float | None) -> TrialRecord:
        self.count += 1
        self.executor.submit(self.count, config, limit)
        while True:
            for tid, record in self.executor.wait(None):
                if tid == self.count:
                    return record

    def close(self) -> None:
        self.executor.close()


def _forget_loaded() -> None:
    for loaded in _LOADED.values():
        if isinstance(loaded, _InWorker):
            loaded.close()
    _LOADED.clear()


class _TrialFunction:
    """What a trial's Spark task runs: load the broadcast objective once, evaluate a point."""

    def __init__(self, broadcast: Any, in_process: bool) -> None:
        self.broadcast = broadcast
        self.in_process = in_process
        self.key = uuid.uuid4().hex  # one per search: names the cached objective

    def __call__(self, task: tuple[Mapping[str, Any], float | None]) -> TrialRecord:
        config, limit = task
        if self.key not in _LOADED:
            _forget_loaded()  # one search's data at a time in a reused worker
            objective = cloudpickle.loads(self.broadcast.value)
            _LOADED[self.key] = _InWorker(objective) if self.in_process else objective
        loaded = _LOADED[self.key]
        return loaded(config, limit) if self.in_process else loaded(config)


class SparkExecutor:
    """Runs each trial as a one-task Spark job; ``slots`` trials at once.

    Parameters
    ----------
    objective : a picklable ``objective(config) -> TrialRecord``, broadcast once.
    session : the Spark session (default: the active one, or a new local one).
    parallelism : trials at once (default: Spark's default parallelism).
    trial_timeout : with a limit, trials run in a killable worker process inside
        the Spark task; without one, in the Spark Python worker itself.
    """

    def __init__(
        self,
        objective: Any,
        *,
        session: Any = None,
        parallelism: int | None = None,
        trial_timeout: float | None = None,
    ) -> None:
        _require_pyspark()
        spark = session if session is not None else spark_session(parallelism=parallelism)
        check_executors(spark)
        self.context = spark.sparkContext
        self.slots = parallelism or self.context.defaultParallelism
        self._payload = self.context.broadcast(cloudpickle.dumps(objective))
        self._function = _TrialFunction(self._payload, trial_timeout is not None)
        self._group = f"automodel-{uuid.uuid4().hex[:8]}"
        self._done: queue.Queue[tuple[int, TrialRecord]] = queue.Queue()
        # tid -> (start, limit enforced on the driver: None when the task enforces it)
        self._running: dict[int, tuple[float, float | None]] = {}
        self._in_task = trial_timeout is not None

    def submit(self, tid: int, config: Mapping[str, Any], time_limit: float | None) -> None:
        from pyspark import InheritableThread

        if len(self._running) >= self.slots:
            raise RuntimeError(f"all {self.slots} slots are busy")
        driver_limit = None if self._in_task or time_limit is None else time_limit
        self._running[tid] = (time.monotonic(), driver_limit)
        task = (dict(config), time_limit if self._in_task else None)
        InheritableThread(target=self._run, args=(tid, task), daemon=True).start()

    def _run(self, tid: int, task: tuple[dict[str, Any], float | None]) -> None:
        start = time.perf_counter()
        self.context.setJobGroup(f"{self._group}-{tid}", "automodel trial", True)
        try:
            [record] = self.context.parallelize([task], 1).map(self._function).collect()
        except Exception as exc:  # noqa: BLE001 - a failed job is a failed trial
            text = " ".join(str(exc).split())[:2000]
            error = f"Spark job failed: {type(exc).__name__}: {text}"
            record = TrialRecord.failed(Reason.ERROR, error, time.perf_counter() - start)
        self._done.put((tid, record))

    def wait(self, timeout: float | None) -> list[tuple[int, TrialRecord]]:
        """Block until a trial finishes, one overruns its limit, or ``timeout`` passes."""
        end = None if timeout is None else time.monotonic() + timeout
        while self._running:
            wake = [s + limit for s, limit in self._running.values() if limit is not None]
            if end is not None:
                wake.append(end)
            delay = max(0.0, min(wake) - time.monotonic()) if wake else None
            finished = self._drain(delay)
            finished += self._overdue()
            if finished:
                return finished
            if end is not None and time.monotonic() >= end:
                break
        return []

    def _drain(self, delay: float | None) -> list[tuple[int, TrialRecord]]:
        found = []
        try:
            found.append(self._done.get(timeout=delay))
            while True:
                found.append(self._done.get_nowait())
        except queue.Empty:
            pass
        # A cancelled trial's job may still report: it was answered already.
        return [(tid, record) for tid, record in found if self._running.pop(tid, None)]

    def _overdue(self) -> list[tuple[int, TrialRecord]]:
        now, finished = time.monotonic(), []
        for tid, (start, limit) in list(self._running.items()):
            if limit is not None and now >= start + limit:
                self.context.cancelJobGroup(f"{self._group}-{tid}")
                del self._running[tid]
                error = f"trial stopped after its time limit of {limit:.1f} s"
                finished.append((tid, TrialRecord.failed(Reason.TIMEOUT, error, now - start)))
        return finished

    def cancel(self) -> list[int]:
        """Cancel every running trial's job; return their ids."""
        running = list(self._running)
        for tid in running:
            self.context.cancelJobGroup(f"{self._group}-{tid}")
        self._running.clear()
        return running

    def close(self) -> None:
        self.cancel()
        self._payload.unpersist()


def _probe(_: Any) -> Any:
    """Runs on an executor: which automodel (if any) and which Python it has."""
    import sys

    try:
        from automodel._version import __version__ as found
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
