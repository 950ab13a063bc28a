from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from automodel.calibration import (
    DecisionCalibrated,
    calibrate,
    decision_values,
    predicting_model,
)


def _svc():
    return make_pipeline(StandardScaler(), SVC(C=1.0))


@pytest.fixture(scope="module")
def noisy():
    """Two overlapping classes: probabilities well inside (0, 1) matter."""
    X, y = make_classification(
        n_samples=1200, n_features=6, n_informative=3, flip_y=0.15, random_state=0
    )
    return X[:800], y[:800], X[800:], y[800:]


def _ece(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top class."""
    top = proba.max(axis=1)
    hit = proba.argmax(axis=1) == y
    edges = np.minimum((top * bins).astype(int), bins - 1)
    return sum(
        abs(top[edges == b].mean() - hit[edges == b].mean()) * (edges == b).mean()
        for b in range(bins)
        if (edges == b).any()
    )


def test_probabilities_are_calibrated_on_new_rows(noisy):
    X, y, X_new, y_new = noisy
    model = DecisionCalibrated(_svc(), random_state=0).fit(X, y)
    proba = model.predict_proba(X_new)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # predictions are the SVC's own
    np.testing.assert_array_equal(model.predict(X_new), _svc().fit(X, y).predict(X_new))
    # a constant prior scores log(2) ~ 0.69; swapped columns score far above it
    assert log_loss(y_new, proba) < 0.55
    assert log_loss(y_new, proba[:, ::-1]) > 0.9
    assert _ece(proba, y_new) < 0.06
    # what scikit-learn's own Platt scaling of the same SVC gives, within a little
    platt = CalibratedClassifierCV(_svc(), method="sigmoid", ensemble=False).fit(X, y)
    assert log_loss(y_new, proba) < log_loss(y_new, platt.predict_proba(X_new)) + 0.02


def test_from_fitted_uses_the_given_out_of_fold_values_and_fits_nothing(noisy):
    X, y, X_new, _ = noisy
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    oof = cross_val_predict(_svc(), X, y, cv=folds, method="decision_function")
    fitted = _svc().fit(X, y)
    model = DecisionCalibrated.from_fitted(fitted, oof.astype(np.float32), y)
    assert model.estimator_ is fitted
    expected = LogisticRegression(max_iter=1000, random_state=0).fit(oof.reshape(-1, 1), y)
    np.testing.assert_allclose(
        model.predict_proba(X_new),
        expected.predict_proba(fitted.decision_function(X_new).reshape(-1, 1)),
        rtol=1e-4,
    )
    # its parameters are an unfitted clone: a clone fits for real
    again = clone(model).fit(X, y)
    assert again.estimator_ is not fitted
    assert again.predict_proba(X_new).shape == (len(X_new), 2)


def test_rows_no_fold_covered_are_left_out(noisy):
    X, y, X_new, _ = noisy
    fitted = _svc().fit(X, y)
    oof = fitted.decision_function(X).astype(np.float32)
    with_gaps = oof.copy()
    with_gaps[::3] = np.nan
    model = DecisionCalibrated.from_fitted(fitted, with_gaps, y)
    direct = DecisionCalibrated.from_fitted(
        fitted, oof[~np.isnan(with_gaps)], y[~np.isnan(with_gaps)]
    )
    np.testing.assert_allclose(model.predict_proba(X_new), direct.predict_proba(X_new))


def test_multiclass_and_a_voting_model_of_fold_svcs(iris):
    X, y = iris
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    fitted = [_svc().fit(X[train], y[train]) for train, _ in folds]
    oof = np.full((len(y), 3), np.nan)
    for (_, test), member in zip(folds, fitted, strict=True):
        oof[test] = member.decision_function(X[test])
    members = [(f"f{k}", FrozenEstimator(m)) for k, m in enumerate(fitted)]
    voting = VotingClassifier(members, voting="hard").fit(X, y)
    assert not hasattr(voting, "predict_proba")
    assert [v.shape for v in decision_values(voting, X)] == [(150, 3)] * 3
    model, note = calibrate(voting, oof, y)
    assert note == "" and isinstance(model, DecisionCalibrated)
    proba = model.predict_proba(X)
    each = [model.calibrator_.predict_proba(m.decision_function(X)) for m in fitted]
    np.testing.assert_allclose(proba, np.mean(each, axis=0))
    assert (proba.argmax(axis=1) == y).mean() > 0.9
    np.testing.assert_array_equal(model.predict(X), voting.predict(X))


def test_calibrate_keeps_a_model_with_probabilities_and_says_why_not(iris):
    X, y = iris
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert calibrate(tree, None, y) == (tree, "")
    svc = _svc().fit(X, y)
    model, note = calibrate(svc, None, y)
    assert model is svc and "no out-of-fold decision values" in note
    one_class = np.full((len(y), 3), np.nan)
    one_class[y == 0] = 1.0
    model, note = calibrate(svc, one_class, y)
    assert model is svc and "every class" in note


def test_predicting_model_unwraps_the_calibration(iris):
    X, y = iris
    model = DecisionCalibrated(_svc()).fit(X, y)
    assert predicting_model(model) is model.estimator
    tree = DecisionTreeClassifier()
    assert predicting_model(tree) is tree


def test_calibration_rows_are_sampled_on_big_tables_but_keep_every_class():
    from automodel.calibration import _sample

    rows = np.arange(30_000)
    common = np.zeros(30_000, dtype=int)
    common[::2] = 1
    assert len(_sample(rows, common, 0)) == 10_000
    rare = np.zeros(30_000, dtype=int)
    rare[123] = 1  # one row of a class: a sample would likely miss it
    kept = _sample(rows, rare, 0)
    assert 123 in kept and len(kept) <= 10_001
