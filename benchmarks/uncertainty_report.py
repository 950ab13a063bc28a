"""The uncertainty benchmark's report: per-table rows and the headline figures.

    python -m benchmarks.uncertainty_report RECORDS.jsonl [...] --out FILE.md

Reads the records of :mod:`benchmarks.uncertainty` and writes Markdown: interval
coverage and width against MAPIE's CV+ around a default forest (regression),
log loss / ECE and prediction sets (classification), and the expected score against
``best_score_``, both minus the test score, in points (x 100).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.records import read_records
from benchmarks.uncertainty import COVERAGES

__all__ = ["classification_section", "main", "regression_section", "score_section"]


def _by_table(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    table = frame.groupby("dataset", sort=False)[columns].mean()
    table.loc["**mean**"] = table.mean()
    return table


def regression_section(frame: pd.DataFrame) -> list[str]:
    """Coverage and width per table at each coverage, automodel next to MAPIE + forest."""
    lines = ["## Regression intervals", ""]
    for c in COVERAGES:
        columns = [f"{w}_{m}_{c}" for w in ("automodel", "mapie_rf") for m in ("coverage", "width")]
        table = _by_table(frame, columns)
        worst = frame.groupby("dataset")[f"automodel_coverage_{c}"].mean().min()
        lines += [
            f"### {c:.0%} nominal",
            "",
            f"automodel: mean coverage {table.loc['**mean**', columns[0]]:.1%} (lowest table "
            f"{worst:.1%}), mean width {table.loc['**mean**', columns[1]]:.2f} sd; MAPIE CV+ "
            f"with a default forest: {table.loc['**mean**', columns[2]]:.1%}, "
            f"{table.loc['**mean**', columns[3]]:.2f} sd.",
            "",
            "| table | automodel coverage | width (sd) | MAPIE+forest coverage | width (sd) |",
            "|---|---|---|---|---|",
        ]
        for name, row in table.iterrows():
            values = [f"{row.iloc[0]:.1%}", f"{row.iloc[1]:.2f}", f"{row.iloc[2]:.1%}"]
            lines.append(f"| {name} | " + " | ".join([*values, f"{row.iloc[3]:.2f}"]) + " |")
        lines.append("")
    methods = frame["interval_method"].value_counts().to_dict()
    lines += [f"Interval methods chosen (runs): {methods}.", ""]
    return lines


def classification_section(frame: pd.DataFrame) -> list[str]:
    """Log loss and ECE per table (returned, uncalibrated, default forest), then sets."""
    columns = [
        f"{w}_{m}" for w in ("automodel", "uncalibrated", "forest") for m in ("log_loss", "ece")
    ]
    table = _by_table(frame, [c for c in columns if c in frame])
    lines = ["## Classification: calibration", "", "| table | " + " | ".join(table.columns) + " |"]
    lines.append("|---" * (len(table.columns) + 1) + "|")
    for name, row in table.iterrows():
        lines.append(f"| {name} | " + " | ".join(f"{v:.4f}" for v in row) + " |")
    kinds = frame["calibration"].value_counts().to_dict()
    lines += ["", f"Calibration of the returned models (runs): {kinds}.", ""]
    paired = frame.dropna(subset=["uncalibrated_log_loss"])
    scaled = paired[paired["calibration"] == "temperature"]
    lower = int((scaled["automodel_log_loss"] < scaled["uncalibrated_log_loss"]).sum())
    beats = int((frame["automodel_log_loss"] < frame["forest_log_loss"]).sum())
    lines += [
        f"Paired over the {len(paired)} runs with an uncalibrated counterpart (an SVC has "
        f"none): log loss {paired['automodel_log_loss'].mean():.4f} against "
        f"{paired['uncalibrated_log_loss'].mean():.4f} uncalibrated and "
        f"{paired['forest_log_loss'].mean():.4f} for a default forest; ECE "
        f"{paired['automodel_ece'].mean():.4f}, {paired['uncalibrated_ece'].mean():.4f}, "
        f"{paired['forest_ece'].mean():.4f}. Temperature-scaled runs: lower log loss than "
        f"without in {lower} of {len(scaled)}. Lower log loss than the default forest in "
        f"{beats} of {len(frame)} runs.",
        "",
    ]
    lines += ["## Classification: prediction sets", ""]
    columns = [f"set_{m}_{c}" for c in COVERAGES for m in ("coverage", "size")]
    table = _by_table(frame, columns)
    lines += ["| table | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in table.iterrows():
        cells = [f"{v:.1%}" if "coverage" in k else f"{v:.2f}" for k, v in row.items()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def score_section(frame: pd.DataFrame, task: str) -> list[str]:
    """expected_score_ and best_score_ minus the test score, in points, per table."""
    returned = frame["ensemble_score"].where(
        np.isfinite(frame["ensemble_score"]), frame["best_score"]
    )
    gaps = {
        "expected_gap": frame["expected_score"],
        "best_gap": frame["best_score"],
        "returned_gap": returned,
    }
    frame = frame.assign(**{k: 100 * (v - frame["test_score"]) for k, v in gaps.items()})
    table = _by_table(frame, ["test_score", *gaps])
    mean = table.loc["**mean**"]
    error = {k: frame[k].std() / np.sqrt(len(frame)) for k in gaps}
    lines = [
        f"## Expected score ({task})",
        "",
        f"Mean over runs (expected_score_ - test) {mean['expected_gap']:+.2f} points "
        f"(standard error {error['expected_gap']:.2f}); (best_score_ - test) "
        f"{mean['best_gap']:+.2f} ({error['best_gap']:.2f}); the returned model's own "
        f"out-of-fold score (the ensemble's, else best_score_) - test "
        f"{mean['returned_gap']:+.2f} ({error['returned_gap']:.2f}).",
        "",
        "| table | test score | expected - test | best CV - test | returned OOF - test |",
        "|---|---|---|---|---|",
    ]
    for name, row in table.iterrows():
        cells = [f"{row['test_score']:.4f}", *(f"{row[k]:+.2f}" for k in gaps)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, "", "(points: score differences x 100)", ""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.uncertainty_report")
    parser.add_argument("records", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--note", default="", help="a paragraph under the title (how run)")
    args = parser.parse_args(argv)
    frame = pd.DataFrame([r for path in args.records for r in read_records(path, print)])
    lines = ["# Uncertainty: intervals, sets, calibration, expected score", ""]
    if args.note:
        lines += [args.note, ""]
    for task, part in frame.groupby("task", sort=False):
        seeds = part.groupby("dataset")["seed"].nunique()
        span = f"{seeds.min()}-{seeds.max()}"
        lines += [f"{task}: {len(seeds)} tables, {len(part)} runs ({span} seeds a table).", ""]
        if task == "regression":
            lines += regression_section(part)
        else:
            lines += classification_section(part)
        lines += score_section(part, task)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
