"""The ``automodel`` command: ``fit`` a CSV; ``predict``, ``score`` or ``report`` a saved model.

A thin layer: it parses the flags (the settings' own, from their declarations in
``settings.py``), calls :func:`automodel.fit` or a saved model, and prints. Every
error a user can cause becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from sklearn.metrics import check_scoring

from automodel import table
from automodel._version import __version__
from automodel.auto import AUTO_RULE, TASK_CHOICES, choose_task, fit
from automodel.cli_options import (
    add_csv_flags,
    add_model_argument,
    add_setting_flags,
    format_leaderboard,
    print_summary,
    setting_params,
)
from automodel.cli_predict import add_predict_flags, prediction_table
from automodel.errors import SearchInterruptedWarning
from automodel.persistence import load, save
from automodel.spark import spark_session

__all__ = ["main"]

EXIT_USAGE = 2

TASK_HELP = f"auto (default): {AUTO_RULE}"
REPORT_HELP = (
    "also write a Markdown report of the search with plots into DIR, with the "
    "columns' permutation importance (costs cv more fits of the model)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automodel",
        description="Pick the best scikit-learn model for a table with one hyperopt search.",
    )
    parser.add_argument("--version", action="version", version=f"automodel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_fit(commands)
    _add_predict(commands)
    _add_score(commands)
    _add_report(commands)
    return parser


def _command(commands: Any, run: Any, name: str, summary: str, text: str) -> Any:
    command = commands.add_parser(name, help=summary, description=text)
    command.set_defaults(run=run)
    return command


def _add_fit(commands: Any) -> None:
    fit = _command(
        commands,
        _fit,
        "fit",
        "search for the best model of a CSV table and save it",
        "Search model families on a CSV table, refit the best pipeline on all rows, print "
        "the leaderboard and save the model.",
    )
    fit.add_argument("data", help="CSV file (or .tsv, optionally .gz) with a header row")
    add_csv_flags(fit)
    target_help = "name of the column to predict (classes or numbers)"
    fit.add_argument("--target", required=True, help=target_help)
    fit.add_argument("--task", choices=TASK_CHOICES, default="auto", help=TASK_HELP)
    out_help = "where to write the model (default: model.automodel)"
    fit.add_argument("--out", default="model.automodel", help=out_help)
    add_setting_flags(fit)
    fit.add_argument("--top", type=int, default=10, help="leaderboard rows to print (default: 10)")
    fit.add_argument("--report", default=None, metavar="DIR", help=REPORT_HELP)


def _model_and_table(command: argparse.ArgumentParser, data_help: str) -> None:
    """A saved model and a CSV, with its format flags: what predict and score read."""
    add_model_argument(command)
    command.add_argument("data", help=data_help)
    add_csv_flags(command)


def _add_predict(commands: Any) -> None:
    predict = _command(
        commands,
        _predict,
        "predict",
        "predict each row of a CSV (a class or a number) with a saved model",
        "Load a model written by `automodel fit` and write one prediction per row of a CSV "
        "table (columns found by name; the target column, if present, is ignored).",
    )
    _model_and_table(predict, "CSV file with the columns used at fit")
    predict.add_argument("--out", default=None, help="CSV file to write (default: stdout)")
    add_predict_flags(predict)


def _add_score(commands: Any) -> None:
    score = _command(
        commands,
        _score,
        "score",
        "score a saved model on a labelled CSV with its own metric",
        "Predict a CSV that holds the target column and print the model's score on it "
        "with the metric its search optimised (accuracy, R^2, or the --scoring of fit).",
    )
    _model_and_table(score, "CSV file with the columns used at fit and the target")
    score.add_argument("--target", default=None, help="target column (default: the fit's)")


def _score(args: argparse.Namespace) -> int:
    model = load(args.model, trusted=args.trusted)
    target = args.target or model.target_name_
    if target is None:
        raise ValueError("the model was fitted without column names: name the target, --target.")
    found = _format(args, sys.stdout)
    X, y = table.read_table(args.data, target=target, sep=found.sep, decimal=found.decimal)
    value = check_scoring(model, scoring=model.scoring_)(model, X, y)
    name = model.scoring_ if isinstance(model.scoring_, str) else "score"
    print(
        f"{name} on {args.data}: {value:.4f} ({len(y)} rows; cross-validated at fit: "
        f"{model.best_score_:.4f})"
    )
    return 0


def _add_report(commands: Any) -> None:
    report = _command(
        commands,
        _report,
        "report",
        "write a report of a saved model's search (leaderboard and plots)",
        "Write a Markdown or HTML report of the search behind a saved model: the "
        "leaderboard, the best score per trial and per family, and each hyperparameter of "
        "the winning family against the score, as PNG plots beside the report.",
    )
    add_model_argument(report)
    out_help = "directory for the report and plots (default: report)"
    report.add_argument("--out", default="report", help=out_help)
    format_help = "md or html (default: md)"
    report.add_argument("--format", choices=["md", "html"], default="md", help=format_help)


def _format(args: argparse.Namespace, stream: TextIO) -> table.CsvFormat:
    """The CSV's format (the flags, else found from its first lines), said on ``stream``."""
    found = table.sniff_format(args.data, args.sep, args.decimal)
    if Path(args.data).is_file():  # else read_table names the missing file
        print(f"reading {args.data}: {found.describe()}", file=stream)
    return found


