"""Greedy ensemble selection over the trials' out-of-fold predictions.

Caruana et al. (ICML 2004), as auto-sklearn uses it: start from the best trial,
then for a fixed number of rounds add (with replacement) the trial whose
predictions most improve the averaged ensemble's score on the out-of-fold rows.
The weights are the integer counts; the best-scoring prefix of the rounds is kept.
Scores come from the search's own scorer, through an estimator that only replays
fixed predictions, so any scikit-learn scorer works unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import get_scorer

__all__ = [
    "ENSEMBLE_POOL",
    "ENSEMBLE_ROUNDS",
    "FAMILY_POOL",
    "Selection",
    "has_fast_path",
    "oof_score",
    "select",
]

#: Rounds of greedy selection (so weights sum to at most this).
ENSEMBLE_ROUNDS = 25

#: The best trials whose out-of-fold predictions are kept during the search (a memory
#: bound: ENSEMBLE_POOL x rows x classes float32 values) and offered to the selection.
ENSEMBLE_POOL = 20

#: Besides those, the best trials of each family whose predictions are kept (so that a
#: pool can be diverse when the best trials are mostly one family).
FAMILY_POOL = 3


class _ReplayClassifier(ClassifierMixin, BaseEstimator):
    """Returns stored class probabilities for row positions ``X[:, 0]``."""

    def __init__(self, proba: np.ndarray) -> None:
        self.proba = proba
        self.classes_ = np.arange(proba.shape[1])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.proba[X[:, 0]]

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.argmax(self.predict_proba(X), axis=1)


class _ReplayRegressor(RegressorMixin, BaseEstimator):
    """Returns stored predictions for row positions ``X[:, 0]``."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.values[X[:, 0]]


def _accuracy(y: np.ndarray, proba: np.ndarray) -> float:
    return float(np.mean(np.argmax(proba, axis=1) == y))


def _balanced_accuracy(y: np.ndarray, proba: np.ndarray) -> float:
    hit = np.argmax(proba, axis=1) == y
    return float(np.mean([hit[y == c].mean() for c in np.unique(y)]))


def _neg_log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    chosen = proba[np.arange(len(y)), y] / proba.sum(axis=1)
    return float(np.mean(np.log(np.clip(chosen, np.finfo(np.float64).eps, None))))


def _r2(y: np.ndarray, values: np.ndarray) -> float:
    total = np.sum((y - y.mean()) ** 2)
    return float(1.0 - np.sum((y - values) ** 2) / total) if total > 0 else np.nan


#: numpy versions of the common scorers (same values as scikit-learn's, tested): the
#: selection calls its scorer thousands of times, and scikit-learn's input checks cost
#: about a millisecond a call. Other scorers go through scikit-learn.
_FAST: dict[str, Any] = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "neg_log_loss": _neg_log_loss,
    "r2": _r2,
    "neg_mean_squared_error": lambda y, v: -float(np.mean((y - v) ** 2)),
    "neg_root_mean_squared_error": lambda y, v: -float(np.sqrt(np.mean((y - v) ** 2))),
    "neg_mean_absolute_error": lambda y, v: -float(np.mean(np.abs(y - v))),
}


def has_fast_path(scoring: Any) -> bool:
    """Whether ``scoring`` is scored by numpy here (not through scikit-learn's scorer)."""
    return isinstance(scoring, str) and scoring in _FAST


def _score_rows(predictions: np.ndarray, y: np.ndarray, scoring: Any) -> float:
    """One fold's score of ``predictions`` (float64) of targets ``y``."""
    fast = _FAST.get(scoring) if isinstance(scoring, str) else None
    if fast is not None:
        value = fast(y, predictions)
        if np.isfinite(value):
            return value
    replay: BaseEstimator
    if predictions.ndim == 2:
        replay = _ReplayClassifier(predictions)
    else:
        replay = _ReplayRegressor(predictions)
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    return float(scorer(replay, np.arange(len(y)).reshape(-1, 1), y))


def oof_score(
    predictions: np.ndarray, y: np.ndarray, scoring: Any, fold: np.ndarray | None = None
) -> float:
    """The ``scoring`` score of out-of-fold ``predictions`` (probabilities when 2-D):
    the mean over the folds (``fold``: each row's test fold; None: one fold), as a
    trial's ``mean_test_score`` is."""
    return _mean_score(np.asarray(predictions, dtype=np.float64), y, scoring, _groups(fold, len(y)))


def _groups(fold: np.ndarray | None, n_rows: int) -> list[np.ndarray]:
    """Row positions of each test fold (all rows: one fold)."""
    if fold is None:
        return [np.arange(n_rows)]
    return [np.flatnonzero(fold == k) for k in np.unique(fold)]


def _mean_score(
    predictions: np.ndarray, y: np.ndarray, scoring: Any, groups: list[np.ndarray]
) -> float:
    return float(np.mean([_score_rows(predictions[g], y[g], scoring) for g in groups]))


@dataclass
class Selection:
    """Integer weights over trial rows, and the ensemble's out-of-fold score."""

    weights: dict[int, int]
    score: float
    predictions: np.ndarray

    @property
    def members(self) -> list[int]:
        """The distinct trial rows, in the order they were first chosen."""
        return list(self.weights)


def select(
    pool: Mapping[int, np.ndarray],
    y: np.ndarray,
    scoring: Any,
    start: int,
    fold: np.ndarray | None = None,
    rounds: int = ENSEMBLE_ROUNDS,
    max_members: int | None = None,
    deadline: float | None = None,
) -> Selection:
    """Greedy selection with replacement from ``pool`` (trial row -> OOF predictions).

    Only rows every prediction covers are scored (the holdout rows, or all rows
    with k folds); ``fold`` gives each row's test fold, so that scores are means
    over folds. ``max_members`` caps the distinct trials; once reached, rounds
    only add weight to trials already chosen. Ties go to the earlier pool entry.
    Past ``deadline`` (``time.monotonic()``) no further round starts.
    """
    rows = np.all([np.isfinite(p).reshape(len(y), -1).all(axis=1) for p in pool.values()], axis=0)
    covered = {k: p[rows].astype(np.float64) for k, p in pool.items()}
    y_rows = y[rows]
    # The folds' rows once, not in every one of the rounds x pool scores.
    groups = _groups(None if fold is None else fold[rows], len(y_rows))

    def score(predictions: np.ndarray) -> float:
        return _mean_score(predictions, y_rows, scoring, groups)

    total = covered[start].copy()
    weights = {start: 1}
    best = Selection(dict(weights), score(total), total.copy())
    for n in range(2, rounds + 1):
        if deadline is not None and time.monotonic() > deadline:
            break
        capped = max_members is not None and len(weights) >= max_members
        candidates = [k for k in covered if not capped or k in weights]
        scores = [score((total + covered[k]) / n) for k in candidates]
        choice = candidates[int(np.argmax(scores))]
        total += covered[choice]
        weights[choice] = weights.get(choice, 0) + 1
        if max(scores) > best.score:
            best = Selection(dict(weights), max(scores), total / n)
    full = np.full((len(y), *best.predictions.shape[1:]), np.nan, dtype=np.float32)
    full[rows] = best.predictions
    best.predictions = full
    return best
