"""Calibrated class probabilities for every returned classifier.

A classifier with ``predict_proba`` is kept as it is, or temperature-scaled where
that lowers held-out log loss (:mod:`automodel.temperature`). A classifier that has
only decision values (an SVC) gets probabilities as follows.

automodel does not fit ``SVC(probability=True)``: libsvm then runs an internal
5-fold cross-validation at every fit, five times the cost of a trial. The search's
trials already hold what Platt scaling needs: every SVC trial keeps its out-of-fold
decision values (``TrialRecord.oof_decision``). :class:`DecisionCalibrated` wraps
the returned model with a multinomial logistic regression fitted on those values
(for two classes, Platt's sigmoid), so probabilities cost no extra model fit.

Predictions stay the wrapped model's own (the labels the search chose), so
``argmax(predict_proba)`` can differ from ``predict`` on a few rows, as with
scikit-learn's ``SVC(probability=True)``. A voting model of fold models (bagging)
has no decision values of its own: each member's values go through the calibrator
and the probabilities are averaged. :func:`calibrated_oof` gives the returned
model's out-of-fold probabilities through the same calibration (the conformal sets
of :mod:`automodel.conformal` are scored on them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from automodel.conformal import covered_rows, sample_rows
from automodel.evaluate import take_rows
from automodel.temperature import (
    TemperatureScaled,
    Wrapper,
    fit_temperature,
    scale,
    temperature_pays,
)

__all__ = [
    "DecisionCalibrated",
    "TemperatureScaled",
    "calibrate",
    "calibrated_oof",
    "decision_values",
    "has_decisions",
    "predicting_model",
]


def _deciders(model: Any) -> list[Any]:
    """The models whose decision values stand for ``model``'s: itself, or the members of
    a voting model without decision values of its own."""
    if isinstance(model, VotingClassifier) and not hasattr(model, "decision_function"):
        return list(getattr(model, "estimators_", []))
    return [model]


def has_decisions(model: Any) -> bool:
    """Whether ``model`` (or each member of a voting model) has ``decision_function``."""
    deciders = _deciders(model)
    return bool(deciders) and all(hasattr(m, "decision_function") for m in deciders)


def decision_values(model: Any, X: Any) -> list[np.ndarray]:
    """Decision values of ``model`` on ``X`` as 2-D float arrays: one array, or one per
    member of a voting model without decision values of its own."""
    return [_as_2d(m.decision_function(X)) for m in _deciders(model)]


def _as_2d(values: Any) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(len(values), -1)


def _sample(rows: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """About 10,000 of ``rows`` (a seeded sample, plus every row of a class it missed):
    enough for a calibration of a few parameters, and quick on big tables."""
    kept = rows[sample_rows(len(rows), seed)]
    missing = np.setdiff1d(np.unique(y[rows]), y[kept])
    return np.union1d(kept, rows[np.isin(y[rows], missing)]) if len(missing) else kept


def _fit_calibrator(decisions: np.ndarray, y: np.ndarray, random_state: int) -> LogisticRegression:
    """The logistic map from decision values to class probabilities (rows with NaN
    values, which no test fold covered, are left out)."""
    decisions = _as_2d(decisions)
    covered = _sample(np.flatnonzero(covered_rows(decisions)), y, random_state)
    return LogisticRegression(max_iter=1000, random_state=random_state).fit(
        decisions[covered], y[covered]
    )


class DecisionCalibrated(Wrapper):
    """A classifier that predicts as ``estimator`` does, with probabilities from its
    decision values through a logistic regression fitted on out-of-fold values.

    Parameters
    ----------
    estimator : an unfitted classifier with ``decision_function`` (or a voting model
        of such members).
    cv : folds of the out-of-fold decision values that ``fit`` computes.
    random_state : seed of those folds and of the calibrator.

    Attributes
    ----------
    estimator_ : the fitted classifier that predicts.
    calibrator_ : the fitted ``LogisticRegression`` on its decision values.
    classes_ : the classes, as ``estimator_`` has them.
    """

    def __init__(self, estimator: Any = None, cv: int = 5, random_state: int = 0) -> None:
        self.estimator = estimator
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> DecisionCalibrated:
        """Out-of-fold decision values over ``cv`` stratified folds, the calibrator on
        them, then ``estimator`` refit on every row."""
        y = np.asarray(y)
        rows, labels = [], []
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(np.zeros(len(y)), y):
            model = clone(self.estimator).fit(take_rows(X, train), y[train])
            for values in decision_values(model, take_rows(X, test)):
                rows.append(values)
                labels.append(y[test])
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.calibrator_ = _fit_calibrator(
            np.vstack(rows), np.concatenate(labels), self.random_state
        )
        self.classes_ = self.estimator_.classes_
        return self

    @classmethod
    def from_fitted(
        cls, fitted: Any, oof_decision: np.ndarray, y: np.ndarray, random_state: int = 0
    ) -> DecisionCalibrated:
        """Wrap an already ``fitted`` model, calibrated on the out-of-fold decision
        values the search recorded for it (no model is fit again). Its parameters are
        an unfitted clone, so a clone of the wrapper fits for real."""
        wrapped = cls(clone(fitted), random_state=random_state)
        wrapped.estimator_ = fitted
        wrapped.calibrator_ = _fit_calibrator(oof_decision, np.asarray(y), random_state)
        wrapped.classes_ = fitted.classes_
        return wrapped

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities (averaged over a voting model's members)."""
        check_is_fitted(self, "calibrator_")
        probas = [self.calibrator_.predict_proba(v) for v in decision_values(self.estimator_, X)]
        return np.mean(probas, axis=0)


