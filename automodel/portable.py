"""What a saved or logged model carries: its predicting part and the pinned requirements."""

from __future__ import annotations

import copy
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from automodel.families import Family

__all__ = ["PACKAGES", "predicting_part", "requirements", "versions"]

#: The libraries a saved model's pickle refers to.
PACKAGES = (
    "automodel",
    "scikit-learn",
    "xgboost",
    "lightgbm",
    "catboost",
    "numpy",
    "pandas",
    "joblib",
)


def requirements() -> list[str]:
    """Pinned pip requirements of a saved model: the libraries in its pickle."""
    return [f"{name}=={v}" for name, v in versions().items() if name != "python" and v]


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def predicting_part(model: Any) -> Any:
    """The model as saved: what predicting needs. The user's own ``Family`` records
    (their space functions may be lambdas or live in the user's script) become their
    names, so the file loads wherever the fitted pipeline's classes can be imported."""
    families = model.families
    if isinstance(families, Family):
        families = [families]
    if isinstance(families, (list, tuple)) and any(isinstance(f, Family) for f in families):
        model = copy.copy(model)
        model.families = [f.name if isinstance(f, Family) else f for f in families]
    return model
