"""What runs trials: the :class:`Executor` protocol every backend follows, and the simplest one.

The search loop (:mod:`automodel.search`) only calls ``submit`` / ``wait`` /
``cancel`` / ``close``; :class:`InlineExecutor` runs each trial in this process, the
worker processes (:mod:`automodel.workers`) and Spark (:mod:`automodel.spark`) run
them elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from automodel.trial import TrialRecord

__all__ = ["Executor", "InlineExecutor"]


class Executor(Protocol):
    """Runs trials, up to ``slots`` at a time, and hands back their records.

    A trial that raises or runs past its time limit comes back as a failed record
    (reason "error" or "timeout").
    """

    slots: int

    def submit(self, tid: int, config: Mapping[str, Any], time_limit: float | None) -> None:
        """Start trial ``tid``; at most ``slots`` trials run at once."""
        ...

    def wait(self, timeout: float | None) -> list[tuple[int, TrialRecord]]:
        """Block until a trial finishes (or ``timeout`` seconds pass); return finished ones."""
        ...

    def cancel(self) -> list[int]:
        """Stop every running trial at once; return their ids."""
        ...

    def close(self) -> None:
        """Release what the executor holds (processes, Spark broadcasts)."""
        ...


class InlineExecutor:
    """Runs each trial in this process as it is submitted.

    No overhead, but a running trial cannot be stopped: ``time_limit`` is not
    enforced (worker processes enforce it).
    """

    slots = 1

    def __init__(self, objective: Callable[[Mapping[str, Any]], TrialRecord]) -> None:
        self.objective = objective
        self._done: list[tuple[int, TrialRecord]] = []

    def submit(self, tid: int, config: Mapping[str, Any], time_limit: float | None) -> None:
        self._done.append((tid, self.objective(config)))

    def wait(self, timeout: float | None) -> list[tuple[int, TrialRecord]]:
        done, self._done = self._done, []
        return done

    def cancel(self) -> list[int]:
        return []

    def close(self) -> None:
        pass
