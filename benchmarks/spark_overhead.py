"""Seconds of overhead per trial: local worker processes, Spark ``local[2]``, a cluster.

    python -m benchmarks.spark_overhead [--dataset pima] [--trials 30] [--seed 0]
    python -m benchmarks.spark_overhead --search [--dataset pima] [--trials 50]

The same ``--trials`` configurations (drawn once from the default space with the
seed) run on three paths, two trials at once, each with a per-trial time limit
(300 s, so every path runs trials in automodel's worker processes): local
``n_jobs=2``, Spark ``local[2]``, and a Spark standalone cluster of two one-core
workers started here (:mod:`benchmarks.spark_cluster`). Printed per path: wall
seconds, mean seconds inside a trial, overhead per trial (``wall x 2 / trials``
minus the mean trial), and the best CV score (the same configurations must give
the same scores everywhere).

``--search``: instead, one whole default search (``AutoModelClassifier``, ``--trials``
trials, the seed, finishing step included) locally with ``n_jobs=2``, on Spark
``local[2]`` and on the standalone cluster (``parallelism=2``): wall seconds, and
the ratio to the local search.

Each Spark path is timed from a session whose executors have registered: on the
standalone cluster the executor JVMs start after the session does, and that start
(printed, counted from before the session is created: about 7 s here) is the
cluster's, not the search's. Everything automodel starts itself (its version check
job, Spark's Python workers and their imports, the trial processes) is timed, as the
local path's worker processes are.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from hyperopt import Trials, rand
from hyperopt.base import Domain

from automodel import data
from automodel.evaluate import Objective
from automodel.families import DataInfo, resolve_families
from automodel.search import SearchState, run_search
from automodel.space import build_space
from automodel.tasks import TASKS
from automodel.trial import TrialRecord
from automodel.workers import ProcessExecutor
from benchmarks.datasets import DEFAULT_DATA_DIR, resolve_datasets
from benchmarks.spark_cluster import StandaloneCluster, wait_until

SLOTS = 2
TRIAL_TIMEOUT = 300.0


def _setup(dataset: str, seed: int) -> tuple[Any, Objective]:
    (spec,) = resolve_datasets([dataset], DEFAULT_DATA_DIR)
    X, y = spec.load()
    task = TASKS[spec.task]
    X = data.check_features(X)
    y_fit, classes = task.check_target(y, X.shape[0])
    families = resolve_families(None, task.name)
    n_classes = 0 if classes is None else len(classes)
    info = DataInfo(X.shape[0], X.shape[1], n_classes, 5)
    folds = task.folds(X, y_fit, 5, False, seed)
    objective = Objective.build(
        X, y_fit, folds, scoring=task.scoring(None), random_state=seed,
        families={f.name: f for f in families}, stratify=task.stratified,
    )  # fmt: skip
    return build_space(families, info), objective


def _points(space: Any, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` raw points drawn by hyperopt's random search (labels -> values)."""
    docs = rand.suggest(list(range(n)), Domain(lambda _: 0.0, space), Trials(), seed)
    return [{k: v[0] for k, v in doc["misc"]["vals"].items() if v} for doc in docs]


def _summary(name: str, records: Sequence[TrialRecord], wall: float) -> str:
    results = list(records)
    inside = float(np.nanmean([r.duration for r in results]))
    best = max((-r.loss for r in results if r.ok), default=float("nan"))
    overhead = wall * SLOTS / len(results) - inside
    return f"{name:22s} {len(results):6d} {wall:8.1f} {inside:10.2f} {overhead:12.2f} {best:9.4f}"


def _masters() -> Iterator[tuple[str, Any]]:
    """``(name, session)`` on Spark ``local[2]``, then on a standalone cluster of two
    one-core workers, started here and stopped after its turn. Each session is
    returned once its executors have registered (on the cluster, executor JVMs start
    after the session does): a cluster with its application's executors up is the
    machine the search runs on, so their start is not timed; it is printed. What
    automodel starts itself (its version check, the Python workers and their
    imports, the trial processes) is in the timed part."""
    from automodel.spark import spark_session

    session = spark_session("local[2]")
    try:
        session.sparkContext.setLogLevel("ERROR")
        yield "spark local[2]", session
    finally:
        session.stop()
    with StandaloneCluster(workers=SLOTS) as cluster:
        start = time.perf_counter()
        session = spark_session(cluster.url)
        try:
            session.sparkContext.setLogLevel("ERROR")
            wait_until(lambda: _executors(session) >= SLOTS, 120, f"{SLOTS} executors")
            print(f"  (standalone: executors up {time.perf_counter() - start:.1f} s after "
                  "creating the session began; not timed)", flush=True)  # fmt: skip
            yield "standalone 2 x 1 core", session
        finally:
            session.stop()


def _executors(session: Any) -> int:
    """Executors registered with ``session`` (its block managers, less the driver's)."""
    return session.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1


def search_walls(dataset: str, trials: int, seed: int) -> None:
    """Print the wall time of one default search on each path, and its ratio to local."""
    from automodel import AutoModelClassifier

    (spec,) = resolve_datasets([dataset], DEFAULT_DATA_DIR)
    X, y = spec.load()
    params = dict(max_evals=trials, random_state=seed)
    print(f"{dataset}: one search of {trials} trials, 2 at a time")
    start = time.perf_counter()
    local = AutoModelClassifier(n_jobs=SLOTS, **params).fit(X, y)
    base = time.perf_counter() - start
    print(f"{'local n_jobs=2':22s} {base:7.1f} s  1.00x  best CV {local.best_score_:.4f}")
    for name, _session in _masters():
        start = time.perf_counter()
        model = AutoModelClassifier(backend="spark", parallelism=SLOTS, **params).fit(X, y)
        wall = time.perf_counter() - start
        print(f"{name:22s} {wall:7.1f} s  {wall / base:.2f}x  best CV {model.best_score_:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.spark_overhead", description=__doc__
    )
    parser.add_argument("--dataset", default="pima")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--search", action="store_true", help="time one whole search")
    args = parser.parse_args(argv)
    if args.search:
        search_walls(args.dataset, args.trials, args.seed)
        return 0
    from automodel.spark import SparkExecutor

    space, objective = _setup(args.dataset, args.seed)
    points = _points(space, args.trials, args.seed)
    print(f"{args.dataset}: {args.trials} configurations, {SLOTS} at a time")
    print(f"{'path':22s} {'trials':>6s} {'wall s':>8s} {'in trial s':>10s} "
          f"{'overhead s':>12s} {'best CV':>9s}")  # fmt: skip
    common = dict(algo="rand", max_evals=args.trials, points_to_evaluate=points)
    start = time.perf_counter()
    with ProcessExecutor(objective, slots=SLOTS) as executor:
        outcome = run_search(
            space,
            executor,
            state=SearchState(rng=np.random.default_rng(args.seed)),
            trial_timeout=TRIAL_TIMEOUT,
            **common,
        )
    print(_summary("local n_jobs=2", outcome.records, time.perf_counter() - start), flush=True)
    for name, session in _masters():
        start = time.perf_counter()
        executor = SparkExecutor(
            objective, session=session, parallelism=SLOTS, trial_timeout=TRIAL_TIMEOUT
        )
        try:
            outcome = run_search(
                space,
                executor,
                state=SearchState(rng=np.random.default_rng(args.seed)),
                trial_timeout=TRIAL_TIMEOUT,
                **common,
            )
        finally:
            executor.close()
        print(_summary(name, outcome.records, time.perf_counter() - start), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
