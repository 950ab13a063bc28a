"""What ``automodel predict`` writes: the predictions, and on request probabilities,
intervals or sets, as one table.

:func:`add_predict_flags` adds ``--proba``, ``--interval`` and ``--set``;
:func:`prediction_table` builds the table from a loaded model. A flag the model
cannot answer (probabilities of a regressor, an interval of a classifier) is a
ValueError that names the flag to use instead.
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd
from sklearn.base import is_regressor

from automodel.conformal import check_coverage

__all__ = ["add_predict_flags", "coverage_arg", "prediction_table"]


def coverage_arg(text: str) -> float:
    """``--interval`` / ``--set``: a coverage between 0 and 1 (e.g. 0.9)."""
    try:
        return check_coverage(float(text))
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: a coverage between 0 and 1, e.g. 0.9") from exc


def add_predict_flags(command: argparse.ArgumentParser) -> None:
    """The flags of what ``predict`` writes next to the predictions."""
    proba_help = "also write one probability column per class (when the model has them)"
    command.add_argument("--proba", action="store_true", help=proba_help)
    command.add_argument(
        "--interval",
        type=coverage_arg,
        default=None,
        metavar="COVERAGE",
        help="regression: also write the bounds of a conformal prediction interval that "
        "holds the true value with this probability (e.g. 0.9): columns NAME_lower, "
        "NAME_upper",
    )
    command.add_argument(
        "--set",
        type=coverage_arg,
        default=None,
        metavar="COVERAGE",
        help="classification: also write the conformal prediction set that holds the "
        "true class with this probability (e.g. 0.9): column NAME_set, labels joined by |",
    )


def _probabilities(model: Any, X: Any, out: pd.DataFrame) -> None:
    if is_regressor(model):
        raise ValueError(
            "the model is a regressor: it gives numbers, not probabilities; drop --proba "
            "(--interval gives a range for each number)."
        )
    if not hasattr(model, "predict_proba"):
        why = getattr(model, "proba_note_", "")
        why = why or "it has neither probabilities nor decision values"
        raise ValueError(
            f"the model's {model.best_params_['family']} estimator gives no probabilities "
            f"({why}); drop --proba."
        )
    proba = model.predict_proba(X)
    for k, label in enumerate(model.classes_):
        out[f"proba_{label}"] = proba[:, k]


def prediction_table(
    model: Any,
    X: Any,
    proba: bool = False,
    interval: float | None = None,
    sets: float | None = None,
) -> pd.DataFrame:
    """The predictions of ``model`` for ``X`` (a column named after the target), with
    probability columns (``proba``), interval bounds (``interval``: its coverage) or
    prediction sets (``sets``: their coverage)."""
    name = model.target_name_ or "prediction"
    if (interval is not None or sets is not None) and not hasattr(model, "conformal_"):
        flag = "--interval" if interval is not None else "--set"
        raise ValueError(
            f"the model file holds no calibration for {flag} (it was written by an earlier "
            "automodel, or its winner kept no out-of-fold predictions): fit it again."
        )
    out = pd.DataFrame({name: model.predict(X)})
    if proba:
        _probabilities(model, X, out)
    if interval is not None:
        if not is_regressor(model):
            raise ValueError(
                "the model is a classifier: an interval is for numbers; use --set "
                f"{interval} for a set of classes that holds the true one."
            )
        bounds = model.predict_interval(X, interval)
        out[f"{name}_lower"], out[f"{name}_upper"] = bounds[:, 0], bounds[:, 1]
    if sets is not None:
        if is_regressor(model):
            raise ValueError(
                f"the model is a regressor: a set is for classes; use --interval {sets} "
                "for a range that holds the true value."
            )
        chosen = model.predict_set(X, sets)
        labels = model.classes_.astype(str)
        out[f"{name}_set"] = ["|".join(labels[row]) for row in chosen]
    return out
