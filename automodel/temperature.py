"""Temperature scaling of a classifier's probabilities, kept only where it pays.

Forests tend to be under-confident and boosted trees over-confident; one number
(the temperature ``T``) fixes much of it: ``p' = softmax(log p / T)`` (Guo et al.
2017). It never changes which class is most probable, so the model's predictions
stay the search's. ``T`` is fitted on the returned model's out-of-fold
probabilities (no model is fit again), and kept only when it lowers the log loss of
rows it was not fitted on: :func:`temperature_pays` fits it on four fifths of those
rows and scores the fifth, in turn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["TemperatureScaled", "Wrapper", "fit_temperature", "scale", "temperature_pays"]

#: The smallest cross-validated log-loss gain, as a share of the log loss, for which the
#: scaling is kept (a smaller one is within what chance gives on a few hundred rows).
MIN_GAIN = 0.01

_EPS = 1e-7


def scale(proba: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log proba / temperature)`` row by row."""
    logits = np.log(np.clip(np.asarray(proba, dtype=np.float64), _EPS, None)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def _log_loss(proba: np.ndarray, y: np.ndarray) -> float:
    chosen = np.clip(proba[np.arange(len(y)), y], _EPS, None)
    return float(-np.mean(np.log(chosen)))


def fit_temperature(proba: np.ndarray, y: np.ndarray) -> float:
    """The temperature (between 0.05 and 20) with the lowest log loss of ``y`` (class
    positions) under ``scale(proba, T)``."""
    found = minimize_scalar(
        lambda log_t: _log_loss(scale(proba, float(np.exp(log_t))), y),
        bounds=(np.log(0.05), np.log(20.0)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(found.x))


def temperature_pays(proba: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[bool, float, float]:
    """Whether a temperature fitted on other rows lowers the log loss of held-out rows
    by at least a share :data:`MIN_GAIN`; also the log loss before and after (5 folds)."""
    counts = np.bincount(y)
    folds = int(min(5, counts[counts > 0].min()))
    if folds < 2:
        return False, _log_loss(proba, y), np.nan
    scaled = np.empty_like(proba, dtype=np.float64)
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in split.split(proba, y):
        scaled[test] = scale(proba[test], fit_temperature(proba[train], y[train]))
    before, after = _log_loss(proba, y), _log_loss(scaled, y)
    return after < before * (1 - MIN_GAIN), before, after


class Wrapper(ClassifierMixin, BaseEstimator):
    """A classifier that predicts as its fitted ``estimator_`` does and gives its own
    probabilities (``predict_proba`` in the subclass); the calibration wrappers' base."""

    def predict(self, X: Any) -> np.ndarray:
        """The wrapped model's predictions."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(lambda self: hasattr(self.estimator_, "decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """The wrapped model's decision values."""
        return self.estimator_.decision_function(X)


class TemperatureScaled(Wrapper):
    """A classifier that predicts as ``estimator`` does, its probabilities scaled by a
    temperature fitted on out-of-fold probabilities.

    Parameters
    ----------
    estimator : an unfitted classifier with ``predict_proba``.
    cv : folds of the out-of-fold probabilities that ``fit`` computes.
    random_state : seed of those folds.

    Attributes
    ----------
    estimator_ : the fitted classifier.
    temperature_ : the fitted temperature (above 1 softens, below 1 sharpens).
    classes_ : the classes, as ``estimator_`` has them.
    """

    def __init__(self, estimator: Any = None, cv: int = 5, random_state: int = 0) -> None:
        self.estimator = estimator
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> TemperatureScaled:
        """Out-of-fold probabilities over ``cv`` folds, the temperature on them, then
        ``estimator`` refit on every row."""
        y = np.asarray(y)
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        proba = cross_val_predict(clone(self.estimator), X, y, cv=folds, method="predict_proba")
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        self.temperature_ = fit_temperature(proba, np.searchsorted(self.classes_, y))
        return self

    @classmethod
    def from_fitted(
        cls, fitted: Any, temperature: float, random_state: int = 0
    ) -> TemperatureScaled:
        """Wrap an already ``fitted`` model with a known temperature (no fit); its
        parameters are an unfitted clone, so a clone of the wrapper fits for real."""
        wrapped = cls(clone(fitted), random_state=random_state)
        wrapped.estimator_ = fitted
        wrapped.temperature_ = float(temperature)
        wrapped.classes_ = fitted.classes_
        return wrapped

    def predict_proba(self, X: Any) -> np.ndarray:
        """The wrapped model's probabilities, temperature-scaled."""
        check_is_fitted(self, "temperature_")
        return scale(self.estimator_.predict_proba(X), self.temperature_)