def _report(args: argparse.Namespace) -> int:
    path = load(args.model, trusted=args.trusted).report(args.out, args.format)
    print(f"report written to {path}")
    return 0


def _fit(args: argparse.Namespace) -> int:

    params = setting_params(args)
    found = _format(args, sys.stdout)
    X, y = table.read_table(args.data, target=args.target, sep=found.sep, decimal=found.decimal)
    task, reason = choose_task(y, args.task)  # what fit will choose, said before it starts
    given = f"--task {task}" if args.task != "auto" else reason
    print(f"task: {task} ({given}; --task changes it)", flush=True)
    if args.spark is not None:
        spark_session(args.spark, args.parallelism)  # becomes the active session fit uses
    with warnings.catch_warnings():
        # Shown once below, in the summary line, rather than as a Python warning.
        warnings.simplefilter("ignore", SearchInterruptedWarning)
        model = fit(X, y, task=args.task, **params)
    print(format_leaderboard(model, args.top))
    path = save(model, args.out)
    if args.report is not None:
        model.column_importance(X, y)
        print(f"report written to {model.report(args.report)}")
    print_summary(model, path)
    return 0


def _predict(args: argparse.Namespace) -> int:

    model = load(args.model, trusted=args.trusted)
    found = _format(args, sys.stderr)  # stdout may carry the predictions
    X = table.read_table(args.data, sep=found.sep, decimal=found.decimal)
    out = prediction_table(model, X, args.proba, args.interval, args.set)
    if args.out is None:
        out.to_csv(sys.stdout, index=False)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(args.out, index=False)
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return args.run(args)
    except KeyboardInterrupt:
        print("automodel: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, RuntimeError, ImportError) as exc:
        if not _is_input_error(exc):
            print(
                "automodel: internal error, not a problem with your input: please report it "
                "with the traceback below.",
                file=sys.stderr,
            )
            raise  # a bug: its traceback, not a one-line message (see _is_input_error)
        message = " ".join(str(exc).split())
        print(f"automodel: error: {message}", file=sys.stderr)
        return EXIT_USAGE


def _one_line_warning(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
    """A warning as one line on stderr, without the file and line it came from."""
    text = " ".join(str(message).split())
    print(f"automodel: warning: {text}", file=sys.stderr)


def _is_input_error(exc: BaseException) -> bool:
    """Whether ``exc`` is automodel telling the user what to fix (one line, exit 2).

    Those are raised by automodel's own checks (the innermost frame is in the
    automodel package), scikit-learn's parameter validation, or the file system.
    A ValueError from deep inside a library is a bug and keeps its traceback.
    """
    from sklearn.utils._param_validation import InvalidParameterError

    if isinstance(exc, (OSError, InvalidParameterError)):
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    package = os.path.dirname(os.path.abspath(__file__))
    return bool(frames) and os.path.abspath(frames[-1].filename).startswith(package + os.sep)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
