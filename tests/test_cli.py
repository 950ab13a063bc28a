from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

import automodel
from automodel import checkpoint as checkpoint_module
from automodel.calibration import predicting_model
from automodel.cli import main
from automodel.payload import dump
from automodel.portable import predicting_part, versions
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


def test_a_timeout_without_max_evals_searches_until_the_budget(tmp_path, capsys):
    argv = ["fit", str(PENGUINS), "--target", "species", "--timeout", "6", "--cv", "3"]
    argv += ["--families", "tree", "--seed", "0", "--out", str(tmp_path / "m.joblib")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "time budget reached" in captured.out
    assert "/6 s [" in captured.err  # the bar counts seconds, not trials
    assert len(automodel.load(tmp_path / "m.joblib").cv_results_["params"]) > 4


def test_ensemble_option_takes_auto_none_or_a_cap(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["fit", str(PENGUINS), "--target", "species", "--ensemble", "1"])
    assert stopped.value.code == 2
    assert "expected auto, on, none or an integer >= 2, got '1'" in capsys.readouterr().err


OWN_MODULE = """
from hyperopt import hp
from sklearn.linear_model import RidgeClassifier
import automodel

ridge = automodel.Family(
    "ridge", RidgeClassifier, lambda info: {"alpha": hp.loguniform("ridge.alpha", -7, 7)}
)
"""


def test_families_take_import_paths_of_own_records(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_cli_families.py").write_text(OWN_MODULE)
    monkeypatch.chdir(tmp_path)  # importable from the current folder, as with `python -m`
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "4", "--cv", "3"]
    argv += ["--families", "tree,my_cli_families:ridge", "--seed", "0", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "m.joblib"), "--ensemble", "none"]) == 0
    model = automodel.load(tmp_path / "m.joblib")
    assert set(model.cv_results_["family"]) == {"tree", "ridge"}
    assert model.families == ["tree", "ridge"]


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
        (
            ["fit", str(PENGUINS), "--target", "species", "--families", "no_such_mod:fam"],
            "cannot import 'fam' from 'no_such_mod'",
        ),
        (
            ["fit", str(PENGUINS), "--target", "species", "--families", "os:sep"],
            "'os:sep' is a str, not an automodel.Family",
        ),
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
        "--trial-timeout",
        "--checkpoint",
        "--spark",
        "--parallelism",
        "--report",
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


# -- a real process: Ctrl-C and kill -9 -------------------------------------------------


def _start_fit(tmp_path, max_evals, extra=()):
    argv = [
        sys.executable,
        "-m",
        "automodel.cli",
        "fit",
        str(PENGUINS),
        "--target",
        "species",
        "--max-evals",
        str(max_evals),
        "--seed",
        "0",
        "--quiet",
        "--out",
        str(tmp_path / "m.joblib"),
        "--checkpoint",
        str(tmp_path / "search.pkl"),
        *extra,
    ]
    # Output goes to files, not pipes: a pipe stays open while any descendant lives, so
    # waiting on it would also wait for a straggling worker after the CLI itself is done.
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,
            preexec_fn=_default_sigint,
        )


def _default_sigint():
    # A test run started in the background (`cmd &` in a script) ignores SIGINT, and an
    # ignored signal stays ignored across exec: Python would then never raise
    # KeyboardInterrupt in the CLI. Ctrl-C at a terminal is what these tests mean.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _finish(process, tmp_path, timeout):
    """Wait for the CLI to exit; on a hang, kill its session and fail with what it said."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        tree = subprocess.run(
            ["ps", "-o", "pid,ppid,pgid,stat,etime,cmd", "-s", str(process.pid)],
            capture_output=True,
            text=True,
        ).stdout
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        err = (tmp_path / "err.txt").read_text()
        raise AssertionError(f"the CLI did not exit within {timeout} s:\n{tree}\n{err}") from None
    return (tmp_path / "out.txt").read_text(), (tmp_path / "err.txt").read_text()


def _wait_for_trials(path, n, process, limit=120):
    """Wait until the checkpoint at ``path`` holds ``n`` finished trials."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, (path.parent / "err.txt").read_text()
        if path.exists():
            try:
                state = checkpoint_module.read(path, _fingerprint_of(path))
                done = len(state.finished())
            except Exception:  # noqa: BLE001 - the file is replaced atomically; retry
                done = 0
            if done >= n:
                return done
        time.sleep(0.2)
    raise AssertionError(f"fewer than {n} trials after {limit} s")


def _fingerprint_of(path):
    import pickle

    with open(path, "rb") as stream:
        return pickle.load(stream)["checkpoint"].fingerprint


