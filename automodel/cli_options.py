"""The ``automodel fit`` flags of the settings' declarations, the CSV flags, the leaderboard.

:func:`add_setting_flags` adds one argparse option per declared flag
(:data:`automodel.settings.SETTINGS`); :func:`setting_params` turns the parsed
values into the estimators' parameters.
"""

from __future__ import annotations

import argparse
import shutil
from typing import Any

import pandas as pd

from automodel.declare import Flag, Setting
from automodel.formatting import fmt_number
from automodel.settings import SETTINGS

__all__ = [
    "add_csv_flags",
    "add_setting_flags",
    "argparse_options",
    "format_leaderboard",
    "setting_params",
]

SEP_HELP = (
    "the CSV's delimiter, e.g. ';' (default: found from the header line: comma, "
    "semicolon, tab or |)"
)
DECIMAL_HELP = (
    "the CSV's decimal mark, '.' or ',' (default: found from the first lines: a comma "
    "where numbers like 5,1 outnumber numbers like 5.1)"
)


def add_csv_flags(command: argparse.ArgumentParser) -> None:
    """``--sep`` and ``--decimal``: how the command's CSV is written (found if not given)."""
    command.add_argument("--sep", default=None, help=SEP_HELP)
    command.add_argument("--decimal", choices=[".", ","], default=None, help=DECIMAL_HELP)


def argparse_options(flag: Flag, default: Any) -> dict[str, Any]:
    """The keyword arguments of ``add_argument`` for ``flag`` of a setting whose
    default is ``default``."""
    if flag.switch is not None:
        return {"action": "store_true", "help": flag.help}
    choices = None if flag.choices is None else list(flag.choices)
    given = {"type": flag.type, "choices": choices, "metavar": flag.metavar}
    options = {key: value for key, value in given.items() if value is not None}
    options["default"] = default if flag.default is ... else flag.default
    return {**options, "help": flag.help}


def _flagged() -> list[tuple[Setting, Flag]]:
    return [(setting, setting.cli) for setting in SETTINGS if setting.cli is not None]


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One option per setting that has a flag, in the settings' order."""
    for setting, flag in _flagged():
        parser.add_argument(flag.name, **argparse_options(flag, setting.default))


def setting_params(args: argparse.Namespace) -> dict[str, Any]:
    """The estimator parameters the parsed flags give (settings without a flag: none)."""
    return {s.name: flag.param(getattr(args, flag.dest), args) for s, flag in _flagged()}


def format_leaderboard(model: Any, top: int, width: int | None = None) -> str:
    """The leaderboard as left-aligned columns that fit ``width`` characters (default:
    the terminal's); a params cell that does not fit is cut with an ellipsis."""
    board = model.leaderboard(top)
    headers = ["rank", "trial", "family", "scaler", "score", "fit s", "params"]
    rows = [
        [
            "-" if family == "ensemble" else str(rank),
            "-" if trial is pd.NA else str(trial),
            str(family),
            str(scaler),
            _score_cell(family, mean, std),
            f"{fit:.3f}" if fit == fit else "-",
            ", ".join(f"{k}={_short(v)}" for k, v in p.items() if k not in ("family", "scaler")),
        ]
        for rank, trial, family, scaler, mean, std, fit, p in zip(
            board["rank_test_score"],
            board["trial"],
            board["family"],
            board["preprocessing"],
            board["mean_test_score"],
            board["std_test_score"],
            board["mean_fit_time"],
            board["params"],
            strict=True,
        )
    ]
    width = width or shutil.get_terminal_size((120, 24)).columns
    widths = [max(len(r[k]) for r in [headers, *rows]) for k in range(len(headers) - 1)]
    room = max(10, width - sum(widths) - 2 * len(widths))
    lines = []
    for row in [headers, *rows]:
        params = row[-1] if len(row[-1]) <= room else row[-1][: room - 1] + "…"
        cells = [cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, params]).rstrip())
    return "\n".join(lines)


def _score_cell(family: str, mean: float, std: float) -> str:
    if family == "ensemble":
        return f"{mean:.4f} (out-of-fold)"
    return f"{mean:.4f} ± {std:.4f}" if mean == mean else "failed"


def _short(value: Any) -> str:

    return fmt_number(value)
