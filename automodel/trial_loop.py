"""The bookkeeping of one search's trials: suggest, submit, collect.

:class:`TrialLoop` is what :func:`automodel.search.run_search` drives: it takes the
next trial (a trial waiting for its next screening rung, a queued point, or a
suggestion), hands it to the executor, and records the finished ones in the
:class:`SearchState` (what a search has so far; a checkpoint saves it). In an
*ordered* search (several slots, no screening) trial ``k`` is suggested from the
results of trials ``0 .. k - slots`` only (:func:`~automodel.suggest.seen_trials`),
waiting for them if need be, and early stopping counts the same trials, so neither
depends on which trial finished first.
Queued points (the portfolio or the families' defaults) carry their index in their
trial document, so a resumed search runs the ones it lost, not the next ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hyperopt import Trials, space_eval
from hyperopt.base import JOB_STATE_DONE, JOB_STATE_RUNNING, Domain, spec_from_misc
from hyperopt.utils import coarse_utcnow

from automodel.executor import Executor
from automodel.screening import Screening
from automodel.suggest import checked_docs, point_trial, seen_trials
from automodel.trial import TrialRecord

__all__ = ["POINT_KEY", "SearchState", "TrialLoop"]

#: The key of a queued point's index in its trial document's ``misc``.
POINT_KEY = "automodel_point"


@dataclass
class SearchState:
    """What a search has so far: hyperopt's trial documents (what the algorithm
    reads), the finished trials' records by trial id, and the generator every
    suggestion seed is drawn from (its state advances; a checkpoint saves it)."""

    trials: Trials = field(default_factory=Trials)
    records: dict[int, TrialRecord] = field(default_factory=dict)
    rng: np.random.Generator = field(default_factory=np.random.default_rng)

    def finished(self) -> list[TrialRecord]:
        """The finished trials' records, in trial order."""
        return [
            self.records[doc["tid"]] for doc in self.trials.trials if doc["tid"] in self.records
        ]

    def drop_unfinished(self) -> None:
        """Forget trials that never finished (interrupted, or in flight at a crash)."""
        docs = self.trials._dynamic_trials
        docs[:] = [
            doc for doc in docs if doc["state"] == JOB_STATE_DONE and doc["tid"] in self.records
        ]
        self.trials.refresh()


def _unused_objective(config: Any) -> None:  # pragma: no cover - never called
    raise RuntimeError("automodel evaluates trials itself; Domain.fn is not used")


