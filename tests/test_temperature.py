"""Temperature scaling: the fitted temperature, when it pays, the wrapper."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from automodel.calibration import calibrate, calibrated_oof, predicting_model
from automodel.temperature import TemperatureScaled, fit_temperature, scale, temperature_pays


def _drawn(n, classes, seed):
    """True probabilities and classes drawn from them."""
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(classes), size=n)
    y = (rng.random(n)[:, None] > np.cumsum(proba, axis=1)).sum(axis=1)
    return proba, np.minimum(y, classes - 1)


def test_scale_keeps_the_most_probable_class_and_sums_to_one():
    proba, _ = _drawn(200, 4, 0)
    for temperature in (0.3, 1.0, 4.0):
        scaled = scale(proba, temperature)
        np.testing.assert_allclose(scaled.sum(axis=1), 1.0)
        assert np.array_equal(scaled.argmax(axis=1), proba.argmax(axis=1))
    np.testing.assert_allclose(scale(proba, 1.0), proba, atol=1e-6)


@pytest.mark.parametrize("true_temperature", [0.5, 2.0])
def test_the_fitted_temperature_undoes_a_known_distortion(true_temperature):
    proba, y = _drawn(20_000, 3, 1)
    distorted = scale(proba, 1.0 / true_temperature)  # over- or under-confident
    assert fit_temperature(distorted, y) == pytest.approx(true_temperature, rel=0.1)


def test_it_pays_on_distorted_probabilities_only():
    proba, y = _drawn(3000, 3, 2)
    assert temperature_pays(scale(proba, 0.4), y)[0]
    pays, before, after = temperature_pays(proba, y)
    assert not pays and after >= before - 1e-3


def test_the_wrapper_predicts_as_its_model_and_a_clone_fits_for_real():
    X, y = make_classification(400, 8, n_informative=4, n_classes=3, random_state=0)
    forest = RandomForestClassifier(30, random_state=0).fit(X, y)
    wrapped = TemperatureScaled.from_fitted(forest, 0.5)
    assert np.array_equal(wrapped.predict(X), forest.predict(X))
    np.testing.assert_allclose(wrapped.predict_proba(X), scale(forest.predict_proba(X), 0.5))
    refit = clone(wrapped).fit(X, y)
    assert refit.temperature_ != 0.5 and refit.estimator_ is not forest
    assert predicting_model(wrapped) is wrapped.estimator


def test_calibrate_scales_only_where_held_out_log_loss_drops():
    X, y = make_classification(600, 8, n_informative=4, n_classes=3, random_state=1)
    forest = RandomForestClassifier(30, random_state=0).fit(X, y)
    proba, labels = _drawn(600, 3, 3)
    sharp = scale(proba, 0.3)  # badly over-confident out-of-fold probabilities
    model, note = calibrate(forest, None, labels, 0, sharp)
    assert isinstance(model, TemperatureScaled) and note == ""
    assert model.temperature_ > 2
    before, after = model.oof_log_loss_
    assert after < before
    np.testing.assert_allclose(calibrated_oof(model, sharp, None), scale(sharp, model.temperature_))
    same, _ = calibrate(forest, None, labels, 0, proba)  # already calibrated: kept as is
    assert same is forest


def test_the_wrapper_keeps_the_models_decision_function():
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(200, 5, random_state=0)
    logistic = LogisticRegression().fit(X, y)
    wrapped = TemperatureScaled.from_fitted(logistic, 2.0, random_state=3)
    np.testing.assert_allclose(wrapped.decision_function(X), logistic.decision_function(X))
    assert wrapped.random_state == 3
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    assert not hasattr(TemperatureScaled.from_fitted(forest, 2.0), "decision_function")
