"""Conformal prediction from out-of-fold predictions: regression intervals and class sets.

Every trial already predicts each row once from a model that never saw it (its
out-of-fold predictions). Those predictions score how wrong the returned model
tends to be, and conformal prediction turns the scores into intervals (or class
sets) that cover a new row's true value with probability at least ``coverage``
when the rows are exchangeable (Vovk et al. 2005; Lei et al. 2018):

- ``"split"``: the scores are the absolute residuals ``|y - oof|``; the interval
  is ``prediction +/- q``, ``q`` the ``ceil((n + 1) coverage)``-th smallest score
  (the finite-sample correction; infinite when that is past ``n``).
- ``"normalised"``: the residuals divided by a difficulty estimate (a model of
  ``|residual|`` from the features, fitted out of fold), so that easy rows get
  narrow intervals and hard rows wide ones (locally adaptive).
- ``"cv+"``: when the returned model *is* its fold models (bagging), CV+ (Barber
  et al. 2021): for a new row, each calibration row ``i`` gives the bounds
  ``f_k(i)(x) -/+ R_i`` from the fold model that did not see it, and the interval
  runs from the ``floor(alpha (n + 1))``-th smallest lower bound to the
  ``ceil((1 - alpha)(n + 1))``-th smallest upper bound (``alpha = 1 - coverage``).

For the split and normalised forms, the model refit on all rows stands in for the
fold models that made the residuals (it saw more rows, so its errors tend to be
smaller and the intervals cover a little more than asked). Classes: the LAC score
``1 - p_true`` (Sadinle et al. 2019) on the out-of-fold probabilities; a set holds
every class whose score is within the quantile, and always the predicted class.
The calibration rows are a seeded sample of at most :data:`MAX_CALIBRATION_ROWS`
(still exchangeable), so the model file stays small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "MAX_CALIBRATION_ROWS",
    "ClassConformal",
    "RegressionConformal",
    "check_coverage",
    "covered_rows",
    "order_statistic",
]

#: Calibration rows kept at most (a seeded sample): the quantiles' precision is then
#: about 1 / 10,000, and a model file holds at most 10,000 scores.
MAX_CALIBRATION_ROWS = 10_000

#: Test rows per block of CV+ bounds (rows x calibration rows floats in memory).
_CV_PLUS_BLOCK = 2_000_000


def check_coverage(coverage: Any) -> float:
    """``coverage`` as a float strictly between 0 and 1, or a ValueError naming it."""
    if isinstance(coverage, bool) or not isinstance(coverage, int | float | np.floating):
        raise TypeError(f"coverage must be a number between 0 and 1, e.g. 0.9; got {coverage!r}")
    if not 0 < coverage < 1:
        raise ValueError(
            f"coverage={coverage} is not a probability: give the share of new rows the "
            "intervals or sets should cover, between 0 and 1 (e.g. 0.9)."
        )
    return float(coverage)


def order_statistic(sorted_scores: np.ndarray, coverage: float) -> float:
    """The ``ceil((n + 1) coverage)``-th smallest of ``n`` sorted scores (inf past n)."""
    n = len(sorted_scores)
    k = math.ceil((n + 1) * coverage - 1e-9)
    return math.inf if k > n else float(sorted_scores[k - 1])


@dataclass
class RegressionConformal:
    """The calibration an interval needs, kept in the model file.

    ``scores`` are sorted (split, normalised) or aligned with ``fold`` (cv+, the
    absolute residuals of each calibration row and the fold model that predicted it).
    ``difficulty`` (normalised) is a fitted regressor of ``|residual|`` on the raw
    columns; its predictions are clipped below at ``floor``.
    """

    method: str
    scores: np.ndarray
    difficulty: Any = None
    floor: float = 0.0
    fold: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        """Calibration rows."""
        return len(self.scores)

    def spread(self, X: Any) -> np.ndarray | float:
        """The difficulty estimate of each row of ``X`` (1 without a difficulty model)."""
        if self.difficulty is None:
            return 1.0
        return np.maximum(np.asarray(self.difficulty.predict(X), dtype=np.float64), self.floor)

    def interval(self, model: Any, X: Any, coverage: float) -> np.ndarray:
        """Lower and upper bounds (rows x 2) of ``model``'s predictions of ``X``."""
        coverage = check_coverage(coverage)
        if self.method == "cv+":
            members = [np.ravel(m.predict(X)) for m in model.estimators_]
            return cv_plus(np.column_stack(members), self.scores, self.fold, coverage)
        center = np.asarray(model.predict(X), dtype=np.float64).ravel()
        half = order_statistic(self.scores, coverage) * self.spread(X)
        return np.column_stack([center - half, center + half])


def cv_plus(
    fold_predictions: np.ndarray, residuals: np.ndarray, fold: np.ndarray, coverage: float
) -> np.ndarray:
    """CV+ bounds (rows x 2) from each fold model's predictions (rows x folds), the
    calibration rows' absolute residuals and the fold that predicted each of them."""
    n = len(residuals)
    alpha = 1.0 - coverage
    low_k = math.floor(alpha * (n + 1) + 1e-9)
    high_k = math.ceil((1 - alpha) * (n + 1) - 1e-9)
    rows = len(fold_predictions)
    out = np.empty((rows, 2))
    out[:, 0] = -math.inf if low_k < 1 else 0.0
    out[:, 1] = math.inf if high_k > n else 0.0
    step = max(1, _CV_PLUS_BLOCK // max(n, 1))
    for start in range(0, rows, step):
        block = fold_predictions[start : start + step][:, fold]  # rows x calibration rows
        if low_k >= 1:
            lower = block - residuals
            out[start : start + step, 0] = np.partition(lower, low_k - 1, axis=1)[:, low_k - 1]
        if high_k <= n:
            upper = block + residuals
            out[start : start + step, 1] = np.partition(upper, high_k - 1, axis=1)[:, high_k - 1]
    return out


@dataclass
class ClassConformal:
    """Sorted LAC scores (``1 - p_true``) of the calibration rows, kept in the model file."""

    scores: np.ndarray

    @property
    def n_rows(self) -> int:
        """Calibration rows."""
        return len(self.scores)

    def sets(self, proba: np.ndarray, coverage: float) -> np.ndarray:
        """Boolean sets (rows x classes): the classes whose score is within the
        quantile, and the most probable class (so no set is empty)."""
        proba = np.asarray(proba, dtype=np.float64)
        q = order_statistic(self.scores, check_coverage(coverage))
        chosen = (1.0 - proba) <= q + 1e-12
        chosen[np.arange(len(proba)), np.argmax(proba, axis=1)] = True
        return chosen


def covered_rows(values: Any) -> np.ndarray:
    """Which rows of out-of-fold ``values`` (one value or one row of values each) some
    test fold predicted: every value finite (NaN marks a row in no test fold)."""
    values = np.asarray(values)
    return np.isfinite(values.reshape(len(values), -1)).all(axis=1)


def sample_rows(n_rows: int, seed: int, cap: int = MAX_CALIBRATION_ROWS) -> np.ndarray:
    """Positions of at most ``cap`` of ``n_rows`` rows, a seeded sample (sorted)."""
    if n_rows <= cap:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, cap, replace=False))
