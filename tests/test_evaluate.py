from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn.model_selection import StratifiedKFold

from automodel.evaluate import Objective


def _objective(X, y, n_jobs=None):
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)
    return replace(Objective.build(X, y, folds), n_jobs=n_jobs)


TREE = {"family": "tree", "scaler": "none", "params": {"max_depth": 3}}


def test_ok_result_has_fold_scores_and_times(iris):
    result = _objective(*iris)(TREE)
    assert result.ok
    assert len(result.scores) == len(result.fit_time) == 3
    assert result.loss == -np.mean(result.scores)
    assert result.loss < -0.85


def test_parallel_folds_give_the_same_scores(iris):
    assert _objective(*iris)(TREE).scores == _objective(*iris, n_jobs=2)(TREE).scores


def test_an_estimator_error_becomes_a_failed_result(iris):
    bad = {"family": "tree", "scaler": "none", "params": {"max_depth": -4}}
    result = _objective(*iris)(bad)
    assert not result.ok
    assert result.reason == "error"
    assert "max_depth" in result.error


def test_a_bad_parameter_name_becomes_a_failed_result(iris):
    result = _objective(*iris)({"family": "tree", "scaler": "none", "params": {"nope": 1}})
    assert not result.ok
    assert "nope" in result.error


def test_warnings_are_kept_in_the_result_not_shown(iris, recwarn):
    X, y = iris
    svm = {
        "family": "svm",
        "scaler": "none",
        "params": {"C": 1e3, "kernel": "linear", "max_iter": 2},
    }
    result = _objective(X, y)(svm)
    assert result.ok
    assert any("ConvergenceWarning" in w for w in result.warnings)
    assert not [w for w in recwarn if "Convergence" in str(w.category)]


def test_cap_rows_keeps_a_stratified_seeded_subsample():
    from automodel.evaluate import cap_rows

    y = np.repeat([0, 1], [80, 20])
    rows = np.arange(100)
    kept = cap_rows(rows, y, 50, seed=0)
    assert len(kept) == 50 and np.all(np.diff(kept) > 0)
    assert np.bincount(y[kept]).tolist() == [40, 10]
    np.testing.assert_array_equal(kept, cap_rows(rows, y, 50, seed=0))
    assert cap_rows(rows, y, None, seed=0) is rows
    assert cap_rows(rows, y, 500, seed=0) is rows


def test_a_classifier_without_probabilities_keeps_its_out_of_fold_decision_values(iris):
    X, y = iris
    objective = replace(_objective(X, y), n_classes=3)
    svm = objective({"family": "svm", "scaler": "standard", "params": {"C": 1.0}})
    assert svm.oof is None  # keep_predictions is off: no probabilities kept
    assert svm.oof_decision.shape == (150, 3) and svm.oof_decision.dtype == np.float32
    # each row's value comes from the fold model that did not train on it
    for train, test in objective.folds:
        model = objective.pipeline(svm.config).fit(X[train], y[train])
        np.testing.assert_allclose(
            svm.oof_decision[test], model.decision_function(X[test]), rtol=1e-5
        )
    assert objective(TREE).oof_decision is None  # a tree has probabilities
    binary = replace(_objective(X[y < 2], y[y < 2]), n_classes=2)
    assert binary({"family": "svm", "scaler": "none", "params": {}}).oof_decision.shape == (100, 1)
    assert svm.without_predictions().oof_decision is None


def test_a_trial_stopped_on_a_rung_is_refit_on_the_rungs_share_of_all_rows():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), np.tile([0, 1], 100)
    rows = np.arange(200)
    objective = Objective.build(X, y, [(rows[:160], rows[160:])], n_classes=2)
    config = {"family": "logreg", "scaler": "none", "params": {}}
    seen = []
    objective.fit_rows = lambda config, rows: seen.append(rows)
    objective.fit_all(config, screen_rows=40)  # 40 of the 160 training rows
    objective.fit_all(config)
    assert [len(r) for r in seen] == [50, 200]  # a quarter of all 200 rows, or all
    assert np.bincount(y[seen[0]]).tolist() == [25, 25]  # stratified
