"""Trials in worker processes, so that a time limit really stops a trial.

:class:`ProcessExecutor` implements the :class:`~automodel.search.Executor`
protocol. The objective is written once to a temporary file, and every worker
loads it (memory-mapped) when it starts; per trial only ``(tid, config)`` and the
result cross the pipe. Workers are forked from a forkserver that has the heavy
modules imported already, and one warm spare is kept ready: when a trial runs past
its limit its worker is killed, the next trial goes to the spare at once, and a
new spare starts in the background. Each worker leads a process group of its own,
so a kill also stops the processes joblib started for the trial (``n_jobs > 1``).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import weakref
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from typing import Any

import cloudpickle

from automodel.trial import Reason, TrialRecord
from automodel.worker_process import READY, dump, failure, main_module_hidden, worker_loop

__all__ = ["LOAD_FAILURES", "PRELOAD", "ProcessExecutor", "WorkerStartError"]

#: Modules the forkserver imports once, so that a new worker starts in milliseconds.
PRELOAD = ["numpy", "pandas", "sklearn.ensemble", "sklearn.svm", "xgboost", "automodel.evaluate"]

#: Workers that may die while loading the objective, before any has loaded it, before
#: the executor gives up (a broken install or environment, not a bad trial).
LOAD_FAILURES = 3


class WorkerStartError(RuntimeError):
    """Worker processes keep dying while loading the search, before any trial ran."""


class _Worker:
    """One worker process, its end of the pipe and the trial it runs (if any)."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.ready = False  # the objective is loaded
        self.tid: int | None = None
        self.limit: float | None = None
        self.start = 0.0  # time.monotonic() when the trial started (as seen here)
        self.started_at = 0.0  # time.time() at the same moment

    def begin(self) -> None:
        self.start, self.started_at = time.monotonic(), time.time()

    @property
    def deadline(self) -> float | None:
        """When the running trial must be stopped (None: no limit, or not started yet)."""
        if self.tid is None or self.limit is None or not self.ready:
            return None
        return self.start + self.limit


def _stop(workers: list[_Worker]) -> None:
    """Kill the workers and wait for them (no zombies)."""
    for worker in workers:
        worker.conn.close()
        try:
            os.killpg(worker.process.pid, signal.SIGKILL)  # with any children it started
        except OSError:  # not a group leader yet (or gone already)
            worker.process.kill()
    for worker in workers:
        worker.process.join()
        worker.process.close()


def _shutdown(workers: list[_Worker], tmpdir: str) -> None:
    _stop(workers)
    workers.clear()
    shutil.rmtree(tmpdir, ignore_errors=True)


