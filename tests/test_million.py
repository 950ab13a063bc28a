"""benchmarks.million: the generated table and the systems' set-up (not their figures)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from benchmarks.million import (
    LEVELS,
    SYSTEMS,
    _behind_column_step,
    _best_rows,
    _ensemble_figures,
    _flaml_figures,
    _lightgbm,
    _single_best_score,
    make_table,
)


def test_the_table_has_the_documented_columns_and_a_learnable_signal():
    X, y = make_table("classification", 4_000, seed=0)
    assert X.shape == (4_000, 30)
    levels = [X[f"c{k}"].nunique() for k in range(3)]
    assert levels[:2] == list(LEVELS[:2]) and 900 < levels[2] <= LEVELS[2]
    assert 0.01 < X["x20"].isna().mean() < 0.03 and not X["x0"].isna().any()
    assert 0.4 < y.mean() < 0.6
    _, values = make_table("regression", 4_000, seed=0)
    assert values.dtype == np.float64 and abs(values.mean()) < 0.2


def test_the_target_system_fits_lightgbm_behind_the_target_encoding():
    X, y = make_table("regression", 3_000, seed=0)
    model = _behind_column_step("regression", _lightgbm("regression", 0, n_estimators=50))
    model.fit(X.iloc[:2_000], y[:2_000])
    step = model.pipeline_[0]
    assert dict((name, cols) for name, _, cols in step.transformers)["target"] == ["c1", "c2"]
    assert np.corrcoef(model.predict(X.iloc[2_000:]), y[2_000:])[0, 1] > 0.7


def test_each_familys_best_trial_is_reported_with_the_rows_it_reached():
    table = {"family": ["lightgbm", "lightgbm", "xgboost"], "screen_rows": [37_500, np.nan, np.nan]}
    scores = pd.Series([0.85, 0.84, 0.83])
    assert _best_rows(table, scores) == {"lightgbm": 37_500, "xgboost": "all"}
    unscreened = {"family": table["family"]}
    assert _best_rows(unscreened, scores) == {"lightgbm": "all", "xgboost": "all"}
    failed = pd.Series([0.85, 0.84, np.nan])  # every xgboost trial failed
    assert _best_rows(table, failed) == {"lightgbm": 37_500}


def test_a_kept_ensemble_is_reported_with_its_best_member_scored_alone():
    single = SimpleNamespace(predict=lambda X: np.array([0, 1, 1, 0]))  # class indices
    model = SimpleNamespace(
        ensemble_members_=[2, 0],
        ensemble_weights_=[3, 1],
        ensemble_note_="",
        ensemble_time_=4.0,
        cv_results_={"family": ["xgboost", "forest", "lightgbm"], "mean_fit_time": [5, 1, 9]},
        best_single_estimator_=single,
        classes_=np.array(["no", "yes"]),
    )
    figures = _ensemble_figures(model)
    assert figures["members"] == {"lightgbm_2": 3, "xgboost_0": 1} and figures["seconds"] == 4.0
    assert figures["trial_fit_seconds"] == {"lightgbm_2": 9.0, "xgboost_0": 5.0}
    y_test = np.array(["no", "yes", "no", "no"])
    assert _single_best_score("classification", model, None, y_test) == {
        "single_best_test_accuracy": 0.75
    }
    model.ensemble_members_ = [2]  # the single best kept: nothing to pair
    assert _single_best_score("classification", model, None, y_test) == {}
    assert _ensemble_figures(SimpleNamespace()) == {}


def test_flamls_choice_is_recorded_and_other_systems_have_none():
    flaml = SimpleNamespace(best_estimator="lgbm", best_config={"n_estimators": 900})
    assert _flaml_figures(flaml) == {
        "flaml_learner": "lgbm",
        "flaml_config": {"n_estimators": 900},
    }
    assert _flaml_figures(SimpleNamespace(predict=None)) == {}
    assert _flaml_figures(SimpleNamespace(best_estimator=None, best_config=None)) == {}


def test_the_shallow_system_is_automodels_first_large_lightgbm_point():
    model = SYSTEMS["lightgbm-shallow-target"]("regression", 600.0, 3)
    X, y = make_table("regression", 500, seed=0)
    booster = model.fit(X, y).pipeline_[-1]
    assert (booster.n_estimators, booster.num_leaves, booster.learning_rate) == (1500, 10, 0.1)
    assert booster.colsample_bytree == 0.75 and booster.random_state == 3
