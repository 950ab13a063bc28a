"""One run of the benchmark, per task: the outer split, the fit, the test scores.

Classification: labels encoded 0..n-1, a stratified 75% search / 25% test split,
test accuracy. Regression: the target as floats, a plain (not stratified) 75% / 25%
split, test R^2 and RMSE. The split depends on the seed only, so every system of a
(dataset, seed) sees the same one. ``wall_time`` is the fit (search and refit)
plus the prediction of the test part.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.datasets import DatasetSpec

__all__ = ["TEST_SIZE", "Task", "execute", "holdout_split", "systems_for", "score_test_part"]

TEST_SIZE = 0.25


@dataclass(frozen=True)
class Task:
    """One (system, dataset, seed) run and the budget it gets."""

    system: str
    dataset: DatasetSpec
    seed: int
    max_evals: int
    cv: int
    time_budget: float | None = None
    budget_notes: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, int, int, int]:
        """What identifies a run for resuming: the budget is part of it."""
        return (self.system, self.dataset.name, self.seed, self.max_evals, self.cv)


def holdout_split(X: Any, y: Any, seed: int, task: str = "classification") -> list[Any]:
    """The benchmark's split: ``[X_search, X_test, y_search, y_test]``, 25% test.

    Stratified by ``y`` for classification; plain for regression.
    """
    from sklearn.model_selection import train_test_split

    stratify = y if task == "classification" else None
    return train_test_split(X, y, test_size=TEST_SIZE, stratify=stratify, random_state=seed)


def systems_for(task: str) -> dict[str, Callable[..., Any]]:
    """The fit function of every system that has a variant for ``task``."""
    if task == "regression":
        from benchmarks.regression_systems import REGRESSION_SYSTEMS

        return REGRESSION_SYSTEMS
    from benchmarks.systems import SYSTEMS

    return SYSTEMS


def score_test_part(task: str, y_test: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """``test_accuracy`` (classification) or ``test_r2`` and ``test_rmse`` (regression)."""
    if task == "regression":
        from sklearn.metrics import mean_squared_error, r2_score

        values = np.asarray(predicted, dtype=np.float64).ravel()
        return {
            "test_r2": float(r2_score(y_test, values)),
            "test_rmse": float(np.sqrt(mean_squared_error(y_test, values))),
        }
    from sklearn.metrics import accuracy_score

    return {"test_accuracy": float(accuracy_score(y_test, predicted.astype(y_test.dtype)))}


def execute(task: Task) -> dict[str, Any]:
    """Split, fit the system on the search part, score it on the test part."""
    from sklearn.preprocessing import LabelEncoder

    from benchmarks.systems import Budget

    kind = task.dataset.task
    X, raw = task.dataset.load()
    regression = kind == "regression"
    y = np.asarray(raw, dtype=np.float64) if regression else LabelEncoder().fit_transform(raw)
    X_search, X_test, y_search, y_test = holdout_split(X, y, task.seed, kind)
    budget = Budget(task.max_evals, task.cv, task.time_budget)
    fit = systems_for(kind)[task.system]
    started = time.perf_counter()
    fitted = fit(X_search, y_search, task.seed, budget)
    predicted = np.asarray(fitted.predict(X_test))
    wall_time = time.perf_counter() - started
    details = dict(fitted.details)
    if fitted.variants:
        details["predict_ms_per_1000"] = _predict_ms(fitted.predict, X_test)
    for name, predict in fitted.variants.items():
        for key, value in score_test_part(kind, y_test, np.asarray(predict(X_test))).items():
            details[f"{name}_{key}"] = value
        details[f"{name}_predict_ms_per_1000"] = _predict_ms(predict, X_test)
    return {
        "n_train": len(y_search),
        "n_test": len(y_test),
        **score_test_part(kind, y_test, predicted),
        "cv_score": fitted.cv_score,
        "wall_time": wall_time,
        "n_evals": fitted.n_evals,
        "n_failures": fitted.n_failures,
        "details": details,
    }


def _predict_ms(predict: Callable[[Any], Any], X: Any) -> float:
    """Milliseconds ``predict`` takes for 1,000 rows (``X``'s rows repeated; best of 3)."""
    rows = np.resize(np.arange(len(X)), 1000)
    batch = X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
    times = []
    for _ in range(3):
        start = time.perf_counter()
        predict(batch)
        times.append(time.perf_counter() - start)
    return 1000.0 * min(times)
