"""Model files: a zip archive with a JSON header (format version, metadata, the
leaderboard, the model entry's SHA-256) and the fitted model as one entry.

The model entry is ``model.skops`` when every type in it is one automodel trusts
(every default family: see :mod:`automodel.safe_format`): it loads without running
code from the file. Anything else (an own network, a class of the user's script,
CatBoost) is ``model.pkl``, a cloudpickle (:mod:`automodel.payload`), and is loaded
only with ``trusted=True``: unpickling runs code chosen by whoever wrote the file.
Files of format 2 (automodel before the zip format) are joblib pickles: refused
unless trusted, then read as before. The header is read without either.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from automodel import safe_format
from automodel.estimator import AutoModelEstimator
from automodel.payload import ModelFileError, dump, keras_backend, loads
from automodel.portable import predicting_part, versions

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "read_metadata", "save"]

FORMAT = "automodel.model"
#: Bumped when the layout of the file changes; files of another version are refused.
FORMAT_VERSION = 3
#: The last format that was a joblib pickle (read only with ``trusted=True``).
PICKLED_FORMAT_VERSION = 2
HEADER = "automodel.json"
SAFE_ENTRY = "model.skops"
PICKLE_ENTRY = "model.pkl"
ZIP_MAGIC = b"PK\x03\x04"
#: First bytes of a pickle (protocol 2 or later) and of joblib's zlib-compressed one.
PICKLE_STARTS = (b"\x80", b"\x78")


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
    part = predicting_part(model)
    data, entry = safe_format.dumps(part), SAFE_ENTRY
    if data is None:
        data, entry = dump(part), PICKLE_ENTRY
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": {
            **_metadata(model),
            "keras_backend": keras_backend(data) if entry == PICKLE_ENTRY else None,
        },
        "leaderboard": _plain(model.leaderboard().to_dict(orient="list")),
        "entry": entry,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(HEADER, json.dumps(header, default=str, indent=1))
            # skops bytes are compressed already
            kind = zipfile.ZIP_STORED if entry == SAFE_ENTRY else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compress_type=kind)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def _not_a_model(source: Path, why: str) -> ModelFileError:
    return ModelFileError(
        f"{str(source)!r} is not a readable automodel model file ({why}). Save a model "
        "with `automodel fit ... --out FILE` or automodel.save(model, FILE)."
    )


def _read_document(
    path: str | os.PathLike[str], trusted: bool, with_data: bool = True
) -> dict[str, Any]:
    """The header of a model file, with ``"data"`` (the model entry's bytes) when
    ``with_data``."""
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"No model file at {str(source)!r}; check the path.")
    with open(source, "rb") as stream:
        start = stream.read(len(ZIP_MAGIC))
    if start[:1] in PICKLE_STARTS:
        return _read_pickled(source, trusted)
    if start != ZIP_MAGIC:
        raise _not_a_model(source, "it is neither a zip archive nor a pickle")
    try:
        with zipfile.ZipFile(source) as archive:
            document = json.loads(archive.read(HEADER))
            entry = document.get("entry") if isinstance(document, dict) else None
            if with_data and entry in (SAFE_ENTRY, PICKLE_ENTRY):
                document["data"] = archive.read(entry)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError) as exc:
        raise _not_a_model(source, f"truncated, corrupt or of another kind: {exc}") from None
    _check_header(source, document)
    return document


def _read_pickled(source: Path, trusted: bool) -> dict[str, Any]:
    """A format-2 file (a joblib pickle), read only when ``trusted``."""
    if not trusted:
        raise ModelFileError(
            f"{str(source)!r} is a pickle, not automodel's model format: maybe a model file "
            "of an older automodel. Loading a pickle runs code chosen by "
            "whoever wrote the file. If you trust its source, load it with "
            "automodel.load(path, trusted=True) (CLI: --trusted) and save it again."
        )
    try:
        document = joblib.load(source)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "not a model"
        raise _not_a_model(source, f"{type(exc).__name__}: {exc}") from None
    _check_header(source, document, PICKLED_FORMAT_VERSION)
    document.update(entry=PICKLE_ENTRY, data=document.get("payload"))
    return document


def _check_header(source: Path, document: Any, expected: int = FORMAT_VERSION) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(
            f"{str(source)!r} is not an automodel model file (no automodel header); "
            "save a model with automodel.save(model, FILE)."
        )
    found = document.get("format_version")
    if found != expected:
        saved_by = (document.get("metadata") or {}).get("versions", {}).get("automodel")
        raise ModelFileError(
            f"{str(source)!r} has model file format version {found} (saved by automodel "
            f"{saved_by}), but this automodel reads version {expected}; refit the model "
            f"with this version, or load it with automodel {saved_by}."
        )


def read_metadata(path: str | os.PathLike[str], trusted: bool = False) -> dict[str, Any]:
    """The metadata and leaderboard of a model file, without loading the model
    (a format-2 file is a pickle: only with ``trusted``)."""
    document = _read_document(path, trusted, with_data=False)
    return {"metadata": document["metadata"], "leaderboard": document["leaderboard"]}


def load(path: str | os.PathLike[str], trusted: bool = False) -> Any:
    """Read a model written by :func:`save`, verifying its checksum.

    A model of the default families loads without running code from the file. A
    pickled model (own networks, classes of a script, CatBoost, files of older
    automodel versions) loads only with ``trusted=True``: unpickling runs code chosen
    by whoever wrote the file.
    """
    document = _read_document(path, trusted)
    data = document.get("data")
    if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != document.get("sha256"):
        raise ModelFileError(
            f"{str(path)!r} failed its SHA-256 check: the model inside is corrupt or was "
            "changed after saving. Refit the model or restore the file from a good copy."
        )
    _warn_versions(path, document["metadata"]["versions"])
    if document["entry"] == SAFE_ENTRY:
        try:
            return safe_format.loads(data, trust_all=trusted)
        except safe_format.UntrustedTypesError as exc:
            raise ModelFileError(
                f"{str(path)!r} holds types that automodel does not trust ({exc}). If you "
                "trust its source, load it with trusted=True (CLI: --trusted)."
            ) from None
    if not trusted:
        raise ModelFileError(
            f"{str(path)!r} holds a pickled model (an own network, a class of a script or "
            "CatBoost: types the safe format does not take), and loading a pickle runs code "
            "chosen by whoever wrote the file. If you trust its source, load it with "
            "trusted=True (CLI: --trusted)."
        )
    return loads(data, str(path), document["metadata"].get("keras_backend"))


def _warn_versions(path: str | os.PathLike[str], saved: dict[str, Any]) -> None:
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
            stacklevel=3,
        )
