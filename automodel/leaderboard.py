"""The leaderboard as text: an aligned table that fits the terminal, then the winner in full.

:class:`Leaderboard` is the DataFrame that ``model.leaderboard()`` returns; it prints
(``print(model.leaderboard(5))``) as :func:`render` writes it, and stays a DataFrame
for everything else. :func:`render` cuts only the params column to the width and
writes below the table the best trial's parameters in full and, for an ensemble, its
members by family and weight.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

import pandas as pd

from automodel.formatting import fmt_number

__all__ = ["HEADERS", "Leaderboard", "render"]

HEADERS = ["rank", "trial", "family", "scaler", "score", "fit s", "params"]
#: The columns :func:`render` reads.
NEEDED = {
    "rank_test_score",
    "trial",
    "family",
    "preprocessing",
    "mean_test_score",
    "std_test_score",
    "mean_fit_time",
    "params",
}
#: Keys of a trial's params that have columns of their own.
HIDDEN = ("family", "scaler")


class Leaderboard(pd.DataFrame):
    """The trials, best first: a DataFrame that prints as an aligned text table."""

    @property
    def _constructor(self) -> type[Leaderboard]:
        return Leaderboard

    def __repr__(self) -> str:
        if not set(self.columns) >= NEEDED or self.empty:
            return super().__repr__()
        return render(self)


def _params_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={fmt_number(v)}" for k, v in params.items() if k not in HIDDEN)


def _score_cell(family: str, mean: float, std: float) -> str:
    if family == "ensemble":
        return f"{mean:.4f} (out-of-fold)"
    return f"{mean:.4f} ± {std:.4f}" if mean == mean else "failed"


def _rows(board: pd.DataFrame) -> list[list[str]]:
    return [
        [
            "-" if row.family == "ensemble" else str(row.rank_test_score),
            "-" if row.trial is pd.NA else str(row.trial),
            str(row.family),
            str(row.preprocessing),
            _score_cell(row.family, row.mean_test_score, row.std_test_score),
            f"{row.mean_fit_time:.3f}" if row.mean_fit_time == row.mean_fit_time else "-",
            _params_text(row.params),
        ]
        for row in board.itertuples(index=False)
    ]


def _winner(board: pd.DataFrame, width: int) -> list[str]:
    """The best trial's parameters in full and an ensemble's members, wrapped."""
    lines = []
    singles = board[board["family"] != "ensemble"]
    if len(singles):
        best = singles.iloc[0]
        text = f"best trial {best['trial']} ({best['family']}, scaler {best['preprocessing']}): "
        lines.append(text + (_params_text(best["params"]) or "defaults"))
    ensemble = board[board["family"] == "ensemble"]
    if len(ensemble):
        lines.append(f"ensemble: {ensemble.iloc[0]['params'].get('members', '')}")
    wrapped = [textwrap.fill(line, width, subsequent_indent="    ") for line in lines]
    return ["", *wrapped] if wrapped else []


def render(board: pd.DataFrame, width: int | None = None) -> str:
    """``board`` as left-aligned columns within ``width`` characters (default: the
    terminal's); a params cell that does not fit is cut, the winner is written in full."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    rows = _rows(board)
    widths = [max(len(r[k]) for r in [HEADERS, *rows]) for k in range(len(HEADERS) - 1)]
    room = max(10, width - sum(widths) - 2 * len(widths))
    lines = []
    for row in [HEADERS, *rows]:
        params = row[-1] if len(row[-1]) <= room else row[-1][: room - 1] + "…"
        cells = [cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, params]).rstrip())
    return "\n".join(lines + _winner(board, width))
