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
#: Distributions that provide a package's module, in order of preference: automodel
#: depends on XGBoost's CPU build; a user may have the CUDA build instead.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {"xgboost": ("xgboost-cpu", "xgboost")}


def _installed(package: str) -> tuple[str, str] | None:
    """``(distribution, version)`` of what provides ``package`` here, or None."""
    for distribution in DISTRIBUTIONS.get(package, (package,)):
        try:
            return distribution, version(distribution)
        except PackageNotFoundError:
            continue
    return None


def requirements() -> list[str]:
    """Pinned pip requirements of a saved model: the libraries in its pickle, by the
    distribution installed here (``xgboost-cpu`` or ``xgboost``)."""
    found = (_installed(package) for package in PACKAGES)
    return [f"{name}=={v}" for name, v in filter(None, found)]


def versions() -> dict[str, str | None]:
    """Python's version and each package's (whichever distribution provides it)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for package in PACKAGES:
        installed = _installed(package)
        found[package] = None if installed is None else installed[1]
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
