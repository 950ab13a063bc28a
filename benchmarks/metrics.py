"""The scores the report compares systems by, and how it writes them.

A :class:`Metric` names a record field (``test_accuracy``, ``test_r2``,
``test_rmse``), which way is better, its tie margin for the paired comparison and
how values and differences are printed. Classification reports rank by
:data:`ACCURACY`, regression reports by :data:`R2` (and show :data:`RMSE` beside it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["ACCURACY", "METRICS", "R2", "R2_TIE_MARGIN", "RMSE", "TIE_MARGIN", "Metric"]

#: Differences of test accuracy below this (0.5 percentage points) are ties.
TIE_MARGIN = 0.005
#: Differences of test R^2 below this are ties: half a hundredth of the target's
#: variance, the same number as the accuracy margin.
R2_TIE_MARGIN = 0.005


@dataclass(frozen=True)
class Metric:
    """How one score is compared and printed.

    ``scale`` multiplies a value before it is printed (100: percent) with
    ``digits`` decimals (None: four significant digits, for scores in the
    target's units such as RMSE); differences are printed as ``scale`` times
    the difference with ``diff_digits`` decimals, in ``diff_unit``.
    """

    column: str
    name: str
    heading: str
    axis: str
    png: str
    scale: float = 1.0
    digits: int | None = 3
    higher_is_better: bool = True
    tie_margin: float = 0.0
    margin_words: str = ""
    diff_unit: str = ""
    diff_digits: int = 3
    gap_unit: str = ""
    summary_unit: str = ""

    def text(self, value: float | None, digits: int | None = None) -> str:
        """A value as the report prints it ("–" when missing)."""
        if value is None or not np.isfinite(value):
            return "–"
        places = self.decimals(value) if digits is None else digits
        return f"{self.scale * value:.{places}f}"

    def decimals(self, value: float) -> int:
        """Decimals to print ``value`` with (four significant digits when ``digits`` is None)."""
        if self.digits is not None:
            return self.digits
        size = abs(self.scale * value)
        return max(0, 3 - math.floor(math.log10(size))) if size > 0 else 3

    def diff(self, value: float | None) -> str:
        """A signed paired difference ("–" when there is none)."""
        return "–" if value is None else f"{self.scale * value:+.{self.diff_digits}f}"

    def gap(self, value: float) -> str:
        """A signed gap between two mean scores, with its unit ("-1.2 points")."""
        return f"{self.scale * value:+.{self.digits}f} {self.gap_unit}"

    def margin(self, unit: str) -> str:
        """The tie margin in ``unit`` ("0.5 pp", "0.005 R²")."""
        return f"{self.scale * self.tie_margin:g} {unit}"

    def best(self, values: Iterable[float]) -> float:
        """The best of ``values`` (NaN when none is finite)."""
        finite = [v for v in values if np.isfinite(v)]
        if not finite:
            return np.nan
        return max(finite) if self.higher_is_better else min(finite)

    @property
    def worst_fill(self) -> float:
        """A score below every real one: what a failed run ranks as."""
        return -np.inf if self.higher_is_better else np.inf


ACCURACY = Metric(
    column="test_accuracy",
    name="test accuracy",
    heading="Test accuracy (%)",
    axis="test accuracy (%)",
    png="accuracy",
    scale=100.0,
    digits=1,
    tie_margin=TIE_MARGIN,
    margin_words="0.5 percentage points",
    diff_unit="pp",
    diff_digits=2,
    gap_unit="points",
    summary_unit="%",
)
R2 = Metric(
    column="test_r2",
    name="test R²",
    heading="Test R²",
    axis="test R²",
    png="r2",
    digits=3,
    tie_margin=R2_TIE_MARGIN,
    margin_words="0.005 R²",
    diff_unit="R²",
    diff_digits=3,
    gap_unit="R²",
    summary_unit="R²",
)
RMSE = Metric(
    column="test_rmse",
    name="test RMSE",
    heading="Test RMSE (target units)",
    axis="test RMSE",
    png="rmse",
    digits=None,
    higher_is_better=False,
)
#: The metric each task's report ranks systems by.
METRICS: dict[str, Metric] = {"classification": ACCURACY, "regression": R2}
