"""Short text for hyperparameter and score values (leaderboards, plots, MLflow parameters)."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

__all__ = ["fmt_number", "is_number"]


def fmt_number(value: Any, digits: int = 4) -> str:
    """Short text for a hyperparameter or score value."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            return str(value)
        return f"{value:.{digits}g}"
    if isinstance(value, type) or callable(value):
        # A class or function as a value (an optimiser, an activation): its short name.
        return getattr(value, "__qualname__", getattr(value, "__name__", str(value)))
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
