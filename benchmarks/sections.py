"""The sections of REPORT.md for one group of runs (a task and a budget), with their plots.

Each section reads the group's :class:`~benchmarks.metrics.Metric` (test accuracy
for classification, test R^2 for regression) for its numbers and words; regression
groups also get a table of test RMSE.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.ensemble_section import ensemble_section
from benchmarks.group import Group, markdown_table
from benchmarks.metrics import RMSE, Metric
from benchmarks.plots import plot_ranks, plot_scores, plot_wall_time, plot_wtl
from benchmarks.stats import (
    REFERENCE,
    SMALL_TABLE_ROWS,
    dataset_order,
    family_counts,
    ranks,
    score_table,
    size_bands,
    system_order,
    system_table,
    trailing,
    wins_ties_losses,
)

__all__ = ["Group", "group_section", "markdown_table"]


def _rank_text(value: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else "–"


def _seconds(value: Any) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _int_text(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return "–"


def _short(message: Any, limit: int = 160) -> str:
    text = " ".join(str(message or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def group_section(
    frame: pd.DataFrame,
    out: Path,
    suffix: str,
    heading: str | None,
    task: str = "classification",
) -> list[str]:
    """Every section of one group of ``task``, under ``## heading`` (when given)."""
    group = Group(frame, system_order(frame), out, suffix, "###" if heading else "##", task)
    lines = [f"## {heading}", ""] if heading else []
    lines += _score_section(group, group.metric, plot=True)
    if group.regression:
        lines += _score_section(group, RMSE, plot=False)
    lines += _rank_section(group)
    if REFERENCE in group.systems and len(group.systems) > 1:
        lines += _wtl_section(group)
        lines += ensemble_section(group)
        lines += _size_section(group)
    lines += _time_section(group)
    lines += _families_section(group)
    lines += _failed_section(group)
    return lines


def _score_cell(stats: pd.DataFrame, dataset: str, system: str, best: float, metric: Metric) -> str:
    if (dataset, system) not in stats.index:
        return "–"
    row = stats.loc[(dataset, system)]
    if not row["count"]:
        return "failed"
    text = metric.text(row["mean"])
    if row["count"] > 1:
        places = metric.decimals(row["mean"]) if np.isfinite(row["mean"]) else None
        text += f" ± {metric.text(row['std'], places)}"
    if np.isfinite(best) and abs(row["mean"] - best) < 1e-12:
        text = f"**{text}**"
    if row["count"] < row["runs"]:
        text += f" ({int(row['count'])}/{int(row['runs'])})"
    return text


def _score_section(group: Group, metric: Metric, plot: bool) -> list[str]:
    frame, systems = group.frame, group.systems
    datasets = dataset_order(frame)
    stats = score_table(frame, metric)
    seeds = sorted(frame["seed"].unique())
    best_word = "best" if metric.higher_is_better else "best (lowest)"
    lines = [
        f"{group.level} {metric.heading} per dataset",
        "",
        f"Mean ± std over seeds ({', '.join(map(str, seeds))}); {best_word} mean per row in "
        "bold; (k/n): only k of n runs finished.",
        "",
    ]
    rows = []
    for dataset in datasets:
        info = frame[frame["dataset"] == dataset].iloc[0]
        means = [stats["mean"].get((dataset, s), np.nan) for s in systems]
        best = metric.best(means)
        shape = [_int_text(info["n_rows"]), _int_text(info["n_features"])]
        if not group.regression:
            shape.append(_int_text(info["n_classes"]))
        rows.append(
            [dataset, *shape, *(_score_cell(stats, dataset, s, best, metric) for s in systems)]
        )
    headers = ["dataset", "rows", "feat.", *([] if group.regression else ["classes"])]
    lines += markdown_table([*headers, *systems], rows)
    if plot:
        title = f"{metric.heading.split(' (')[0]} per dataset"
        lines += ["", f"![{title}]({group.png(metric.png)})", ""]
        plot_scores(stats, datasets, systems, group.out / group.png(metric.png), metric)
    else:
        lines += [""]
    return lines


