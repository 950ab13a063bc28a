"""Picklable module-level objectives for the worker-process tests."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joblib import Parallel, delayed

from automodel.trial import Status, TrialRecord


@dataclass(frozen=True)
class PidRecord(TrialRecord):
    """A record that also says which process ran the trial."""

    pid: int = 0


def ok(loss: float = 0.0, **values: Any) -> TrialRecord:
    """A successful record with ``loss``."""
    return TrialRecord(Status.OK, loss=float(loss), **values)


def sleepy(config: Mapping[str, Any]) -> TrialRecord:
    """Sleep ``config["sleep"]`` seconds, then succeed with loss ``config.get("loss", 0)``."""
    start = time.perf_counter()
    time.sleep(config.get("sleep", 0.0))
    return PidRecord(
        Status.OK,
        loss=float(config.get("loss", 0.0)),
        pid=os.getpid(),
        duration=time.perf_counter() - start,
    )


def crashing(config: Mapping[str, Any]) -> TrialRecord:
    """Exit the process abruptly when ``config["crash"]``, as a segfault would."""
    if config.get("crash"):
        os._exit(3)
    return sleepy(config)


def raising(config: Mapping[str, Any]) -> TrialRecord:
    """Raise when ``config["raise"]``."""
    if config.get("raise"):
        raise ValueError("bad candidate")
    return sleepy(config)


def behaving(config: Mapping[str, Any]) -> TrialRecord:
    """Hang, crash or raise as ``config["kind"]`` says; otherwise succeed."""
    kind = config.get("kind")
    if kind == "hang":
        time.sleep(60)
    if kind == "crash":
        os._exit(3)
    if kind == "raise":
        raise ValueError("bad candidate")
    return ok((config.get("x", 0.0) - 1.0) ** 2)


def unpicklable_result(config: Mapping[str, Any]) -> TrialRecord:
    """A result the worker cannot send back."""
    return ok(warnings=(lambda: None,))


@dataclass
class ParallelSleeper:
    """Sleep ``config["sleep"]`` seconds in ``n_jobs`` joblib processes at once."""

    n_jobs: int = 2

    def __call__(self, config: Mapping[str, Any]) -> TrialRecord:
        sleeps = [delayed(time.sleep)(config["sleep"]) for _ in range(self.n_jobs)]
        Parallel(n_jobs=self.n_jobs)(sleeps)
        return ok()


class DiesOnLoad:
    """An objective whose unpickling ends the process (as a broken environment would)."""

    def __call__(self, config):
        return ok()

    def __reduce__(self):
        return (os._exit, (3,))


def rung_aware(config: Mapping[str, Any]) -> TrialRecord:
    """Loss ``|x - 0.3|`` plus a penalty that shrinks with a screening rung's rows; a
    trial at all rows (no rung key) sleeps ``config.get("sleep_full", 0)`` first. A
    rung reports ``config.get("seconds_per_row", 0)`` x its rows as its fit time."""
    from automodel.screening import pop_rows

    config, rows = pop_rows(config)
    if rows is None:
        time.sleep(config.get("sleep_full", 0.0))
    penalty = 0.0 if rows is None else 100.0 / rows
    fit_time = (0.0 if rows is None else rows * config.get("seconds_per_row", 0.0),)
    return TrialRecord(Status.OK, loss=abs(config["x"] - 0.3) + penalty, fit_time=fit_time)


#: Objectives unpickled in this process so far (each load takes the next number).
_LOADS = itertools.count(1)


@dataclass(frozen=True)
class LoadRecord(PidRecord):
    """A record that also says which load of the objective in its process ran it."""

    load: int = 0


def _load_counting() -> CountingLoads:
    return CountingLoads(next(_LOADS))


class CountingLoads:
    """An objective that knows how many objectives its process had unpickled when it was
    (its ``load`` number): read once per process, every trial of a process reports the
    same number; read per trial, the number counts up."""

    def __init__(self, load: int = 0) -> None:
        self.load = load

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return _load_counting, ()

    def __call__(self, config: Mapping[str, Any]) -> TrialRecord:
        return LoadRecord(
            Status.OK, loss=float(config.get("loss", 0.0)), pid=os.getpid(), load=self.load
        )
