"""The ``automodel fit`` flags of the settings' declarations, the CSV flags, the leaderboard.

:func:`add_setting_flags` adds one argparse option per declared flag
(:data:`automodel.settings.SETTINGS`); :func:`setting_params` turns the parsed
values into the estimators' parameters.
"""

from __future__ import annotations

import argparse
from typing import Any

from automodel.declare import Flag, Setting
from automodel.leaderboard import render
from automodel.results import expected_line, model_line
from automodel.settings import SETTINGS

__all__ = [
    "add_csv_flags",
    "add_model_argument",
    "add_setting_flags",
    "argparse_options",
    "format_leaderboard",
    "print_summary",
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


MODEL_HELP = "model file written by `automodel fit`"
TRUSTED_HELP = (
    "load a pickled model (own networks, CatBoost, files of older automodel versions): "
    "unpickling runs code from the file, so only for files whose source you trust"
)


def add_model_argument(command: argparse.ArgumentParser) -> None:
    """The saved model a command reads, and ``--trusted``."""
    command.add_argument("model", help=MODEL_HELP)
    command.add_argument("--trusted", action="store_true", help=TRUSTED_HELP)


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
    """The leaderboard as ``automodel fit`` prints it (:func:`automodel.leaderboard.render`)."""
    return render(model.leaderboard(top), width)


#: How the summary line says why the search ended (``stop_reason_``).
STOPPED = {
    "max_evals": "all trials done",
    "timeout": "time budget reached",
    "early_stop": "early stop: no improvement",
    "interrupted": "INTERRUPTED: best found so far",
}


def print_summary(model: Any, path: Any) -> None:
    """The lines `automodel fit` ends with: the best trial, the model, the expected score."""
    print(
        f"\nbest: {model.best_params_['family']} ({model.task_}) with CV {model.scoring_} "
        f"{model.best_score_:.4f} ({len(model.cv_results_['params'])} trials, "
        f"{STOPPED[model.stop_reason_]}); model written to {path}"
    )
    print(f"model: {model_line(model)}")
    print(expected_line(model))