def _rank_section(group: Group) -> list[str]:
    systems, metric = group.systems, group.metric
    mean_ranks, n_blocks = ranks(group.frame, systems, metric)
    lines = [
        f"{group.level} Mean rank",
        "",
        f"Rank of each system per (dataset, seed) by {metric.name} (1 = best, ties share "
        f"the average rank, a failed run ranks last), averaged over the {n_blocks} blocks "
        "that every system ran.",
        "",
    ]
    order = sorted(systems, key=lambda s: (np.nan_to_num(mean_ranks[s], nan=np.inf), s))
    lines += markdown_table(
        ["system", "mean rank"], [[s, _rank_text(mean_ranks[s])] for s in order]
    )
    lines += ["", f"![Mean rank]({group.png('ranks')})", ""]
    plot_ranks(mean_ranks, n_blocks, systems, group.out / group.png("ranks"), metric)
    return lines


def _wtl_section(group: Group) -> list[str]:
    """REFERENCE against every other system; only for groups that hold REFERENCE."""
    metric = group.metric
    others = [s for s in group.systems if s != REFERENCE]
    results = {o: wins_ties_losses(group.frame, REFERENCE, o, metric) for o in others}
    lines = [
        f"{group.level} {REFERENCE} against each system",
        "",
        f"Paired per (dataset, seed). Win / loss: {metric.name} higher / lower by at least "
        f"{metric.margin_words}, otherwise a tie; a run that failed loses to one that "
        "finished. Mean difference over pairs where both finished. The sign test "
        "(wins vs losses, ties dropped) treats seeds of one dataset as independent, "
        "which they are not quite: read it as a rough guide.",
        "",
    ]
    rows = [
        [
            other,
            str(r["wins"]),
            str(r["ties"]),
            str(r["losses"]),
            str(r["pairs"]),
            metric.diff(r["mean_diff"]),
            "–" if r["sign_p"] is None else f"{r['sign_p']:.3g}",
        ]
        for other, r in results.items()
    ]
    headers = ["against", "wins", "ties", "losses", "pairs", f"mean diff ({metric.diff_unit})"]
    lines += markdown_table([*headers, "sign test p"], rows)
    lines += ["", f"![Wins, ties and losses]({group.png('wtl')})", ""]
    plot_wtl(results, REFERENCE, group.out / group.png("wtl"), metric)
    return lines


def _time_headers(metric: Metric) -> list[str]:
    return [
        "system",
        "ok runs",
        "timeouts",
        "errors",
        "median s",
        "mean s",
        "max s",
        "total s",
        "evals/run",
        "trial failures",
        f"mean CV {metric.summary_unit}",
        f"mean test {metric.summary_unit}",
    ]


def _time_section(group: Group) -> list[str]:
    frame, systems, metric = group.frame, group.systems, group.metric
    table = system_table(frame, systems, metric)
    lines = [
        f"{group.level} Wall time, evaluations and failures per system",
        "",
        "Wall time of one run: search and refit on the search part plus prediction of the "
        "test part, in its own process. Trial failures: candidates the system reported as "
        "failed inside finished runs.",
        "",
    ]
    rows = []
    for system in systems:
        r = table.loc[system]
        rows.append(
            [
                system,
                f"{int(r['ok'])}/{int(r['runs'])}",
                str(int(r["timeout"])),
                str(int(r["error"])),
                _seconds(r["median_time"]),
                _seconds(r["mean_time"]),
                _seconds(r["max_time"]),
                _seconds(r["total_time"]),
                "–" if not np.isfinite(r["mean_evals"]) else f"{r['mean_evals']:.1f}",
                _int_text(r["trial_failures"]),
                metric.text(r["mean_cv"]),
                metric.text(r["mean_test"]),
            ]
        )
    lines += markdown_table(_time_headers(metric), rows)
    lines += ["", f"![Wall time per run]({group.png('walltime')})", ""]
    plot_wall_time(frame, systems, group.out / group.png("walltime"))
    flaml = frame[(frame["system"] == "flaml") & frame["time_budget"].notna()]
    if not flaml.empty:
        budgets = flaml.groupby("dataset")["time_budget"].median()
        lines += [
            "FLAML's time budget per dataset (s): "
            + ", ".join(f"{d} {_seconds(v)}" for d, v in budgets.items()),
            "",
        ]
    return lines


