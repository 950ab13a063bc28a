"""The record of one finished trial, which every stage after the objective reads.

The objective (``evaluate.py``) and the executors build a :class:`TrialRecord`; the
loop stamps it with its trial id and suggestion time; the results table, the
ensemble, the refit, the checkpoint and tracking read its attributes. hyperopt sees
only :meth:`TrialRecord.result` (its status and loss, plus plain values for people
who read ``trials_``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np

__all__ = ["Reason", "Status", "TrialRecord", "best_record", "ranked"]


class Status(StrEnum):
    """How a trial ended (the values are hyperopt's status strings)."""

    OK = "ok"
    FAIL = "fail"


class Reason(StrEnum):
    """Why a trial failed."""

    ERROR = "error"
    TIMEOUT = "timeout"
    #: The worker process running the trial died (a segfault, the OOM killer).
    CRASHED = "crashed"


@dataclass(frozen=True)
class TrialRecord:
    """One finished trial: its point, how it ended, its scores and times.

    ``loss`` is minus the mean fold score (inf for a failed trial); ``oof`` the
    out-of-fold predictions as float32 (NaN for rows in no test fold; None when
    the trial kept none, or after the memory bound dropped them).
    """

    status: Status
    config: Mapping[str, Any] | None = None
    tid: int = -1
    loss: float = math.inf
    scores: tuple[float, ...] = ()
    fit_time: tuple[float, ...] = ()
    score_time: tuple[float, ...] = ()
    warnings: tuple[str, ...] = ()
    n_warnings: int = 0
    duration: float = math.nan
    suggest_time: float = math.nan
    #: ``time.time()`` when a worker process started the trial (NaN in this process).
    started_at: float = math.nan
    reason: Reason | None = None
    error: str = ""
    oof: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: Out-of-fold decision values (rows x columns, float32) of a classifier without
    #: ``predict_proba`` (an SVC): what its probabilities are calibrated on.
    oof_decision: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: Screening (:mod:`automodel.screening`): the training rows of the rung the trial
    #: stopped at (None: all of them) and its loss at each rung it reached.
    screen_rows: int | None = None
    rung_losses: tuple[float, ...] = ()

    @classmethod
    def succeeded(
        cls,
        scores: Sequence[float],
        fit_time: Sequence[float] = (),
        score_time: Sequence[float] = (),
        **values: Any,
    ) -> TrialRecord:
        """A successful trial with these fold scores (its loss is minus their mean)."""
        return cls(
            Status.OK,
            loss=-float(np.mean(scores)),
            scores=tuple(float(s) for s in scores),
            fit_time=tuple(fit_time),
            score_time=tuple(score_time),
            **values,
        )

    @classmethod
    def failed(cls, reason: Reason, error: str, duration: float = math.nan) -> TrialRecord:
        """A failed trial: ``reason`` and the error text."""
        return cls(Status.FAIL, reason=Reason(reason), error=error, duration=duration)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def outcome(self) -> str:
        """ "ok", or the failure's reason ("error", "timeout"): the results' status column."""
        return str(self.status if self.reason is None else self.reason)

    @property
    def has_predictions(self) -> bool:
        """Whether the record holds out-of-fold predictions or decision values."""
        return self.oof is not None or self.oof_decision is not None

    def without_predictions(self) -> TrialRecord:
        """This record without its out-of-fold arrays (a memory bound)."""
        return replace(self, oof=None, oof_decision=None)

    def stamped(self, **values: Any) -> TrialRecord:
        """This record with some fields set (e.g. its ``tid`` and ``config``)."""
        return replace(self, **values)

    def result(self) -> dict[str, Any]:
        """The hyperopt result: status and loss, plus the plain values (no predictions)."""
        plain: dict[str, Any] = {"status": str(self.status), "config": self.config}
        if self.ok:
            plain.update(
                loss=self.loss,
                scores=list(self.scores),
                fit_time=list(self.fit_time),
                score_time=list(self.score_time),
                warnings=list(self.warnings),
                n_warnings=self.n_warnings,
            )
        else:
            plain.update(reason=str(self.reason), error=self.error)
        plain.update(duration=self.duration, suggest_time=self.suggest_time)
        if not math.isnan(self.started_at):
            plain["started_at"] = self.started_at
        if self.rung_losses or self.screen_rows is not None:
            plain.update(screen_rows=self.screen_rows, rung_losses=list(self.rung_losses))
        return plain

    @classmethod
    def from_result(cls, tid: int, result: Mapping[str, Any]) -> TrialRecord:
        """The record of a result dict as automodel 0.1 kept it (checkpoint format 1)."""
        common = {
            "tid": tid,
            "config": result.get("config"),
            "duration": result.get("duration", math.nan),
            "suggest_time": result.get("suggest_time", math.nan),
        }
        if result.get("status") != "ok":
            reason = Reason(result.get("reason", "error"))
            return cls(Status.FAIL, reason=reason, error=result.get("error", ""), **common)
        return cls.succeeded(
            result["scores"],
            result.get("fit_time", ()),
            result.get("score_time", ()),
            warnings=tuple(result.get("warnings", ())),
            n_warnings=result.get("n_warnings", 0),
            oof=result.get("oof"),
            **common,
        )


def ranked(records: Sequence[TrialRecord]) -> list[int]:
    """Positions of the successful records, best (lowest loss) first, ties by position."""
    return sorted((k for k, r in enumerate(records) if r.ok), key=lambda k: (records[k].loss, k))


def best_record(records: Sequence[TrialRecord]) -> TrialRecord | None:
    """The successful record with the lowest loss (None when none succeeded)."""
    order = ranked(records)
    return records[order[0]] if order else None
