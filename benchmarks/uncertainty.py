"""Intervals, sets, calibration and the expected score, measured on held-out rows.

    python -m benchmarks.uncertainty --task regression --seeds 3 \\
        --records benchmarks/results/uncertainty_regression.jsonl
    python -m benchmarks.uncertainty --task classification --seeds 3 \\
        --records benchmarks/results/uncertainty_classification.jsonl
    python -m benchmarks.uncertainty_report benchmarks/results/uncertainty_*.jsonl \\
        --out benchmarks/results/uncertainty.md

For each (table, seed): the benchmark's split (75% search, 25% test, the test part
never seen by the search), the default ``AutoModelRegressor`` / ``AutoModelClassifier``
(50 trials, ``n_jobs`` workers), then on the test part:

- regression: the coverage and mean width (in standard deviations of the test target)
  of ``predict_interval`` at 80 / 90 / 95%, next to MAPIE's CV+ (``method="plus"``, 5
  folds) around a default random forest on the same split, what a user would do by
  hand; interval figures on at most :data:`MAX_INTERVAL_ROWS` test rows (a seeded
  sample: MAPIE's CV+ holds test rows x training rows bounds in memory);
- classification: log loss and expected calibration error of the returned model, of
  the same model without its calibration and of a default random forest; coverage
  and mean size of ``predict_set`` at 80 / 90 / 95%;
- both: ``expected_score_`` and ``best_score_`` against the test score.

One JSON line per (task, table, seed); a run already in ``--records`` is skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from automodel import AutoModelClassifier, AutoModelRegressor
from benchmarks.datasets import DEFAULT_DATA_DIR, DEFAULT_REGRESSION_DIR, resolve_datasets
from benchmarks.presets import FULL_DATASETS, REGRESSION_DATASETS
from benchmarks.protocol import holdout_split
from benchmarks.records import append_record, read_records
from benchmarks.system_parts import column_step

__all__ = ["COVERAGES", "MAX_INTERVAL_ROWS", "expected_calibration_error", "main"]

COVERAGES = (0.8, 0.9, 0.95)
MAX_INTERVAL_ROWS = 2000


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Top-label ECE: over equal-width confidence bins, the row-weighted mean gap between
    accuracy and mean confidence (``y``: class positions)."""
    confidence = proba.max(axis=1)
    hit = proba.argmax(axis=1) == y
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for b in np.unique(which):
        rows = which == b
        gap += rows.sum() * abs(hit[rows].mean() - confidence[rows].mean())
    return float(gap / len(y))


def _mapie_rf(X: Any, y: np.ndarray, X_test: Any, seed: int) -> dict[float, np.ndarray]:
    from mapie.regression import CrossConformalRegressor

    forest = Pipeline(
        [("prep", column_step(X, "ordinal")), ("model", RandomForestRegressor(random_state=seed))]
    )
    cv = KFold(5, shuffle=True, random_state=seed)
    mapie = CrossConformalRegressor(forest, confidence_level=list(COVERAGES), cv=cv, n_jobs=2)
    mapie.fit_conformalize(X, y)
    _, bounds = mapie.predict_interval(X_test)
    return {c: bounds[:, :, k] for k, c in enumerate(COVERAGES)}


def _interval_figures(bounds: dict[float, np.ndarray], y: np.ndarray, sd: float, who: str) -> dict:
    out = {}
    for c, b in bounds.items():
        out[f"{who}_coverage_{c}"] = float(np.mean((y >= b[:, 0]) & (y <= b[:, 1])))
        out[f"{who}_width_{c}"] = float(np.mean(b[:, 1] - b[:, 0]) / sd)
    return out


def _regression(X: Any, y: np.ndarray, X_test: Any, y_test: np.ndarray, seed: int) -> dict:
    model = AutoModelRegressor(random_state=seed, n_jobs=2).fit(X, y)
    rows = np.random.default_rng(seed).permutation(len(y_test))[:MAX_INTERVAL_ROWS]
    part, truth = X_test.iloc[rows], y_test[rows]
    sd = float(np.std(y_test))
    ours = {c: model.predict_interval(part, c) for c in COVERAGES}
    started = time.perf_counter()
    theirs = _mapie_rf(X, y, part, seed)
    return {
        "test_score": float(model.score(X_test, y_test)),
        "interval_method": model.interval_method_,
        "interval_rows": len(rows),
        "mapie_seconds": time.perf_counter() - started,
        **_interval_figures(ours, truth, sd, "automodel"),
        **_interval_figures(theirs, truth, sd, "mapie_rf"),
    }, model


