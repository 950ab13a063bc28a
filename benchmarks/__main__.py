"""``python -m benchmarks run | report``: the benchmark suite's command line.

    python -m benchmarks run [--preset quick|full|regression|regression-quick]
                             [--data-dir DIR] [--regression-dir DIR] [--results FILE]
                             [--systems ...] [--datasets ...] [--seeds N] [--max-evals N]
                             [--cv N] [--run-timeout S] [--jobs N]
    python -m benchmarks report [--results FILE] [--out DIR]

Run from the repository root. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.datasets import DEFAULT_DATA_DIR, DEFAULT_REGRESSION_DIR, resolve_datasets
from benchmarks.presets import PRESETS, SYSTEM_ORDER, availability
from benchmarks.runner import (
    DEFAULT_REGRESSION_RESULTS,
    DEFAULT_RESULTS,
    SuiteConfig,
    default_results,
    describe_config,
    run_suite,
)

__all__ = ["main"]

EXIT_USAGE = 2
#: Where ``report`` writes for the default regression results file.
REGRESSION_REPORT_DIR = DEFAULT_REGRESSION_RESULTS.parent / "regression"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="automodel's benchmark suite."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="run systems x datasets x seeds, appending one JSON line per run",
        description="Run systems x datasets x seeds (each run in its own process, stopped "
        "after --run-timeout) and append one JSON line per run to the results file. Runs "
        "already there with status ok (same max_evals and cv) are skipped.",
    )
    run.add_argument("--preset", choices=sorted(PRESETS), default="quick", help="default: quick")
    run.add_argument(
        "--data-dir",
        default=str(DEFAULT_DATA_DIR),
        help="folder of PMLB tables NAME/NAME.tsv.gz (default: ../shared/datasets/pmlb "
        "from the repository root); missing: its tables are skipped",
    )
    run.add_argument(
        "--regression-dir",
        default=str(DEFAULT_REGRESSION_DIR),
        help="folder of regression tables NAME/NAME.tsv.gz, target column 'target' "
        "(default: ../shared/datasets/regression from the repository root)",
    )
    run.add_argument(
        "--results",
        help=f"JSON-lines file (default: {DEFAULT_RESULTS} for classification tables, "
        f"{DEFAULT_REGRESSION_RESULTS} for regression tables)",
    )
    run.add_argument(
        "--systems", nargs="+", metavar="SYSTEM", help=f"subset of: {', '.join(SYSTEM_ORDER)}"
    )
    run.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="table names, or groups: sklearn, embedded, pmlb, all (every classification "
        "table), regression (default: the preset's)",
    )
    run.add_argument("--seeds", type=_positive_int, help="seeds 0..N-1 (default: the preset's)")
    run.add_argument("--max-evals", type=_positive_int, help="candidates per search system")
    run.add_argument("--cv", type=int, help="cross-validation folds (at least 2)")
    run.add_argument(
        "--run-timeout",
        type=_positive_float,
        help="seconds before a run is stopped and recorded as timeout "
        "(default: 120 in quick and regression-quick, 900 in full, 3600 in regression)",
    )
    run.add_argument(
        "--jobs",
        type=_positive_int,
        default=1,
        help="runs at a time (default: 1; more makes wall times noisier)",
    )
    report = commands.add_parser(
        "report",
        help="write REPORT.md and PNG plots from a results file",
        description="Regenerate REPORT.md and its plots from the results file.",
    )
    report.add_argument(
        "--results",
        default=str(DEFAULT_RESULTS),
        help=f"JSON-lines file (default: {DEFAULT_RESULTS})",
    )
    report.add_argument(
        "--out",
        help=f"directory for REPORT.md and the PNGs (default: {DEFAULT_RESULTS.parent}; "
        f"{REGRESSION_REPORT_DIR} for {DEFAULT_REGRESSION_RESULTS.name})",
    )
    merge = commands.add_parser(
        "merge",
        help="replace records of one results file by newer runs of the same key",
        description="Write BASE to OUT with each record replaced by the NEWER one of the "
        "same (system, dataset, seed, max_evals, cv); NEWER's other records are appended.",
    )
    merge.add_argument("base", help="JSON-lines results file")
    merge.add_argument("newer", nargs="+", help="JSON-lines results files, later wins")
    merge.add_argument("--out", required=True, help="JSON-lines file to write")
    return parser


def _merge(args: argparse.Namespace) -> int:
    from benchmarks.records import merge_records, read_records

    missing = [f for f in (args.base, *args.newer) if not Path(f).is_file()]
    if missing:
        print(f"error: no such results file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    merged = read_records(args.base)
    for path in args.newer:
        merged = merge_records(merged, read_records(path))
    Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in merged))
    print(f"Wrote {args.out}: {len(merged)} records")
    return 0


def _command(argv: Sequence[str]) -> str:
    return "python -m benchmarks " + shlex.join(argv)


def _run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    preset = PRESETS[args.preset]
    overrides = {}
    if args.max_evals is not None:
        overrides["max_evals"] = args.max_evals
    if args.cv is not None:
        if args.cv < 2:
            print("error: --cv must be at least 2", file=sys.stderr)
            return EXIT_USAGE
        overrides["cv"] = args.cv
    preset = replace(preset, **overrides)
    systems = list(dict.fromkeys(args.systems or preset.systems))
    unknown = [s for s in systems if s not in SYSTEM_ORDER]
    if unknown:
        print(
            f"error: unknown system(s) {', '.join(unknown)}; valid: {', '.join(SYSTEM_ORDER)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    runnable = []
    for system in systems:
        reason = availability(system)
        if reason is None:
            runnable.append(system)
        else:
            print(f"Skipping {system}: {reason}.")
    try:
        datasets = resolve_datasets(
            args.datasets or preset.datasets, args.data_dir, regression_dir=args.regression_dir
        )
        results = Path(args.results) if args.results else default_results(datasets)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not runnable or not datasets:
        print("Nothing to run: no available system or no dataset left.")
        return 0
    config = SuiteConfig(
        preset=preset,
        datasets=datasets,
        systems=runnable,
        seeds=list(range(args.seeds if args.seeds is not None else preset.seeds)),
        results=results,
        run_timeout=args.run_timeout if args.run_timeout is not None else preset.run_timeout,
        jobs=args.jobs,
        command=_command(argv),
    )
    print(describe_config(config))
    started = time.monotonic()
    new = run_suite(config)
    statuses = [r["status"] for r in new]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses)) or "none"
    print(f"Done in {time.monotonic() - started:.1f} s: {len(new)} new run(s) ({counts}).")
    return 0


def _report(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from benchmarks.summary import write_summary

    out = args.out
    if out is None:
        regression = Path(args.results).resolve() == DEFAULT_REGRESSION_RESULTS.resolve()
        out = REGRESSION_REPORT_DIR if regression else DEFAULT_RESULTS.parent
    try:
        path = write_summary(args.results, out, _command(argv))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "merge":
            return _merge(args)
        return _report(args, argv)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
