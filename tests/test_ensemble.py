"""The ensemble step: pool, weights, refit as one voting estimator, save/load, resume, budget."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.pipeline import Pipeline

import automodel
from automodel import AutoModelClassifier, AutoModelRegressor, finish, refit, tasks
from automodel.ensemble import ensemble_pool, keep_best_predictions
from automodel.families import LARGE_ROWS
from automodel.tasks import CLASSIFICATION, LARGE_MEMBERS, REGRESSION
from automodel.trial import Reason, Status, TrialRecord
from tests._estimators import returned


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X.iloc[::2], y.iloc[::2]  # 285 rows


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X.iloc[:240], y.iloc[:240]


def quick(estimator=AutoModelClassifier, **params):
    # ensemble=True: a classifier's default ("auto") keeps the single best.
    settings = {"max_evals": 10, "cv": 3, "random_state": 0, "trial_timeout": None}
    return estimator(**{**settings, "ensemble": True, **params})


@pytest.fixture(scope="module")
def fitted(cancer):
    return quick().fit(*cancer)


def test_true_gives_a_weighted_soft_voting_ensemble(fitted, cancer):
    X, y = cancer
    model = fitted
    assert isinstance(returned(model), VotingClassifier)
    voting = returned(model)
    assert voting.voting == "soft"
    assert voting.weights == model.ensemble_weights_
    assert len(model.ensemble_members_) >= 2 and all(w >= 1 for w in model.ensemble_weights_)
    params = [model.cv_results_["params"][i] for i in model.ensemble_members_]
    assert len({repr(p) for p in params}) == len(params)  # distinct pipelines
    assert "svm" not in {p["family"] for p in params}  # no predict_proba: left out
    assert np.isfinite(model.ensemble_score_) and model.ensemble_note_ == ""
    # The selection starts from the best trial and only keeps a mix that beats it.
    assert model.ensemble_members_[0] == model.best_index_
    assert model.ensemble_score_ > model.best_score_ - 1e-6
    # The single best is the ensemble's own member, not a second copy.
    assert isinstance(model.best_single_estimator_, Pipeline)
    assert any(model.best_single_estimator_ is e for e in voting.estimators_)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    board = model.leaderboard()
    assert board.iloc[0]["family"] == "ensemble"
    assert board.iloc[0]["mean_test_score"] == model.ensemble_score_
    weights = dict(zip(board["trial"].iloc[1:], board["weight"].iloc[1:], strict=True))
    assert [weights[m] for m in model.ensemble_members_] == model.ensemble_weights_
    assert sum(board["weight"].iloc[1:]) == sum(model.ensemble_weights_)


def test_out_of_fold_predictions_do_not_stay_with_the_model(fitted):
    assert not any("oof" in doc["result"] for doc in fitted.trials_.trials)


def test_the_same_seed_gives_the_same_ensemble(fitted, cancer):
    again = quick().fit(*cancer)
    assert again.ensemble_members_ == fitted.ensemble_members_
    assert again.ensemble_weights_ == fitted.ensemble_weights_
    np.testing.assert_array_equal(again.predict_proba(cancer[0]), fitted.predict_proba(cancer[0]))


def test_auto_ensembles_regression_and_classes_from_a_thousand_rows(cancer, diabetes):
    classifier = quick(ensemble="auto").fit(*cancer)
    assert classifier.bagged_  # the single best, bagged (285 rows: see test_bagging)
    assert isinstance(classifier.best_single_estimator_, Pipeline)
    assert not hasattr(classifier, "ensemble_members_")
    X, y = make_classification(1000, n_features=6, n_informative=4, random_state=0)
    larger = quick(ensemble="auto", families=["logreg", "knn"], max_evals=4).fit(X, y)
    assert hasattr(larger, "ensemble_members_") and not larger.bagged_
    assert larger.ensemble_members_[0] == larger.best_index_
    regressor = quick(AutoModelRegressor, ensemble="auto").fit(*diabetes)
    assert isinstance(regressor.best_estimator_, VotingRegressor)
    # Above holdout_above rows "auto" keeps the single best; True still ensembles.
    large = quick(AutoModelRegressor, ensemble="auto", holdout_above=200).fit(*diabetes)
    assert isinstance(returned(large), Pipeline)
    forced = quick(AutoModelRegressor, ensemble=True, holdout_above=200).fit(*diabetes)
    assert isinstance(forced.best_estimator_, VotingRegressor)
    assert AutoModelClassifier().ensemble == AutoModelRegressor().ensemble == "auto"
    assert CLASSIFICATION.ensemble_size("auto", 999, holdout=False) is None
    assert CLASSIFICATION.ensemble_size("auto", 1000, holdout=False) == 0
    assert REGRESSION.ensemble_size("auto", 10, holdout=True) is None
    # On a large holdout table "auto" mixes at most the best two.
    assert REGRESSION.ensemble_size("auto", LARGE_ROWS - 1, holdout=True) is None
    assert CLASSIFICATION.ensemble_size("auto", LARGE_ROWS, holdout=True) == LARGE_MEMBERS == 2
    assert CLASSIFICATION.ensemble_size(True, 10, holdout=True) == 0


def test_a_large_holdout_table_mixes_the_best_two_refit_once(diabetes, monkeypatch):
    # As if 240 rows were large: "auto" on the holdout split mixes at most two trials.
    monkeypatch.setattr(tasks, "LARGE_ROWS", 200)

    def no_single_refit(*args, **kwargs):
        raise AssertionError("the kept ensemble's members hold the best trial's refit")

    monkeypatch.setattr(finish, "refit_best", no_single_refit)
    model = quick(AutoModelRegressor, ensemble="auto", holdout_above=200).fit(*diabetes)
    assert model.ensemble_note_ == ""  # a pair was chosen and kept
    assert isinstance(model.best_estimator_, VotingRegressor)
    assert len(model.ensemble_members_) == 2 and model.ensemble_members_[0] == model.best_index_
    member = f"{model.cv_results_['family'][model.best_index_]}_{model.best_index_}"
    assert model.best_single_estimator_ is model.best_estimator_.named_estimators_[member]


def test_none_keeps_the_single_best_and_an_int_caps_the_members(cancer):
    single = quick(ensemble=None, bagging=False).fit(*cancer)
    assert isinstance(returned(single), Pipeline)
    assert not hasattr(single, "ensemble_members_")
    assert quick(ensemble=False).fit(*cancer).best_params_ == single.best_params_
    capped = quick(ensemble=2).fit(*cancer)
    assert len(capped.ensemble_members_) <= 2
    assert REGRESSION.ensemble_size(None, 10, holdout=False) is None
    assert REGRESSION.ensemble_size(3, 10, holdout=False) == 3


def test_regression_ensemble_is_a_weighted_voting_regressor(diabetes):
    model = quick(AutoModelRegressor, families=["linear", "forest", "knn", "svm"]).fit(*diabetes)
    assert isinstance(model.best_estimator_, VotingRegressor)
    assert model.best_estimator_.weights == model.ensemble_weights_
    X = diabetes[0]
    members = [e.predict(X) for e in model.best_estimator_.estimators_]
    expected = np.average(members, axis=0, weights=model.ensemble_weights_)
    np.testing.assert_allclose(model.predict(X), expected)
    # The report plots the ensemble's out-of-fold predictions.
    assert model.oof_predictions_.shape == (len(X),) and np.isfinite(model.oof_predictions_).all()


def test_ensemble_saves_and_loads(fitted, cancer, tmp_path):
    path = automodel.save(fitted, tmp_path / "m.joblib")
    loaded = automodel.load(path)
    assert isinstance(returned(loaded), VotingClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(cancer[0]), fitted.predict_proba(cancer[0]))
    assert loaded.leaderboard().iloc[0]["family"] == "ensemble"


def test_a_resumed_search_ensembles_the_trials_of_both_runs(cancer, tmp_path):
    file = tmp_path / "search.ckpt"
    whole = quick().fit(*cancer)
    quick(max_evals=6, checkpoint=file).fit(*cancer)
    resumed = quick(checkpoint=file).fit(*cancer)
    assert len(resumed.cv_results_["params"]) == 10
    assert resumed.ensemble_members_ == whole.ensemble_members_
    assert resumed.ensemble_weights_ == whole.ensemble_weights_


def test_the_single_best_is_kept_when_the_refit_does_not_fit_the_budget(cancer, monkeypatch):
    # Pretend each member would need an hour: the budget cannot hold them.
    monkeypatch.setattr(refit, "_refit_seconds", lambda records, rows, *args: 3600.0 * len(rows))
    with pytest.warns(UserWarning, match="Ensemble not refit"):
        model = quick(timeout=60).fit(*cancer)
    assert model.bagged_ and isinstance(model.best_single_estimator_, Pipeline)
    assert model.ensemble_members_ == [model.best_index_] and model.ensemble_weights_ == [1]
    assert "time budget" in model.ensemble_note_ and np.isnan(model.ensemble_score_)
    assert model.leaderboard().iloc[0]["family"] != "ensemble"


def test_members_refit_in_the_best_ones_time_are_kept_past_the_budget(cancer, monkeypatch):
    # Side by side the members take what the best's refit alone takes, which would run
    # in their place: the ensemble costs nothing extra, even when neither plan fits.
    monkeypatch.setattr(refit, "_refit_seconds", lambda *args: 3600.0)
    model = quick(timeout=60).fit(*cancer)
    assert model.ensemble_note_ == "" and len(model.ensemble_members_) >= 2


def test_no_ensemble_stands_in_for_a_best_trial_that_cannot_take_part(cancer, monkeypatch):
    # As when the best trial is an SVC (no class probabilities): the pool lacks it.
    def without_the_best(records, table, objective):
        pool = ensemble_pool(records, table, objective)
        best = min(pool, key=lambda i: table["rank_test_score"][i])
        return {i: oof for i, oof in pool.items() if i != best}

    monkeypatch.setattr(refit, "ensemble_pool", without_the_best)
    model = quick(bagging=False).fit(*cancer)
    assert isinstance(returned(model), Pipeline)
    assert "cannot take part" in model.ensemble_note_ and np.isnan(model.ensemble_score_)
    assert model.ensemble_members_ == [model.best_index_]


def test_an_svc_best_keeps_the_single_best_and_says_why(cancer):
    # An SVC has no class probabilities, so it has no out-of-fold predictions to mix.
    svc = quick(families=["svm"], max_evals=3, bagging=False).fit(*cancer)
    assert isinstance(svc.best_single_estimator_, Pipeline)
    assert svc.best_estimator_.estimator_ is svc.best_single_estimator_  # calibrated, not refit
    assert "(svm) cannot take part" in svc.ensemble_note_
    assert "no class probabilities" in svc.ensemble_note_


def test_a_member_that_fails_to_refit_leaves_the_single_best(cancer, monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(refit, "build_voting", broken)
    with pytest.warns(automodel.RefitWarning, match="no room"):
        model = quick(bagging=False).fit(*cancer)
    assert isinstance(returned(model), Pipeline)
    assert "MemoryError" in model.ensemble_note_


def _record(loss, family="forest", oof=True, fit_time=(1.0,)):
    config = {"family": family, "scaler": "none", "params": {}}
    if loss is None:
        return TrialRecord.failed(Reason.ERROR, "boom").stamped(config=config)
    predictions = np.zeros(4) if oof else None
    return TrialRecord(
        Status.OK, config=config, loss=loss, fit_time=tuple(fit_time), oof=predictions
    )


def test_only_the_best_trials_keep_their_predictions():
    records = [_record(loss) for loss in [0.3, 0.1, None, 0.2, 0.4]]
    kept = keep_best_predictions(records, 2)
    assert [r.oof is not None for r in kept] == [False, True, False, True, False]
    assert [r.loss for r in kept] == [r.loss for r in records]


def test_the_best_trials_of_each_family_keep_their_predictions_too():
    runs = [("forest", 0.1), ("forest", 0.2), ("knn", 0.5), ("forest", 0.3), ("knn", 0.6)]
    records = [_record(loss, family) for family, loss in runs]
    kept = keep_best_predictions(records, 2, per_family=1)
    assert [r.oof is not None for r in kept] == [True, True, True, False, False]


def test_a_diverse_pool_adds_the_best_distinct_trial_of_each_family():
    runs = [("forest", 1), ("forest", 2), ("forest", 2), ("knn", 1), ("svm", 1), ("forest", 3)]
    records, table = [], {"status": [], "rank_test_score": [], "params": []}
    for k, (family, setting) in enumerate(runs):
        records.append(TrialRecord(Status.OK, oof=np.full(4, k)))
        table["status"].append("ok")
        table["rank_test_score"].append(k + 1)
        table["params"].append({"family": family, "setting": setting})
    no_cap = SimpleNamespace(max_rows=None)
    objective = SimpleNamespace(
        y=np.zeros(4), families=dict.fromkeys(["forest", "knn", "svm"], no_cap)
    )
    assert list(ensemble_pool(records, table, objective, size=2)) == [0, 1]
    assert list(ensemble_pool(records, table, objective, size=2, per_family=1)) == [0, 1, 3, 4]
    # The duplicate (row 2) never counts; the family's second distinct trial does.
    assert list(ensemble_pool(records, table, objective, size=1, per_family=2)) == [0, 1, 3, 4]


def test_a_trial_stopped_on_a_screening_rung_is_left_out_of_the_pool():
    records = [_record(loss) for loss in (0.1, 0.2, 0.3)]
    records[1] = records[1].stamped(screen_rows=1000)
    table = {
        "status": ["ok"] * 3,
        "rank_test_score": [1, 2, 3],
        "params": [{"k": k} for k in range(3)],
    }
    table["params"] = [dict(p, family="forest") for p in table["params"]]
    objective = SimpleNamespace(y=np.zeros(4), families={"forest": SimpleNamespace(max_rows=None)})
    assert list(ensemble_pool(records, table, objective)) == [0, 2]


def test_a_best_trial_stopped_on_a_rung_starts_no_ensemble_and_says_why():
    records = [_record(0.1).stamped(screen_rows=5000), _record(0.2), _record(0.3)]
    table = {
        "status": ["ok"] * 3,
        "rank_test_score": [1, 2, 3],
        "params": [{"family": "forest", "k": k} for k in range(3)],
        "family": ["forest"] * 3,
    }
    objective = SimpleNamespace(y=np.zeros(4), families={"forest": SimpleNamespace(max_rows=None)})
    found = refit.search_ensemble(objective, records, table, 0, 2, VotingRegressor, None, 1.0)
    assert found.estimator is None and found.members == []
    assert (
        found.note
        == "the best trial (forest) cannot take part: screening stopped it on 5000 training rows"
    )


def test_the_search_reserves_time_for_the_members_refit():
    plan = refit.plan_seconds
    runs = [(0.1, 2.0), (0.2, 4.0), (0.3, 6.0)]
    records = [_record(loss, fit_time=(fit, fit / 2)) for loss, fit in runs]
    single = refit.refit_reserve(records, scale=1.0)
    assert single == pytest.approx(plan(2.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both = refit.refit_reserve(records, scale=1.0, members=2, cores=1)
    # The members' refit holds the best's: the longer of the two plans counts.
    assert both == pytest.approx(plan(2.0) + plan(4.0))
    # Side by side, the longer member's plan, and more for their contention.
    side_by_side = refit.refit_reserve(records, scale=1.0, members=2, cores=2)
    assert side_by_side == pytest.approx(refit.SIDE_BY_SIDE * plan(4.0))
    # The best's refit and bagging plan counts when it is the longer one.
    slow_best = [_record(0.1, fit_time=(4.0, 4.0)), _record(0.2, fit_time=(0.5, 0.5))]
    pair = refit.refit_reserve(slow_best, scale=1.0, members=2, cores=2)
    assert pair == pytest.approx(refit.SIDE_BY_SIDE * plan(4.0))
    bagged = refit.refit_reserve(slow_best, scale=1.0, members=2, cores=2, bag=True)
    assert bagged == pytest.approx(plan(4.0) + plan(4.0))
    # A trial that screening stopped on a rung takes no part: the next one does.
    stopped = [records[0], records[1].stamped(screen_rows=100), records[2]]
    assert refit.refit_reserve(stopped, scale=1.0, members=2, cores=1) == pytest.approx(
        plan(2.0) + plan(6.0)
    )
    # A best trial without out-of-fold predictions (an SVC) starts no ensemble.
    records[0] = records[0].stamped(oof=None)
    assert refit.refit_reserve(records, scale=1.0, members=2, cores=1) == pytest.approx(single)


def test_a_best_stopped_on_a_rung_is_refit_on_its_rungs_share_of_the_rows():
    calls = []
    objective = SimpleNamespace(fit_all=lambda config, screen_rows=None: calls.append(screen_rows))
    config = {"family": "forest", "scaler": "none", "params": {}}
    records = [
        TrialRecord(Status.OK, config=config, loss=-0.9, screen_rows=5_000),
        TrialRecord(Status.OK, config=config, loss=-0.8),
    ]
    table = {"status": ["ok", "ok"], "rank_test_score": [1, 2]}
    assert refit.refit_best(objective, records, table, "timeout", 60.0).index == 0
    assert calls == [5_000]
