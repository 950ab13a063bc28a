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
import importlib
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import cloudpickle
from joblib.externals.loky.backend import resource_tracker
from threadpoolctl import threadpool_limits

__all__ = ["LOAD_FAILURES", "PRELOAD", "ProcessExecutor", "WorkerStartError"]

#: Modules the forkserver imports once, so that a new worker starts in milliseconds.
PRELOAD = ["numpy", "pandas", "sklearn.ensemble", "sklearn.svm", "xgboost", "automodel.evaluate"]

_READY = "ready"
#: Workers that may die while loading the objective, before any has loaded it, before
#: the executor gives up (a broken install or environment, not a bad trial).
LOAD_FAILURES = 3


class WorkerStartError(RuntimeError):
    """Worker processes keep dying while loading the search, before any trial ran."""


def _failure(reason: str, error: str, duration: float, started_at: float) -> dict[str, Any]:
    return {
        "status": "fail",
        "reason": reason,
        "error": error,
        "duration": duration,
        "started_at": started_at,
    }


def _dump(objective: Any, tmpdir: str) -> str:
    """Write the objective where the workers load it from; return the file's path.

    cloudpickle writes what plain pickle refuses or would only name (a lambda in
    a user's ``Family``, a class defined in the user's script, i.e. ``__main__``,
    which the workers never import) by value; each worker holds its own copy of
    the data.
    """
    path = str(Path(tmpdir) / "objective.cloudpickle")
    with open(path, "wb") as file:
        cloudpickle.dump(objective, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _load(path: str) -> Any:
    with open(path, "rb") as file:
        return pickle.load(file)


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes without re-running the user's script in them.

    forkserver children (and the server itself) import ``__main__`` by path or
    name unless told otherwise; a script without an ``if __name__ == "__main__"``
    guard would then start a search in every worker. The workers run
    ``_worker_loop`` from this module and need nothing from ``__main__``.
    """
    main = sys.modules["__main__"]
    saved = {
        name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__
    }
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _start_joblib_tracker() -> None:
    """Start joblib's resource tracker now, outside the worker's future process group.

    So it outlives a kill of the group and then frees the shared memory the killed
    trial's joblib processes held (quietly: leftovers are expected then).
    """
    saved = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = "ignore"
    try:
        resource_tracker.ensure_running()
    finally:
        if saved is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = saved


def _die_with_parent() -> None:
    """Linux: be killed when the forkserver dies (it exits with the process that ran it).

    So a trial does not outlive a parent that was itself killed (a Spark task cancelled
    with its Python worker, a search killed with SIGKILL): without this, a running
    trial would go on to its end and only then notice the closed pipe.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_loop(conn: Connection, path: str) -> None:
    """A worker: load the objective, say ready, then run ``(tid, config)`` trials.

    It stops when the parent closes its end of the pipe or sends ``None``; the
    parent may also simply kill it (that is how a trial is stopped).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    _die_with_parent()
    objective = _load(path)
    if getattr(objective, "n_jobs", None) not in (None, 1):
        _start_joblib_tracker()
    else:
        # One thread per trial (OpenMP in HistGradientBoosting, BLAS): the slots share the cores.
        threadpool_limits(limits=1)
        # Libraries a trial imports later (torch) read their thread count from here.
        os.environ["OMP_NUM_THREADS"] = "1"
    # What the families import at fit (torch for torch_mlp) is loaded before the
    # worker says ready, so its seconds do not count against the first trial's limit.
    for family in getattr(objective, "families", {}).values():
        for module in family.requires:
            importlib.import_module(module)
    os.setpgrp()  # a kill stops the whole group: the worker and joblib's processes
    conn.send(_READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        tid, blob = message
        started_at, start = time.time(), time.perf_counter()
        try:
            result = dict(objective(pickle.loads(blob)))
        except BaseException as exc:  # noqa: BLE001 - shutdown is by signal, not exception
            text = f"{type(exc).__name__}: {exc}"
            result = _failure("error", text, time.perf_counter() - start, started_at)
        result["started_at"] = started_at
        try:
            data = ForkingPickler.dumps((tid, result))
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value in the result
            text = f"result could not be sent: {type(exc).__name__}: {exc}"
            failure = _failure("error", text, result.get("duration", 0.0), started_at)
            data = ForkingPickler.dumps((tid, failure))
        try:
            conn.send_bytes(data)
        except OSError:  # the parent is gone
            return


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
    objective : a picklable ``objective(config) -> result dict`` (e.g.
        :class:`automodel.evaluate.Objective`), sent to the workers once.
    slots : trials run at once; ``slots + 1`` workers are kept (one warm spare).

    Results are the objective's dicts plus ``"started_at"`` (``time.time()`` when
    the trial started). A trial stopped at its limit gives reason ``"timeout"``, a
    worker that died gives ``"crashed"``, an exception gives ``"error"``. Use it as
    a context manager, or call :meth:`close`.
    """

    def __init__(
        self, objective: Callable[[Mapping[str, Any]], dict[str, Any]], slots: int = 1
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
            self._path = _dump(objective, self._tmpdir)
        except BaseException:
            self.close()
            raise
        self._ctx = multiprocessing.get_context("forkserver")
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

    def wait(self, timeout: float | None) -> list[tuple[int, dict[str, Any]]]:
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
                target=_worker_loop, args=(child, self._path), name="automodel-worker"
            )
            with _main_module_hidden():
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
                    worker.ready = worker.conn.recv() == _READY
        return next((w for w in idle if w.ready), idle[0])

    def _read(self, worker: _Worker) -> dict[str, Any] | None:
        """What a busy worker sent: its result, or None (only "ready", or nothing yet)."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message != _READY:
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
        return _failure("crashed", error, duration, worker.started_at)

    def _timed_out(self, worker: _Worker, now: float) -> dict[str, Any]:
        self._discard([worker])
        error = f"trial stopped after its time limit of {worker.limit:.1f} s"
        return _failure("timeout", error, now - worker.start, worker.started_at)

    def _discard(self, workers: list[_Worker]) -> None:
        """Kill and forget workers (their replacements start at the next submit)."""
        _stop(workers)
        for worker in workers:
            self._workers.remove(worker)
