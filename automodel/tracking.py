"""MLflow tracking of a search (the ``[mlflow]`` extra), from the main process only.

The search's run (the active one, or one started for it) gets automodel's
parameters, the task and the data's shape; each trial becomes a nested child run
(family, scaler, parameters, mean/std score, fit time, status, error) as it
finishes; at the end the run gets the best score, the stop reason, the leaderboard
as a CSV artifact, the report when one is written, and the model through
``mlflow.sklearn.log_model`` with a signature and an input example.

A tracking store that fails (an unreachable URI, a full disk) costs one warning:
the tracker switches itself off and the search goes on, losing nothing.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from automodel.evaluate import take_rows
from automodel.formatting import fmt_number
from automodel.portable import predicting_part, requirements
from automodel.results import trial_params
from automodel.trial import TrialRecord

__all__ = ["MlflowWarning", "Tracker", "log_report", "open_tracker"]

#: Rows of the training table kept as the logged model's input example.
EXAMPLE_ROWS = 5


class MlflowWarning(UserWarning):
    """Logging to MLflow failed; the search went on without it."""


def open_tracker(setting: bool | None) -> Tracker | None:
    """The tracker for ``mlflow_logging=setting``: None (log when an MLflow run is
    active), True (start a run when none is), False (never)."""
    if setting is False:
        return None
    if setting is None:
        mlflow = sys.modules.get("mlflow")  # an active run means mlflow is imported
        if mlflow is None or mlflow.active_run() is None:
            return None
        return Tracker(mlflow, started=False)
    try:
        import mlflow
    except ImportError:
        raise ImportError(
            "mlflow_logging=True needs MLflow: pip install 'automodel[mlflow]'."
        ) from None
    started = mlflow.active_run() is None
    tracker = Tracker(mlflow, started=started)
    tracker.call(lambda: mlflow.start_run() if started else None)
    return tracker


class Tracker:
    """Logs one search to MLflow; every call is guarded (see :meth:`call`)."""

    def __init__(self, mlflow: Any, started: bool) -> None:
        self.mlflow = mlflow
        self.started = started
        self.on = True
        self.parent: str | None = None  # the search's run: trials may log from other threads

    def call(self, action: Any) -> Any:
        """Run ``action``; on any failure warn once and stop logging."""
        if not self.on:
            return None
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - tracking must never stop a search
            self.on = False
            warnings.warn(
                f"MLflow logging failed ({type(exc).__name__}: {exc}); the search goes on "
                "without it.",
                MlflowWarning,
                stacklevel=3,
            )
            return None

    def start(self, params: dict[str, Any], task: str, shape: tuple[int, int]) -> None:
        """The search's parameters, task and data shape on the run."""
        self.parent = self.call(lambda: self.mlflow.active_run().info.run_id)
        shown = {k: _text(v) for k, v in params.items()}
        families = params.get("families")
        if isinstance(families, (list, tuple)):
            shown["families"] = ",".join(getattr(f, "name", str(f)) for f in families)
        self.call(
            lambda: (
                self.mlflow.log_params(
                    {**shown, "task": task, "n_rows": shape[0], "n_columns": shape[1]}
                ),
                self.mlflow.set_tag("automodel.task", task),
            )
        )

    def trial(self, record: TrialRecord, state: Any = None) -> None:
        """One finished trial as a nested child run (an observer of the search loop)."""
        index = record.tid

        def log() -> None:
            # The parent by id: MLflow's active run is thread-local, and observers may be
            # called from another thread than the one that started the search's run.
            with self.mlflow.start_run(
                run_name=f"trial {index}", nested=True, parent_run_id=self.parent
            ):
                params = trial_params(record.config)
                self.mlflow.log_params({k: _text(v) for k, v in params.items()})
                self.mlflow.set_tags({"status": str(record.status), "trial": index})
                if record.ok:
                    self.mlflow.log_metrics(
                        {
                            "mean_test_score": float(np.mean(record.scores)),
                            "std_test_score": float(np.std(record.scores)),
                            "mean_fit_time": float(np.mean(record.fit_time)),
                        }
                    )
                else:
                    self.mlflow.set_tags(
                        {"reason": str(record.reason), "error": record.error[:500]}
                    )

        self.call(log)

    def finish(self, model: Any, X: Any) -> None:
        """Best score, stop reason, leaderboard and the model; end a started run."""

        def log() -> None:
            from mlflow.models import infer_signature

            self.mlflow.log_metrics({"best_score": float(model.best_score_)})
            self.mlflow.set_tags(
                {"stop_reason": model.stop_reason_, "best_family": model.best_params_["family"]}
            )
            with tempfile.TemporaryDirectory() as folder:
                board = Path(folder) / "leaderboard.csv"
                model.leaderboard().to_csv(board, index=False)
                self.mlflow.log_artifact(str(board))
            example = take_rows(X, np.arange(min(EXAMPLE_ROWS, X.shape[0])))
            signature = infer_signature(example, model.predict(example))
            # A pickle, as automodel.save writes: skops would need every type of every
            # family's estimator listed as trusted.
            self.mlflow.sklearn.log_model(
                predicting_part(model),
                name="model",
                signature=signature,
                input_example=example,
                serialization_format="cloudpickle",
                pip_requirements=requirements(),  # pinned; no slow inference subprocess
            )

        run = self.call(lambda: self.mlflow.active_run().info.run_id)
        if run is not None:
            model.mlflow_run_id_ = run
        self.call(log)
        self.close()

    def close(self) -> None:
        """End the run this tracker started (a user's active run stays open)."""
        if self.started:
            self.started = False
            with contextlib.suppress(Exception):  # nothing more to log to
                self.mlflow.end_run()


def log_report(model: Any, path: Path) -> None:
    """Add a written report to the model's MLflow run, if it was tracked."""
    run_id = getattr(model, "mlflow_run_id_", None)
    mlflow = sys.modules.get("mlflow")
    if run_id is None or mlflow is None:
        return
    tracker = Tracker(mlflow, started=False)

    def log() -> None:
        active = mlflow.active_run()
        if active is not None and active.info.run_id == run_id:
            mlflow.log_artifacts(str(path.parent), artifact_path="report")
        else:
            mlflow.MlflowClient().log_artifacts(run_id, str(path.parent), artifact_path="report")

    tracker.call(log)


def _text(value: Any) -> str:
    """A parameter value as MLflow shows it (classes and functions by name)."""
    return fmt_number(value)[:500]
