"""The leaderboard as text (automodel/leaderboard.py) and what a fitted model says it is."""

from __future__ import annotations

import pandas as pd
import pytest

import automodel
from automodel.leaderboard import Leaderboard, render
from tests.conftest import PENGUINS


@pytest.fixture(scope="module")
def ensemble_model():
    X = pd.read_csv(PENGUINS)
    y = X.pop("species")
    params = {"max_evals": 8, "cv": 3, "random_state": 0, "ensemble": True, "bagging": False}
    return automodel.AutoModelClassifier(families=["logreg", "forest", "knn"], **params).fit(X, y)


def test_a_leaderboard_prints_as_a_table_then_the_winner_in_full(ensemble_model):
    board = ensemble_model.leaderboard(4)
    assert isinstance(board, Leaderboard) and isinstance(board, pd.DataFrame)
    text = str(board)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["rank", "trial", "family"]
    best = board[board["family"] != "ensemble"].iloc[0]
    params = ", ".join(f"{k}=" for k in best["params"] if k not in ("family", "scaler"))
    winner = next(line for line in lines if line.startswith("best trial"))
    assert winner.startswith(f"best trial {best['trial']} ({best['family']}, scaler")
    assert all(name in text.split("best trial", 1)[1] for name in params.split(", "))
    # Members by family, trial and weight.
    members = next(line for line in lines if line.startswith("ensemble: "))
    trials = ensemble_model.ensemble_members_
    family = ensemble_model.cv_results_["family"]
    assert all(f"{family[m]} #{m} x" in members for m in trials)


def test_a_narrow_render_cuts_only_the_params_cell(ensemble_model):
    lines = render(ensemble_model.leaderboard(), width=80).splitlines()
    table = lines[: lines.index("")]
    assert all(len(line) <= 80 for line in table)
    assert all(len(line) <= 80 for line in lines)  # the winner's line is wrapped, not cut
    assert "…" not in "\n".join(lines[lines.index("") :])


def test_a_part_of_the_leaderboard_prints_as_a_plain_frame(ensemble_model):
    part = ensemble_model.leaderboard()[["family", "mean_test_score"]]
    assert "best trial" not in str(part) and "family" in str(part)


def test_print_of_a_model_says_what_it_is(ensemble_model):
    text = str(ensemble_model)
    assert text.startswith("AutoModelClassifier (classification): ensemble of ")
    assert f"CV accuracy {ensemble_model.best_score_:.4f} over 8 trials" in text
    assert str(automodel.AutoModelClassifier(max_evals=3)) == "AutoModelClassifier(max_evals=3)"
