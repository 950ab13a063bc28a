"""The command line's option types and its leaderboard table (``automodel.cli``)."""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
from typing import Any

import pandas as pd

__all__ = [
    "ensemble_arg",
    "families_arg",
    "format_leaderboard",
    "max_evals",
    "positive_float",
    "seconds_or_none",
]


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def seconds_or_none(text: str) -> float | None:
    return None if text.lower() == "none" else positive_float(text)


def max_evals(args: argparse.Namespace) -> int | None:
    """--max-evals, else 50 trials, or no trial limit when only --timeout is given."""
    if args.max_evals is not None:
        return args.max_evals
    return None if args.timeout is not None else 50


def families_arg(text: str) -> list[Any]:
    """Names, presets and ``module:attribute`` import paths of ``Family`` records."""
    from automodel.families import Family

    items: list[Any] = []
    for token in (t.strip() for t in text.split(",")):
        if ":" not in token:
            items.append(token)
            continue
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # as `python -m` does: modules of this folder
        module_name, _, attribute = token.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise ValueError(
                f"--families {token!r}: cannot import {attribute!r} from {module_name!r} "
                f"({type(exc).__name__}: {exc}); the module must be importable from the current "
                "folder or the Python path."
            ) from exc
        if not isinstance(found, Family):
            raise ValueError(
                f"--families {token!r} is a {type(found).__name__}, not an automodel.Family."
            )
        items.append(found)
    return items


def ensemble_arg(text: str) -> str | int | bool | None:
    named: dict[str, str | bool | None] = {"auto": "auto", "on": True, "none": None}
    if text in named:
        return named[text]
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"expected auto, on, none or an integer >= 2, got {text!r}"
        )
    return value


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
    from automodel.plots import fmt_number  # matplotlib: only when a leaderboard prints

    return fmt_number(value)