def test_ctrl_c_saves_the_best_model_so_far(tmp_path):
    process = _start_fit(tmp_path, 500)
    _wait_for_trials(tmp_path / "search.pkl", 3, process)
    process.send_signal(signal.SIGINT)
    out, err = _finish(process, tmp_path, 120)
    assert process.returncode == 0, err
    assert "INTERRUPTED: best found so far" in out
    model = automodel.load(tmp_path / "m.joblib")
    assert model.stop_reason_ == "interrupted"
    assert 3 <= len(model.cv_results_["params"]) < 500


def test_a_killed_search_resumes_from_its_checkpoint(tmp_path):
    process = _start_fit(tmp_path, 40)
    done = _wait_for_trials(tmp_path / "search.pkl", 4, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    saved = checkpoint_module.read(
        tmp_path / "search.pkl", _fingerprint_of(tmp_path / "search.pkl")
    )
    # on two cores a trial may be in flight at the kill: it is dropped, not kept
    finished = [doc["book_time"] for doc in saved.trials.trials if doc["tid"] in saved.records]
    assert len(finished) >= done
    rerun = _start_fit(tmp_path, len(finished) + 3)
    out, err = _finish(rerun, tmp_path, 300)
    assert rerun.returncode == 0, err
    model = automodel.load(tmp_path / "m.joblib")
    table = model.cv_results_
    assert len(table["params"]) == len(finished) + 3
    # the finished trials were kept, not rerun (same start times), and the leaderboard has them
    resumed = checkpoint_module.read(
        tmp_path / "search.pkl", _fingerprint_of(tmp_path / "search.pkl")
    )
    assert [d["book_time"] for d in resumed.trials.trials[: len(finished)]] == finished


def test_regression_fit_and_predict_on_a_csv(tmp_path, capsys):
    # body_mass_g holds whole numbers with many distinct values: task "auto" picks regression.
    out = tmp_path / "mass.joblib"
    table = tmp_path / "penguins.csv"
    pd.read_csv(PENGUINS).dropna(subset=["body_mass_g"]).to_csv(table, index=False)
    argv = ["fit", str(table), "--target", "body_mass_g", "--max-evals", "4", "--cv", "3"]
    code = main([*argv, "--seed", "0", "--families", "linear,tree", "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "task: regression (task='auto' chose regression" in captured.out
    assert "(regression) with CV r2" in captured.out
    model = automodel.load(out)
    assert isinstance(model, automodel.AutoModelRegressor)
    predictions = tmp_path / "mass.csv"
    assert main(["predict", str(out), str(table), "--out", str(predictions)]) == 0
    written = pd.read_csv(predictions)
    assert list(written.columns) == ["body_mass_g"]
    assert written["body_mass_g"].dtype == np.float64
    assert written["body_mass_g"].between(2000, 7000).all()
    assert main(["predict", str(out), str(table), "--proba"]) == 2
    assert "regressor: it gives numbers" in capsys.readouterr().err


def test_a_pickled_model_file_needs_trusted(tmp_path, capsys):
    out = tmp_path / "m.joblib"
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "1", "--cv", "3"]
    assert main([*argv, "--families", "tree", "--out", str(out), "--quiet"]) == 0
    model = automodel.load(out)
    payload = dump(predicting_part(model))
    old = {  # what automodel wrote before the safe format: a joblib pickle
        "format": "automodel.model",
        "format_version": 2,
        "metadata": {"versions": versions()},
        "leaderboard": {},
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    joblib.dump(old, out)
    capsys.readouterr()
    for command in (["predict", str(out), str(PENGUINS)], ["report", str(out)]):
        assert main(command) == 2
        assert "is a pickle" in capsys.readouterr().err
    written = tmp_path / "p.csv"
    assert main(["predict", str(out), str(PENGUINS), "--trusted", "--out", str(written)]) == 0
    assert pd.read_csv(written)["species"].tolist() == list(model.predict(pd.read_csv(PENGUINS)))


def test_predict_proba_of_an_svm_winner(tmp_path, capsys):
    out = tmp_path / "svm.joblib"
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "2", "--cv", "3"]
    assert main([*argv, "--families", "svm", "--out", str(out), "--quiet"]) == 0
    assert "probabilities calibrated" in capsys.readouterr().out
    predictions = tmp_path / "p.csv"
    assert main(["predict", str(out), str(PENGUINS), "--proba", "--out", str(predictions)]) == 0
    written = pd.read_csv(predictions)
    columns = ["proba_Adelie", "proba_Chinstrap", "proba_Gentoo"]
    assert list(written.columns) == ["species", *columns]
    np.testing.assert_allclose(written[columns].sum(axis=1), 1.0, rtol=1e-6)


def test_task_flag_forces_classification(tmp_path, capsys):
    argv = ["fit", str(PENGUINS), "--target", "year", "--task", "classification"]
    out = tmp_path / "year.joblib"
    argv += ["--max-evals", "2", "--cv", "3", "--families", "tree", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    assert automodel.load(out).task_ == "classification"
    assert "task: classification (--task classification" in capsys.readouterr().out


def test_fit_and_predict_read_a_semicolon_csv(tmp_path, capsys):
    table = tmp_path / "semicolon.csv"
    pd.read_csv(PENGUINS).to_csv(table, sep=";", index=False)
    out = tmp_path / "m.joblib"
    argv = ["fit", str(table), "--target", "species", "--max-evals", "2", "--cv", "3"]
    assert main([*argv, "--families", "tree", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), str(table), "--sep", ";"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "species" and len(lines) == 1 + len(pd.read_csv(PENGUINS))


def test_a_bug_keeps_its_traceback_instead_of_a_one_line_error(monkeypatch, capsys):
    def broken(*args, **kwargs):
        # Raised outside automodel's own checks, as a library's internal error would be.
        return np.asarray([1, 2]).reshape(3)

    monkeypatch.setattr("automodel.table.read_table", broken)
    with pytest.raises(ValueError, match="cannot reshape"):
        main(["fit", str(PENGUINS), "--target", "species"])
    assert "internal error, not a problem with your input" in capsys.readouterr().err


def test_none_is_accepted_where_none_means_something(tmp_path):
    from automodel.cli import _parser

    args = _parser().parse_args(
        ["fit", "t.csv", "--target", "y", "--trial-timeout", "none", "--ensemble", "none"]
    )
    assert args.trial_timeout is None and args.ensemble is None


def test_bagging_option_and_the_model_line(tmp_path, capsys):
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "4", "--cv", "3"]
    argv += ["--families", "tree,logreg", "--seed", "0", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "bag.joblib")]) == 0
    assert "model: the single best pipeline, bagged (3 fold models averaged)" in (
        capsys.readouterr().out
    )
    assert automodel.load(tmp_path / "bag.joblib").bagged_  # 344 rows: "auto" bags
    assert main([*argv, "--out", str(tmp_path / "one.joblib"), "--bagging", "off"]) == 0
    assert "bagged" not in capsys.readouterr().out
    single = automodel.load(tmp_path / "one.joblib").best_estimator_
    assert isinstance(predicting_model(single), Pipeline)  # maybe temperature-scaled


def test_fit_reads_decimal_commas_and_says_how_it_read_the_table(tmp_path, capsys):
    european = tmp_path / "penguins_eu.csv"
    pd.read_csv(PENGUINS).to_csv(european, sep=";", decimal=",", index=False)
    out = tmp_path / "m.joblib"
    argv = ["fit", str(european), "--target", "species", "--max-evals", "2", "--cv", "3"]
    assert main([*argv, "--families", "tree", "--out", str(out)]) == 0
    assert f"reading {european}: delimiter ';', decimal mark ','" in capsys.readouterr().out
    model = automodel.load(out)
    assert "bill_length_mm" in model.feature_names_in_
    assert main(["predict", str(out), str(european), "--decimal", ","]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "species"  # the CSV alone on stdout
    assert "decimal mark ','" in captured.err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"automodel {automodel.__version__}"


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--target", "specie"], "Target column 'specie' is not in"),
        (["--target", "species", "--families", "forrest"], "Unknown family 'forrest'"),
    ],
)
def test_a_typo_gets_a_suggestion(flags, message, capsys):
    assert main(["fit", str(PENGUINS), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "Did you mean" in err and len(err.splitlines()) == 1
    assert ("'species'?" if "specie'" in message else "'forest'?") in err


def test_predict_warns_of_an_extra_column_in_one_line(model_file, tmp_path, capsys):
    extra = tmp_path / "extra.csv"
    pd.read_csv(PENGUINS).assign(colour="red").to_csv(extra, index=False)
    assert main(["predict", str(model_file), str(extra), "--out", str(tmp_path / "p.csv")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warned == [
        "automodel: warning: Ignoring column(s) ['colour'] that were not seen at fit time."
    ]


def test_score_prints_the_models_own_metric_on_a_labelled_csv(model_file, tmp_path, capsys):
    labelled = pd.read_csv(PENGUINS)
    assert main(["score", str(model_file), str(PENGUINS)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    model = automodel.load(model_file)
    expected = (model.predict(labelled.drop(columns="species")) == labelled["species"]).mean()
    assert line.startswith(f"accuracy on {PENGUINS}: {expected:.4f} ({len(labelled)} rows;")
    # A target that is not there is one line with a suggestion.
    assert main(["score", str(model_file), str(PENGUINS), "--target", "specis"]) == 2
    assert "Did you mean 'species'?" in capsys.readouterr().err
