"""Model files: one joblib file with a format version, metadata, the leaderboard
and the fitted model, checked by SHA-256 when loaded.

Model files are pickles: loading one runs code chosen by whoever wrote it. Only
load files from sources you trust; the checksum detects corruption, not malice.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from automodel.estimator import AutoModelEstimator
from automodel.payload import ModelFileError, dump, keras_backend, loads
from automodel.portable import predicting_part, versions

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "read_metadata", "save"]

FORMAT = "automodel.model"
#: Bumped when the layout of the file changes; files of another version are refused.
FORMAT_VERSION = 2


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as Python values, so metadata needs no NumPy to read."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is pd.NA:
        return None
    return value


def _metadata(model: Any) -> dict[str, Any]:
    columns = getattr(model, "_columns", None)
    scoring = getattr(model, "scoring_", model.scoring)
    return {
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "estimator": type(model).__name__,
        "task": getattr(model, "task_", None),
        "columns": _plain(columns) if columns is not None else None,
        "dtypes": _plain(getattr(model, "_dtypes", None)),
        "n_features_in": int(model.n_features_in_),
        "classes": _plain(getattr(model, "classes_", None)),
        "scoring": scoring if isinstance(scoring, str) else repr(scoring),
        "best_score": float(model.best_score_),
        "best_params": _plain(model.best_params_),
        "n_trials": len(model.cv_results_["params"]),
        "stop_reason": getattr(model, "stop_reason_", None),
    }


def save(model: Any, path: str | os.PathLike[str]) -> Path:
    """Write a fitted ``AutoModelClassifier`` or ``AutoModelRegressor`` to ``path``
    (atomically) and return the path."""
    if not isinstance(model, AutoModelEstimator):
        raise TypeError(
            f"save() takes a fitted AutoModelClassifier or AutoModelRegressor, got "
            f"{type(model).__name__}; for a plain scikit-learn object use joblib.dump."
        )
    check_is_fitted(model, "best_estimator_")
    payload = dump(predicting_part(model))
    table = model.leaderboard()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": {**_metadata(model), "keras_backend": keras_backend(payload)},
        "leaderboard": _plain(table.to_dict(orient="list")),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        joblib.dump(document, temporary, compress=3)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def _read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"No model file at {str(source)!r}; check the path.")
    try:
        document = joblib.load(source)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "not a model"
        raise ModelFileError(
            f"{str(source)!r} is not a readable automodel model file (it is truncated, corrupt "
            f"or of another kind: {type(exc).__name__}: {exc}). Save a model with "
            "`automodel fit ... --out FILE` or automodel.save(model, FILE)."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(
            f"{str(source)!r} is not an automodel model file (no automodel header); "
            "save a model with automodel.save(model, FILE)."
        )
    found = document.get("format_version")
    if found != FORMAT_VERSION:
        saved_by = (document.get("metadata") or {}).get("versions", {}).get("automodel")
        raise ModelFileError(
            f"{str(source)!r} has model file format version {found} (saved by automodel "
            f"{saved_by}), but this automodel reads version {FORMAT_VERSION}; refit the model "
            f"with this version, or load it with automodel {saved_by}."
        )
    return document


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The metadata and leaderboard of a model file, without unpickling the model."""
    document = _read_document(path)
    return {"metadata": document["metadata"], "leaderboard": document["leaderboard"]}


def load(path: str | os.PathLike[str]) -> Any:
    """Read a model written by :func:`save`, verifying its checksum.

    Only load files you trust: a model file is a pickle.
    """
    document = _read_document(path)
    payload = document.get("payload")
    if not isinstance(payload, bytes) or hashlib.sha256(payload).hexdigest() != document.get(
        "sha256"
    ):
        raise ModelFileError(
            f"{str(path)!r} failed its SHA-256 check: the model inside is corrupt or was "
            "changed after saving. Refit the model or restore the file from a good copy."
        )
    saved = document["metadata"]["versions"]
    current = versions()
    differ = {
        name: (saved.get(name), current.get(name))
        for name in ("scikit-learn", "xgboost", "numpy")
        if saved.get(name) != current.get(name)
    }
    if differ:
        described = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in differ.items())
        warnings.warn(
            f"{str(path)!r} was saved with other library versions ({described}); "
            "predictions may differ. Refit the model to be safe.",
            UserWarning,
            stacklevel=2,
        )
    return loads(payload, str(path), document["metadata"].get("keras_backend"))