def calibrate(
    model: Any,
    oof_decision: np.ndarray | None,
    y: np.ndarray,
    random_state: int = 0,
    oof_proba: np.ndarray | None = None,
) -> tuple[Any, str]:
    """``model`` with probabilities: wrapped in a :class:`DecisionCalibrated` from its
    out-of-fold decision values when it has no ``predict_proba``; with one, wrapped in
    a :class:`~automodel.temperature.TemperatureScaled` when a temperature fitted on
    its out-of-fold probabilities ``oof_proba`` lowers held-out log loss, else itself.
    Returns the model and, when it still has no probabilities, why (else "")."""
    if hasattr(model, "predict_proba"):
        return _temperature_scaled(model, oof_proba, y, random_state), ""
    if oof_decision is None or not has_decisions(model):
        return model, "the winning trial kept no out-of-fold decision values to calibrate"
    covered = covered_rows(oof_decision)
    if len(np.unique(y[covered])) < len(model.classes_):
        return model, "the out-of-fold decision values do not cover every class"
    return DecisionCalibrated.from_fitted(model, oof_decision, y, random_state), ""


def _temperature_scaled(
    model: Any, oof_proba: np.ndarray | None, y: np.ndarray, random_state: int
) -> Any:
    if oof_proba is None:
        return model
    covered = _sample(np.flatnonzero(covered_rows(oof_proba)), y, random_state)
    proba, labels = oof_proba[covered], y[covered]
    if proba.shape[1] != len(model.classes_) or len(labels) < 20:
        return model
    pays, before, after = temperature_pays(proba, labels, random_state)
    if not pays:
        return model
    scaled = TemperatureScaled.from_fitted(model, fit_temperature(proba, labels), random_state)
    scaled.oof_log_loss_ = (before, after)
    return scaled


def calibrated_oof(
    model: Any, oof_proba: np.ndarray | None, oof_decision: np.ndarray | None
) -> np.ndarray | None:
    """The out-of-fold probabilities of the returned ``model`` as it predicts them
    (through its calibration); NaN rows stay NaN; None when there are none."""
    if isinstance(model, DecisionCalibrated):
        if oof_decision is None:
            return None
        values = _as_2d(oof_decision)
        covered = covered_rows(values)
        out = np.full((len(values), len(model.classes_)), np.nan)
        out[covered] = model.calibrator_.predict_proba(values[covered])
        return out
    if oof_proba is None:
        return None
    if isinstance(model, TemperatureScaled):
        return scale(oof_proba, model.temperature_)
    return np.asarray(oof_proba, dtype=np.float64)


def predicting_model(model: Any) -> Any:
    """The model whose predictions ``model`` returns: a calibration wrapper's
    estimator (the search scored it without probabilities, so its scorer
    needs none), else ``model`` itself. Refitting it skips the calibration's folds."""
    wrapped = isinstance(model, DecisionCalibrated | TemperatureScaled)
    return model.estimator if wrapped else model
