"""The candidate pool of the learned portfolio, and its scores on the dev tables.

A candidate is one configuration of one family, as a raw point of that family's
space (hyperopt labels -> raw values, ``hp.choice`` labels as option indices): each
family's well-known default, then ``per_family`` points drawn at random from its
space (seeded, on a reference table shape, so every table sees the same pool).
:func:`score_pool` scores every candidate on one (table, seed) exactly as a search
with that seed would score a trial: the benchmark's 75% search part, automodel's own
folds, column steps and objective (:func:`automodel.problem.prepare`). The test part
is never read. The scores go to a JSON-lines file, one line per (table, seed,
candidate), so a long collection resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from hyperopt import Trials, rand, space_eval
from hyperopt.base import Domain

from automodel.families import DataInfo, resolve_families
from automodel.problem import prepare
from automodel.settings import Settings
from automodel.space import build_space, default_points
from automodel.trial import Status, TrialRecord
from automodel.workers import ProcessExecutor
from benchmarks.datasets import DatasetSpec
from benchmarks.protocol import holdout_split

__all__ = ["POOL_FAMILIES", "Candidate", "sample_pool", "score_pool"]

#: The families whose configurations may enter the portfolio, by task.
POOL_FAMILIES: dict[str, tuple[str, ...]] = {
    task: (first, "forest", "xgboost", "svm", "extra_trees", "knn", "lightgbm", "catboost")
    for task, first in (("classification", "logreg"), ("regression", "linear"))
}
#: The table shape the pool is drawn on (a family's space may depend on it: KNN's
#: largest neighbour count).
REFERENCE = DataInfo(n_rows=1000, n_features=10, n_classes=2, cv=5)


@dataclass(frozen=True)
class Candidate:
    """One configuration: its id (``family/default`` or ``family/k``), family, raw point."""

    id: str
    family: str
    point: dict[str, Any]


def _raw(values: dict[str, list[Any]]) -> dict[str, Any]:
    """A trial document's ``misc.vals`` as a raw point (active labels only)."""
    return {label: _plain(found[0]) for label, found in values.items() if found}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def sample_pool(
    families: Sequence[str], task: str, per_family: int, seed: int = 0
) -> list[Candidate]:
    """Each family's default, then ``per_family`` seeded random points of its space."""
    pool: list[Candidate] = []
    info = REFERENCE if task == "classification" else replace(REFERENCE, n_classes=0)
    for family in resolve_families(list(families), task):
        space = build_space([family], info)
        for point in default_points([family], info):
            pool.append(Candidate(f"{family.name}/default", family.name, _without_family(point)))
        trials = Trials()
        domain = Domain(lambda config: 0.0, space)
        docs = rand.suggest(list(range(per_family)), domain, trials, seed)
        for k, doc in enumerate(docs):
            raw = _raw(doc["misc"]["vals"])
            pool.append(Candidate(f"{family.name}/{k}", family.name, _without_family(raw)))
    return pool


def _without_family(point: dict[str, Any]) -> dict[str, Any]:
    return {label: value for label, value in point.items() if label != "family"}


def score_pool(
    spec: DatasetSpec,
    seed: int,
    pool: Sequence[Candidate],
    cv: int = 5,
    done: set[str] | None = None,
    say: Callable[[dict[str, Any]], None] = print,
    slots: int = 1,
    limit: float | None = None,
) -> None:
    """Score every candidate not in ``done`` on (``spec``, ``seed``); ``say`` each record.

    With ``slots`` > 1 or a ``limit`` (seconds), candidates run in automodel's worker
    processes, ``slots`` at a time, and one past ``limit`` is stopped (a failure).
    """
    X, raw = spec.load()
    task = spec.task
    y = np.asarray(raw, dtype=np.float64) if task == "regression" else np.asarray(raw)
    X_search, _, y_search, _ = holdout_split(X, y, seed, task)
    names = sorted({candidate.family for candidate in pool})
    settings = Settings(families=names, cv=cv, random_state=seed, ensemble=False)
    problem = prepare(settings, task, X_search, y_search)
    order = [family.name for family in problem.families]
    todo = [c for c in pool if not (done and c.id in done)]
    configs = [
        space_eval(problem.space, {"family": order.index(c.family), **c.point}) for c in todo
    ]
    base = {"dataset": spec.name, "task": task, "seed": seed}
    if slots == 1 and limit is None:
        for candidate, config in zip(todo, configs, strict=True):
            started = time.perf_counter()
            record = problem.objective(config)
            say(_record(base, candidate, record, time.perf_counter() - started))
        return
    with ProcessExecutor(problem.objective, slots) as executor:
        queue, running = list(range(len(todo))), {}
        while queue or running:
            while queue and len(running) < slots:
                k = queue.pop(0)
                executor.submit(k, configs[k], limit)
                running[k] = time.perf_counter()
            for k, record in executor.wait(1.0):
                say(_record(base, todo[k], record, time.perf_counter() - running.pop(k)))


def _record(
    base: dict[str, Any], candidate: Candidate, record: TrialRecord, seconds: float
) -> dict[str, Any]:
    ok = record.status is Status.OK
    return {
        **base,
        "candidate": candidate.id,
        "family": candidate.family,
        "point": candidate.point,
        "status": record.status.value,
        "reason": None if record.reason is None else record.reason.value,
        "score": -float(record.loss) if ok else None,
        "fit_time": float(sum(record.fit_time)),
        "seconds": seconds,
        "error": record.error,
    }
