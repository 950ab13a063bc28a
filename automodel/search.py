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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hyperopt import Trials

from automodel.executor import Executor
from automodel.screening import Screening
from automodel.suggest import quiet_hyperopt, suggest_function
from automodel.trial import TrialRecord
from automodel.trial_loop import SearchState, TrialLoop

__all__ = [
    "SearchOutcome",
    "SearchState",
    "rounds_since_best",
    "run_search",
]


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
    unscreened_points: Collection[int] = frozenset(),
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
    deadline : returns the ``time.monotonic()`` deadline (it may move); no trial starts
        after it, a trial gets the time left.
    trial_timeout, early_stop_rounds : seconds one trial may take (the executor stops
        it); stop after this many finished trials without improvement.
    on_trial : called with each finished record and the state (progress, checkpoint).
    points_to_evaluate : raw points (``{label: value}``, choice labels as indices)
        evaluated first, in order (a resumed search does not repeat those it has).
    unscreened_points : indices of ``points_to_evaluate`` that skip screening's rungs.
    screening : the rungs of :mod:`automodel.screening` (a screened search is not ordered).
    ordered : with several slots, trial ``k`` sees only trials ``0 .. k - slots`` (see
        :mod:`automodel.trial_loop`): the same seed, the same trials on as many slots.
    """
    start = time.monotonic()
    state = state if state is not None else SearchState()
    state.drop_unfinished()
    loop = TrialLoop(space, executor, suggest_function(algo), state, deadline, trial_timeout)
    loop.prime(points_to_evaluate, screening, ordered, unscreened_points)
    stop_reason = "max_evals"
    with quiet_hyperopt():
        try:
            while True:
                if stop_reason == "max_evals":
                    stop_reason = _start_trials(loop, deadline, early_stop_rounds, max_evals)
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


def _start_trials(
    loop: TrialLoop,
    deadline: Callable[[], float] | None,
    early_stop_rounds: int | None,
    max_evals: int | None,
) -> str:
    """Start trials while one may; why no more may start ("max_evals": not yet)."""
    while (reason := _stop_reason(deadline, loop, early_stop_rounds)) == "max_evals":
        if not loop.can_start(max_evals):
            break
        loop.start_one()
    return reason


def _notify(records: list[TrialRecord], on_trial: Observer | None, state: SearchState) -> None:
    if on_trial is not None:
        for record in records:
            on_trial(record, state)


def _stop_reason(
    deadline: Callable[[], float] | None, loop: TrialLoop, early_stop_rounds: int | None
) -> str:
    """Why no new trial may start ("max_evals" while one still may); early stop counts
    the loop's ``counted`` trials (None: not now)."""
    if deadline is not None and time.monotonic() >= deadline():
        return "timeout"
    if early_stop_rounds is not None:
        counted = loop.counted()
        if counted is not None and rounds_since_best(counted) >= early_stop_rounds:
            return "early_stop"
    return "max_evals"
