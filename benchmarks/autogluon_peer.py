"""The ``autogluon`` peer: AutoGluon's ``best_quality`` preset, run in AutoGluon's own environment.

AutoGluon pins pandas below 3 and automodel needs pandas 3, so AutoGluon lives in a
virtual environment of its own (``benchmarks/setup_autogluon.sh`` makes it) and this
system talks to it through files: the search part goes to ``train.csv``, AutoGluon's
interpreter (:func:`benchmarks.presets.autogluon_python`) runs
``benchmarks/autogluon_job.py`` (isolated: ``-I``), and the test part comes back as
predictions. AutoGluon takes every core of the machine: run it with ``--jobs 1``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.presets import autogluon_python
from benchmarks.system_parts import Budget, Fitted

__all__ = ["PRESETS", "TIME_LIMIT", "fit_autogluon", "for_task"]

#: AutoGluon's preset and its time limit per table (seconds), as the accuracy issue asks.
PRESETS = "best_quality"
TIME_LIMIT = 120
JOB = Path(__file__).with_name("autogluon_job.py")
LABEL = "__target__"


def _run(command: str, job: Path) -> None:
    done = subprocess.run(
        [str(autogluon_python()), "-I", str(JOB), command, str(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"AutoGluon's {command} failed:\n{done.stderr[-3000:]}")


def _problem_type(y: np.ndarray, task: str) -> tuple[str, str]:
    if task == "regression":
        return "regression", "r2"
    return ("binary" if len(np.unique(y)) == 2 else "multiclass"), "accuracy"


def fit_autogluon(
    X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget, task: str = "classification"
) -> Fitted:
    """AutoGluon ``best_quality`` with ``TIME_LIMIT`` seconds on the search part.

    Its CV score is AutoGluon's validation score of its best model (out-of-fold
    under bagging). The fitted predictor is deleted after its one prediction.
    """
    job = Path(tempfile.mkdtemp(prefix=f"autogluon-{seed}-"))
    X.assign(**{LABEL: y}).to_csv(job / "train.csv", index=False)
    problem_type, metric = _problem_type(y, task)
    settings = {
        "problem_type": problem_type,
        "eval_metric": metric,
        "presets": PRESETS,
        "time_limit": TIME_LIMIT,
    }
    (job / "job.json").write_text(json.dumps(settings))
    _run("fit", job)
    info = json.loads((job / "fit.json").read_text())

    def predict(X_test: pd.DataFrame) -> np.ndarray:
        try:
            X_test.to_csv(job / "test.csv", index=False)
            _run("predict", job)
            values = pd.read_csv(job / "predictions.csv")["prediction"].to_numpy()
        finally:
            shutil.rmtree(job, ignore_errors=True)
        return values.astype(np.float64) if task == "regression" else values

    return Fitted(
        predict=predict,
        cv_score=info["score_val"],
        n_evals=info["n_models"],
        n_failures=None,
        details={
            "best_family": info["best_model"],
            "fit_time": info["fit_time"],
            "presets": PRESETS,
            "time_limit": TIME_LIMIT,
            "autogluon_version": info["version"],
        },
    )


def for_task(task: str) -> Callable[[pd.DataFrame, np.ndarray, int, Budget], Fitted]:
    """The ``autogluon`` system of ``task``."""

    def fit(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
        return fit_autogluon(X, y, seed, budget, task)

    fit.__doc__ = f"AutoGluon {PRESETS} ({task}), {TIME_LIMIT} s a table."
    return fit
