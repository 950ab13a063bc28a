"""``python -m benchmarks.pair NEW BASE``: what a change adds, paired per (table, seed).

Both results files hold runs of one system (default ``automodel-tpe``), e.g. a
commit with a change (NEW) and the commit before it (BASE), or a study system and
the default. Prints, per task, the wins / ties / losses of NEW against BASE (the
report's tie margins: 0.5 points of accuracy, 0.005 R²), the mean difference, the
same split by table size, the median wall time of each, and the tables where NEW
differs most::

    python -m benchmarks.pair portfolio_lto.jsonl default_e9482ab_classification.jsonl
    python -m benchmarks.pair serial.jsonl default.jsonl --new-system automodel-serial

Only (table, seed) pairs that both files hold are compared.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from benchmarks.metrics import METRICS, Metric
from benchmarks.records import read_records
from benchmarks.stats import REFERENCE, load_frame, size_bands, wins_ties_losses

__all__ = ["paired", "main"]


def _runs(path: str, system: str, label: str, seeds: Sequence[int] | None) -> pd.DataFrame:
    if not Path(path).is_file():
        sys.exit(f"{path}: no such results file")
    frame = load_frame(read_records(Path(path), print))
    if frame.empty:
        return frame
    frame = frame[frame["system"] == system]
    if seeds is not None:
        frame = frame[frame["seed"].isin(list(seeds))]
    budgets = sorted(frame["max_evals"].dropna().unique().tolist())
    if len(budgets) > 1:
        sys.exit(
            f"{path} holds {system} runs of several budgets (max_evals {budgets}): "
            "pair files of one budget each"
        )
    return frame.assign(system=label)


def _line(frame: pd.DataFrame, metric: Metric, what: str) -> str:
    counts = wins_ties_losses(frame, "new", "base", metric)
    unit = f" {metric.diff_unit}"
    return (
        f"{what}: {counts['wins']} / {counts['ties']} / {counts['losses']} "
        f"(W / T / L of {counts['pairs']} pairs), mean {metric.diff(counts['mean_diff'])}{unit}"
    )


def paired(new: pd.DataFrame, base: pd.DataFrame, metric: Metric, top: int = 5) -> list[str]:
    """The comparison's lines for one task (``new`` and ``base`` as ``load_frame`` rows)."""
    keys = ["dataset", "seed"]
    both = new.merge(base[keys], on=keys)[keys]
    frame = pd.concat([new, base]).merge(both, on=keys)
    if frame.empty:
        return ["no (table, seed) pair in both files"]
    lines = [_line(frame, metric, "all tables")]
    for band, part in size_bands(frame).items():
        lines.append(_line(part, metric, f"tables {band}"))
    walls = frame.groupby("system")["wall_time"].median()
    lines.append(f"median wall s: new {walls['new']:.1f}, base {walls['base']:.1f}")
    ok = frame[frame["is_ok"]]
    scores = ok.pivot_table(index="dataset", columns="system", values=metric.column)
    gap = (scores["new"] - scores["base"]).dropna().sort_values()
    shown = pd.concat([gap.head(top), gap.tail(top)])
    shown = shown[~shown.index.duplicated()]
    lines.append(
        "per table, mean over seeds (new - base): "
        + ", ".join(f"{name} {metric.diff(value)}" for name, value in shown.items())
    )
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pair", description=__doc__)
    parser.add_argument("new", help="results file of the runs with the change")
    parser.add_argument("base", help="results file of the runs to compare against")
    parser.add_argument("--system", default=REFERENCE, help="the system in BASE (and in NEW)")
    parser.add_argument("--new-system", help="the system in NEW (default: --system)")
    parser.add_argument("--seeds", type=int, nargs="+", help="only these seeds")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    new = _runs(args.new, args.new_system or args.system, "new", args.seeds)
    base = _runs(args.base, args.system, "base", args.seeds)
    if new.empty or base.empty:
        print(f"no runs of the system in {args.new if new.empty else args.base}")
        return 1
    for task, metric in METRICS.items():
        task_new, task_base = new[new["task"] == task], base[base["task"] == task]
        if task_new.empty or task_base.empty:
            continue
        print(f"{task} ({metric.name}):")
        for line in paired(task_new, task_base, metric):
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
