"""The AutoGluon peer's plumbing (benchmarks/autogluon_peer.py), with a stand-in interpreter.

AutoGluon itself lives in its own environment (benchmarks/setup_autogluon.sh); here a
small script plays its interpreter: it checks what the peer wrote and answers as
benchmarks/autogluon_job.py does.
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from benchmarks.autogluon_peer import fit_autogluon
from benchmarks.presets import AUTOGLUON_PYTHON, availability
from benchmarks.system_parts import Budget

STAND_IN = """\
import json, sys
from pathlib import Path
import pandas as pd

_, job_file, command, folder = sys.argv[1:]
job = Path(folder)
if command == "fit":
    train = pd.read_csv(job / "train.csv")
    settings = json.loads((job / "job.json").read_text())
    assert "__target__" in train.columns, train.columns
    (job / "fit.json").write_text(json.dumps({
        "fit_time": 1.5, "best_model": "WeightedEnsemble_L2", "score_val": 0.75,
        "n_models": len(train), "version": settings["problem_type"],
    }))
    (job / "mean.txt").write_text(str(train["__target__"].mean()))
else:
    test = pd.read_csv(job / "test.csv")
    value = float((job / "mean.txt").read_text())
    pd.DataFrame({"prediction": [value] * len(test)}).to_csv(job / "predictions.csv", index=False)
"""


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    script = tmp_path / "python"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(STAND_IN))
    script.chmod(0o755)
    monkeypatch.setenv(AUTOGLUON_PYTHON, str(script))
    return script


def test_the_peer_fits_and_predicts_through_files_then_cleans_up(stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    X = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "b": ["x", "y", "x", None]})
    fitted = fit_autogluon(X, np.array([1.0, 2.0, 3.0, 6.0]), 0, Budget(5, 3), "regression")
    assert fitted.cv_score == 0.75 and fitted.n_evals == 4
    assert fitted.details["best_family"] == "WeightedEnsemble_L2"
    assert fitted.details["autogluon_version"] == "regression"  # the problem type went across
    np.testing.assert_allclose(fitted.predict(X.iloc[:3]), [3.0, 3.0, 3.0])
    assert not list(tmp_path.glob("autogluon-*")), "the fitted predictor is deleted after use"


def test_classification_is_binary_or_multiclass(stand_in):
    X = pd.DataFrame({"a": range(6)})
    two = fit_autogluon(X, np.array([0, 1, 0, 1, 0, 1]), 0, Budget(5, 3))
    three = fit_autogluon(X, np.array([0, 1, 2, 0, 1, 2]), 0, Budget(5, 3))
    assert two.details["autogluon_version"] == "binary"
    assert three.details["autogluon_version"] == "multiclass"


def test_a_failed_fit_names_autogluons_error(tmp_path, monkeypatch):
    script = tmp_path / "python"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.exit('no AutoGluon here')\n")
    script.chmod(0o755)
    monkeypatch.setenv(AUTOGLUON_PYTHON, str(script))
    with pytest.raises(RuntimeError, match="AutoGluon's fit failed:\nno AutoGluon here"):
        fit_autogluon(pd.DataFrame({"a": [1, 2]}), np.array([0, 1]), 0, Budget(5, 3))


def test_a_missing_interpreter_makes_the_peer_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv(AUTOGLUON_PYTHON, str(tmp_path / "nothing"))
    reason = availability("autogluon")
    assert reason is not None and "setup_autogluon.sh" in reason
    monkeypatch.setenv(AUTOGLUON_PYTHON, sys.executable)
    assert availability("autogluon") is None
    assert availability("rf-default") is None