class ProcessExecutor:
    """Runs trials in worker processes; a trial past its time limit is killed.

    Parameters
    ----------
    objective : a picklable ``objective(config) -> TrialRecord`` (e.g.
        :class:`automodel.evaluate.Objective`), sent to the workers once.
    slots : trials run at once; ``slots + 1`` workers are kept (one warm spare).
    start_method : ``"forkserver"`` (a clean process with :data:`PRELOAD` imported
        once, then forked per worker) or ``"fork"`` (forked from this process: no
        start-up at all, for a process that has the heavy modules imported and runs
        no threads, such as a Spark Python worker).

    Records are the objective's, with ``started_at`` (``time.time()`` when
    the trial started). A trial stopped at its limit gives reason ``"timeout"``, a
    worker that died gives ``"crashed"``, an exception gives ``"error"``. Use it as
    a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        objective: Callable[[Mapping[str, Any]], TrialRecord],
        slots: int = 1,
        start_method: str = "forkserver",
    ) -> None:
        if slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}")
        self.slots = slots
        self._tmpdir = tempfile.mkdtemp(prefix="automodel-")
        self._workers: list[_Worker] = []
        self._loaded_once, self._load_failures = False, 0
        # Registered after multiprocessing's own exit hook, so it runs before it.
        self._close = weakref.finalize(self, _shutdown, self._workers, self._tmpdir)
        atexit.register(self._close)
        try:
            self._path = dump(objective, self._tmpdir)
        except BaseException:
            self.close()
            raise
        self._ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._ctx.set_forkserver_preload(PRELOAD)
        self._replenish()

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill every worker and remove the temporary directory (safe to repeat)."""
        self._close()
        atexit.unregister(self._close)

    def submit(self, tid: int, config: Mapping[str, Any], time_limit: float | None) -> None:
        """Start trial ``tid`` on an idle worker (the limit counts once it is loaded)."""
        if not self._close.alive:
            raise RuntimeError("the executor is closed")
        if len(self._busy()) >= self.slots:
            raise RuntimeError(f"all {self.slots} slots are busy")
        worker = self._idle_worker()
        worker.tid, worker.limit = tid, time_limit
        if worker.ready:
            worker.begin()
        with contextlib.suppress(OSError):  # a dead worker is reported by wait()
            # cloudpickle: a class or function from the user's script in the space's
            # values travels by value (plain pickle would only name it in __main__).
            worker.conn.send((tid, cloudpickle.dumps(dict(config))))
        self._replenish()

    def wait(self, timeout: float | None) -> list[tuple[int, TrialRecord]]:
        """Block until a trial finishes or ``timeout`` seconds pass; return finished ones.

        Trials past their deadline are stopped here and returned as timeouts.
        """
        end = None if timeout is None else time.monotonic() + timeout
        while busy := self._busy():
            wake = [d for w in busy if (d := w.deadline) is not None]
            if end is not None:
                wake.append(end)
            delay = max(0.0, min(wake) - time.monotonic()) if wake else None
            waitables = [o for w in busy for o in (w.conn, w.process.sentinel)]
            signalled = set(wait_for(waitables, delay))
            finished = []
            for worker in busy:
                if worker.conn in signalled or worker.process.sentinel in signalled:
                    tid = worker.tid
                    result = self._read(worker)
                    if result is not None:
                        finished.append((tid, result))
            now = time.monotonic()
            for worker in self._busy():
                if worker.deadline is not None and now >= worker.deadline:
                    finished.append((worker.tid, self._timed_out(worker, now)))
            if finished:
                return finished
            if end is not None and now >= end:
                break
        return []

    def cancel(self) -> list[int]:
        """Kill every running trial's worker at once; return the trials' ids."""
        busy = self._busy()
        self._discard(busy)
        return [w.tid for w in busy]

    # -- bookkeeping -------------------------------------------------------

    def _busy(self) -> list[_Worker]:
        return [w for w in self._workers if w.tid is not None]

    def _replenish(self) -> None:
        """Start workers until there are ``slots + 1`` (the busy ones and a spare)."""
        while len(self._workers) < self.slots + 1:
            parent, child = self._ctx.Pipe()
            process = self._ctx.Process(
                target=worker_loop, args=(child, self._path), name="automodel-worker"
            )
            with main_module_hidden():
                process.start()
            child.close()
            self._workers.append(_Worker(process, parent))

    def _idle_worker(self) -> _Worker:
        """An idle worker, a loaded one if there is one (starting one if none is left)."""
        self._discard([w for w in self._workers if w.tid is None and not w.process.is_alive()])
        if all(w.tid is not None for w in self._workers):
            self._replenish()  # no spare left: start one now (its limit counts once loaded)
        idle = [w for w in self._workers if w.tid is None]
        for worker in idle:
            if not worker.ready and worker.conn.poll():
                with contextlib.suppress(EOFError, OSError):  # died: reported when waited on
                    worker.ready = worker.conn.recv() == READY
        return next((w for w in idle if w.ready), idle[0])

    def _read(self, worker: _Worker) -> TrialRecord | None:
        """What a busy worker sent: its result, or None (only "ready", or nothing yet)."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message != READY:
                    worker.tid = worker.limit = None
                    return message[1]
                worker.ready = self._loaded_once = True
                worker.begin()
            if worker.process.is_alive():
                return None
        except (EOFError, OSError):  # the pipe closed: the worker is dying
            pass
        worker.process.join(1.0)
        error = f"worker process died (exit code {worker.process.exitcode})"
        if not worker.ready:
            self._load_failures += 1
            if not self._loaded_once and self._load_failures >= LOAD_FAILURES:
                self._discard([worker])
                raise WorkerStartError(
                    f"{self._load_failures} worker processes died while loading the search "
                    f"({error}) before any trial could run: the environment breaks them, not "
                    "a trial. Fix: run the trials in this process to see the error "
                    "(n_jobs=1, trial_timeout=None), and check that automodel and its "
                    "dependencies import cleanly in a new Python process."
                )
            worker.begin()
        duration = time.monotonic() - worker.start
        self._discard([worker])
        return failure(Reason.CRASHED, error, duration, worker.started_at)

    def _timed_out(self, worker: _Worker, now: float) -> TrialRecord:
        self._discard([worker])
        error = f"trial stopped after its time limit of {worker.limit:.1f} s"
        return failure(Reason.TIMEOUT, error, now - worker.start, worker.started_at)

    def _discard(self, workers: list[_Worker]) -> None:
        """Kill and forget workers (their replacements start at the next submit)."""
        _stop(workers)
        for worker in workers:
            self._workers.remove(worker)
