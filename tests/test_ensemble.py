from __future__ import annotations

import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import VotingClassifier

import automodel
from automodel import AutoModelClassifier


def test_ensemble_is_scored_and_kept_only_when_it_beats_the_best(tmp_path):
    X, y = load_wine(return_X_y=True)
    model = AutoModelClassifier(
        max_evals=10, cv=3, ensemble=3, trial_timeout=None, random_state=0
    ).fit(X, y)
    assert len(model.ensemble_members_) == 3
    members = [model.cv_results_["params"][i] for i in model.ensemble_members_]
    assert len({repr(p) for p in members}) == 3  # distinct pipelines
    assert np.isfinite(model.ensemble_score_)
    kept = isinstance(model.best_estimator_, VotingClassifier)
    assert kept == (model.ensemble_score_ > model.best_score_)
    path = automodel.save(model, tmp_path / "m.joblib")
    np.testing.assert_array_equal(automodel.load(path).predict(X), model.predict(X))


def test_members_skip_duplicates_and_failures():
    from automodel.ensemble import pick_members

    class Objective:
        families = {"tree": type("F", (), {"max_rows": None})()}

    table = {
        "status": ["ok", "ok", "error", "ok"],
        "rank_test_score": [1, 1, 4, 3],
        "params": [
            {"family": "tree", "a": 1},
            {"family": "tree", "a": 1},
            {"family": "tree", "a": 2},
            {"family": "tree", "a": 3},
        ],
    }
    assert pick_members(table, 3, 100, Objective()) == [0, 3]
