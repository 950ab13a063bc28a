"""``python -m benchmarks.perf``: where the search's time (and memory) goes.

    python -m benchmarks.perf overhead [--dataset pima] [--max-evals 100] [--cv 5]
    python -m benchmarks.perf speedup [--dataset spambase] [--configs 50] [--repeats 3]
    python -m benchmarks.perf growth [--dataset adult] [--sizes 1000 5000 20000 all]
                                     [--max-evals 10] [--n-jobs 1]
    python -m benchmarks.perf adult [--seed 0] [--max-evals 50] [--n-jobs 2]
    python -m benchmarks.perf diamonds [--seed 0] [--max-evals 50] [--n-jobs 2]
    python -m benchmarks.perf suggest [--dataset pima] [--max-evals 100] [--repeats 3]
    python -m benchmarks.perf paths [--datasets pima wdbc vehicle] [--seeds 0 1]
                                    [--max-evals 30]

Figures, not tests: each command prints a plain-text table with its target beside
it and never fails on a missed target. Run from the repository root; see
benchmarks/README.md ("Performance"). Peak memory needs ``psutil`` (optional).
``adult`` and ``diamonds`` live in ``benchmarks/perf_large.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from automodel import AutoModelClassifier, data
from automodel.evaluate import Objective
from automodel.executor import Executor, InlineExecutor
from automodel.families import DataInfo, resolve_families
from automodel.space import build_space
from automodel.target import check_class_target
from automodel.tasks import CLASSIFICATION
from automodel.trial import Status, TrialRecord
from benchmarks.datasets import DEFAULT_DATA_DIR, DEFAULT_REGRESSION_DIR
from benchmarks.perf_large import RUN as LARGE_RUN
from benchmarks.perf_tools import (
    MemorySampler,
    busy_note,
    load,
    print_table,
    searcher,
    timed_fit,
)
from benchmarks.runner import holdout_split

__all__ = ["MemorySampler", "build_objective", "main", "replay", "trial_breakdown"]


def _ms(values: Sequence[float]) -> str:
    """``"median / mean"`` of seconds, in milliseconds."""
    if not values:
        return "n/a"
    return f"{statistics.median(values) * 1e3:.1f} / {statistics.mean(values) * 1e3:.1f}"


def trial_breakdown(model: AutoModelClassifier) -> dict[str, Any]:
    """Per-trial suggest, fit+score and everything-else seconds of a serial search.

    Everything else of trial i = start of trial i+1 - start of trial i - fit+score
    of i - suggest of i+1, on the worker clock (``started_at``) when the results
    have it, else on the trial documents' ``book_time`` (1 ms resolution). The
    mean ``(search_time_ - sum(fit+score) - sum(suggest)) / n`` also counts the
    search's start-up (e.g. waiting for the first worker).
    """
    docs = sorted(model.trials_.trials, key=lambda doc: doc["tid"])
    results = [doc["result"] for doc in docs]
    duration = [r["duration"] for r in results]
    suggest = [r["suggest_time"] for r in results]
    if all("started_at" in r for r in results):
        starts, clock = [r["started_at"] for r in results], "worker started_at"
    else:
        starts, clock = [doc["book_time"].timestamp() for doc in docs], "book_time (1 ms)"
    gaps = [starts[i + 1] - starts[i] - duration[i] - suggest[i + 1] for i in range(len(docs) - 1)]
    spent = model.search_time_ - sum(duration) - sum(suggest)
    failed = sum(r["status"] != "ok" for r in results)
    return {
        "n": len(docs),
        "failed": failed,
        "suggest": suggest,
        "duration": duration,
        "gaps": gaps,
        "else_mean": spent / len(docs),
        "clock": clock,
    }


def run_overhead(args: argparse.Namespace) -> None:
    """Serial searches with worker processes and in process: time per trial, by part."""
    X, y = load(args.dataset, args.data_dir)
    print(f"overhead: {args.dataset} {X.shape}, {args.max_evals} evaluations, {args.cv}-fold CV")
    print(busy_note())
    figures: dict[str, list[str]] = {}
    for timeout in (300.0, None):
        model = searcher(args, n_jobs=1, trial_timeout=timeout)
        wall, memory = timed_fit(model, X, y)
        part = trial_breakdown(model)
        values = {
            "fit wall time s": f"{wall:.2f}",
            "search_time_ / refit_time_ s": f"{model.search_time_:.2f} / {model.refit_time_:.2f}",
            "setup+teardown s": f"{wall - model.search_time_ - model.refit_time_:.2f}",
            "trials / failed": f"{part['n']} / {part['failed']}",
            "suggest ms (median / mean)": _ms(part["suggest"]),
            "fit+score ms (median / mean)": _ms(part["duration"]),
            "everything else ms (median / mean)": _ms(part["gaps"]),
            "everything else ms, mean incl. start-up": f"{part['else_mean'] * 1e3:.1f}",
            "clock of the median": part["clock"],
            "peak memory MB, main + workers": memory.text(),
        }
        for name, value in values.items():
            figures.setdefault(name, []).append(value)
    notes = {
        "setup+teardown s": "fit wall - search - refit",
        "everything else ms (median / mean)": "target < 5 ms median",
        "peak memory MB, main + workers": "RSS sum (PSS sum)",
    }
    rows = [[name, *values, notes.get(name, "")] for name, values in figures.items()]
    header = ["figure (n_jobs=1)", "workers (trial_timeout=300)", "in process (None)", "note"]
    print_table("time per trial", header, rows)


def build_objective(
    X: Any, y: np.ndarray, cv: int, seed: int, families: Any = None
) -> tuple[Objective, Any]:
    """The ``Objective`` (serial folds) and space as ``AutoModelClassifier.fit`` makes them."""
    X = data.check_features(X)
    codes, classes = check_class_target(y, X.shape[0])
    resolved = resolve_families(families)
    space = build_space(resolved, DataInfo(X.shape[0], X.shape[1], len(classes), cv))
    holdout = len(codes) > AutoModelClassifier().holdout_above  # cv folds, or one holdout
    folds = CLASSIFICATION.folds(X, codes, cv, holdout, seed)
    by_name = {family.name: family for family in resolved}
    return Objective.build(X, codes, folds, families=by_name, random_state=seed), space


def replay(make: Callable[[], Executor], configs: Sequence[Any]) -> tuple[float, list[float]]:
    """Run ``configs`` through a new executor, its slots kept full; wall s, durations by config.

    The wall time starts at the first submission (workers start in the background).
    """
    executor = make()
    try:
        return _replay(executor, configs)
    finally:
        getattr(executor, "close", lambda: None)()


def _replay(executor: Executor, configs: Sequence[Any]) -> tuple[float, list[float]]:
    start, pending, running = time.perf_counter(), list(enumerate(configs)), 0
    durations = [0.0] * len(configs)
    while pending or running:
        while pending and running < executor.slots:
            tid, config = pending.pop(0)
            executor.submit(tid, config, None)
            running += 1
        for tid, result in executor.wait(None):
            durations[tid] = result["duration"]
            running -= 1
    return time.perf_counter() - start, durations


def list_bound(durations: Sequence[float], slots: int) -> float:
    """Best speedup of greedy in-order scheduling of ``durations`` on ``slots`` (no overhead)."""
    free = [0.0] * slots
    for duration in durations:
        free[free.index(min(free))] += duration
    return sum(durations) / max(free)


SPEEDUP_NOTES = """\
sum of trial s: total fit+score time; slots busy: its share of slots x wall.
per-trial slowdown: sum of trial s at 2 slots / at 1 (1.00: parallel trials do not contend).
bound: best speedup of the slots=1 trial times on 2 slots in order; folds: k / ceil(k / 2)
for k splits per trial (5 folds: 1.67x; one holdout above 20,000 rows: 1.00x)."""


def run_speedup(args: argparse.Namespace) -> None:
    """The same fixed configurations with 1 vs 2 parallel trials, and 1 vs 2 parallel folds."""
    from hyperopt.pyll import stochastic
    from threadpoolctl import threadpool_limits

    from automodel.workers import ProcessExecutor

    X, y = load(args.dataset, args.data_dir)
    objective, space = build_objective(X, y, args.cv, args.seed, args.families)
    rng = np.random.default_rng(args.seed)
    configs = [stochastic.sample(space, rng=rng) for _ in range(args.configs)]
    print(f"speedup: {args.dataset} {X.shape}, {args.configs} random configs, {args.cv}-fold")
    print(busy_note())
    variants: dict[str, Callable[[], Any]] = {
        "workers slots=1": lambda: ProcessExecutor(objective, slots=1),
        "workers slots=2": lambda: ProcessExecutor(objective, slots=2),
        "in process folds n_jobs=1": lambda: InlineExecutor(objective),
        "in process folds n_jobs=2": lambda: InlineExecutor(replace(objective, n_jobs=2)),
    }
    walls: dict[str, list[float]] = {name: [] for name in variants}
    works: dict[str, list[float]] = {name: [] for name in variants}
    last: dict[str, list[float]] = {}
    with threadpool_limits(limits=1):  # as fit does
        for name in ("workers slots=1", "in process folds n_jobs=2"):  # forkserver, loky pool
            replay(variants[name], configs[:1])
        for _ in range(args.repeats):  # interleaved: drift in the load hits every variant alike
            for name, make in variants.items():
                wall, last[name] = replay(make, configs)
                walls[name].append(wall)
                works[name].append(sum(last[name]))
    rows = []
    for name in variants:
        wall, work = statistics.median(walls[name]), statistics.median(works[name])
        row = [name, f"{wall:.1f}", " ".join(f"{t:.1f}" for t in walls[name])]
        if name.startswith("workers"):
            row += [f"{work:.1f}", f"{work / (int(name[-1]) * wall):.0%}"]
        if name.endswith("2"):
            one = name[:-1] + "1"
            workers = name.startswith("workers")
            slowdown = work / statistics.median(works[one]) if workers else None
            splits = len(objective.folds)  # fold-parallel: ceil(splits / 2) rounds at best
            bound = list_bound(last[one], 2) if workers else splits / -(-splits // 2)
            row += [] if workers else ["", ""]
            row += [
                f"{statistics.median(walls[one]) / wall:.2f}x",
                f"{slowdown:.2f}" if slowdown else "",
                f"{bound:.2f}x",
                "1.7x (limit 2.0x)",
            ]
        rows.append(row)
    header = "variant|wall s (median)|runs|sum of trial s|slots busy|speedup|per-trial slowdown"
    header += "|bound|target"
    print_table(
        f"{args.configs} configurations, median of {args.repeats} runs", header.split("|"), rows
    )
    print(SPEEDUP_NOTES)


def subsample(X: Any, y: np.ndarray, rows: int | None, seed: int) -> tuple[Any, np.ndarray]:
    """A stratified subsample of ``rows`` rows (all of them when None or too many)."""
    if rows is None or rows >= len(y):
        return X, y
    X_part, _, y_part, _ = train_test_split(X, y, train_size=rows, stratify=y, random_state=seed)
    return X_part, y_part


def _slowest(model: AutoModelClassifier) -> str:
    result = max(model.trials_.results, key=lambda r: r["duration"])
    return f"{result['config']['family']} {result['duration']:.1f}"


def run_growth(args: argparse.Namespace) -> None:
    """Seconds per evaluation as the table grows (the same seed, folds and settings)."""
    X, y = load(args.dataset, args.data_dir)
    print(
        f"growth: {args.dataset} {X.shape}, {args.max_evals} evaluations per size, "
        f"{args.cv}-fold, n_jobs={args.n_jobs}"
    )
    print(busy_note())
    rows = []
    for size in args.sizes:
        X_part, y_part = subsample(X, y, size, args.seed)
        model = searcher(args, n_jobs=args.n_jobs)
        wall, memory = timed_fit(model, X_part, y_part)
        evals = len(model.trials_.trials)
        failed = sum(r["status"] != "ok" for r in model.trials_.results)
        trial = statistics.mean(r["duration"] for r in model.trials_.results)
        splits = max(len(r.get("fit_time", [])) for r in model.trials_.results)
        row = [len(y_part), splits, f"{evals} / {failed}", f"{wall:.1f}", f"{wall / evals:.2f}"]
        row += [f"{trial:.2f}", f"{model.refit_time_:.1f}", f"{model.best_score_:.4f}"]
        rows.append([*row, model.best_params_["family"], _slowest(model), memory.text()])
        print(f"  {len(y_part)} rows: {wall:.1f} s", flush=True)
    header = "rows|splits|evals / failed|wall s|wall s / eval|fit+score s / eval|refit s|best CV"
    header += "|best family|slowest trial s"
    print_table("seconds per evaluation", [*header.split("|"), "peak MB RSS (PSS)"], rows)


def _fake_loss(config: Any) -> TrialRecord:
    """A loss that depends on the configuration only (no model is fitted)."""
    return TrialRecord(Status.OK, loss=(hash(repr(sorted(config.items()))) % 10_000) / 10_000)


def run_suggest(args: argparse.Namespace) -> None:
    """TPE's suggestion time: hyperopt's own ``tpe.suggest`` vs automodel's ``TPE()`` (the
    same function with automodel's settings since it stopped caching hyperopt's graph)."""
    import functools

    from hyperopt import tpe

    from automodel import search, suggest

    X, y = load(args.dataset, args.data_dir)
    _, space = build_objective(X, y, args.cv, args.seed)
    settings = suggest.TPE()
    startup = settings.n_startup_trials
    variants = {
        "hyperopt tpe.suggest": functools.partial(
            tpe.suggest, n_startup_jobs=startup, gamma=settings.gamma
        ),
        "automodel TPE()": settings,
    }
    print(f"suggest: default space of {args.dataset}, {args.max_evals} trials, no model fitted")
    print(busy_note())
    times: dict[str, list[float]] = {name: [] for name in variants}
    points: dict[str, list[Any]] = {}
    for _ in range(args.repeats):
        for name, algo in variants.items():
            outcome = search.run_search(
                space,
                InlineExecutor(_fake_loss),
                algo=algo,
                max_evals=args.max_evals,
                state=search.SearchState(rng=np.random.default_rng(args.seed)),
            )
            docs = outcome.trials.trials[startup:]
            times[name] += [doc["result"]["suggest_time"] for doc in docs]
            points[name] = [doc["misc"]["vals"] for doc in outcome.trials.trials]
    first, second = (statistics.median(times[name]) for name in variants)
    rows = [[name, _ms(values)] for name, values in times.items()]
    print_table(
        f"per TPE suggestion (after {startup} start-up trials), {args.repeats} runs",
        ["variant", "ms (median / mean)"],
        rows,
    )
    same = points["hyperopt tpe.suggest"] == points["automodel TPE()"]
    print(f"ratio of medians: {first / second:.2f}x; same suggestions: {same}")


#: The execution paths compared by ``paths``: name -> AutoModelClassifier parameters.
PATHS: dict[str, dict[str, Any]] = {
    "serial (n_jobs=1)": {"n_jobs": 1},
    "parallel (n_jobs=2)": {"n_jobs": 2},
    "spark local[2]": {"backend": "spark", "parallelism": 2},
}


def run_paths(args: argparse.Namespace) -> None:
    """Serial, parallel and Spark searches with the same budget: is the model as good?"""
    from sklearn.metrics import accuracy_score

    spark = importlib.util.find_spec("pyspark") is not None
    paths = {k: v for k, v in PATHS.items() if "backend" not in v or spark}
    if len(paths) < len(PATHS):
        print("spark: pyspark is not installed (pip install 'automodel[spark]'): skipped")
    print(
        f"paths: {' '.join(args.datasets)}, seeds {args.seeds}, {args.max_evals} evaluations, "
        f"{args.cv}-fold CV, benchmark 75/25 split"
    )
    print(busy_note())
    rows, by_path = [], {name: ([], []) for name in paths}
    for name in args.datasets:
        X, y = load(name, args.data_dir)
        for seed in args.seeds:
            X_fit, X_test, y_fit, y_test = holdout_split(X, y, seed)
            for path, params in paths.items():
                model = AutoModelClassifier(
                    max_evals=args.max_evals, cv=args.cv, random_state=seed, **params
                )
                start = time.perf_counter()
                model.fit(X_fit, y_fit)
                wall = time.perf_counter() - start
                test = accuracy_score(y_test, model.predict(X_test))
                by_path[path][0].append(model.best_score_)
                by_path[path][1].append(test)
                family = model.best_params_["family"]
                rows.append(
                    [
                        name,
                        seed,
                        path,
                        f"{model.best_score_:.4f}",
                        f"{test:.4f}",
                        family,
                        f"{wall:.0f}",
                        f"{_packing(model, params):.2f}",
                    ]
                )
    header = ["dataset", "seed", "path", "best CV", "test accuracy", "family", "wall s"]
    header.append("search / (fit+score / slots)")
    print_table("the same budget on each path", header, rows)
    summary = [
        [path, f"{np.mean(cv):.4f}", f"{np.mean(test):.4f}"] for path, (cv, test) in by_path.items()
    ]
    print_table("mean over datasets and seeds", ["path", "best CV", "test accuracy"], summary)
    print(
        "Parallel and Spark searches suggest with trials still running (TPE treats them as\n"
        "pending), so they follow other paths than the serial search: compare the means, not\n"
        "single runs. Spark's wall time includes its session start-up on the first fit.\n"
        "search / (fit+score / slots): the search's wall time over its summed trial time\n"
        "divided by the trials run at once (1.00: slots never idle; target within 15%)."
    )


def _packing(model: AutoModelClassifier, params: dict[str, Any]) -> float:
    """``search_time_`` over (summed trial fit+score time / slots)."""
    slots = params.get("n_jobs") or params.get("parallelism") or 1
    work = sum(result.get("duration", 0.0) for result in model.trials_.results)
    return model.search_time_ / (work / slots) if work else float("nan")


def _size(text: str) -> int | None:
    return None if text == "all" else int(text)


#: Sub-commands: (help, default dataset, default max_evals, default n_jobs).
COMMANDS = {
    "overhead": ("per-trial suggest / fit+score / everything else, both executors", "pima", 100, 1),
    "speedup": ("1 vs 2 parallel trials (and folds) on the same configurations", "spambase", 0, 0),
    "growth": ("seconds per evaluation on growing stratified subsamples", "adult", 10, 1),
    "adult": ("the 50-evaluation target run on adult's 75/25 split", "adult", 50, 2),
    "diamonds": ("the regression target run on diamonds' 75/25 split", "diamonds", 50, 2),
    "suggest": ("TPE suggestion time: hyperopt's own vs automodel's cached graph", "pima", 100, 0),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.perf", description="Where automodel's search time goes."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (text, dataset, evals, n_jobs) in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--dataset", default=dataset, help=f"default: {dataset}")
        if name == "diamonds":
            sub.add_argument(
                "--data-dir", default=str(DEFAULT_REGRESSION_DIR), help="regression tables"
            )
        else:
            sub.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="PMLB tables")
        sub.add_argument("--seed", type=int, default=0, help="default: 0")
        sub.add_argument("--cv", type=int, default=5, help="default: 5")
        sub.add_argument("--families", nargs="+", help="default: automodel's default set")
        if evals:
            sub.add_argument("--max-evals", type=int, default=evals, help=f"default: {evals}")
        if name in ("growth", "adult", "diamonds"):
            sub.add_argument("--n-jobs", type=int, default=n_jobs, help=f"default: {n_jobs}")
    paths = commands.add_parser(
        "paths",
        help="serial vs n_jobs=2 vs Spark local[2]: model quality on the same budget",
        description="Serial, parallel and Spark searches on the same split and budget.",
    )
    paths.add_argument(
        "--datasets", nargs="+", default=["pima", "wdbc", "vehicle"], help="default: %(default)s"
    )
    paths.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="PMLB tables")
    paths.add_argument("--seeds", nargs="+", type=int, default=[0, 1], help="default: 0 1")
    paths.add_argument("--max-evals", type=int, default=30, help="default: 30")
    paths.add_argument("--cv", type=int, default=5, help="default: 5")
    commands.choices["suggest"].add_argument("--repeats", type=int, default=3, help="default: 3")
    speedup, growth = commands.choices["speedup"], commands.choices["growth"]
    speedup.add_argument("--configs", type=int, default=50, help="default: 50")
    speedup.add_argument("--repeats", type=int, default=3, help="default: 3")
    growth.add_argument(
        "--sizes",
        nargs="+",
        type=_size,
        default=[1000, 5000, 20000, None],
        help="rows per step, 'all': whole table (default: 1000 5000 20000 all)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command (``overhead`` when none is given); return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv or ["overhead"])
    run = {
        "overhead": run_overhead,
        "speedup": run_speedup,
        "growth": run_growth,
        "paths": run_paths,
        "suggest": run_suggest,
    }
    if args.command in ("adult", "diamonds"):
        run = LARGE_RUN
    run[args.command](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