class TrialLoop:
    """Suggest -> submit -> collect bookkeeping for the trials in flight, and for the
    trials that wait for their next screening rung (``waiting``, with their last record)."""

    def __init__(
        self,
        space: Any,
        executor: Executor,
        suggest: Callable[..., list[dict[str, Any]]],
        state: SearchState,
        deadline: Callable[[], float] | None,
        trial_timeout: float | None,
    ) -> None:
        self.space = space
        self.domain = Domain(_unused_objective, space)
        self.executor = executor
        self.suggest = suggest
        self.state = state
        self.deadline = deadline
        self.trial_timeout = trial_timeout
        self.running: dict[int, tuple[dict[str, Any], dict[str, Any], float]] = {}
        self.queue: list[tuple[int, dict[str, Any]]] = []  # (index, raw point)
        self.screen: Screening | None = None
        self.unscreened: frozenset[int] = frozenset()
        self.waiting: dict[int, tuple[dict[str, Any], dict[str, Any], float, TrialRecord]] = {}
        self.ordered = False

    def prime(
        self,
        points: Sequence[dict[str, Any]],
        screening: Screening | None,
        ordered: bool,
        unscreened: Collection[int] = frozenset(),
    ) -> None:
        """Queue the ``points`` not yet among the trials (those ``unscreened`` start at
        screening's last rung: all rows); restore the rungs' losses."""
        docs = self.state.trials.trials
        done = {doc["misc"].get(POINT_KEY) for doc in docs} - {None}
        if docs and not done:  # a checkpoint written before points carried their index
            done = set(range(len(docs)))
        self.queue = [(k, point) for k, point in enumerate(points) if k not in done]
        self.screen = screening
        self.unscreened = frozenset(unscreened)
        self.ordered = ordered and screening is None and self.executor.slots > 1
        if screening is not None:
            screening.restore(self.state.finished())

    def can_start(self, max_evals: int | None) -> bool:
        room = max_evals is None or len(self.state.trials.trials) < max_evals
        if len(self.running) >= self.executor.slots or not (room or self.waiting):
            return False
        # An ordered search's next suggestion waits for the trials it is to see.
        return bool(self.waiting or self.queue or not self.ordered or self._seen_done())

    def _n_seen(self) -> int:
        """How many trials, in order, the next suggestion sees the results of."""
        n_trials = len(self.state.trials.trials)
        return max(0, n_trials - self.executor.slots + 1) if self.ordered else n_trials

    def _seen_done(self) -> bool:
        return all(doc["state"] == JOB_STATE_DONE for doc in self._seen())

    def _seen(self) -> list[dict[str, Any]]:
        return self.state.trials.trials[: self._n_seen()]

    def counted(self) -> list[TrialRecord] | None:
        """The trials an early stop counts: the finished ones; in an ordered search, the
        ones the next suggestion sees, once all of them are done and no point is queued
        (None before), so that the stop does not depend on the finishing order."""
        if not self.ordered:
            return self.state.finished()
        if self.queue or not self._seen_done():
            return None
        return [self.state.records[doc["tid"]] for doc in self._seen()]

    def start_one(self) -> None:
        """Take a trial waiting for its next rung, a queued point or a suggestion (TPE
        sees running trials as pending); submit it."""
        if self.waiting:  # the oldest first
            tid = next(iter(self.waiting))
            doc, config, suggest_time, _ = self.waiting.pop(tid)
            return self._submit(doc, config, suggest_time)
        begun = time.perf_counter()
        trials = self.state.trials
        new_ids = trials.new_trial_ids(1)
        if self.queue:
            index, point = self.queue.pop(0)
            docs = [point_trial(new_ids[0], point, self.domain)]
            docs[0]["misc"][POINT_KEY] = index
            if self.screen is not None and index in self.unscreened:
                self.screen.start_at_all_rows(new_ids[0])
        else:
            seed = int(self.state.rng.integers(2**31 - 1))
            seen = seen_trials(trials, self._n_seen())
            docs = checked_docs(self.suggest(new_ids, self.domain, seen, seed), self.suggest)
        trials.insert_trial_docs(docs)
        trials.refresh()
        doc = trials.trials[-1]
        config = space_eval(self.space, spec_from_misc(doc["misc"]))
        doc["state"] = JOB_STATE_RUNNING
        doc["book_time"] = coarse_utcnow()
        # Suggest + decode time, kept apart from the hand-off to the executor.
        self._submit(doc, config, time.perf_counter() - begun)

    def _seconds_left(self) -> float | None:
        """What a trial submitted now may take: the per-trial limit or the budget left."""
        limit = self.trial_timeout
        if self.deadline is not None:
            remaining = max(0.0, self.deadline() - time.monotonic())
            limit = remaining if limit is None else min(limit, remaining)
        return limit

    def _submit(self, doc: dict[str, Any], config: dict[str, Any], suggest_time: float) -> None:
        limit = self._seconds_left()
        tid = doc["tid"]
        self.running[tid] = (doc, config, suggest_time)
        sent = config if self.screen is None else self.screen.config(tid, config)
        self.executor.submit(tid, sent, limit)

    def collect(self) -> list[TrialRecord]:
        """Wait for finished trials and record them; return their records (a trial that
        goes on to its next rung waits instead)."""
        finished = []
        for tid, outcome in self.executor.wait(None):
            doc, config, suggest_time = self.running.pop(tid)
            record = outcome.stamped(tid=tid, config=config, suggest_time=suggest_time)
            if self.screen is not None:
                record, going_on = self.screen.finished(tid, record, self._seconds_left())
                if going_on:
                    self.waiting[tid] = (doc, config, suggest_time, record)
                    continue
            finished.append(self._done(doc, record))
        self.state.trials.refresh()
        return finished

    def end_waiting(self) -> list[TrialRecord]:
        """The search stops: trials waiting for a rung finish at the one they reached."""
        ended = [self._done(doc, record) for doc, _, _, record in self.waiting.values()]
        self.waiting.clear()
        self.state.trials.refresh()
        return ended

    def _done(self, doc: dict[str, Any], record: TrialRecord) -> TrialRecord:
        self.state.records[doc["tid"]] = record
        doc["result"] = record.result()
        doc["state"] = JOB_STATE_DONE
        doc["refresh_time"] = coarse_utcnow()
        return record
