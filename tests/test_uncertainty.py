"""Which interval calibration the returned model gets, and the set calibration."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError

from automodel import AutoModelClassifier, AutoModelRegressor
from automodel.conformal import RegressionConformal
from automodel.schema import describe
from automodel.uncertainty import class_conformal, regression_conformal, uncertainty


def _table(n, heteroscedastic, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    scale = 0.1 + 3 * np.abs(X[:, 1]) if heteroscedastic else np.ones(n)
    truth = 2 * X[:, 0]
    y = truth + rng.normal(size=n) * scale
    return X, y, truth.astype(np.float32)


def _folds(n, k=5):
    rows = np.arange(n)
    return [(np.setdiff1d(rows, rows[j::k]), rows[j::k]) for j in range(k)]


def _calibrate(X, y, oof, bagged=False, deadline=None):
    pre = describe(X).preprocessor("ordinal")
    return regression_conformal(X, y, oof, _folds(len(y)), bagged, pre, 0, deadline)


def test_uneven_noise_gets_normalised_intervals_that_are_narrower_where_it_is_calm():
    X, y, oof = _table(2000, heteroscedastic=True)
    found = _calibrate(X, y, oof)
    assert found.method == "normalised"
    calm, wild = np.zeros((1, 4)), np.zeros((1, 4))
    wild[0, 1] = 2.5
    model = type("Zero", (), {"predict": lambda self, X: np.zeros(len(X))})()
    narrow = np.diff(found.interval(model, calm, 0.9))[0, 0]
    wide = np.diff(found.interval(model, wild, 0.9))[0, 0]
    assert wide > 3 * narrow


def test_even_noise_keeps_plain_split_intervals():
    X, y, oof = _table(2000, heteroscedastic=False)
    found = _calibrate(X, y, oof)
    assert found.method == "split" and found.difficulty is None
    assert np.all(np.diff(found.scores) >= 0)


def test_normalised_intervals_hold_coverage_on_new_rows():
    X, y, oof = _table(3000, heteroscedastic=True, seed=1)
    found = _calibrate(X, y, oof)
    X_new, y_new, truth = _table(4000, heteroscedastic=True, seed=2)
    model = type("Truth", (), {"predict": lambda self, X: 2 * X[:, 0]})()
    bounds = found.interval(model, X_new, 0.9)
    covered = np.mean((y_new >= bounds[:, 0]) & (y_new <= bounds[:, 1]))
    assert 0.88 < covered < 0.93


def test_a_bagged_model_gets_cv_plus_with_each_rows_fold():
    X, y, oof = _table(300, heteroscedastic=False)
    found = _calibrate(X, y, oof, bagged=True)
    assert found.method == "cv+"
    assert np.array_equal(found.fold, np.arange(300) % 5)
    np.testing.assert_allclose(found.scores, np.abs(y - oof), rtol=1e-6)


def test_no_difficulty_model_when_the_budget_has_ended():
    X, y, oof = _table(2000, heteroscedastic=True)
    assert _calibrate(X, y, oof, deadline=time.monotonic() - 1).method == "split"


def test_uncovered_rows_do_not_calibrate():
    X, y, oof = _table(400, heteroscedastic=False)
    oof[:100] = np.nan  # a holdout search: only its holdout rows have predictions
    assert _calibrate(X, y, oof).n_rows == 300
    assert _calibrate(X, y, None) is None


def test_set_scores_are_one_minus_the_true_class_probability():
    proba = np.array([[0.7, 0.3], [0.2, 0.8], [np.nan, np.nan], [0.6, 0.4]])
    found = class_conformal(proba, np.array([0, 0, 1, 1]), 0)
    np.testing.assert_allclose(found.scores, [0.3, 0.6, 0.8])


def test_uncertainty_builds_both_parts():
    X, y, oof = _table(500, heteroscedastic=False)
    found = uncertainty(
        X=X,
        y=y,
        returned=oof,
        pool={0: oof, 1: oof + 1},
        scoring="r2",
        seed=0,
        classes=False,
        folds=_folds(500),
        bagged=False,
        preprocessor=describe(X).preprocessor("ordinal"),
    )
    assert isinstance(found.conformal, RegressionConformal)
    assert found.expected is not None and found.expected.score < 1


# -- through the estimators -----------------------------------------------------------


def _regression(n, noise, seed, wave=2.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] * 3 + wave * np.sin(3 * X[:, 1]) + rng.normal(size=n) * noise


def _covered(bounds, y):
    return np.mean((y >= bounds[:, 0]) & (y <= bounds[:, 1]))


@pytest.mark.parametrize(
    ("params", "method"),
    [
        ({"ensemble": True}, ("split", "normalised")),
        ({"ensemble": None, "bagging": True}, ("cv+",)),
    ],
)
def test_intervals_of_an_ensemble_and_of_a_bagged_model_cover_new_rows(params, method):
    X, y = _regression(500, 1.0, 0)
    X_new, y_new = _regression(3000, 1.0, 1)
    model = AutoModelRegressor(
        max_evals=6, families=["linear", "knn"], random_state=0, **params
    ).fit(X, y)
    assert model.interval_method_ in method
    assert np.isfinite(model.ensemble_score_) if params["ensemble"] else model.bagged_
    bounds = model.predict_interval(X_new, 0.9)
    assert bounds.shape == (3000, 2)
    assert np.all(bounds[:, 0] <= model.predict(X_new) + 1e-9)
    assert 0.87 < _covered(bounds, y_new) < 0.95
    assert _covered(model.predict_interval(X_new, 0.5), y_new) < 0.6  # the coverage asked


def test_intervals_widen_with_the_noise():
    widths = []
    for noise in (1.0, 4.0):
        X, y = _regression(400, noise, 2, wave=0.0)
        model = AutoModelRegressor(max_evals=4, families=["linear"], random_state=0).fit(X, y)
        widths.append(np.mean(np.diff(model.predict_interval(X[:200], 0.9), axis=1)))
    assert widths[1] > 3 * widths[0]


def test_sets_cover_new_rows_and_an_svc_winner_has_them_too():
    X, y = make_classification(1600, 8, n_informative=4, n_classes=3, flip_y=0.15, random_state=0)
    for families in (["forest", "logreg"], ["svm"]):
        model = AutoModelClassifier(max_evals=4, families=families, random_state=0)
        model.fit(X[:600], y[:600])
        sets = model.predict_set(X[600:], 0.9)
        assert sets.shape == (1000, 3) and sets.dtype == bool and sets.any(axis=1).all()
        assert 0.86 < np.mean(sets[np.arange(1000), y[600:]]) < 0.95
        assert sets[np.arange(1000), model.predict(X[600:])].all()


def test_the_expected_score_removes_the_luck_of_the_best_trial():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 5)), rng.integers(0, 2, 300)  # nothing to learn
    model = AutoModelClassifier(max_evals=25, families=["knn", "tree"], random_state=0)
    model.fit(X, y)
    assert model.best_score_ > 0.53
    assert abs(model.expected_score_ - 0.5) < abs(model.best_score_ - 0.5)
    assert model.expected_score_parts_["rounds"] > 0


def test_coverage_is_checked_before_anything_is_predicted():
    X, y = _regression(200, 1.0, 3)
    model = AutoModelRegressor(max_evals=2, families=["linear"], random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.predict_interval(X, 90)
    assert not hasattr(AutoModelClassifier(), "conformal_")
    with pytest.raises(NotFittedError):
        AutoModelRegressor().predict_interval(X)


def test_the_seconds_kept_for_this_step_grow_with_rows_up_to_a_cap():
    from automodel.uncertainty import UNCERTAINTY_RESERVE, uncertainty_seconds

    low, high = UNCERTAINTY_RESERVE
    assert uncertainty_seconds(0) == low
    assert low < uncertainty_seconds(2_000) < high
    assert uncertainty_seconds(10**6) == high
