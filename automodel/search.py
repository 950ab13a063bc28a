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
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from hyperopt import Trials, anneal, rand, space_eval, tpe
from hyperopt.base import JOB_STATE_DONE, JOB_STATE_RUNNING, Domain, spec_from_misc
from hyperopt.fmin import generate_trial
from hyperopt.utils import coarse_utcnow

__all__ = [
    "TPE",
    "Executor",
    "InlineExecutor",
    "SearchOutcome",
    "Trials",
    "best_loss",
    "point_trial",
    "rounds_since_best",
    "run_search",
    "suggest_function",
]

#: The posterior graph of each search's space, built once (see :class:`TPE`).
_POSTERIORS: weakref.WeakKeyDictionary[Domain, dict[Any, Any]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TPE:
    """hyperopt's TPE with automodel's settings and its posterior graph built once.

    Pass an instance as ``algo`` to change the settings of one search, e.g.
    ``AutoModelClassifier(algo=TPE(gamma=0.5))``.

    Parameters
    ----------
    n_startup_trials : trials (defaults-first points included) before TPE models
        the losses; hyperopt's default is 20. With 6 defaults first, 10 leaves 4
        random trials and lets TPE choose 40 of 50: on 21 (table, seed) pairs of
        the benchmark that raised the best CV by 0.20 points on average over 20
        (0.48 over random search). See README "Benchmarks".
    gamma : hyperopt's split of the trials into "good" and "bad": the best
        ``ceil(gamma * sqrt(n))`` of ``n`` trials model the good ones (hyperopt's
        default, 0.25: one or two trials up to 64). Less greedy settings (0.5,
        1.0) did not pay on fresh folds; see benchmarks/README.md, "Is a CV gain
        real?".

    hyperopt builds the same pyll graph of the space's posterior on every call
    (its values come from a per-call memo), which is about half of a suggestion's
    time on a multi-family space. The graph is kept per ``Domain`` (one per
    search) and handed back while ``tpe.suggest`` runs; the suggestions are the
    same (``tests/test_search.py``). Not for concurrent calls from several threads.
    """

    n_startup_trials: int = 10
    gamma: float = 0.25

    def __post_init__(self) -> None:
        if not (isinstance(self.n_startup_trials, int) and self.n_startup_trials >= 1):
            raise ValueError(f"n_startup_trials must be an int >= 1, got {self.n_startup_trials!r}")
        if not 0 < self.gamma <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {self.gamma!r}")

    def __call__(
        self, new_ids: list[int], domain: Domain, trials: Trials, seed: int
    ) -> list[dict[str, Any]]:
        cache = _POSTERIORS.setdefault(domain, {})
        build = tpe.build_posterior_wrapper

        def cached(domain_: Domain, prior_weight: float, gamma: float) -> Any:
            key = (prior_weight, gamma)
            if key not in cache:
                cache[key] = build(domain_, prior_weight, gamma)
            return cache[key]

        tpe.build_posterior_wrapper = cached
        try:
            return tpe.suggest(
                new_ids,
                domain,
                trials,
                seed,
                n_startup_jobs=self.n_startup_trials,
                gamma=self.gamma,
            )
        finally:
            tpe.build_posterior_wrapper = build


def suggest_function(algo: Any) -> Callable[..., list[dict[str, Any]]]:
    """The suggestion function of ``algo``: "tpe" (:class:`TPE` with its defaults),
    "rand", "anneal", or a callable ``(new_ids, domain, trials, seed)`` such as a
    :class:`TPE` instance."""
    if callable(algo):
        return algo
    named = {"tpe": TPE(), "rand": rand.suggest, "anneal": anneal.suggest}
    if algo not in named:
        raise ValueError(f"algo must be 'tpe', 'rand', 'anneal' or a callable, got {algo!r}.")
    return named[algo]


def point_trial(tid: int, point: Mapping[str, Any], domain: Domain) -> dict[str, Any]:
    """A trial document for a given raw point; inactive labels get empty lists, as TPE expects.

    How both the local loop and the Spark path record the defaults-first points.
    """
    doc = generate_trial(tid, dict(point))
    for label in domain.params:
        doc["misc"]["idxs"].setdefault(label, [])
        doc["misc"]["vals"].setdefault(label, [])
    return doc


def rounds_since_best(trials: Trials) -> int:
    """Finished trials since the best one (all of them when none succeeded).

    The one early-stop rule of the local loop and the Spark path: a search stops
    once this reaches ``early_stop_rounds``.
    """
    losses = [
        r["loss"] if r.get("status") == "ok" else np.inf
        for r in trials.results
        if r.get("status") in ("ok", "fail")
    ]
    if not losses or not np.isfinite(min(losses)):
        return len(losses)
    return len(losses) - 1 - int(np.argmin(losses))


class Executor(Protocol):
    """Runs trials, up to ``slots`` at a time, and hands back their results.

    Results are hyperopt result dicts; a trial that raises or runs past its time
    limit comes back as ``{"status": "fail", "reason": "error" | "timeout", ...}``.
    """

    slots: int

    def submit(self, tid: int, config: Mapping[str, Any], time_limit: float | None) -> None:
        """Start trial ``tid``; at most ``slots`` trials run at once."""
        ...

    def wait(self, timeout: float | None) -> list[tuple[int, dict[str, Any]]]:
        """Block until a trial finishes (or ``timeout`` seconds pass); return finished ones."""
        ...

    def cancel(self) -> list[int]:
        """Stop every running trial at once; return their ids."""
        ...


class InlineExecutor:
    """Runs each trial in this process as it is submitted.

    No overhead, but a running trial cannot be stopped: ``time_limit`` is not
    enforced (worker processes enforce it).
    """

    slots = 1

    def __init__(self, objective: Callable[[Mapping[str, Any]], dict[str, Any]]) -> None:
        self.objective = objective
        self._done: list[tuple[int, dict[str, Any]]] = []

    def submit(self, tid: int, config: Mapping[str, Any], time_limit: float | None) -> None:
        self._done.append((tid, self.objective(config)))

    def wait(self, timeout: float | None) -> list[tuple[int, dict[str, Any]]]:
        done, self._done = self._done, []
        return done

    def cancel(self) -> list[int]:
        return []


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
    algo: Any = "tpe",
    max_evals: int | None,
    rng: np.random.Generator,
    trials: Trials | None = None,
    deadline: float | Callable[[], float] | None = None,
    trial_timeout: float | None = None,
    early_stop_rounds: int | None = None,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    points_to_evaluate: Sequence[dict[str, Any]] = (),
) -> SearchOutcome:
    """Suggest and evaluate points until a budget ends; never raise for a bad trial.

    Parameters
    ----------
    space : the hyperopt expression to search.
    executor : runs trials (see :class:`Executor`); with several slots, several
        trials are in flight and TPE sees the running ones as pending.
    algo : ``"tpe"``, ``"rand"``, ``"anneal"`` or a suggestion callable (see
        :func:`suggest_function`).
    max_evals : total number of finished trials wanted (earlier ones in
        ``trials`` count, so a resumed search continues up to this number); None:
        no limit, the ``deadline`` (or early stop) ends the search.
    rng : the generator every suggestion seed is drawn from, as ``fmin`` does
        with its ``rstate``; its state advances, so it can be saved to resume.
    deadline : a ``time.monotonic()`` value, or a function returning the current
        one (it may move as the search learns, e.g. to keep time for a refit);
        no trial starts after it, and a trial is given at most the time left.
    trial_timeout : seconds one trial may take (enforced by the executor).
    early_stop_rounds : stop after this many finished trials without improvement.
    on_trial : called with each finished trial document (e.g. progress, checkpoint).
    points_to_evaluate : raw points (``{label: value}``, choice labels as
        indices) evaluated first, in order, before the algorithm suggests any;
        on a resumed search those already among ``trials`` are not repeated.
    """
    start = time.monotonic()
    trials = trials if trials is not None else Trials()
    _drop_unfinished(trials)
    if deadline is not None and not callable(deadline):
        deadline = _constant(deadline)
    suggest = suggest_function(algo)
    loop = _Loop(space, executor, suggest, trials, rng, deadline, trial_timeout)
    loop.queue = list(points_to_evaluate)[len(trials.trials) :]
    stop_reason = "max_evals"
    with _quiet_hyperopt():
        try:
            while True:
                if stop_reason == "max_evals":
                    stop_reason = _stop_reason(deadline, trials, early_stop_rounds)
                while stop_reason == "max_evals" and loop.can_start(max_evals):
                    loop.start_one()
                if not loop.running:
                    break
                for doc in loop.collect():
                    if on_trial is not None:
                        on_trial(doc)
        except KeyboardInterrupt:
            stop_reason = "interrupted"
            executor.cancel()
        finally:
            _drop_unfinished(trials)
    return SearchOutcome(trials, stop_reason, time.monotonic() - start)


