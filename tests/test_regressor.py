"""AutoModelRegressor: the same search as the classifier, for a numeric target."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hyperopt import hp
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.ensemble import VotingRegressor
from sklearn.linear_model import RidgeClassifier
from sklearn.metrics import make_scorer, mean_absolute_error, r2_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import automodel
from automodel import AutoModelClassifier, AutoModelRegressor, Family
from automodel.errors import SearchInterruptedWarning
from tests._estimators import InterruptingRegressor, SleepyRegressor


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X.iloc[:240], y.iloc[:240]


def quick(**params):
    settings = {"max_evals": 6, "cv": 3, "random_state": 0, "trial_timeout": None, **params}
    return AutoModelRegressor(**settings)


def sleepy_family(seconds):
    return Family(
        "sleepy",
        SleepyRegressor,
        lambda info: {
            "seconds": hp.choice("sleepy.seconds", seconds),
            "depth": hp.choice("sleepy.depth", [1, 2, 3]),
        },
    )


def test_regressor_fits_and_scores_r2(diabetes):
    X, y = diabetes
    model = AutoModelRegressor(max_evals=8, cv=3, random_state=0).fit(X, y)  # worker processes
    assert model.task_ == "regression"
    assert model.scoring_ == "r2"
    assert not hasattr(model, "classes_")
    assert model.best_score_ > 0.3
    predictions = model.predict(X)
    assert predictions.dtype == np.float64 and predictions.shape == (len(y),)
    assert model.score(X, y) == pytest.approx(r2_score(y, predictions))
    assert model.oof_predictions_.shape == (len(y),)
    assert np.isfinite(model.oof_predictions_).all()  # 3 folds: every row predicted once
    assert list(model.feature_names_in_) == list(X.columns)


def test_same_seed_same_results(diabetes):
    first, second = (quick(max_evals=10).fit(*diabetes) for _ in range(2))
    assert first.cv_results_["params"] == second.cv_results_["params"]
    np.testing.assert_array_equal(
        first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"]
    )


def test_target_scale_does_not_change_the_search(diabetes):
    # SVR, ridge / elastic net and KNN are fitted on a standardised target, so dollars
    # and z-scores get the same trials and the same (scale-free) R^2.
    X, y = diabetes
    params = {"families": ["svm", "linear", "knn"], "max_evals": 8}
    small = quick(**params).fit(X, (y - y.mean()) / y.std())
    large = quick(**params).fit(X, 1000 * y + 50_000)
    assert small.cv_results_["params"] == large.cv_results_["params"]
    np.testing.assert_allclose(
        small.cv_results_["mean_test_score"], large.cv_results_["mean_test_score"], atol=1e-6
    )


def test_works_with_clone_cross_val_score_and_pipelines(diabetes):
    X, y = diabetes
    search = quick(max_evals=3, families=["tree", "linear"])
    assert clone(search).get_params() == search.get_params()
    scores = cross_val_score(search, X, y, cv=2)
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    pipeline = make_pipeline(StandardScaler(), clone(search)).fit(X, y)
    assert pipeline.predict(X).shape == (len(y),)


@pytest.mark.parametrize(
    "scoring",
    [
        "r2",
        "neg_root_mean_squared_error",
        "neg_mean_absolute_error",
        "neg_mean_absolute_percentage_error",
        make_scorer(mean_absolute_error, greater_is_better=False),
    ],
)
def test_any_regression_scorer_is_the_objective(diabetes, scoring):
    model = quick(max_evals=3, families=["linear", "tree"], scoring=scoring).fit(*diabetes)
    assert model.scoring_ is scoring
    assert np.isfinite(model.best_score_)
    assert model.best_score_ == np.nanmax(model.cv_results_["mean_test_score"])


def test_a_classification_scorer_is_refused(diabetes):
    with pytest.raises(ValueError, match=r"'accuracy' is a classification metric.*'r2'"):
        quick(scoring="accuracy").fit(*diabetes)
    with pytest.raises(ValueError, match=r"'r2' is a regression metric.*task='regression'"):
        AutoModelClassifier(scoring="r2", max_evals=2).fit(diabetes[0], diabetes[1] > 140)


def test_large_tables_switch_to_one_holdout_split(diabetes):
    X, y = diabetes
    model = quick(max_evals=3, families=["linear"], holdout_above=100).fit(X, y)
    assert "split0_test_score" in model.cv_results_
    assert "split1_test_score" not in model.cv_results_
    held_out = np.isfinite(model.oof_predictions_)
    assert held_out.sum() == 48  # 20% of 240 rows; the others are in no test fold


def test_classification_families_are_refused_in_a_regression(diabetes):
    with pytest.raises(ValueError, match=r"'logreg' is a classification family.*linear"):
        quick(families=["logreg"]).fit(*diabetes)
    ridge = Family("ridge", RidgeClassifier, lambda info: {"alpha": hp.uniform("ridge.a", 0, 1)})
    assert ridge.tasks == ("classification",)
    with pytest.raises(ValueError, match=r"'ridge' serves classification.*regression search"):
        quick(families=[ridge]).fit(*diabetes)


def test_classic_preset_is_the_original_four(diabetes):
    model = quick(max_evals=4, families="classic").fit(*diabetes)
    assert model.cv_results_["family"] == ["knn", "svm", "tree", "forest"]


def test_a_hanging_trial_is_stopped_and_the_search_goes_on(diabetes):
    model = quick(max_evals=6, families=[sleepy_family([0.0, 30.0])], trial_timeout=1.0)
    model.set_params(random_state=3).fit(*diabetes)
    statuses = model.cv_results_["status"]
    assert "timeout" in statuses and "ok" in statuses
    assert model.best_params_["seconds"] == 0.0


def test_total_timeout_holds(diabetes):
    model = quick(max_evals=1000, families=[sleepy_family([0.2])], timeout=2.0)
    start = time.monotonic()
    model.fit(*diabetes)
    assert model.stop_reason_ == "timeout"
    assert time.monotonic() - start < 2.0 + 1.0


def test_early_stop_and_parallel_trials(diabetes):
    model = quick(max_evals=200, families=["tree"], early_stop_rounds=3).fit(*diabetes)
    assert model.stop_reason_ == "early_stop"
    parallel = quick(max_evals=6, families=["tree", "linear"], n_jobs=2, trial_timeout=60)
    parallel.fit(*diabetes)
    assert len(parallel.cv_results_["params"]) == 6


def test_checkpoint_resumes_the_same_search(diabetes, tmp_path):
    path = tmp_path / "search.pkl"
    params = {"families": ["linear", "tree", "knn"], "checkpoint": path}
    quick(max_evals=4, **params).fit(*diabetes)
    resumed = quick(max_evals=8, **params).fit(*diabetes)
    direct = quick(max_evals=8, families=["linear", "tree", "knn"]).fit(*diabetes)
    assert resumed.cv_results_["params"] == direct.cv_results_["params"]
    np.testing.assert_allclose(resumed.oof_predictions_, direct.oof_predictions_)


def test_interrupt_refits_the_best_so_far(diabetes, tmp_path):
    counter = tmp_path / "fits"
    family = Family(
        "interrupting",
        InterruptingRegressor,
        lambda info: {
            "counter": str(counter),
            "countdown": 7,  # 3 folds per trial: trials 0 and 1 finish, trial 2 is cut
            "depth": hp.choice("interrupting.depth", [1, 2, 3]),
        },
    )
    # n_jobs=1: the fits run (and are counted) in this process, one at a time
    with pytest.warns(SearchInterruptedWarning, match="after 2 finished"):
        model = quick(max_evals=50, families=[family], n_jobs=1).fit(*diabetes)
    assert model.stop_reason_ == "interrupted"
    assert model.predict(diabetes[0]).shape == (len(diabetes[1]),)


def test_ensemble_cap_holds_for_regression(diabetes):
    model = quick(max_evals=6, families=["linear", "forest", "knn"], ensemble=2).fit(*diabetes)
    assert 1 <= len(model.ensemble_members_) <= 2
    kept = isinstance(model.best_estimator_, VotingRegressor)
    assert kept == (len(model.ensemble_members_) == 2)
    assert kept == np.isfinite(model.ensemble_score_)


def test_save_load_keeps_the_task_and_the_report_plots_predictions(diabetes, tmp_path):
    X, y = diabetes
    model = quick(max_evals=4).fit(X, y)
    path = automodel.save(model, tmp_path / "m.joblib")
    assert automodel.persistence.read_metadata(path)["metadata"]["task"] == "regression"
    loaded = automodel.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    report = loaded.report(tmp_path / "report")
    text = report.read_text()
    assert "**Task**: regression" in text and "predictions.png" in text
    assert (tmp_path / "report" / "predictions.png").stat().st_size > 0
    # The caption speaks of an ensemble only when the model is one.
    assert ("weighted mix of its members" in text) == np.isfinite(model.ensemble_score_)


def test_the_predictions_plot_of_a_single_pipeline_says_so(diabetes, tmp_path):
    model = quick(max_evals=3, ensemble=None).fit(*diabetes)
    text = model.report(tmp_path / "report").read_text()
    assert "Out-of-fold predictions of the model, each row" in text
    assert "ensemble" not in text.split("Predictions of the model", 1)[1].split("\n\n", 2)[1]


# -- automodel.fit(task=...) -----------------------------------------------------------


def test_fit_auto_picks_the_task(diabetes, caplog):
    X, y = diabetes
    with caplog.at_level("INFO", logger="automodel"):
        model = automodel.fit(X, y, max_evals=2, cv=3, families=["linear"], random_state=0)
    assert isinstance(model, AutoModelRegressor)
    assert "task='auto' chose regression" in caplog.text
    assert model.task_reason_.startswith("task='auto' chose regression")
    counts = pd.Series(np.repeat(np.arange(14), 20)[: len(X)])  # a count with 14 values
    assert isinstance(
        automodel.fit(X, counts, max_evals=2, cv=3, families=["tree"]), AutoModelRegressor
    )
    labels = (y > y.median()).map({True: "high", False: "low"})
    assert isinstance(
        automodel.fit(X, labels, max_evals=2, cv=3, families=["tree"]), AutoModelClassifier
    )


def test_fit_with_a_given_task(diabetes):
    X, y = diabetes
    forced = automodel.fit(X, y > 140, task="classification", max_evals=2, families=["tree"])
    assert isinstance(forced, AutoModelClassifier) and forced.task_ == "classification"
    with pytest.raises(ValueError, match=r"Class .* row\(s\).*task='regression'"):
        automodel.fit(X, y, task="classification", max_evals=2)
    with pytest.raises(ValueError, match="task must be 'auto', 'classification' or 'regression'"):
        automodel.fit(X, y, task="ranking")


def test_choose_task_says_what_fit_will_pick_and_why(diabetes):
    from automodel.auto import choose_task

    _, y = diabetes
    task, reason = choose_task(y)
    assert task == "regression" and reason.startswith("task='auto' chose regression: y holds")
    assert choose_task(y > 140, "regression") == ("regression", "task='regression' was given")
    with pytest.raises(ValueError, match="task must be 'auto'"):
        choose_task(y, "ranking")
