"""Picklable module-level objectives for the worker-process tests."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joblib import Parallel, delayed


def sleepy(config: Mapping[str, Any]) -> dict[str, Any]:
    """Sleep ``config["sleep"]`` seconds, then succeed with loss ``config.get("loss", 0)``."""
    start = time.perf_counter()
    time.sleep(config.get("sleep", 0.0))
    return {
        "status": "ok",
        "loss": float(config.get("loss", 0.0)),
        "pid": os.getpid(),
        "duration": time.perf_counter() - start,
    }


def crashing(config: Mapping[str, Any]) -> dict[str, Any]:
    """Exit the process abruptly when ``config["crash"]``, as a segfault would."""
    if config.get("crash"):
        os._exit(3)
    return sleepy(config)


def raising(config: Mapping[str, Any]) -> dict[str, Any]:
    """Raise when ``config["raise"]``."""
    if config.get("raise"):
        raise ValueError("bad candidate")
    return sleepy(config)


def behaving(config: Mapping[str, Any]) -> dict[str, Any]:
    """Hang, crash or raise as ``config["kind"]`` says; otherwise succeed."""
    kind = config.get("kind")
    if kind == "hang":
        time.sleep(60)
    if kind == "crash":
        os._exit(3)
    if kind == "raise":
        raise ValueError("bad candidate")
    return {"status": "ok", "loss": (config.get("x", 0.0) - 1.0) ** 2}


def unpicklable_result(config: Mapping[str, Any]) -> dict[str, Any]:
    """A result the worker cannot send back."""
    return {"status": "ok", "loss": 0.0, "callback": lambda: None}


@dataclass
class ParallelSleeper:
    """Sleep ``config["sleep"]`` seconds in ``n_jobs`` joblib processes at once."""

    n_jobs: int = 2

    def __call__(self, config: Mapping[str, Any]) -> dict[str, Any]:
        sleeps = [delayed(time.sleep)(config["sleep"]) for _ in range(self.n_jobs)]
        Parallel(n_jobs=self.n_jobs)(sleeps)
        return {"status": "ok", "loss": 0.0}


class DiesOnLoad:
    """An objective whose unpickling ends the process (as a broken environment would)."""

    def __call__(self, config):
        return {"status": "ok", "loss": 0.0}

    def __reduce__(self):
        return (os._exit, (3,))
