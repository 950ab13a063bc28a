"""Where candidates come from: hyperopt's suggestion algorithms and queued raw points.

:class:`TPE` holds automodel's TPE settings; :func:`suggest_function` turns the
``algo`` setting into a suggestion callable ``(new_ids, domain, trials, seed)``;
:func:`point_trial` makes the trial document of a given raw point (the families'
defaults, evaluated first); :func:`seen_trials` is the history a suggestion of an
ordered parallel search reads.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hyperopt import Trials, anneal, rand, tpe
from hyperopt.base import JOB_STATE_RUNNING, STATUS_NEW, Domain
from hyperopt.fmin import generate_trial

__all__ = [
    "TPE",
    "checked_docs",
    "point_trial",
    "quiet_hyperopt",
    "seen_trials",
    "suggest_function",
]


@dataclass(frozen=True)
class TPE:
    """hyperopt's TPE with automodel's settings.

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
        return tpe.suggest(
            new_ids, domain, trials, seed, n_startup_jobs=self.n_startup_trials, gamma=self.gamma
        )


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
    """A trial document for a given raw point; inactive labels get empty lists, as TPE expects."""
    doc = generate_trial(tid, dict(point))
    for label in domain.params:
        doc["misc"]["idxs"].setdefault(label, [])
        doc["misc"]["vals"].setdefault(label, [])
    return doc


def seen_trials(trials: Trials, n_seen: int) -> Trials:
    """``trials`` with only the first ``n_seen`` showing their results, the later ones
    pending (as hyperopt's algorithms see a running trial: TPE counts it as a bad one).

    An ordered parallel search suggests its trial ``k`` from this view with ``n_seen =
    k - slots + 1``, whichever of the later trials have finished by then, so the point
    does not depend on which trial finished first.
    """
    docs = trials.trials
    if n_seen >= len(docs):
        return trials
    view = Trials(exp_key=trials._exp_key)
    view._dynamic_trials = [
        doc if i < n_seen else {**doc, "result": {"status": STATUS_NEW}, "state": JOB_STATE_RUNNING}
        for i, doc in enumerate(docs)
    ]
    view.refresh()
    return view


@contextlib.contextmanager
def quiet_hyperopt() -> Iterator[None]:
    """Silence hyperopt's per-suggestion INFO logging while a search runs."""
    loggers = [logging.getLogger(name) for name in ("hyperopt", "hyperopt.tpe")]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


def checked_docs(docs: Any, algo: Any) -> list[dict[str, Any]]:
    """What a suggestion function returned, if it is the list of trial documents hyperopt
    needs (a user's own ``algo`` may return something else)."""
    if not (isinstance(docs, list) and docs and all(isinstance(d, dict) for d in docs)):
        raise TypeError(
            f"algo={algo!r} returned {docs!r:.80}, not a list of hyperopt trial documents; "
            "an own algo is called as algo(new_ids, domain, trials, seed), like tpe.suggest."
        )
    return docs
