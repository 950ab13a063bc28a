"""The worker side of :class:`~automodel.workers.ProcessExecutor`: what runs in a worker process.

A worker loads the objective once (written by :func:`dump`), says it is ready,
then runs ``(tid, config)`` trials and sends back their records until its parent
closes the pipe or kills it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import sys
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import cloudpickle
from joblib.externals.loky.backend import resource_tracker
from threadpoolctl import threadpool_limits

from automodel.trial import Reason, TrialRecord

__all__ = ["READY", "dump", "main_module_hidden", "worker_loop"]

#: What a worker sends once its objective is loaded.
READY = "ready"


def failure(reason: Reason, error: str, duration: float, started_at: float) -> TrialRecord:
    """A failed trial's record, with the worker clock's start time."""
    return TrialRecord.failed(reason, error, duration).stamped(started_at=started_at)


def dump(objective: Any, tmpdir: str) -> str:
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
def main_module_hidden() -> Iterator[None]:
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


def worker_loop(conn: Connection, path: str) -> None:
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
    conn.send(READY)
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
            # The config stays here: the parent has it, and it may hold a class of the
            # user's script that plain pickle cannot send back.
            record = objective(pickle.loads(blob)).stamped(started_at=started_at, config=None)
        except BaseException as exc:  # noqa: BLE001 - shutdown is by signal, not exception
            text = f"{type(exc).__name__}: {exc}"
            record = failure(Reason.ERROR, text, time.perf_counter() - start, started_at)
        try:
            data = ForkingPickler.dumps((tid, record))
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value in the record
            text = f"result could not be sent: {type(exc).__name__}: {exc}"
            data = ForkingPickler.dumps(
                (tid, failure(Reason.ERROR, text, record.duration, started_at))
            )
        try:
            conn.send_bytes(data)
        except OSError:  # the parent is gone
            return
