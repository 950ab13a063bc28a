"""``automodel predict`` columns: intervals, sets, and the flags a model cannot answer."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

import automodel
from automodel.cli import main
from automodel.cli_predict import coverage_arg
from tests.conftest import PENGUINS

DIABETES = PENGUINS.parent / "diabetes.csv"


def _fitted(folder, table, target, family):
    """A model file written by `automodel fit` (3 trials of one family)."""
    out = folder / f"{table.stem}.automodel"
    argv = ["fit", str(table), "--target", target, "--max-evals", "3", "--cv", "3"]
    assert main([*argv, "--families", family, "--seed", "0", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def regressor_file(tmp_path_factory):
    return _fitted(tmp_path_factory.mktemp("cli_predict"), DIABETES, "progression", "linear")


@pytest.fixture(scope="module")
def classifier_file(tmp_path_factory):
    return _fitted(tmp_path_factory.mktemp("cli_predict"), PENGUINS, "species", "logreg")


def test_interval_adds_the_bounds_of_each_prediction(regressor_file, tmp_path):
    out = tmp_path / "p.csv"
    argv = ["predict", str(regressor_file), str(DIABETES), "--interval", "0.9", "--out", str(out)]
    assert main(argv) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == ["progression", "progression_lower", "progression_upper"]
    assert (written["progression_lower"] <= written["progression"]).all()
    assert (written["progression"] <= written["progression_upper"]).all()
    model = automodel.load(regressor_file)
    X = pd.read_csv(DIABETES).drop(columns="progression")
    np.testing.assert_allclose(
        written[["progression_lower", "progression_upper"]], model.predict_interval(X)
    )


def test_set_adds_the_labels_of_each_set(classifier_file, tmp_path):
    out = tmp_path / "p.csv"
    argv = ["predict", str(classifier_file), str(PENGUINS), "--set", "0.95", "--out", str(out)]
    assert main(argv) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == ["species", "species_set"]
    for label, labels in zip(written["species"], written["species_set"], strict=True):
        assert label in labels.split("|")
        assert set(labels.split("|")) <= {"Adelie", "Chinstrap", "Gentoo"}


@pytest.mark.parametrize(
    ("flag", "which", "message"),
    [
        ("--set", "regressor_file", "use --interval 0.9"),
        ("--proba", "regressor_file", "drop --proba"),
        ("--interval", "classifier_file", "use --set 0.9"),
    ],
)
def test_a_flag_the_model_cannot_answer_names_the_one_to_use(flag, which, message, request, capsys):
    model = request.getfixturevalue(which)
    data = DIABETES if which == "regressor_file" else PENGUINS
    args = [flag] if flag == "--proba" else [flag, "0.9"]
    assert main(["predict", str(model), str(data), *args]) == 2
    assert message in capsys.readouterr().err


def test_fit_prints_the_expected_score(tmp_path, capsys):
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "3", "--cv", "3"]
    argv += ["--families", "tree", "--out", str(tmp_path / "m.automodel"), "--quiet"]
    assert main(argv) == 0
    assert "expected accuracy on new rows: 0." in capsys.readouterr().out


@pytest.mark.parametrize("text", ["90", "0", "1", "ninety"])
def test_a_coverage_outside_zero_one_is_refused_by_the_parser(text):
    with pytest.raises(argparse.ArgumentTypeError, match="between 0 and 1"):
        coverage_arg(text)


def test_a_model_file_without_calibration_gets_one_line_saying_so(regressor_file, tmp_path, capsys):
    model = automodel.load(regressor_file)
    del model.conformal_  # as in a file written before intervals existed
    old = automodel.save(model, tmp_path / "old.automodel")
    assert main(["predict", str(old), str(DIABETES), "--interval", "0.9"]) == 2
    assert "holds no calibration for --interval" in capsys.readouterr().err
