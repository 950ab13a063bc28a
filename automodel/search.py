"""The search loop: a suggestion algorithm proposes, an executor evaluates, records are kept.

This drives hyperopt's suggestion API the way ``fmin`` does
(``algo(new_ids, domain, trials, seed)`` on a ``hyperopt.base.Domain``), but the
loop is automodel's own, so that failed trials, the total budget, early stopping
and Ctrl-C are handled in one place and a bad trial never ends the search. Every
backend (this process, worker processes, Spark) is an
:class:`~automodel.executor.Executor`; whatever
should happen after each finished trial (checkpoint, tracking, progress) is an
observer called with the record and the :class:`SearchState`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hyperopt import Trials, space_eval
from hyperopt.base import JOB_STATE_DONE, JOB_STATE_RUNNING, Domain, spec_from_misc
from hyperopt.utils import coarse_utcnow

from automodel.executor import Executor
from automodel.screening import Screening
from automodel.suggest import (
    checked_docs,
    point_trial,
    quiet_hyperopt,
    seen_trials,
    suggest_function,
)
from automodel.trial import TrialRecord

__all__ = [
    "SearchOutcome",
    "SearchState",
    "rounds_since_best",
    "run_search",
]


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


@dataclass
class SearchOutcome:
    """What the loop did: the trials, their records (in trial order) and why it stopped."""

    trials: Trials
    records: list[TrialRecord]
    stop_reason: str  # "max_evals", "timeout", "early_stop" or "interrupted"
    elapsed: float


def rounds_since_best(records: Sequence[TrialRecord]) -> int:
    """Finished trials since the best one (all of them when none succeeded): a search
    stops once this reaches ``early_stop_rounds``."""
    losses = [r.loss if r.ok else np.inf for r in records]
    if not losses or not np.isfinite(min(losses)):
        return len(losses)
    return len(losses) - 1 - int(np.argmin(losses))


Observer = Callable[[TrialRecord, SearchState], None]


def run_search(
    space: Any,
    executor: Executor,
    *,
    algo: Any = "tpe",
    max_evals: int | None,
    state: SearchState | None = None,
    deadline: Callable[[], float] | None = None,
    trial_timeout: float | None = None,
    early_stop_rounds: int | None = None,
    on_trial: Observer | None = None,
    points_to_evaluate: Sequence[dict[str, Any]] = (),
    screening: Screening | None = None,
    ordered: bool = False,
) -> SearchOutcome:
    """Suggest and evaluate points until a budget ends; never raise for a bad trial.

    Parameters
    ----------
    space : the hyperopt expression to search.
    executor : runs trials (:class:`Executor`), as many at once as it has slots.
    algo : ``"tpe"``, ``"rand"``, ``"anneal"`` or a callable (:func:`suggest_function`).
    max_evals : finished trials wanted (a resumed search's count: it continues up to
        this number); None: no limit, the ``deadline`` (or early stop) ends the search.
    state : the trials so far (a resumed search's) and the suggestion generator.
    deadline : returns the current ``time.monotonic()`` deadline (it may move); no
        trial starts after it, a trial gets the time left.
    trial_timeout : seconds one trial may take (enforced by the executor).
    early_stop_rounds : stop after this many finished trials without improvement.
    on_trial : called with each finished record and the state (progress, checkpoint).
    points_to_evaluate : raw points (``{label: value}``, choice labels as indices)
        evaluated first, in order (a resumed search does not repeat those it has).
    screening : the rungs of :mod:`automodel.screening` ; a screened search is not ordered.
    ordered : with several slots, trial ``k`` sees only trials ``0 .. k - slots`` (it
        waits for them): the same seed gives the same trials on as many slots.
    """
    start = time.monotonic()
    state = state if state is not None else SearchState()
    state.drop_unfinished()
    loop = _Loop(space, executor, suggest_function(algo), state, deadline, trial_timeout)
    loop.prime(points_to_evaluate, screening, ordered)
    stop_reason = "max_evals"
    with quiet_hyperopt():
        try:
            while True:
                if stop_reason == "max_evals":
                    stop_reason = _stop_reason(deadline, state, early_stop_rounds)
                while stop_reason == "max_evals" and loop.can_start(max_evals):
                    loop.start_one()
                if not loop.running:
                    break
                _notify(loop.collect(), on_trial, state)
        except KeyboardInterrupt:
            stop_reason = "interrupted"
            executor.cancel()
        finally:
            ended = loop.end_waiting()
            state.drop_unfinished()
    _notify(ended, on_trial, state)
    return SearchOutcome(state.trials, state.finished(), stop_reason, time.monotonic() - start)


def _notify(records: list[TrialRecord], on_trial: Observer | None, state: SearchState) -> None:
    if on_trial is not None:
        for record in records:
            on_trial(record, state)


def _stop_reason(
    deadline: Callable[[], float] | None, state: SearchState, early_stop_rounds: int | None
) -> str:
    """Why no new trial may start ("max_evals" while one still may)."""
    if deadline is not None and time.monotonic() >= deadline():
        return "timeout"
    if early_stop_rounds is not None and rounds_since_best(state.finished()) >= early_stop_rounds:
        return "early_stop"
    return "max_evals"


def _unused_objective(config: Any) -> None:  # pragma: no cover - never called
    raise RuntimeError("automodel evaluates trials itself; Domain.fn is not used")


class _Loop:
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
        self.queue: list[dict[str, Any]] = []
        self.screen: Screening | None = None
        self.waiting: dict[int, tuple[dict[str, Any], dict[str, Any], float, TrialRecord]] = {}
        self.ordered = False

    def prime(
        self, points: Sequence[dict[str, Any]], screening: Screening | None, ordered: bool
    ) -> None:
        """Queue the first ``points`` not yet among the trials; restore the rungs' losses."""
        self.queue = list(points)[len(self.state.trials.trials) :]
        self.screen = screening
        self.ordered = ordered and screening is None and self.executor.slots > 1
        if screening is not None:
            screening.restore([r.rung_losses for r in self.state.finished()])

    def can_start(self, max_evals: int | None) -> bool:
        room = max_evals is None or len(self.state.trials.trials) < max_evals
        if len(self.running) >= self.executor.slots or not (room or self.waiting):
            return False
        if self.waiting or self.queue or not self.ordered:
            return True
        # An ordered search's next suggestion waits for the trials it is to see.
        docs = self.state.trials.trials
        return all(doc["state"] == JOB_STATE_DONE for doc in docs[: self._n_seen()])

    def _n_seen(self) -> int:
        """How many trials, in order, the next suggestion sees the results of."""
        n_trials = len(self.state.trials.trials)
        return n_trials - self.executor.slots + 1 if self.ordered else n_trials

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
            docs = [point_trial(new_ids[0], self.queue.pop(0), self.domain)]
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