def _raw_model(model: Any) -> Any:
    """The returned model without its temperature (None for an SVC: no own probabilities)."""
    best = model.best_estimator_
    if type(best).__name__ == "TemperatureScaled":
        return best.estimator_
    return best if type(best).__name__ != "DecisionCalibrated" else None


def _classification(X: Any, y: np.ndarray, X_test: Any, y_test: np.ndarray, seed: int) -> dict:
    model = AutoModelClassifier(random_state=seed, n_jobs=2).fit(X, y)
    codes = np.searchsorted(model.classes_, y_test)
    labels = np.arange(len(model.classes_))
    proba = model.predict_proba(X_test)
    raw = _raw_model(model)
    forest = Pipeline(
        [("prep", column_step(X, "ordinal")), ("model", RandomForestClassifier(random_state=seed))]
    ).fit(X, np.searchsorted(model.classes_, y))
    found = {"test_score": float(model.score(X_test, y_test)), "calibration": model_kind(model)}
    for who, p in (("automodel", proba), ("forest", forest.predict_proba(X_test))):
        found[f"{who}_log_loss"] = float(log_loss(codes, p, labels=labels))
        found[f"{who}_ece"] = expected_calibration_error(p, codes)
    if raw is not None:
        p = raw.predict_proba(model._prepare(X_test))
        found["uncalibrated_log_loss"] = float(log_loss(codes, p, labels=labels))
        found["uncalibrated_ece"] = expected_calibration_error(p, codes)
    for c in COVERAGES:
        sets = model.predict_set(X_test, c)
        found[f"set_coverage_{c}"] = float(np.mean(sets[np.arange(len(codes)), codes]))
        found[f"set_size_{c}"] = float(sets.sum(axis=1).mean())
    return found, model


def model_kind(model: Any) -> str:
    """How the returned classifier's probabilities are calibrated."""
    return {"TemperatureScaled": "temperature", "DecisionCalibrated": "platt"}.get(
        type(model.best_estimator_).__name__, "none"
    )


def run_one(spec: Any, seed: int) -> dict[str, Any]:
    """The record of one (table, seed)."""
    X, y = spec.load()
    X_fit, X_test, y_fit, y_test = holdout_split(X, y, seed, spec.task)
    y_fit, y_test = np.asarray(y_fit), np.asarray(y_test)
    started = time.perf_counter()
    measure = _regression if spec.task == "regression" else _classification
    found, model = measure(X_fit, y_fit, X_test, y_test, seed)
    return {
        "task": spec.task,
        "dataset": spec.name,
        "seed": seed,
        "n_rows": len(y),
        "best_score": float(model.best_score_),
        "expected_score": float(model.expected_score_),
        "ensemble_score": float(getattr(model, "ensemble_score_", float("nan"))),
        "bagged": bool(model.bagged_),
        "expected_parts": getattr(model, "expected_score_parts_", None),
        "scoring": model.scoring_,
        "model": type(model.best_estimator_).__name__,
        "wall_time": time.perf_counter() - started,
        **found,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.uncertainty")
    parser.add_argument("--task", choices=["regression", "classification"], required=True)
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--records", required=True)
    args = parser.parse_args(argv)
    default = REGRESSION_DATASETS if args.task == "regression" else FULL_DATASETS
    names = list(args.datasets or default)
    specs = resolve_datasets(names, DEFAULT_DATA_DIR, regression_dir=DEFAULT_REGRESSION_DIR)
    done = {(r["dataset"], r["seed"]) for r in read_records(args.records, print)}
    for spec in specs:
        for seed in range(args.seeds):
            if (spec.name, seed) in done:
                continue
            record = run_one(spec, seed)
            append_record(Path(args.records), record)
            print(
                f"{spec.name} seed={seed}: test {record['test_score']:.4f} expected "
                f"{record['expected_score']:.4f} best CV {record['best_score']:.4f} "
                f"({record['wall_time']:.0f} s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
