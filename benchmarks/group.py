"""One group of benchmark runs (a task and a budget) and the Markdown table its sections print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.metrics import METRICS, Metric

__all__ = ["Group", "markdown_table"]


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1
) -> list[str]:
    """Markdown table; columns from index ``right`` on are right-aligned."""
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---" if i < right else "---:" for i in range(len(headers))) + "|")
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return lines


@dataclass(frozen=True)
class Group:
    """One group of the report: its runs, task, where its plots go, its heading level."""

    frame: pd.DataFrame
    systems: list[str]
    out: Path
    suffix: str
    level: str
    task: str = "classification"

    @property
    def regression(self) -> bool:
        """Whether this group's runs are on regression tables."""
        return self.task == "regression"

    @property
    def metric(self) -> Metric:
        """What the group ranks and pairs systems by (test accuracy or test R^2)."""
        return METRICS[self.task]

    def png(self, name: str) -> str:
        """The file name of one of this group's plots (kept apart per group)."""
        return f"{name}{self.suffix}.png"
