"""AutoGluon's side of the ``autogluon`` peer: run by the Python of AutoGluon's own environment.

AutoGluon pins pandas below 3, automodel needs pandas 3, so the two cannot share one
environment: ``benchmarks/autogluon_peer.py`` writes the search part to CSV and runs this
file with AutoGluon's interpreter (``AUTOMODEL_AUTOGLUON_PYTHON``). It imports only
the standard library, pandas and AutoGluon.

    python autogluon_job.py fit JOB_DIR    # train.csv + job.json -> model/ + fit.json
    python autogluon_job.py predict JOB_DIR  # test.csv -> predictions.csv
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

LABEL = "__target__"


def fit(job: Path) -> None:
    """Fit a TabularPredictor on ``train.csv`` with the settings of ``job.json``."""
    import pandas as pd
    from autogluon.tabular import TabularPredictor

    settings = json.loads((job / "job.json").read_text())
    train = pd.read_csv(job / "train.csv")
    started = time.perf_counter()
    predictor = TabularPredictor(
        label=LABEL,
        problem_type=settings["problem_type"],
        eval_metric=settings["eval_metric"],
        path=str(job / "model"),
        verbosity=0,
    ).fit(train, presets=settings["presets"], time_limit=settings["time_limit"])
    board = predictor.leaderboard(silent=True)
    best = predictor.model_best
    # AutoGluon's validation score of its best model (out-of-fold for bagged presets).
    score = board.loc[board["model"] == best, "score_val"]
    (job / "fit.json").write_text(
        json.dumps(
            {
                "fit_time": time.perf_counter() - started,
                "best_model": best,
                "score_val": float(score.iloc[0]) if len(score) else None,
                "n_models": int(len(board)),
                "version": _version(),
            }
        )
    )


def predict(job: Path) -> None:
    """Predict ``test.csv`` with the fitted predictor into ``predictions.csv``."""
    import pandas as pd
    from autogluon.tabular import TabularPredictor

    predictor = TabularPredictor.load(str(job / "model"), require_py_version_match=False)
    test = pd.read_csv(job / "test.csv")
    predictor.predict(test).to_frame("prediction").to_csv(job / "predictions.csv", index=False)


def _version() -> str:
    from importlib.metadata import version

    return version("autogluon.tabular")


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    {"fit": fit, "predict": predict}[command](folder)
