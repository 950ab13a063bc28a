"""Low-fidelity screening on large tables: asynchronous successive halving over rows.

On a table large enough (trials score one holdout split, and its training part holds
at least :data:`ETA` times the first rung's rows), every new trial first trains on a
seeded subsample of the training part (the first *rung*: ``rows`` rows, then
:data:`ETA` times more per rung, the last rung all of them) and is always scored on
the whole validation part, so its scores at every rung are comparable. A trial goes
on to the next rung only when its loss is among the best ``1 / ETA`` of the losses
seen at that rung so far (ASHA, Li et al. 2018, deciding when a trial reaches the
rung, as Optuna's successive-halving pruner does): most configurations cost a
fraction of a full fit, and the promising ones reach all the rows. Queued points
of a family that says so (``Family.screen_defaults``) skip the rungs
(:meth:`Screening.start_at_all_rows`). The suggestion
algorithm (TPE) still proposes every configuration; a pruned trial reports its last
rung's loss, which on fewer rows is worse, so TPE reads it as the weak configuration
it is. A trial whose next rung would outlast the per-trial limit or the budget left
(:func:`next_rung_seconds`) stops at the rung it reached rather than fail there. The
search loop (:mod:`automodel.search`) runs the rungs; the objective
(:mod:`automodel.evaluate`) reads a rung's rows from the config it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from automodel.trial import TrialRecord

__all__ = [
    "AUTO_ROWS",
    "ETA",
    "ROWS_KEY",
    "TIME_STOP",
    "Screening",
    "next_rung_seconds",
    "pop_rows",
    "screening_for",
]

#: Each rung trains on ETA times the rows of the one before; the best 1/ETA go on.
ETA = 4
#: The first rung's training rows under ``screening="auto"``.
AUTO_ROWS = 12_500
#: How the warning of a trial kept from its next rung for time begins.
TIME_STOP = "screening: stopped before the rung"
#: The config key that carries a rung's training rows to the objective.
ROWS_KEY = "__automodel_rows__"
#: A rung's fits are expected to take at most this many times the rung before's (ETA
#: times the rows; tree fits grow a little faster than their rows).
GROWTH = 1.5 * ETA


def next_rung_seconds(record: TrialRecord) -> float:
    """The seconds the trial of ``record`` is expected to take on its next rung: its
    fits :data:`GROWTH` times longer, its scoring (the same validation rows) as long."""
    return GROWTH * sum(record.fit_time) + sum(record.score_time)


def rungs(train_rows: int, first: int) -> tuple[int, ...]:
    """Training rows of each rung: ``train_rows`` divided by ETA until below ``first``
    (the last rung holds all of them); a single rung when the first would be under
    ``first`` rows."""
    found = [train_rows]
    while found[0] // ETA >= first:
        found.insert(0, found[0] // ETA)
    return tuple(found)


@dataclass
class Screening:
    """The rungs of one search and the losses seen at each (the promotion rule).

    ``rows``: training rows of each rung, the last one all of them.
    """

    rows: tuple[int, ...]
    #: The losses seen at each rung (the promotion rule compares with them).
    seen: list[list[float]] = field(init=False)
    #: The rung each trial in flight is at, and its losses so far (trial id ->).
    rung: dict[int, int] = field(default_factory=dict)
    losses: dict[int, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.seen = [[] for _ in self.rows]

    @property
    def last(self) -> int:
        return len(self.rows) - 1

    def config(self, tid: int, config: Mapping[str, Any]) -> dict[str, Any]:
        """``config`` as sent to the objective for trial ``tid``'s rung (the last rung:
        unchanged)."""
        rung = self.rung.setdefault(tid, 0)
        if rung >= self.last:
            return dict(config)
        return {**config, ROWS_KEY: self.rows[rung]}

    def promotes(self, rung: int, loss: float) -> bool:
        """Record ``loss`` at ``rung``; whether that trial goes on to the next rung: its
        loss is among the best ``max(1, seen // ETA)`` at this rung (ties go on)."""
        seen = self.seen[rung]
        seen.append(loss)
        if rung >= self.last:
            return False
        top = max(1, len(seen) // ETA)
        return loss <= sorted(seen)[top - 1]

    def finished(
        self, tid: int, record: TrialRecord, seconds: float | None = None
    ) -> tuple[TrialRecord, bool]:
        """Trial ``tid`` finished its rung with ``record``: the record stamped with its
        rung's rows and its losses so far, and whether it goes on (a failed trial
        does not). A trial whose next rung would take more than ``seconds`` (the
        per-trial limit, or what the budget has left) stops where it is, with a
        warning that says so, instead of failing at the limit."""
        rung = self.rung.get(tid, 0)
        losses = self.losses.setdefault(tid, [])
        going_on = False
        if record.ok:
            losses.append(record.loss)
            going_on = self.promotes(rung, record.loss)
        if going_on and seconds is not None and next_rung_seconds(record) > seconds:
            going_on = False
            record = _stopped_for_time(record, self.rows[rung + 1], seconds)
        rows = self.rows[rung] if rung < self.last else None
        record = record.stamped(screen_rows=rows, rung_losses=tuple(losses))
        if going_on:
            self.rung[tid] = rung + 1
        else:
            self.rung.pop(tid, None)
            self.losses.pop(tid, None)
        return record, going_on

    def start_at_all_rows(self, tid: int) -> None:
        """Trial ``tid`` skips the rungs: it trains on all rows from the start."""
        self.rung[tid] = self.last

    def restore(self, records: Sequence[TrialRecord]) -> None:
        """The losses a resumed search's finished trials had at each rung: from the
        first rung, except that a trial scored on all rows has its last loss there (one
        that skipped the rungs counts at all rows only)."""
        for record in records:
            losses = record.rung_losses[-len(self.rows) :]
            at_all_rows = record.ok and record.screen_rows is None
            first = len(self.rows) - len(losses) if at_all_rows else 0
            for rung, loss in enumerate(losses, start=first):
                self.seen[rung].append(loss)


def _stopped_for_time(record: TrialRecord, rows: int, seconds: float) -> TrialRecord:
    note = (
        f"{TIME_STOP} of {rows} rows, expected to take about "
        f"{next_rung_seconds(record):.0f} s of the {seconds:.0f} s a trial may still take"
    )
    return record.stamped(warnings=(*record.warnings, note), n_warnings=record.n_warnings + 1)


def screening_for(setting: Any, holdout: bool, train_rows: int) -> Screening | None:
    """The screening of a search: None when off (``setting`` False or None, trials on
    cross-validation folds, or too few rows for two rungs). ``"auto"`` starts at
    :data:`AUTO_ROWS` rows; an int (>= 1, as the estimators' parameter check makes
    sure) starts at that many."""
    if setting is None or setting is False or not holdout:
        return None
    first = AUTO_ROWS if setting == "auto" or setting is True else int(setting)
    found = rungs(train_rows, first)
    return Screening(found) if len(found) > 1 else None


def pop_rows(config: Mapping[str, Any]) -> tuple[dict[str, Any], int | None]:
    """``config`` without the rung's key, and the rung's training rows (None: all)."""
    config = dict(config)
    return config, config.pop(ROWS_KEY, None)
