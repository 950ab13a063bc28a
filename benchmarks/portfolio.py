"""A portfolio learned offline: the few configurations that together do best on the dev tables.

    python -m benchmarks.portfolio collect --task classification --datasets ... \\
        --seeds 1 --per-family 16 --records benchmarks/results/portfolio_classification.jsonl
    python -m benchmarks.portfolio check --records FILE --size 8 --groups 5
    python -m benchmarks.portfolio build --records FILE --size 8 --out FILE.json

``collect`` scores the candidate pool (``benchmarks/portfolio_pool.py``) on the search
part of every (table, seed). Each (table, seed) is a *problem*; a candidate's
*normalised error* there is 0 for the best candidate and 1 for the median one or worse
(TabRepo's normalisation, Salinas & Erickson 2023), 1 for a failure. ``build`` is greedy
portfolio construction (auto-sklearn 2.0, TabRepo): start empty and add, ``size``
times, the candidate that most lowers the mean over problems of the portfolio's best
normalised error (ties: the cheaper one). ``check`` holds each group of tables out in
turn, builds on the rest and scores the portfolio on the held-out tables, next to the
families' defaults, which automodel evaluates first today.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.datasets import DEFAULT_DATA_DIR, DEFAULT_REGRESSION_DIR, resolve_datasets
from benchmarks.portfolio_pool import POOL_FAMILIES, sample_pool, score_pool
from benchmarks.records import append_record, read_records

__all__ = ["build", "errors", "leave_tables_out", "main"]


def errors(records: Sequence[dict[str, Any]]) -> tuple[pd.DataFrame, pd.Series]:
    """Normalised errors (problems x candidates) and each candidate's mean seconds."""
    frame = pd.DataFrame(records)
    frame["problem"] = frame["dataset"] + "/" + frame["seed"].astype(str)
    scores = frame.pivot_table(index="problem", columns="candidate", values="score", dropna=False)
    best = scores.max(axis=1)
    span = best - scores.median(axis=1)
    normalised = scores.rsub(best, axis=0).div(span.where(span > 0), axis=0)
    # Where the median candidate is as good as the best: the best ones 0, the rest 1.
    level = scores.lt(best, axis=0).astype(float)
    spread = np.broadcast_to(span.gt(0).to_numpy()[:, None], scores.shape)
    normalised = normalised.where(spread, level).clip(upper=1.0).mask(scores.isna(), 1.0)
    seconds = frame.groupby("candidate")["seconds"].mean()
    return normalised, seconds.reindex(normalised.columns)


def build(normalised: pd.DataFrame, seconds: pd.Series, size: int) -> list[str]:
    """Greedy portfolio of ``size`` candidates (ids), in the order they were added."""
    chosen: list[str] = []
    best = pd.Series(np.inf, index=normalised.index)
    for _ in range(min(size, normalised.shape[1])):
        left = [c for c in normalised.columns if c not in chosen]
        value = {c: float(np.minimum(best, normalised[c]).mean()) for c in left}
        lowest = min(value.values())
        pick = min((c for c in left if value[c] <= lowest + 1e-12), key=lambda c: seconds[c])
        chosen.append(pick)
        best = np.minimum(best, normalised[pick])
    return chosen


def portfolio_error(normalised: pd.DataFrame, chosen: Sequence[str]) -> float:
    """Mean over problems of the best normalised error among ``chosen``."""
    return float(normalised[list(chosen)].min(axis=1).mean())


def defaults_of(normalised: pd.DataFrame, families: Sequence[str]) -> list[str]:
    """The default candidates of ``families`` present in the records."""
    return [f"{name}/default" for name in families if f"{name}/default" in normalised.columns]


def leave_tables_out(
    normalised: pd.DataFrame, seconds: pd.Series, size: int, groups: int, families: Sequence[str]
) -> pd.DataFrame:
    """Per held-out table: the portfolio built without it against the defaults."""
    tables = sorted({problem.split("/")[0] for problem in normalised.index})
    everywhere = build(normalised, seconds, size)
    defaults = defaults_of(normalised, families)
    rows = []
    for k in range(groups):
        held = set(tables[k::groups])
        test = normalised[[p.split("/")[0] in held for p in normalised.index]]
        train = normalised.drop(test.index)
        chosen = build(train, seconds, size)
        for table in sorted(held):
            part = test[[p.split("/")[0] == table for p in test.index]]
            rows.append(
                {
                    "table": table,
                    "portfolio": portfolio_error(part, chosen),
                    "defaults": portfolio_error(part, defaults),
                    "in_sample": portfolio_error(part, everywhere),
                }
            )
    return pd.DataFrame(rows)


# -- the command line ------------------------------------------------------------------