def _constant(value: float) -> Callable[[], float]:
    return lambda: value


def _stop_reason(
    deadline: Callable[[], float] | None,
    trials: Trials,
    early_stop_rounds: int | None,
) -> str:
    """Why no new trial may start ("max_evals" while one still may)."""
    if deadline is not None and time.monotonic() >= deadline():
        return "timeout"
    if early_stop_rounds is not None and rounds_since_best(trials) >= early_stop_rounds:
        return "early_stop"
    return "max_evals"


class _Loop:
    """Suggest -> submit -> collect bookkeeping for the trials in flight."""

    def __init__(
        self,
        space: Any,
        executor: Executor,
        suggest: Callable[..., list[dict[str, Any]]],
        trials: Trials,
        rng: np.random.Generator,
        deadline: Callable[[], float] | None,
        trial_timeout: float | None,
    ) -> None:
        self.space = space
        self.domain = Domain(_unused_objective, space)
        self.executor = executor
        self.suggest = suggest
        self.trials = trials
        self.rng = rng
        self.deadline = deadline
        self.trial_timeout = trial_timeout
        self.running: dict[int, tuple[dict[str, Any], dict[str, Any], float]] = {}
        self.queue: list[dict[str, Any]] = []

    def can_start(self, max_evals: int | None) -> bool:
        in_flight = len(self.running)
        room = max_evals is None or len(self.trials.trials) < max_evals
        return in_flight < self.executor.slots and room

    def start_one(self) -> None:
        """Take a queued point or suggest one (TPE sees running trials as pending); submit it."""
        begun = time.perf_counter()
        new_ids = self.trials.new_trial_ids(1)
        if self.queue:
            docs = [point_trial(new_ids[0], self.queue.pop(0), self.domain)]
        else:
            seed = int(self.rng.integers(2**31 - 1))
            docs = self.suggest(new_ids, self.domain, self.trials, seed)
        self.trials.insert_trial_docs(docs)
        self.trials.refresh()
        doc = self.trials.trials[-1]
        config = space_eval(self.space, spec_from_misc(doc["misc"]))
        doc["state"] = JOB_STATE_RUNNING
        doc["book_time"] = coarse_utcnow()
        limit = self.trial_timeout
        if self.deadline is not None:
            remaining = max(0.0, self.deadline() - time.monotonic())
            limit = remaining if limit is None else min(limit, remaining)
        # Suggest + decode time, kept apart from the hand-off to the executor.
        self.running[doc["tid"]] = (doc, config, time.perf_counter() - begun)
        self.executor.submit(doc["tid"], config, limit)

    def collect(self) -> list[dict[str, Any]]:
        """Wait for finished trials and record them; return their documents."""
        finished = []
        for tid, result in self.executor.wait(None):
            doc, config, suggest_time = self.running.pop(tid)
            result["config"] = config
            result["suggest_time"] = suggest_time
            doc["result"] = result
            doc["state"] = JOB_STATE_DONE
            doc["refresh_time"] = coarse_utcnow()
            finished.append(doc)
        self.trials.refresh()
        return finished


def _drop_unfinished(trials: Trials) -> None:
    """Forget trials that never finished (interrupted, or in flight at a crash)."""
    trials._dynamic_trials[:] = [
        doc for doc in trials._dynamic_trials if doc["state"] == JOB_STATE_DONE
    ]
    trials.refresh()
