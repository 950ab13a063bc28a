from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hyperopt import hp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import automodel
from automodel import TPE, AutoModelClassifier, Family, RefitWarning, SearchFailedError
from tests._estimators import Picky


def picky_family(name, fail_above_choices):
    return Family(
        name,
        Picky,
        lambda info: {
            "fail_above": hp.choice(f"{name}.fail_above", fail_above_choices),
            "depth": hp.choice(f"{name}.depth", [1, 2, 3]),
        },
    )


def test_iris_thirty_evaluations_scores_well(iris):
    X, y = iris
    model = automodel.fit(X, y, max_evals=30, random_state=0)
    assert isinstance(model, AutoModelClassifier)
    assert model.best_score_ >= 0.95
    assert isinstance(model.best_single_estimator_, Pipeline)
    assert model.score(X, y) >= 0.95


def test_fitted_attributes_follow_sklearn(iris):
    X, y = iris
    model = AutoModelClassifier(max_evals=6, cv=3, random_state=0).fit(X, y)
    table = model.cv_results_
    n = len(table["params"])
    assert n == 6
    for column in (
        "params",
        "mean_test_score",
        "std_test_score",
        "split0_test_score",
        "split2_test_score",
        "mean_fit_time",
        "rank_test_score",
        "family",
        "preprocessing",
        "status",
    ):
        assert len(table[column]) == n, column
    assert "split3_test_score" not in table
    assert table["rank_test_score"][model.best_index_] == 1
    assert model.best_params_ == table["params"][model.best_index_]
    assert model.best_score_ == pytest.approx(np.nanmax(table["mean_test_score"]))
    assert model.best_params_["family"] in automodel.families.DEFAULT_FAMILIES
    assert not any(
        isinstance(v, (np.integer,)) and k == "family" for k, v in model.best_params_.items()
    )
    assert model.n_features_in_ == 4
    assert not hasattr(model, "feature_names_in_")
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert len(model.trials_.trials) == 6
    assert model.stop_reason_ == "max_evals"


def test_param_columns_are_masked_where_a_family_lacks_the_parameter(iris):
    X, y = iris
    model = AutoModelClassifier(max_evals=12, cv=3, random_state=1, families=["knn", "tree"]).fit(
        X, y
    )
    table = model.cv_results_
    knn = np.array([f == "knn" for f in table["family"]])
    assert knn.any() and (~knn).any()
    assert table["param_n_neighbors"].mask.tolist() == (~knn).tolist()


def test_same_seed_same_results(iris):
    X, y = iris

    def run():
        model = AutoModelClassifier(max_evals=12, cv=3, random_state=5).fit(X, y)
        return model.cv_results_, model.best_params_

    (a, best_a), (b, best_b) = run(), run()
    assert a["params"] == b["params"]
    np.testing.assert_array_equal(a["mean_test_score"], b["mean_test_score"])
    assert best_a == best_b


def test_same_seed_same_results_on_two_cores(iris):
    """Two trials at once finish in any order; TPE's points must not depend on it."""
    X, y = iris

    def run():
        model = AutoModelClassifier(
            max_evals=14, cv=3, random_state=2, n_jobs=2, algo=TPE(n_startup_trials=8)
        )
        return model.fit(X, y).cv_results_["params"]

    assert run() == run()


