from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from automodel.results import _rank, cv_results, expected_line, leaderboard
from automodel.trial import Reason, TrialRecord


def _ok(scores, family="tree", **params):
    config = {"family": family, "scaler": "none", "params": params}
    return TrialRecord.succeeded(scores, [0.1] * len(scores), [0.01] * len(scores), config=config)


def _fail(family="svm"):
    config = {"family": family, "scaler": "standard", "params": {"C": 1.0}}
    return TrialRecord.failed(Reason.ERROR, "ValueError: nope").stamped(config=config)


def test_columns_have_equal_length_and_sklearn_names():
    table = cv_results([_ok([0.8, 0.9], max_depth=3), _fail(), _ok([0.9, 0.9], max_depth=None)], 2)
    lengths = {len(v) for v in table.values()}
    assert lengths == {3}
    np.testing.assert_allclose(table["mean_test_score"], [0.85, np.nan, 0.9])
    assert list(table["rank_test_score"]) == [2, 3, 1]
    assert table["status"] == ["ok", "error", "ok"]
    assert table["error"][1] == "ValueError: nope"
    assert table["params"][0] == {"family": "tree", "scaler": "none", "max_depth": 3}
    assert table["preprocessing"] == ["none", "standard", "none"]
    assert table["param_C"].mask.tolist() == [True, False, True]
    assert table["param_max_depth"].mask.tolist() == [False, True, False]


def test_rank_ties_share_the_lowest_rank_and_failures_come_last():
    assert list(_rank(np.array([0.5, np.nan, 0.7, 0.7]))) == [3, 4, 1, 1]
    # means that differ by float noise only are a tie
    assert list(_rank(np.array([0.1 + 0.2, 0.3]))) == [1, 1]


def test_leaderboard_sorts_best_first():
    table = cv_results([_ok([0.5, 0.5]), _ok([0.9, 0.9]), _fail()], 2)
    board = leaderboard(table)
    assert list(board["trial"]) == [1, 0, 2]
    assert list(leaderboard(table, top=1)["trial"]) == [1]


def _fitted(**parts):
    return SimpleNamespace(
        scoring_="r2", best_score_=0.80, expected_score_=0.81, expected_score_parts_=parts
    )


def test_the_expected_line_names_the_refit_gain_only_when_it_was_added():
    with_gain = expected_line(_fitted(refit_gain=0.025, oof_score=0.8))
    assert with_gain.startswith("expected r2 on new rows: 0.8100 (the CV score 0.8000")
    assert "plus +0.0250 that the refit on all rows gains" in with_gain
    for parts in ({"refit_gain": float("nan")}, {}):
        assert "refit" not in expected_line(_fitted(**parts))
