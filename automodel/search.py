"""The search loop: hyperopt suggests, an executor evaluates, Trials record.

This drives hyperopt's suggestion API the way ``fmin`` does
(``algo(new_ids, domain, trials, seed)`` on a ``hyperopt.base.Domain``), but the
loop is automodel's own, so that failed trials, the total budget, early stopping
and Ctrl-C are handled in one place and a bad trial never ends the search.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from hyperopt import Trials, anneal, rand, space_eval, tpe
from hyperopt.base import JOB_STATE_DONE, JOB_STATE_RUNNING, Domain, spec_from_misc
from hyperopt.utils import coarse_utcnow

__all__ = [
    "ALGORITHMS",
    "Executor",
    "InlineExecutor",
    "SearchOutcome",
    "Trials",
    "best_loss",
    "run_search",
]

#: Suggestion algorithms by name (all take ``(new_ids, domain, trials, seed)``).
ALGORITHMS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "tpe": tpe.suggest,
    "rand": rand.suggest,
    "anneal": anneal.suggest,
}


class Executor(Protocol):
    """Evaluates one decoded point and returns a hyperopt result dict."""

    def evaluate(self, config: Mapping[str, Any], time_limit: float | None) -> dict[str, Any]:
        """Run one trial; a failing or overtime trial returns ``status="fail"``."""
        ...


class InlineExecutor:
    """Runs trials in this process: no overhead, but no per-trial time limit."""

    def __init__(self, objective: Callable[[Mapping[str, Any]], dict[str, Any]]) -> None:
        self.objective = objective

    def evaluate(self, config: Mapping[str, Any], time_limit: float | None) -> dict[str, Any]:
        return self.objective(config)


@dataclass
class SearchOutcome:
    """What the loop did: the trials and why it stopped."""

    trials: Trials
    stop_reason: str  # "max_evals", "timeout", "early_stop" or "interrupted"
    elapsed: float


def _unused_objective(config: Any) -> None:  # pragma: no cover - never called
    raise RuntimeError("automodel evaluates trials itself; Domain.fn is not used")


@contextlib.contextmanager
def _quiet_hyperopt() -> Iterator[None]:
    """Silence hyperopt's per-suggestion INFO logging for the duration of a search."""
    loggers = [logging.getLogger(name) for name in ("hyperopt", "hyperopt.tpe")]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


def best_loss(trials: Trials) -> float:
    """The lowest loss among successful trials (inf when there is none)."""
    losses = [r["loss"] for r in trials.results if r.get("status") == "ok"]
    return min(losses, default=float("inf"))


def run_search(
    space: Any,
    executor: Executor,
    *,
    algo: str = "tpe",
    max_evals: int,
    rng: np.random.Generator,
    trials: Trials | None = None,
    deadline: float | None = None,
    trial_timeout: float | None = None,
    early_stop_rounds: int | None = None,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
) -> SearchOutcome:
    """Suggest and evaluate points until a budget ends; never raise for a bad trial.

    Parameters
    ----------
    space : the hyperopt expression to search.
    executor : evaluates a decoded point (see :class:`Executor`).
    algo : ``"tpe"``, ``"rand"`` or ``"anneal"``.
    max_evals : total number of finished trials wanted (earlier ones in
        ``trials`` count, so a resumed search continues up to this number).
    rng : the generator every suggestion seed is drawn from, as ``fmin`` does
        with its ``rstate``.
    deadline : a ``time.monotonic()`` value after which no new trial starts.
    trial_timeout : seconds one trial may take (enforced by the executor).
    early_stop_rounds : stop after this many finished trials without improvement.
    on_trial : called with each finished trial document.
    """
    start = time.monotonic()
    trials = trials if trials is not None else Trials()
    suggest = ALGORITHMS[algo]
    domain = Domain(_unused_objective, space)
    stop_reason = "max_evals"
    since_best = 0
    current_best = best_loss(trials)
    with _quiet_hyperopt():
        try:
            while len(trials.trials) < max_evals:
                if deadline is not None and time.monotonic() >= deadline:
                    stop_reason = "timeout"
                    break
                if early_stop_rounds is not None and since_best >= early_stop_rounds:
                    stop_reason = "early_stop"
                    break
                doc = _run_one(
                    space, domain, suggest, trials, executor, rng, deadline, trial_timeout
                )
                loss = best_loss(trials)
                since_best = 0 if loss < current_best else since_best + 1
                current_best = min(current_best, loss)
                if on_trial is not None:
                    on_trial(doc)
        except KeyboardInterrupt:
            stop_reason = "interrupted"
        finally:
            _drop_unfinished(trials)
    return SearchOutcome(trials, stop_reason, time.monotonic() - start)


def _run_one(
    space: Any,
    domain: Domain,
    suggest: Callable[..., list[dict[str, Any]]],
    trials: Trials,
    executor: Executor,
    rng: np.random.Generator,
    deadline: float | None,
    trial_timeout: float | None,
) -> dict[str, Any]:
    """Suggest one point, evaluate it, and record the result in ``trials``."""
    new_ids = trials.new_trial_ids(1)
    docs = suggest(new_ids, domain, trials, int(rng.integers(2**31 - 1)))
    trials.insert_trial_docs(docs)
    trials.refresh()
    doc = trials.trials[-1]
    config = space_eval(space, spec_from_misc(doc["misc"]))
    doc["state"] = JOB_STATE_RUNNING
    doc["book_time"] = coarse_utcnow()
    limit = trial_timeout
    if deadline is not None:
        remaining = max(0.0, deadline - time.monotonic())
        limit = remaining if limit is None else min(limit, remaining)
    result = executor.evaluate(config, limit)
    result["config"] = config
    doc["result"] = result
    doc["state"] = JOB_STATE_DONE
    doc["refresh_time"] = coarse_utcnow()
    trials.refresh()
    return doc


def _drop_unfinished(trials: Trials) -> None:
    """Forget trials that never finished (interrupted, or in flight at a crash)."""
    trials._dynamic_trials[:] = [
        doc for doc in trials._dynamic_trials if doc["state"] == JOB_STATE_DONE
    ]
    trials.refresh()
