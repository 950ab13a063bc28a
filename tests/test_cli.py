from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import automodel
from automodel.cli import main
from tests.conftest import PENGUINS


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "model.joblib"
    code = main(
        [
            "fit",
            str(PENGUINS),
            "--target",
            "species",
            "--max-evals",
            "6",
            "--cv",
            "3",
            "--seed",
            "0",
            "--out",
            str(path),
            "--quiet",
        ]
    )
    assert code == 0
    return path


def test_fit_writes_a_model_and_prints_the_leaderboard(tmp_path, capsys):
    out = tmp_path / "m.joblib"
    code = main(
        [
            "fit",
            str(PENGUINS),
            "--target",
            "species",
            "--max-evals",
            "4",
            "--cv",
            "3",
            "--seed",
            "1",
            "--out",
            str(out),
            "--families",
            "tree,knn",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert out.is_file()
    assert "rank" in captured.out and "family" in captured.out
    assert "model written to" in captured.out
    assert "4/4" in captured.err  # the progress bar
    model = automodel.load(out)
    assert set(model.cv_results_["family"]) <= {"tree", "knn"}


def test_predict_writes_one_label_per_row_to_stdout(model_file, capsys):
    assert main(["predict", str(model_file), str(PENGUINS)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "species"
    assert len(lines) == 1 + len(pd.read_csv(PENGUINS))
    assert set(lines[1:]) <= {"Adelie", "Chinstrap", "Gentoo"}


def test_predict_to_a_file_with_columns_in_another_order(model_file, tmp_path):
    table = pd.read_csv(PENGUINS)
    shuffled = tmp_path / "shuffled.csv"
    table[table.columns[::-1]].to_csv(shuffled, index=False)
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model_file), str(shuffled), "--out", str(out)]) == 0
    model = automodel.load(model_file)
    expected = model.predict(table.drop(columns="species"))
    np.testing.assert_array_equal(pd.read_csv(out)["species"].to_numpy(), expected)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["fit", "absent.csv", "--target", "y"], "No such file"),
        (["fit", str(PENGUINS), "--target", "nope"], "Target column 'nope' is not in"),
        (
            ["fit", str(PENGUINS), "--target", "species", "--max-evals", "0"],
            "'max_evals' parameter",
        ),
        (["fit", str(PENGUINS), "--target", "species", "--algo", "grid"], "'algo' parameter"),
        (
            ["fit", str(PENGUINS), "--target", "species", "--families", "svn"],
            "Unknown family 'svn'",
        ),
        (["predict", "absent.joblib", str(PENGUINS)], "No model file"),
    ],
)
def test_errors_are_one_line_on_stderr(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("automodel: error:")
    assert message in err
    assert len(err.splitlines()) == 1


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--target",
        "--out",
        "--max-evals",
        "--cv",
        "--algo",
        "--scoring",
        "--families",
        "--seed",
        "--n-jobs",
        "--timeout",
        "--early-stop-rounds",
    ):
        assert option in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "predict" in capsys.readouterr().out


def test_report_from_a_saved_model_and_at_the_end_of_fit(model_file, tmp_path, capsys):
    assert main(["report", str(model_file), "--out", str(tmp_path / "r")]) == 0
    text = (tmp_path / "r" / "report.md").read_text()
    assert "species" not in capsys.readouterr().err
    assert ".png" in text
    assert main(["report", str(model_file), "--out", str(tmp_path / "h"), "--format", "html"]) == 0
    assert (tmp_path / "h" / "report.html").is_file()
    out = tmp_path / "m.joblib"
    argv = [
        "fit",
        str(PENGUINS),
        "--target",
        "species",
        "--max-evals",
        "3",
        "--cv",
        "3",
        "--out",
        str(out),
        "--report",
        str(tmp_path / "fit_report"),
        "--quiet",
    ]
    assert main(argv) == 0
    assert (tmp_path / "fit_report" / "report.md").is_file()
