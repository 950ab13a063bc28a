"""The ``automodel`` command: ``fit`` a CSV, ``predict`` with a saved model.

Every error a user can cause becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from automodel.cli_options import (
    ensemble_arg,
    families_arg,
    format_leaderboard,
    max_evals,
    positive_float,
    seconds_or_none,
)
from automodel.results import single_best_note

__all__ = ["main"]

EXIT_USAGE = 2


SEP_HELP = (
    "the CSV's delimiter, e.g. ';' (default: found from the header line: comma, "
    "semicolon, tab or |)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automodel",
        description="Pick the best scikit-learn model for a table with one hyperopt search.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fit = commands.add_parser(
        "fit",
        help="search for the best model of a CSV table and save it",
        description="Search model families on a CSV table, refit the best pipeline on all "
        "rows, print the leaderboard and save the model.",
    )
    fit.add_argument("data", help="CSV file (or .tsv, optionally .gz) with a header row")
    fit.add_argument("--sep", default=None, help=SEP_HELP)
    fit.add_argument(
        "--target", required=True, help="name of the column to predict (classes or numbers)"
    )
    fit.add_argument(
        "--task",
        choices=["auto", "classification", "regression"],
        default="auto",
        help="auto (default): text, bool and category targets and whole numbers with at most "
        "10 distinct values (2 rows each) are classes, other numbers a regression target",
    )
    fit.add_argument(
        "--out", default="model.joblib", help="where to write the model (default: model.joblib)"
    )
    fit.add_argument(
        "--max-evals",
        type=int,
        default=None,
        help="number of trials (default: 50; with --timeout and no --max-evals, as many as "
        "the time budget allows)",
    )
    fit.add_argument("--cv", type=int, default=5, help="cross-validation folds (default: 5)")
    fit.add_argument(
        "--algo",
        default="tpe",
        help="suggestion algorithm: tpe, rand or anneal (default: tpe)",
    )
    fit.add_argument(
        "--scoring",
        default=None,
        help="scikit-learn scorer name (default: accuracy for classes, r2 for regression)",
    )
    fit.add_argument(
        "--families",
        default=None,
        help="comma-separated families to search, e.g. svm,knn, a preset: default, all, "
        "classic, or module:attribute of your own automodel.Family, e.g. "
        "default,mynets:pimanet (default: logreg or linear, forest, xgboost, svm, "
        "extra_trees, knn)",
    )
    fit.add_argument("--seed", type=int, default=None, help="random seed for a reproducible run")
    fit.add_argument(
        "--n-jobs", type=int, default=None, help="cores automodel may use (-1: all; default: 1)"
    )
    fit.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        help="seconds for the whole fit, final refit included (default: no limit)",
    )
    fit.add_argument(
        "--trial-timeout",
        type=seconds_or_none,
        default=300.0,
        help="seconds one trial may take before it is stopped and counted as failed; none: "
        "trials run in this process without a limit (default: 300)",
    )
    fit.add_argument(
        "--checkpoint",
        default=None,
        help="file to save the search to after every trial; running the same command again "
        "continues from it (default: none)",
    )
    fit.add_argument(
        "--early-stop-rounds",
        type=int,
        default=None,
        help="stop after this many trials without improvement (default: off)",
    )
    fit.add_argument(
        "--ensemble",
        type=ensemble_arg,
        default="auto",
        metavar="auto|on|none|N",
        help="weighted ensemble of the best trials chosen on their out-of-fold predictions: "
        "auto (an ensemble for regression, and for classification from 1,000 rows, up to "
        "holdout_above rows; else the single best), "
        "on, none (the single best pipeline) or N (at most N distinct members) "
        "(default: auto)",
    )
    fit.add_argument(
        "--bagging",
        choices=["auto", "on", "off"],
        default="auto",
        help="the single best's fold models averaged instead of one refit on all rows: "
        "auto (classification under 1,000 rows), on or off (default: auto)",
    )
    fit.add_argument("--top", type=int, default=10, help="leaderboard rows to print (default: 10)")
    fit.add_argument(
        "--spark",
        default=None,
        metavar="MASTER",
        help="run trials on Apache Spark at this master URL (local[4], spark://host:7077, "
        "yarn, ...); needs the automodel[spark] extra (default: local worker processes)",
    )
    fit.add_argument(
        "--parallelism",
        type=int,
        default=None,
        help="trials at once on Spark (default: Spark's default parallelism)",
    )
    fit.add_argument(
        "--report",
        default=None,
        metavar="DIR",
        help="also write a Markdown report of the search with plots into DIR, with the "
        "columns' permutation importance (costs cv more fits of the model)",
    )
    fit.add_argument(
        "--mlflow",
        action="store_true",
        help="log the search to MLflow (a run, one nested run per trial, the model); the "
        "store is MLFLOW_TRACKING_URI's; needs automodel[mlflow]",
    )
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    fit.set_defaults(run=_fit)

    predict = commands.add_parser(
        "predict",
        help="predict each row of a CSV (a class or a number) with a saved model",
        description="Load a model written by `automodel fit` and write one prediction per "
        "row of a CSV table (columns found by name; the target column, if present, is ignored).",
    )
    predict.add_argument("model", help="model file written by `automodel fit`")
    predict.add_argument("data", help="CSV file with the columns used at fit")
    predict.add_argument("--sep", default=None, help=SEP_HELP)
    predict.add_argument("--out", default=None, help="CSV file to write (default: stdout)")
    predict.add_argument(
        "--proba",
        action="store_true",
        help="also write one probability column per class (when the model has them)",
    )
    predict.set_defaults(run=_predict)

    report = commands.add_parser(
        "report",
        help="write a report of a saved model's search (leaderboard and plots)",
        description="Write a Markdown or HTML report of the search behind a saved model: "
        "the leaderboard, the best score per trial and per family, and each hyperparameter "
        "of the winning family against the score, as PNG plots beside the report.",
    )
    report.add_argument("model", help="model file written by `automodel fit`")
    report.add_argument(
        "--out", default="report", help="directory for the report and plots (default: report)"
    )
    report.add_argument(
        "--format", choices=["md", "html"], default="md", help="md or html (default: md)"
    )
    report.set_defaults(run=_report)
    return parser


def _report(args: argparse.Namespace) -> int:
    from automodel.persistence import load

    path = load(args.model).report(args.out, args.format)
    print(f"report written to {path}")
    return 0


def _fit(args: argparse.Namespace) -> int:
    from automodel import table
    from automodel.estimator import (
        AutoModelClassifier,
        AutoModelRegressor,
        SearchInterruptedWarning,
    )
    from automodel.persistence import save
    from automodel.target import detect_task

    families = None if args.families is None else families_arg(args.families)
    X, y = table.read_table(args.data, target=args.target, sep=args.sep)
    task, reason = args.task, f"--task {args.task}"
    if task == "auto":
        task, reason = detect_task(y)
        reason = f"task='auto' chose {task}: {reason}"
    print(f"task: {task} ({reason}; --task changes it)", flush=True)
    estimator = AutoModelRegressor if task == "regression" else AutoModelClassifier
    model = estimator(
        max_evals=max_evals(args),
        cv=args.cv,
        algo=args.algo,
        scoring=args.scoring,
        families=families,
        random_state=args.seed,
        n_jobs=args.n_jobs,
        timeout=args.timeout,
        trial_timeout=args.trial_timeout,
        early_stop_rounds=args.early_stop_rounds,
        ensemble=args.ensemble,
        bagging={"on": True, "off": False}.get(args.bagging, args.bagging),
        checkpoint=args.checkpoint,
        backend="local" if args.spark is None else "spark",
        parallelism=args.parallelism,
        mlflow_logging=True if args.mlflow else None,
        verbose=0 if args.quiet else 1,
    )
    if args.spark is not None:
        from automodel.spark import spark_session

        spark_session(args.spark, args.parallelism)  # becomes the active session fit uses
    with warnings.catch_warnings():
        # Shown once below, in the summary line, rather than as a Python warning.
        warnings.simplefilter("ignore", SearchInterruptedWarning)
        model.fit(X, y)
    model.task_reason_ = reason
    print(format_leaderboard(model, args.top))
    path = save(model, args.out)
    if args.report is not None:
        model.column_importance(X, y)
        print(f"report written to {model.report(args.report)}")
    stopped = {
        "max_evals": "all trials done",
        "timeout": "time budget reached",
        "early_stop": "early stop: no improvement",
        "interrupted": "INTERRUPTED: best found so far",
    }[model.stop_reason_]
    print(
        f"\nbest: {model.best_params_['family']} ({model.task_}) with CV {model.scoring_} "
        f"{model.best_score_:.4f} ({len(model.cv_results_['params'])} trials, {stopped}); "
        f"model written to {path}"
    )
    if np.isfinite(getattr(model, "ensemble_score_", np.nan)):
        members = ", ".join(
            f"{m} x{w}"
            for m, w in zip(model.ensemble_members_, model.ensemble_weights_, strict=True)
        )
        print(
            f"model: ensemble of trials {members}; out-of-fold {model.scoring_} "
            f"{model.ensemble_score_:.4f} (optimistic: weights chosen on those predictions)"
        )
    elif getattr(model, "bagged_", False):
        print(f"model: the single best pipeline, bagged ({model.cv} fold models averaged)")
    elif note := single_best_note(model):
        print(f"model: the single best pipeline ({note})")
    return 0


def _predict(args: argparse.Namespace) -> int:
    from automodel import table
    from automodel.persistence import load

    model = load(args.model)
    X = table.read_table(args.data, sep=args.sep)
    out = pd.DataFrame({model.target_name_ or "prediction": model.predict(X)})
    if args.proba:
        if getattr(model, "task_", "classification") == "regression":
            raise ValueError(
                "the model is a regressor: it gives numbers, not probabilities; drop --proba."
            )
        if not hasattr(model, "predict_proba"):
            raise ValueError(
                f"the model's {model.best_params_['family']} estimator gives no probabilities; "
                "drop --proba."
            )
        proba = model.predict_proba(X)
        for k, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, k]
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
