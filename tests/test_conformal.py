"""Conformal intervals and sets: the order statistic, coverage on known noise, MAPIE."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold

from automodel.conformal import (
    ClassConformal,
    RegressionConformal,
    check_coverage,
    cv_plus,
    order_statistic,
    sample_rows,
)


class _Known(RegressorMixin, BaseEstimator):
    """Predicts the true mean of the synthetic target: column 0 of X."""

    def fit(self, X=None, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.asarray(X)[:, 0]


class _Replay(ClassifierMixin, BaseEstimator):
    """Returns stored probabilities for the row positions in X[:, 0]."""

    def __init__(self, proba=None):
        self.proba = proba

    def fit(self, X, y):
        self.classes_ = np.arange(self.proba.shape[1])
        return self

    def predict_proba(self, X):
        return self.proba[np.asarray(X)[:, 0].astype(int)]

    def predict(self, X):
        return np.argmax(self.predict_proba(X), axis=1)


def test_order_statistic_is_the_corrected_rank():
    scores = np.arange(1.0, 10.0)  # 9 scores
    assert order_statistic(scores, 0.9) == 9.0  # ceil(10 * 0.9) = 9
    assert order_statistic(scores, 0.8) == 8.0
    assert order_statistic(scores, 0.5) == 5.0
    assert order_statistic(scores[:8], 0.9) == math.inf  # ceil(9 * 0.9) = 9 > 8


def test_split_intervals_cover_as_asked_on_known_noise():
    # 9 calibration rows at 80%: the corrected rank covers exactly 8/10 on average;
    # an uncorrected quantile (np.quantile's 0.8) would cover about 0.74.
    rng = np.random.default_rng(0)
    hits = []
    for _ in range(3000):
        residual = np.abs(rng.normal(size=9))
        conformal = RegressionConformal("split", np.sort(residual))
        X_new = np.column_stack([rng.normal(size=40)])
        y_new = X_new[:, 0] + rng.normal(size=40)
        bounds = conformal.interval(_Known(), X_new, 0.8)
        hits.append(np.mean((y_new >= bounds[:, 0]) & (y_new <= bounds[:, 1])))
    assert abs(np.mean(hits) - 0.8) < 0.01


def test_split_intervals_equal_mapie_split_conformal():
    mapie = pytest.importorskip("mapie.regression")
    rng = np.random.default_rng(1)
    X_cal = rng.normal(size=(157, 1))
    y_cal = X_cal[:, 0] + rng.normal(size=157)
    X_new = rng.normal(size=(30, 1))
    ours = RegressionConformal("split", np.sort(np.abs(y_cal - X_cal[:, 0])))
    theirs = mapie.SplitConformalRegressor(_Known().fit(), confidence_level=0.9, prefit=True)
    theirs.conformalize(X_cal, y_cal)
    _, bounds = theirs.predict_interval(X_new)
    np.testing.assert_allclose(ours.interval(_Known(), X_new, 0.9), bounds[:, :, 0])


def test_cv_plus_equals_mapie_cross_conformal():
    mapie = pytest.importorskip("mapie.regression")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(123, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=123)
    X_new = rng.normal(size=(25, 3))
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    fold = np.empty(len(y), dtype=int)
    residual = np.empty(len(y))
    members = []
    for k, (train, test) in enumerate(folds):
        model = Ridge(alpha=1.0).fit(X[train], y[train])
        fold[test] = k
        residual[test] = np.abs(y[test] - model.predict(X[test]))
        members.append(model.predict(X_new))
    ours = cv_plus(np.column_stack(members), residual, fold, 0.9)
    theirs = mapie.CrossConformalRegressor(
        Ridge(alpha=1.0),
        confidence_level=0.9,
        method="plus",
        cv=KFold(5, shuffle=True, random_state=0),
    )
    theirs.fit_conformalize(X, y)
    _, bounds = theirs.predict_interval(X_new)
    np.testing.assert_allclose(ours, bounds[:, :, 0], rtol=1e-9, atol=1e-9)


def test_cv_plus_is_unbounded_when_too_few_rows_calibrate():
    bounds = cv_plus(np.zeros((2, 2)), np.ones(5), np.array([0, 1, 0, 1, 0]), 0.9)
    assert np.all(np.isinf(bounds))


def test_sets_equal_mapie_lac_and_never_come_empty():
    mapie = pytest.importorskip("mapie.classification")
    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.ones(4), size=300)
    y = np.array([rng.choice(4, p=p) for p in proba])
    cal, new = np.arange(200), np.arange(200, 300)
    chosen = proba[cal, y[cal]]
    ours = ClassConformal(np.sort(1.0 - chosen)).sets(proba[new], 0.9)
    replay = _Replay(proba).fit(None, None)
    theirs = mapie.SplitConformalClassifier(replay, confidence_level=0.9, prefit=True)
    theirs.conformalize(cal.reshape(-1, 1), y[cal])
    _, sets = theirs.predict_set(new.reshape(-1, 1))
    sets = sets[:, :, 0]
    assert ours.sum(axis=1).min() >= 1
    assert np.all(ours >= sets)  # ours holds MAPIE's set
    filled = sets.any(axis=1)
    np.testing.assert_array_equal(ours[filled], sets[filled])  # and is it, where not empty


def test_sets_cover_as_asked_on_known_probabilities():
    rng = np.random.default_rng(4)
    hits = []
    for _ in range(300):
        proba = rng.dirichlet(np.full(5, 0.7), size=150)
        y = (rng.random(150)[:, None] > np.cumsum(proba, axis=1)).sum(axis=1)
        scores = np.sort(1.0 - proba[:100][np.arange(100), y[:100]])
        sets = ClassConformal(scores).sets(proba[100:], 0.8)
        hits.append(np.mean(sets[np.arange(50), y[100:]]))
    assert 0.79 < np.mean(hits) < 0.83  # at least nominal; the predicted class adds a little


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_coverage_outside_zero_one_names_the_fix(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        check_coverage(bad)


def test_coverage_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="coverage must be a number"):
        check_coverage("0.9")


def test_sample_rows_caps_and_is_seeded():
    assert np.array_equal(sample_rows(50, 0, cap=100), np.arange(50))
    kept = sample_rows(1000, 7, cap=100)
    assert len(kept) == 100 and np.all(np.diff(kept) > 0)
    assert np.array_equal(kept, sample_rows(1000, 7, cap=100))
