import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

import automodel
from automodel import AutoModelClassifier, AutoModelRegressor, finish
from automodel.bagging import bag_best, bag_folds, bag_seconds
from automodel.evaluate import Objective
from automodel.refit import plan_seconds, refit_reserve
from automodel.report import _model_line
from automodel.tasks import CLASSIFICATION, REGRESSION
from automodel.trial import Status, TrialRecord
from tests._estimators import returned


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


def quick(kind=AutoModelClassifier, **params):
    settings = {"max_evals": 6, "cv": 3, "random_state": 0, "trial_timeout": None}
    return kind(**{**settings, **params})


@pytest.fixture(scope="module")
def bagged(cancer):
    return quick().fit(*cancer)


def test_auto_bags_small_classification_tables_only():
    assert CLASSIFICATION.bags("auto", 999, holdout=False)
    assert not CLASSIFICATION.bags("auto", 1000, holdout=False)
    assert not REGRESSION.bags("auto", 10, holdout=False)
    assert REGRESSION.bags(True, 10**6, holdout=False)
    assert not CLASSIFICATION.bags(True, 10, holdout=True)  # one split
    assert not CLASSIFICATION.bags(False, 10, holdout=False)


def test_the_bagged_model_is_the_trials_fold_models_averaged(bagged, cancer):
    X, y = cancer
    model = bagged.best_estimator_
    assert bagged.bagged_ and bagged.bagging_note_ == ""
    assert isinstance(model, VotingClassifier) and model.voting == "soft"
    assert len(model.estimators_) == bagged.cv
    assert all(isinstance(member, FrozenEstimator) for member in model.estimators_)
    # Each member is the best trial's pipeline fitted on one search fold's training rows.
    folds = CLASSIFICATION.folds(X, y, bagged.cv, False, 0)
    objective = Objective.build(X, y, folds, random_state=0, n_classes=2)
    config = bagged.trials_.trials[bagged.best_index_]["result"]["config"]
    assert config == bagged.trials_.results[bagged.best_index_]["config"]
    for member, (train, _) in zip(model.estimators_, folds, strict=True):
        alone = objective.pipeline(config).fit(X[train], y[train])
        np.testing.assert_allclose(member.predict_proba(X), alone.predict_proba(X))
    mean = np.mean([member.predict_proba(X) for member in model.estimators_], axis=0)
    np.testing.assert_allclose(bagged.predict_proba(X), mean)
    assert isinstance(bagged.best_single_estimator_, Pipeline)
    assert "bagged: its 3 fold models averaged" in _model_line(bagged)


def test_refitting_the_bagged_model_fits_its_pipelines_for_real(bagged, cancer):
    # No frozen fold model leaks into a refit (cross_val_score, permutation importance).
    X, y = cancer
    again = clone(bagged.best_estimator_).fit(X[:300], y[:300])
    alone = clone(bagged.best_single_estimator_).fit(X[:300], y[:300])
    assert not any(isinstance(m, FrozenEstimator) for m in again.estimators_)
    np.testing.assert_allclose(again.predict_proba(X), alone.predict_proba(X))
    assert not np.allclose(again.predict_proba(X), bagged.best_estimator_.predict_proba(X))


def test_bagging_off_keeps_the_refit_pipeline(cancer, bagged):
    single = quick(bagging=False).fit(*cancer)
    assert not single.bagged_ and isinstance(returned(single), Pipeline)
    assert single.best_params_ == bagged.best_params_  # the search is the same
    assert AutoModelClassifier().bagging == "auto"


def test_bagged_model_saves_and_loads(bagged, cancer, tmp_path):
    loaded = automodel.load(automodel.save(bagged, tmp_path / "m.joblib"))
    assert loaded.bagged_
    np.testing.assert_array_equal(loaded.predict_proba(cancer[0]), bagged.predict_proba(cancer[0]))


def test_the_same_seed_bags_the_same_model(bagged, cancer):
    again = quick().fit(*cancer)
    np.testing.assert_array_equal(again.predict_proba(cancer[0]), bagged.predict_proba(cancer[0]))


def test_regression_bags_when_asked_with_a_mean_of_the_fold_models():
    X, y = load_diabetes(return_X_y=True)
    model = quick(AutoModelRegressor, ensemble=None, bagging=True).fit(X, y)
    assert model.bagged_ and isinstance(model.best_estimator_, VotingRegressor)
    mean = np.mean([m.predict(X) for m in model.best_estimator_.estimators_], axis=0)
    np.testing.assert_allclose(model.predict(X), mean)
    assert not quick(AutoModelRegressor, ensemble=None).fit(X, y).bagged_  # "auto": no


def test_an_ensemble_that_is_kept_is_not_bagged():
    X, y = load_diabetes(return_X_y=True)
    model = quick(AutoModelRegressor, families=["linear", "forest", "knn"], bagging=True)
    model.fit(X, y)
    assert np.isfinite(model.ensemble_score_) and not model.bagged_


def test_bagging_that_does_not_fit_the_budget_keeps_the_refit(cancer, monkeypatch):
    monkeypatch.setattr(finish, "bag_seconds", lambda *args: 3600.0)
    with pytest.warns(UserWarning, match="Not bagged"):
        model = quick(timeout=60, bagging=True).fit(*cancer)
    assert not model.bagged_ and isinstance(returned(model), Pipeline)
    assert "time budget" in model.bagging_note_
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "auto" notes it without a warning
        assert "time budget" in quick(timeout=60).fit(*cancer).bagging_note_
    assert "time budget" in _model_line(model)


def test_a_fold_model_without_every_class_is_not_bagged():
    X, y = load_iris(return_X_y=True)
    rows = np.arange(len(y))
    folds = [(rows[y < 2], rows[y == 2]), (rows[10:], rows[:10])]  # fold 0 lacks class 2
    objective = Objective.build(X, y, folds, n_classes=3)
    config = {"family": "logreg", "scaler": "standard", "params": {}}
    with pytest.raises(ValueError, match="fold model 0 saw 2 of the classes"):
        bag_folds(objective, config, VotingClassifier)
    with pytest.warns(UserWarning, match="Not bagged: bagging failed"):
        outcome = bag_best(objective, config, VotingClassifier, None, 0.0)
    assert outcome.estimator is None and "ValueError" in outcome.note


def test_the_refit_reserve_plans_the_fold_fits():
    trials = [TrialRecord(Status.OK, loss=0.1, fit_time=(1.0, 2.0, 3.0))]
    plain = refit_reserve(trials, scale=1.5)
    assert plain == pytest.approx(plan_seconds(1.5 * 3.0))
    # The fold models again: one after the other on one core, side by side on two.
    assert refit_reserve(trials, 1.5, bag=True) == pytest.approx(plain + plan_seconds(6.0))
    assert refit_reserve(trials, 1.5, cores=2, bag=True) == pytest.approx(plain + plan_seconds(3.0))
    assert bag_seconds([], 2) == 0.0