def _failed_section(group: Group) -> list[str]:
    failed = group.frame[~group.frame["is_ok"]]
    lines = [f"{group.level} Runs that did not finish", ""]
    if failed.empty:
        return [*lines, "None.", ""]
    rows = [
        [r.system, r.dataset, str(r.seed), str(r.status), _short(r.message)]
        for r in failed.itertuples()
    ]
    headers = ["system", "dataset", "seed", "status", "message"]
    return [*lines, *markdown_table(headers, rows, right=99), ""]


def _size_section(group: Group) -> list[str]:
    """Mean ranks and automodel-tpe's paired record, small tables apart from larger ones.

    Called only for groups that hold REFERENCE and at least one other system.
    """
    systems, level, metric = group.systems, group.level, group.metric
    bands = size_bands(group.frame)
    if len(bands) < 2:
        return []
    lines = [
        f"{level} By table size",
        "",
        "The same comparisons on the tables below and above "
        f"{SMALL_TABLE_ROWS:,} rows. On small tables 5-fold CV is noisy next to the "
        "differences between good candidates, so a search that climbs higher on its CV "
        "need not generalise better (benchmarks/README.md, fresh folds).",
        "",
    ]
    headers = ["system"]
    columns = []
    for label, part in bands.items():
        mean_ranks, n_blocks = ranks(part, systems, metric)
        headers.append(
            f"mean rank, {label} ({part['dataset'].nunique()} tables, {n_blocks} blocks)"
        )
        columns.append(mean_ranks)
    rows = [[s, *(_rank_text(r[s]) for r in columns)] for s in systems]
    lines += markdown_table(headers, rows) + [""]
    rows = []
    for other in (s for s in systems if s != REFERENCE):
        for label, part in bands.items():
            r = wins_ties_losses(part, REFERENCE, other, metric)
            rows.append(
                [
                    other,
                    label,
                    str(r["wins"]),
                    str(r["ties"]),
                    str(r["losses"]),
                    metric.diff(r["mean_diff"]),
                ]
            )
    headers = ["against", "tables", "wins", "ties", "losses", f"mean diff ({metric.diff_unit})"]
    lines += markdown_table(headers, rows, right=2)
    return [*lines, ""]


def _families_section(group: Group) -> list[str]:
    frame, level, metric = group.frame, group.level, group.metric
    searchers = [s for s in group.systems if s != "rf-default"]
    if frame["best_family"].dropna().empty or not searchers:
        return []
    lines = [
        f"{level} Winning families",
        "",
        "The family of each search system's chosen model, with the number of seeds that "
        f"chose it: read it beside the {'R²' if group.regression else 'accuracy'} table to "
        "see which choices the systems that beat automodel-tpe on a dataset made.",
        "",
    ]
    rows = [[d, *(family_counts(frame, s, d) for s in searchers)] for d in dataset_order(frame)]
    lines += markdown_table(["dataset", *searchers], rows, right=99)
    notes = trailing(frame, REFERENCE, metric=metric)
    lines += [
        "",
        f"automodel-tpe's mean {metric.name} trails the best other system by "
        f"{metric.margin(metric.gap_unit)} or more on: "
        + ("; ".join(notes) if notes else "no dataset")
        + ".",
        "",
    ]
    return lines