def _writer(records: Path) -> Callable[[dict[str, Any]], None]:
    """Append a candidate's record to ``records`` and print a line about it."""

    def say(record: dict[str, Any]) -> None:
        append_record(records, record)
        score = "failed" if record["score"] is None else f"{record['score']:.4f}"
        where = f"{record['dataset']} seed={record['seed']}"
        print(f"{where} {record['candidate']}: {score} ({record['seconds']:.1f} s)", flush=True)

    return say


def _collect(args: argparse.Namespace) -> int:
    families = args.families or POOL_FAMILIES[args.task]
    pool = sample_pool(families, args.task, args.per_family, args.pool_seed)
    specs = resolve_datasets(args.datasets, args.data_dir, regression_dir=args.regression_dir)
    records = Path(args.records)
    done = {(r["dataset"], r["seed"], r["candidate"]) for r in read_records(records, print)}
    print(f"{len(pool)} candidates x {len(specs)} tables x {args.seeds} seed(s) -> {records}")
    for spec in specs:
        for seed in range(args.seeds):
            finished = {c for d, s, c in done if (d, s) == (spec.name, seed)}
            say = _writer(records)
            score_pool(spec, seed, pool, args.cv, finished, say, args.slots, args.limit)
    return 0


def _records_of(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The records of ``--records`` whose family is one of ``--families`` (default: all),
    without the tables of ``--without`` (``build`` only)."""
    records = read_records(Path(args.records), print)
    without = set(getattr(args, "without", None) or ())
    unknown = sorted(without - {r["dataset"] for r in records})
    if unknown:
        sys.exit(f"--without {' '.join(unknown)}: no such table in {args.records}")
    if args.families:
        records = [r for r in records if r["family"] in args.families]
    kept = [r for r in records if r["dataset"] not in without]
    if not kept:
        sys.exit(f"no candidate records left in {args.records} (check --families / --without)")
    return kept


def _check(args: argparse.Namespace) -> int:
    normalised, seconds = errors(_records_of(args))
    families = args.families or POOL_FAMILIES[args.task]
    table = leave_tables_out(normalised, seconds, args.size, args.groups, families)
    print(table.round(3).to_string(index=False))
    wins = int((table["portfolio"] < table["defaults"] - 1e-9).sum())
    losses = int((table["portfolio"] > table["defaults"] + 1e-9).sum())
    print(
        f"\nmean normalised error over {len(table)} held-out tables: portfolio of {args.size} "
        f"{table['portfolio'].mean():.3f} (built on all tables: {table['in_sample'].mean():.3f}), "
        f"the {len(defaults_of(normalised, families))} family defaults "
        f"{table['defaults'].mean():.3f}; tables where the portfolio is better / worse: "
        f"{wins} / {losses}"
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    records = _records_of(args)
    normalised, seconds = errors(records)
    chosen = build(normalised, seconds, args.size)
    points = {r["candidate"]: (r["family"], r["point"]) for r in records}
    document = {
        "task": records[0]["task"],
        "built_from": sorted({r["dataset"] for r in records}),
        "problems": int(normalised.shape[0]),
        "error": portfolio_error(normalised, chosen),
        "candidates": [{"id": c, "family": points[c][0], "point": points[c][1]} for c in chosen],
    }
    Path(args.out).write_text(json.dumps(document, indent=1) + "\n")
    print(f"{', '.join(chosen)} (mean normalised error {document['error']:.3f}) -> {args.out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.portfolio")
    commands = parser.add_subparsers(dest="command", required=True)
    collect = commands.add_parser("collect", help="score the candidate pool on tables")
    collect.add_argument("--datasets", nargs="+", required=True)
    collect.add_argument("--seeds", type=int, default=1)
    collect.add_argument("--per-family", type=int, default=16)
    collect.add_argument("--pool-seed", type=int, default=0)
    collect.add_argument("--cv", type=int, default=5)
    collect.add_argument("--slots", type=int, default=1, help="candidates at a time")
    collect.add_argument("--limit", type=float, default=None, help="seconds per candidate")
    collect.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR))
    collect.add_argument("--regression-dir", default=str(DEFAULT_REGRESSION_DIR))
    for name in ("collect", "check", "build"):
        sub = collect if name == "collect" else commands.add_parser(name)
        sub.add_argument("--records", required=True)
        sub.add_argument("--task", choices=sorted(POOL_FAMILIES), default="classification")
        sub.add_argument(
            "--families",
            nargs="+",
            help="only these families' candidates (e.g. the default families, whose "
            "candidates a default search runs); default: every family of the pool",
        )
        if name != "collect":
            sub.add_argument("--size", type=int, default=8)
    commands.choices["check"].add_argument("--groups", type=int, default=5)
    commands.choices["build"].add_argument("--out", required=True)
    commands.choices["build"].add_argument(
        "--without",
        nargs="+",
        help="leave these tables out (a portfolio for a paired suite run on tables it never saw)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"collect": _collect, "check": _check, "build": _build}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
