"""``python -m benchmarks.perf adult | diamonds``: the 50-evaluation target runs on large tables.

    python -m benchmarks.perf adult [--seed 0] [--max-evals 50] [--n-jobs 2]
    python -m benchmarks.perf diamonds [--seed 0] [--max-evals 50] [--n-jobs 2]

Each searches the benchmark's 75% search part of one large table (adult: 48,842 rows,
classification, stratified split; diamonds: 53,940 rows, regression, plain split),
scores the fitted model on the 25% test part and prints the wall time of fit +
predict, the peak memory of the main process and its workers, and the test score
beside that of a default random forest fitted on the same split. Figures, not
tests: a missed target is printed, never raised. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from benchmarks.datasets import available_datasets
from benchmarks.perf_tools import MemorySampler, busy_note, load, print_table, searcher
from benchmarks.protocol import holdout_split, score_test_part

__all__ = ["RUN", "load_regression", "run_adult", "run_diamonds"]


def load_regression(name: str, data_dir: str) -> tuple[Any, np.ndarray]:
    """``(X, y)`` of a regression table of ``data_dir``, the target as floats."""
    spec = available_datasets(None, data_dir).get(name)
    if spec is None or spec.task != "regression":
        raise SystemExit(f"regression table {name!r} not found in {data_dir!r} (see --data-dir)")
    X, y = spec.load()
    return X, np.asarray(y, dtype=np.float64)


def _timed(model: Any, X_fit: Any, y_fit: Any, X_test: Any) -> tuple[float, MemorySampler, Any]:
    """Fit ``model`` and predict ``X_test``: wall seconds, the memory sampler, predictions."""
    with MemorySampler() as memory:
        start = time.perf_counter()
        model.fit(X_fit, y_fit)
        predicted = model.predict(X_test)
        wall = time.perf_counter() - start
    return wall, memory, predicted


def _search_rows(model: Any) -> list[list[str]]:
    """The best CV score and family, trial counts, splits per trial, search and refit time."""
    results = model.trials_.results
    reasons = [r.get("reason", "ok") for r in results]
    failed = sum(reason != "ok" for reason in reasons)
    splits = max(len(r.get("fit_time", [])) for r in results)
    return [
        ["best CV, family", f"{model.best_score_:.4f}, {model.best_params_['family']}", ""],
        ["trials / timeouts / failed", f"{len(reasons)} / {reasons.count('timeout')} / {failed}"],
        ["splits per trial", f"{splits}", "1 above holdout_above=20,000 rows"],
        ["search / refit s", f"{model.search_time_:.0f} / {model.refit_time_:.0f}"],
    ]


def run_adult(args: argparse.Namespace) -> None:
    """The issue's target run: search adult's 75% split, score on its 25%."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score

    X, y = load(args.dataset, args.data_dir)
    X_fit, X_test, y_fit, y_test = holdout_split(X, y, args.seed)
    print(
        f"adult: {args.dataset} {X.shape}, {len(y_fit)} rows searched, {args.max_evals} "
        f"evaluations, n_jobs={args.n_jobs}, seed {args.seed}"
    )
    print(busy_note())
    model = searcher(args, n_jobs=args.n_jobs)
    wall, memory, predicted = _timed(model, X_fit, y_fit, X_test)
    accuracy = accuracy_score(y_test, predicted)
    forest = RandomForestClassifier(random_state=args.seed, n_jobs=args.n_jobs).fit(X_fit, y_fit)
    baseline = accuracy_score(y_test, forest.predict(X_test))
    rows = [
        ["wall time s (fit + predict)", f"{wall:.0f}", "<= 600"],
        ["peak memory MB, main + workers", memory.text(), "< 2048"],
        ["test accuracy", f"{accuracy:.4f}", f">= random forest's {baseline:.4f}"],
        *_search_rows(model),
    ]
    print_table("adult target run", ["figure", "value", "target"], rows)


def run_diamonds(args: argparse.Namespace) -> None:
    """The regression target run: search diamonds' 75% split, score R^2 on its 25%."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.pipeline import Pipeline

    from automodel import AutoModelRegressor
    from benchmarks.system_parts import column_step

    X, y = load_regression(args.dataset, args.data_dir)
    X_fit, X_test, y_fit, y_test = holdout_split(X, y, args.seed, "regression")
    print(
        f"diamonds: {args.dataset} {X.shape}, {len(y_fit)} rows searched, {args.max_evals} "
        f"evaluations, n_jobs={args.n_jobs}, seed {args.seed}"
    )
    print(busy_note())
    model = AutoModelRegressor(
        max_evals=args.max_evals,
        cv=args.cv,
        random_state=args.seed,
        families=args.families,
        n_jobs=args.n_jobs,
    )
    wall, memory, predicted = _timed(model, X_fit, y_fit, X_test)
    scores = score_test_part("regression", y_test, predicted)
    # The forest needs numbers: the benchmark's column step (ordinal codes for text).
    forest = Pipeline(
        [
            ("prep", column_step(X_fit, "ordinal")),
            ("model", RandomForestRegressor(random_state=args.seed, n_jobs=args.n_jobs)),
        ]
    )
    forest_wall, _, forest_predicted = _timed(forest, X_fit, y_fit, X_test)
    baseline = score_test_part("regression", y_test, forest_predicted)
    r2, rmse = scores["test_r2"], scores["test_rmse"]
    rows = [
        ["wall time s (fit + predict)", f"{wall:.0f}", "<= 600"],
        ["peak memory MB, main + workers", memory.text(), "< 2048"],
        ["test R2", f"{r2:.4f}", f">= random forest's {baseline['test_r2']:.4f}"],
        ["test RMSE", f"{rmse:.4g}", f"random forest's {baseline['test_rmse']:.4g}"],
        ["random forest fit + predict s", f"{forest_wall:.0f}", ""],
        *_search_rows(model),
    ]
    print_table("diamonds target run", ["figure", "value", "target"], rows)


#: The large-table sub-commands of ``python -m benchmarks.perf``.
RUN = {"adult": run_adult, "diamonds": run_diamonds}
