"""The command line's option types and its leaderboard table."""

from __future__ import annotations

import argparse

import pytest

import automodel
from automodel.cli import main
from automodel.declare import ensemble_arg, seconds_or_none
from tests.conftest import PENGUINS


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli_options") / "model.joblib"
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "6", "--cv", "3"]
    assert main([*argv, "--seed", "0", "--out", str(path), "--quiet"]) == 0
    return path


@pytest.mark.parametrize("width", [80, 120])
def test_the_leaderboard_fits_the_terminal(model_file, width):
    from automodel.cli_options import format_leaderboard

    model = automodel.load(model_file)
    lines = format_leaderboard(model, 10, width=width).splitlines()
    assert lines[0].split() == ["rank", "trial", "family", "scaler", "score", "fit", "s", "params"]
    assert all(len(line) <= width for line in lines)
    if width == 80:
        assert any(line.endswith("…") for line in lines[1:])  # long params are cut
    # Left-aligned: each column starts where its header does (the table, above the
    # winner's lines).
    table = lines[: lines.index("")]
    start = table[0].index("family")
    assert all(line[start - 1] == " " and line[start] != " " for line in table[1:])
    assert lines[lines.index("") + 1].startswith("best trial ")


def test_option_values():
    assert ensemble_arg("auto") == "auto" and ensemble_arg("none") is None
    assert ensemble_arg("on") is True
    assert ensemble_arg("3") == 3
    assert seconds_or_none("none") is None and seconds_or_none("2.5") == 2.5
    with pytest.raises(argparse.ArgumentTypeError):
        ensemble_arg("1")
    with pytest.raises(argparse.ArgumentTypeError):
        seconds_or_none("-1")