def test_string_and_gappy_integer_labels_come_back_as_given(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = AutoModelClassifier(max_evals=4, cv=3, families=["xgboost"], random_state=0)
    model.fit(X, names)
    assert set(model.predict(X)) <= set(names)
    assert all(status == "ok" for status in model.cv_results_["status"])

    gappy = np.array([1, 3, 7])[y]  # like PMLB glass: labels are not 0..n-1
    model.fit(X, gappy)
    assert all(status == "ok" for status in model.cv_results_["status"])
    assert set(model.predict(X)) <= {1, 3, 7}
    np.testing.assert_array_equal(model.classes_, [1, 3, 7])


def test_continuous_target_is_refused_by_the_classifier(iris):
    X, _ = iris
    with pytest.raises(ValueError, match="task='regression'"):
        AutoModelClassifier(max_evals=2).fit(X, np.linspace(0, 1, len(X)))


def test_restricting_families(iris):
    X, y = iris
    model = AutoModelClassifier(max_evals=10, cv=3, families=["svm", "knn"], random_state=0)
    model.fit(X, y)
    assert set(model.cv_results_["family"]) <= {"svm", "knn"}


def test_unknown_family_is_an_error_listing_valid_names(iris):
    valid = "catboost, extra_trees, forest, hgb, knn, lightgbm, logreg, mlp, svm, torch_mlp, tree"
    with pytest.raises(ValueError, match=f"Valid names: {valid}, xgboost"):
        AutoModelClassifier(families=["nope"]).fit(*iris)


def test_failing_trials_do_not_stop_the_search(iris):
    X, y = iris
    flaky = picky_family("flaky", [1, 10**9])  # fail_above=1: every fit raises
    model = AutoModelClassifier(max_evals=12, cv=3, families=[flaky], random_state=0).fit(X, y)
    statuses = model.cv_results_["status"]
    assert "error" in statuses and "ok" in statuses
    assert model.best_params_["fail_above"] == 10**9
    assert np.isnan(model.cv_results_["mean_test_score"][statuses.index("error")])
    assert "picky" in model.cv_results_["error"][statuses.index("error")]


def test_all_trials_failing_raises_with_a_summary(iris):
    always = picky_family("always", [1])
    with pytest.raises(
        SearchFailedError, match=r"All 4 trials failed \(4 error\).*picky: 100 rows"
    ):
        AutoModelClassifier(max_evals=4, cv=3, families=[always], random_state=0).fit(*iris)


def test_refit_failure_falls_back_to_the_next_best(iris):
    X, y = iris
    # The better branch (depth 3) passes on 100-row folds and fails on all 150 rows.
    family = Family(
        "edge",
        Picky,
        lambda info: {
            "branch": hp.choice(
                "edge.branch", [{"fail_above": 120, "depth": 3}, {"fail_above": 10**9, "depth": 1}]
            )
        },
    )
    model = AutoModelClassifier(max_evals=8, cv=3, families=[family], random_state=2)
    with pytest.warns(RefitWarning, match="falling back"):
        model.fit(X, y)
    assert model.best_params_["fail_above"] == 10**9


def test_predict_before_fit_raises_not_fitted(iris):
    with pytest.raises(NotFittedError):
        AutoModelClassifier().predict(iris[0])


def test_every_winner_gives_probabilities_an_svc_through_calibration(iris):
    X, y = iris
    svm = AutoModelClassifier(max_evals=3, cv=3, families=["svm"], random_state=0)
    for bagging in (False, True):  # one refit SVC; the fold SVCs voting
        svm.set_params(bagging=bagging).fit(X, y)
        assert svm.bagged_ is bagging and svm.proba_note_ == ""
        proba = svm.predict_proba(X)
        assert proba.shape == (len(X), 3)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        # calibrated on the trial's out-of-fold decision values: mostly the same labels
        assert (svm.classes_[proba.argmax(axis=1)] == svm.predict(X)).mean() > 0.9
        assert "calibrated on its out-of-fold decision values" in str(svm)
    assert hasattr(svm.set_params(bagging=False).fit(X, y), "decision_function")
    tree = AutoModelClassifier(max_evals=3, cv=3, families=["tree"], random_state=0).fit(X, y)
    proba = tree.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert tree.proba_note_ == ""


def test_works_with_clone_cross_val_score_and_pipelines(iris):
    X, y = iris
    model = AutoModelClassifier(max_evals=3, cv=2, families=["tree"], random_state=0)
    assert clone(model).get_params() == model.get_params()
    scores = cross_val_score(model, X, y, cv=3)
    assert scores.mean() > 0.85
    pipe = make_pipeline(StandardScaler(), model).fit(X, y)
    assert pipe.score(X, y) > 0.85


def test_n_jobs_splits_folds_without_changing_results(iris):
    X, y = iris
    # In process (trial_timeout=None), n_jobs runs a trial's folds in parallel.
    params = dict(max_evals=5, cv=3, random_state=0, trial_timeout=None)
    one = AutoModelClassifier(n_jobs=1, **params).fit(X, y)
    two = AutoModelClassifier(n_jobs=2, **params).fit(X, y)
    np.testing.assert_array_equal(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )


def test_dataframe_input_sets_feature_names(penguins):
    X, y = penguins.drop(columns="species"), penguins["species"]
    model = AutoModelClassifier(max_evals=5, cv=3, random_state=0).fit(X, y)
    assert list(model.feature_names_in_) == list(X.columns)
    assert set(model.predict(X)) <= set(y)
    assert model.target_name_ == "species"


def test_pickle_drops_the_hyperopt_trials(iris):
    model = AutoModelClassifier(max_evals=3, cv=2, families=["tree"], random_state=0).fit(*iris)
    payload = pickle.dumps(model)
    assert b"hyperopt" not in payload
    restored = pickle.loads(payload)
    assert not hasattr(restored, "trials_")
    np.testing.assert_array_equal(restored.predict(iris[0]), model.predict(iris[0]))


def test_bad_parameter_values_name_the_parameter(iris):
    for params, pattern in [
        ({"max_evals": 0}, "'max_evals' parameter"),
        ({"cv": 1}, "'cv' parameter"),
        ({"algo": "grid"}, "'algo' parameter"),
        ({"scoring": "accurracy"}, "'scoring' parameter"),
        ({"timeout": -1}, "'timeout' parameter"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            AutoModelClassifier(**params).fit(*iris)


def test_leaderboard_is_sorted_best_first(iris):
    model = AutoModelClassifier(max_evals=6, cv=3, random_state=0).fit(*iris)
    board = model.leaderboard()
    assert isinstance(board, pd.DataFrame)
    assert list(board["rank_test_score"]) == sorted(board["rank_test_score"])
    assert len(model.leaderboard(top=2)) == 2


# -- budgets, interrupts and resume -------------------------------------------------


def sleepy_family(seconds):
    from tests._estimators import Sleepy

    return Family(
        "sleepy",
        Sleepy,
        lambda info: {
            "seconds": hp.choice("sleepy.seconds", seconds),
            "depth": hp.choice("sleepy.depth", [1, 2, 3]),
        },
    )


def test_total_timeout_holds_with_slow_trials(iris):
    import time

    model = AutoModelClassifier(
        max_evals=1000,
        cv=3,
        families=[sleepy_family([0.2])],
        timeout=2.0,
        trial_timeout=None,
        random_state=0,
    )
    start = time.monotonic()
    model.fit(*iris)
    elapsed = time.monotonic() - start
    assert model.stop_reason_ == "timeout"
    assert 1 <= len(model.cv_results_["params"]) < 10
    # The refit (0.2 s) is planned for inside the budget; the margin covers one trial's tail.
    assert elapsed < 2.0 + 1.0


def test_a_time_budget_alone_searches_until_it_ends(iris):
    model = AutoModelClassifier(
        max_evals=None,
        cv=3,
        families=[sleepy_family([0.1])],
        timeout=2.0,
        trial_timeout=None,
        random_state=0,
    ).fit(*iris)
    assert model.stop_reason_ == "timeout"
    assert len(model.cv_results_["params"]) >= 2


def test_no_trial_count_and_no_time_budget_is_a_clear_error(iris):
    with pytest.raises(ValueError, match="max_evals=None searches until the time budget ends"):
        AutoModelClassifier(max_evals=None).fit(*iris)


def test_early_stop_rounds(iris):
    model = AutoModelClassifier(
        max_evals=200,
        cv=3,
        families=["tree"],
        early_stop_rounds=3,
        trial_timeout=None,
        random_state=0,
    ).fit(*iris)
    assert model.stop_reason_ == "early_stop"
    scores = model.cv_results_["mean_test_score"]
    best_at = int(np.nanargmax(scores))
    assert len(scores) - 1 - best_at >= 3


def test_interrupt_refits_the_best_so_far(iris, tmp_path):
    from tests._estimators import Interrupting

    counter = tmp_path / "fits"
    family = Family(
        "interrupting",
        Interrupting,
        lambda info: {
            "counter": str(counter),
            "countdown": 7,  # 3 folds per trial: trial 0 and 1 finish, trial 2 is cut
            "depth": hp.choice("interrupting.depth", [1, 2, 3]),
        },
    )
    # n_jobs=1: the fits run (and are counted) in this process, one at a time
    model = AutoModelClassifier(
        max_evals=50, cv=3, families=[family], trial_timeout=None, random_state=0, n_jobs=1
    )
    with pytest.warns(automodel.errors.SearchInterruptedWarning, match="after 2 finished"):
        model.fit(*iris)
    assert model.stop_reason_ == "interrupted"
    assert len(model.cv_results_["params"]) == 2
    assert model.predict(iris[0]).shape == (150,)


@pytest.mark.parametrize(
    "run", [{"trial_timeout": None}, {"trial_timeout": 60, "n_jobs": 2}], ids=["inline", "two"]
)
def test_checkpoint_resumes_without_rerunning_trials(iris, tmp_path, run):
    # Stopped at 15 and resumed to 25: past the defaults and TPE's 10 start-up trials,
    # so the resumed part is suggested by TPE from the restored state; on two worker
    # processes too (an ordered search: trial 15 does not see trial 14 either way).
    path = tmp_path / "search.pkl"
    fast = dict(cv=3, random_state=4, families=["tree", "knn", "logreg"], **run)
    first = AutoModelClassifier(max_evals=15, checkpoint=path, **fast).fit(*iris)
    assert path.is_file()
    resumed = AutoModelClassifier(max_evals=25, checkpoint=path, **fast).fit(*iris)
    direct = AutoModelClassifier(max_evals=25, **fast).fit(*iris)
    assert len(resumed.cv_results_["params"]) == 25
    # The first 15 are the very same trials (not reruns: their start times are unchanged) ...
    assert [d["book_time"] for d in resumed.trials_.trials[:15]] == [
        d["book_time"] for d in first.trials_.trials
    ]
    # ... and the continuation is the one an uninterrupted search would have taken.
    assert resumed.cv_results_["params"] == direct.cv_results_["params"]
    assert resumed.best_params_ == direct.best_params_


def test_checkpoint_of_another_dataset_is_refused(iris, tmp_path):
    path = tmp_path / "search.pkl"
    X, y = iris
    AutoModelClassifier(max_evals=2, cv=3, random_state=0, trial_timeout=None, checkpoint=path).fit(
        X, y
    )
    with pytest.raises(ValueError, match="belongs to a different search"):
        AutoModelClassifier(
            max_evals=4, cv=3, random_state=0, trial_timeout=None, checkpoint=path
        ).fit(X[:120], y[:120])


def test_a_hanging_trial_is_stopped_and_the_search_goes_on(iris):
    import time

    # One option sleeps 30 s per fold: far past the 1 s trial limit.
    model = AutoModelClassifier(
        max_evals=6,
        cv=3,
        families=[sleepy_family([0.0, 30.0])],
        trial_timeout=1.0,
        random_state=3,
    )
    start = time.monotonic()
    model.fit(*iris)
    statuses = model.cv_results_["status"]
    assert "timeout" in statuses and "ok" in statuses
    assert model.best_params_["seconds"] == 0.0
    assert "time limit" in model.cv_results_["error"][statuses.index("timeout")]
    assert time.monotonic() - start < 30  # no hung trial ran to its end


def test_parallel_trials_fill_the_budget(iris):
    model = AutoModelClassifier(max_evals=8, cv=3, n_jobs=2, random_state=0).fit(*iris)
    assert len(model.cv_results_["params"]) == 8
    assert model.best_score_ >= 0.9


def test_row_capped_family_trains_on_a_subsample(iris):
    # Picky fails on 60 rows or more; capped at 50 rows it never sees that many.
    capped = Family(
        "capped",
        Picky,
        lambda info: {"fail_above": 60, "depth": hp.choice("capped.depth", [1, 2])},
        max_rows=50,
    )
    model = AutoModelClassifier(
        max_evals=3, cv=3, families=[capped], trial_timeout=None, random_state=0
    ).fit(*iris)
    assert set(model.cv_results_["status"]) == {"ok"}
    assert model.predict(iris[0]).shape == (150,)


def test_large_tables_switch_to_one_holdout_split(iris):
    model = AutoModelClassifier(
        max_evals=3, cv=5, holdout_above=100, trial_timeout=None, random_state=0
    ).fit(*iris)
    assert "split0_test_score" in model.cv_results_
    assert "split1_test_score" not in model.cv_results_


# -- metrics, presets and custom families ------------------------------------------


@pytest.mark.parametrize(
    "scoring, binary",
    [
        ("balanced_accuracy", False),
        ("f1_macro", False),
        ("roc_auc", True),
        ("roc_auc_ovr", False),
        ("neg_log_loss", False),
    ],
)
def test_any_sklearn_scoring_is_the_objective(iris, scoring, binary):
    from sklearn.metrics import get_scorer

    X, y = iris
    if binary:
        X, y = X[y < 2], y[y < 2]
    model = AutoModelClassifier(
        max_evals=4,
        cv=3,
        scoring=scoring,
        families=["forest", "logreg"],
        trial_timeout=None,
        random_state=0,
    ).fit(X, y)
    assert model.best_score_ == pytest.approx(np.nanmax(model.cv_results_["mean_test_score"]))
    assert model.best_score_ <= 1.0
    assert get_scorer(scoring)(model.best_estimator_, X, np.searchsorted(model.classes_, y)) > (
        -1.0 if scoring == "neg_log_loss" else 0.5
    )


def test_a_scorer_callable_is_accepted(iris):
    from sklearn.metrics import make_scorer, recall_score

    scorer = make_scorer(recall_score, average="macro")
    model = AutoModelClassifier(
        max_evals=3, cv=3, scoring=scorer, families=["tree"], trial_timeout=None, random_state=0
    ).fit(*iris)
    assert 0.8 < model.best_score_ <= 1.0


def test_svm_trials_fail_cleanly_under_log_loss(iris):
    model = AutoModelClassifier(
        max_evals=3,
        cv=3,
        scoring="neg_log_loss",
        families=["svm", "tree"],
        trial_timeout=None,
        random_state=1,
    ).fit(*iris)
    rows = [i for i, f in enumerate(model.cv_results_["family"]) if f == "svm"]
    assert rows and all(model.cv_results_["status"][i] == "error" for i in rows)
    assert model.best_params_["family"] == "tree"


def test_class_weight_is_searched_where_supported(iris):
    model = AutoModelClassifier(
        max_evals=12, cv=3, families=["svm", "logreg"], trial_timeout=None, random_state=0
    ).fit(*iris)
    assert {p["class_weight"] for p in model.cv_results_["params"]} == {None, "balanced"}


def test_all_families_preset_runs(iris):
    model = AutoModelClassifier(
        max_evals=10, cv=2, families="all", trial_timeout=None, random_state=0
    ).fit(*iris)
    # defaults first: one trial per family, in registry order
    assert model.cv_results_["family"] == list(automodel.families.PRESETS["classification"]["all"])
    assert set(model.cv_results_["status"]) == {"ok"}


def test_defaults_first_starts_with_each_family_default(iris):
    model = AutoModelClassifier(max_evals=7, cv=3, trial_timeout=None, random_state=0).fit(*iris)
    assert model.cv_results_["family"][:6] == list(automodel.families.DEFAULT_FAMILIES)
    forest = model.cv_results_["family"].index("forest")
    assert model.cv_results_["params"][forest]["n_estimators"] == 100
    assert model.cv_results_["params"][0] == {
        "family": "logreg",
        "scaler": "standard",
        "C": 1.0,
        "l1_ratio": 0.0,
        "solver": "lbfgs",
        "class_weight": None,
    }
    off = AutoModelClassifier(
        max_evals=3, cv=3, trial_timeout=None, random_state=0, defaults_first=False
    ).fit(*iris)
    assert off.cv_results_["params"][0] != model.cv_results_["params"][0]


def test_readme_custom_family_example(iris):
    from hyperopt import hp
    from sklearn.linear_model import RidgeClassifier

    ridge = automodel.Family(
        "ridge",
        RidgeClassifier,
        lambda info: {"alpha": hp.loguniform("ridge.alpha", -7, 7)},
        scale=True,
    )
    model = automodel.fit(*iris, families=["logreg", ridge], max_evals=8, cv=3, random_state=0)
    assert "ridge" in model.cv_results_["family"]
    assert model.best_score_ >= 0.9


def test_a_budget_too_small_for_any_trial_says_so(iris):
    model = AutoModelClassifier(
        max_evals=5, cv=3, families=[sleepy_family([20.0])], timeout=1.5, random_state=0
    )
    with pytest.raises(SearchFailedError, match=r"within timeout=1.5 s: give a larger timeout"):
        model.fit(*iris)


def test_a_checkpoint_with_other_defaults_first_is_refused(iris, tmp_path):
    path = tmp_path / "search.pkl"
    params = dict(max_evals=2, cv=3, random_state=0, trial_timeout=None, checkpoint=path)
    AutoModelClassifier(**params).fit(*iris)
    with pytest.raises(ValueError, match="belongs to a different search"):
        AutoModelClassifier(**{**params, "max_evals": 4}, defaults_first=False).fit(*iris)


def test_parallelism_without_spark_is_a_warning_not_ignored(iris):
    with pytest.warns(UserWarning, match="parallelism=2 is for backend='spark'"):
        AutoModelClassifier(max_evals=1, cv=3, parallelism=2, trial_timeout=None).fit(*iris)
