"""``python -m benchmarks report``: REPORT.md and its PNG plots from a results file.

Records are grouped by budget (``max_evals``, ``cv``); each group gets its own
section. Within a group, a (system, dataset, seed) that ran several times
counts once: its last "ok" record, else its last record.

- test accuracy per dataset and system: mean ± std over seeds;
- mean rank: systems ranked per (dataset, seed) by test accuracy (1 = best,
  ties share the average rank; a run that failed or timed out ranks last),
  averaged over the (dataset, seed) blocks every system of the group ran;
- automodel-tpe against each other system, paired per (dataset, seed): a win
  or a loss needs a difference of at least 0.5 percentage points, otherwise it
  is a tie; a failed run loses to a finished one;
- the mean ranks and that paired record again, for tables below and above
  1,000 rows apart (when the group has both);
- wall time, evaluations and failures per system; the runs that did not finish.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.plots import plot_accuracy, plot_ranks, plot_wall_time, plot_wtl
from benchmarks.presets import SYSTEM_ORDER
from benchmarks.runner import read_records

__all__ = ["REFERENCE", "TIE_MARGIN", "load_frame", "write_summary"]

#: The system the wins/ties/losses table is about.
REFERENCE = "automodel-tpe"
#: Differences of test accuracy below this (0.5 percentage points) are ties.
TIE_MARGIN = 0.005
#: Tables with fewer rows than this are "small" in the by-size breakdown: on them
#: the differences between good candidates are mostly below the noise of 5-fold CV.
SMALL_TABLE_ROWS = 1000


# -- data ---------------------------------------------------------------------------


def load_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per (system, dataset, seed, max_evals, cv): the last ok run, else the last run."""
    rows = []
    for order, record in enumerate(records):
        budget = record.get("budget") or {}
        rows.append(
            {
                "order": order,
                "system": record.get("system"),
                "dataset": record.get("dataset"),
                "seed": record.get("seed"),
                "max_evals": budget.get("max_evals"),
                "cv": budget.get("cv"),
                "status": record.get("status"),
                "message": record.get("message"),
                "n_rows": record.get("n_rows"),
                "n_features": record.get("n_features"),
                "n_classes": record.get("n_classes"),
                "test_accuracy": record.get("test_accuracy"),
                "cv_score": record.get("cv_score"),
                "wall_time": record.get("wall_time"),
                "n_evals": record.get("n_evals"),
                "n_failures": record.get("n_failures"),
                "time_budget": budget.get("time_budget"),
                "best_family": (record.get("details") or {}).get("best_family"),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.dropna(subset=["system", "dataset", "seed"])
    frame["is_ok"] = frame["status"] == "ok"
    keys = ["system", "dataset", "seed", "max_evals", "cv"]
    frame = frame.sort_values(["is_ok", "order"]).groupby(keys, dropna=False).tail(1)
    for column in ("test_accuracy", "cv_score", "wall_time", "n_evals", "n_failures"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame.sort_values("order").reset_index(drop=True)


def _systems(frame: pd.DataFrame) -> list[str]:
    present = set(frame["system"])
    known = [s for s in SYSTEM_ORDER if s in present]
    return known + sorted(present - set(known))


def _datasets(frame: pd.DataFrame) -> list[str]:
    sizes = frame.groupby("dataset")["n_rows"].max().fillna(0)
    return sorted(sizes.index, key=lambda name: (sizes[name], name))


def accuracy_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and system: mean, std and count of ok test accuracies, and runs."""
    ok = frame[frame["is_ok"]]
    stats = ok.groupby(["dataset", "system"])["test_accuracy"].agg(["mean", "std", "count"])
    stats["runs"] = frame.groupby(["dataset", "system"]).size()
    return stats


def ranks(frame: pd.DataFrame, systems: Sequence[str]) -> tuple[pd.Series, int]:
    """Mean rank per system over the (dataset, seed) blocks all ``systems`` ran."""
    blocks = []
    for _, block in frame.groupby(["dataset", "seed"]):
        if set(block["system"]) >= set(systems):
            scores = block.set_index("system")["test_accuracy"].where(
                block.set_index("system")["is_ok"]
            )
            # Failed runs rank last (below any score); ties share the average rank.
            filled = scores.reindex(systems).fillna(-1.0)
            blocks.append(filled.rank(ascending=False, method="average"))
    if not blocks:
        return pd.Series(np.nan, index=list(systems)), 0
    return pd.concat(blocks, axis=1).mean(axis=1), len(blocks)


def wins_ties_losses(frame: pd.DataFrame, reference: str, other: str) -> dict[str, Any]:
    """Paired (dataset, seed) comparison of ``reference`` against ``other``."""
    a = frame[frame["system"] == reference].set_index(["dataset", "seed"])
    b = frame[frame["system"] == other].set_index(["dataset", "seed"])
    wins = ties = losses = 0
    diffs = []
    for key in a.index.intersection(b.index):
        ok_a, ok_b = bool(a.at[key, "is_ok"]), bool(b.at[key, "is_ok"])
        if ok_a and ok_b:
            diff = float(a.at[key, "test_accuracy"]) - float(b.at[key, "test_accuracy"])
            diffs.append(diff)
            if diff >= TIE_MARGIN:
                wins += 1
            elif diff <= -TIE_MARGIN:
                losses += 1
            else:
                ties += 1
        elif ok_a:
            wins += 1
        elif ok_b:
            losses += 1
        else:
            ties += 1
    p_value = None
    if wins + losses:
        from scipy.stats import binomtest

        p_value = float(binomtest(wins, wins + losses, 0.5).pvalue)
    return {
        "wins": wins,
        "ties": ties,
        "losses": losses,
        "pairs": wins + ties + losses,
        "mean_diff": float(np.mean(diffs)) if diffs else None,
        "sign_p": p_value,
    }


def size_bands(frame: pd.DataFrame, limit: int = SMALL_TABLE_ROWS) -> dict[str, pd.DataFrame]:
    """The rows of ``frame`` split by table size: below ``limit`` rows, and the rest."""
    rows = pd.to_numeric(frame["n_rows"], errors="coerce")
    bands = {
        f"< {limit:,} rows": frame[rows < limit],
        f">= {limit:,} rows": frame[~(rows < limit)],
    }
    return {label: part for label, part in bands.items() if not part.empty}


def system_table(frame: pd.DataFrame, systems: Sequence[str]) -> pd.DataFrame:
    """Wall time, evaluations and failures per system."""
    rows = {}
    for system in systems:
        runs = frame[frame["system"] == system]
        ok = runs[runs["is_ok"]]
        rows[system] = {
            "runs": len(runs),
            "ok": int(runs["is_ok"].sum()),
            "timeout": int((runs["status"] == "timeout").sum()),
            "error": int((runs["status"] == "error").sum()),
            "median_time": ok["wall_time"].median(),
            "mean_time": ok["wall_time"].mean(),
            "max_time": ok["wall_time"].max(),
            "total_time": runs["wall_time"].sum(min_count=1),
            "mean_evals": ok["n_evals"].mean(),
            "trial_failures": ok["n_failures"].sum(min_count=1),
            "mean_cv": ok["cv_score"].mean(),
            "mean_test": ok["test_accuracy"].mean(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# -- formatting ---------------------------------------------------------------------


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{100 * value:.{digits}f}"


def _rank_text(value: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else "–"


def _diff_text(mean_diff: float | None) -> str:
    """A mean paired difference of accuracies as signed percentage points."""
    return "–" if mean_diff is None else f"{100 * mean_diff:+.2f}"


def _seconds(value: Any) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1) -> list[str]:
    """Markdown table; columns from index ``right`` on are right-aligned."""
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---" if i < right else "---:" for i in range(len(headers))) + "|")
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return lines


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    command: str
    results: Path


def _provenance(records: Sequence[dict[str, Any]], context: _Context) -> list[str]:
    def distinct(getter: Callable[[dict[str, Any]], Any]) -> list[str]:
        values = [getter(r) for r in records]
        return list(dict.fromkeys(str(v) for v in values if v not in (None, "")))

    commits = distinct(
        lambda r: (
            None
            if r.get("git_commit") is None
            else r["git_commit"] + (" (with uncommitted changes)" if r.get("git_dirty") else "")
        )
    )
    machines = distinct(
        lambda r: (
            None
            if not r.get("machine")
            else f"{r['machine'].get('platform')}, Python {r['machine'].get('python')}, "
            f"{r['machine'].get('cpu_count')} CPUs"
        )
    )
    stamps = sorted(str(r["timestamp"]) for r in records if r.get("timestamp"))
    lines = [
        f"- Generated: {datetime.now(UTC).isoformat(timespec='seconds')} by "
        f"`{context.command}` (do not edit by hand: rerun the command)",
        f"- Results file: `{context.results}` ({len(records)} records"
        + (f", runs from {stamps[0]} to {stamps[-1]})" if stamps else ")"),
        f"- Report machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs",
        "- Run machine(s): " + ("; ".join(machines) or "unknown"),
        "- automodel version(s): "
        + (", ".join(distinct(lambda r: r.get("automodel_version"))) or "unknown"),
        "- git commit(s): " + (", ".join(commits) or "unknown"),
        "- Presets: " + (", ".join(distinct(lambda r: r.get("preset"))) or "unknown"),
        "- Run command(s): "
        + (", ".join(f"`{c}`" for c in distinct(lambda r: r.get("command"))) or "unknown"),
    ]
    return lines


@dataclass(frozen=True)
class _Group:
    """One budget group of the report: its runs, where its plots go, its heading level."""

    frame: pd.DataFrame
    systems: list[str]
    out: Path
    suffix: str
    level: str

    def png(self, name: str) -> str:
        """The file name of one of this group's plots (kept apart per budget group)."""
        return f"{name}{self.suffix}.png"


def _group_section(frame: pd.DataFrame, out: Path, suffix: str, heading: str | None) -> list[str]:
    group = _Group(frame, _systems(frame), out, suffix, "###" if heading else "##")
    lines = [f"## {heading}", ""] if heading else []
    lines += _accuracy_section(group)
    lines += _rank_section(group)
    if REFERENCE in group.systems and len(group.systems) > 1:
        lines += _wtl_section(group)
        lines += _size_section(group)
    lines += _time_section(group)
    lines += _families_section(group)
    lines += _failed_section(group)
    return lines


def _accuracy_cell(stats: pd.DataFrame, dataset: str, system: str, best: float) -> str:
    if (dataset, system) not in stats.index:
        return "–"
    row = stats.loc[(dataset, system)]
    if not row["count"]:
        return "failed"
    text = _pct(row["mean"])
    if row["count"] > 1:
        text += f" ± {_pct(row['std'])}"
    if np.isfinite(best) and abs(row["mean"] - best) < 1e-12:
        text = f"**{text}**"
    if row["count"] < row["runs"]:
        text += f" ({int(row['count'])}/{int(row['runs'])})"
    return text


def _accuracy_section(group: _Group) -> list[str]:
    frame, systems = group.frame, group.systems
    datasets = _datasets(frame)
    stats = accuracy_table(frame)
    seeds = sorted(frame["seed"].unique())
    lines = [
        f"{group.level} Test accuracy (%) per dataset",
        "",
        f"Mean ± std over seeds ({', '.join(map(str, seeds))}); best mean per row in bold; "
        "(k/n): only k of n runs finished.",
        "",
    ]
    rows = []
    for dataset in datasets:
        info = frame[frame["dataset"] == dataset].iloc[0]
        means = [stats["mean"].get((dataset, s), np.nan) for s in systems]
        best = max((v for v in means if np.isfinite(v)), default=np.nan)
        rows.append(
            [
                dataset,
                _int_text(info["n_rows"]),
                _int_text(info["n_features"]),
                _int_text(info["n_classes"]),
                *(_accuracy_cell(stats, dataset, s, best) for s in systems),
            ]
        )
    lines += _table(["dataset", "rows", "feat.", "classes", *systems], rows)
    lines += ["", f"![Test accuracy per dataset]({group.png('accuracy')})", ""]
    plot_accuracy(stats, datasets, systems, group.out / group.png("accuracy"))
    return lines


def _rank_section(group: _Group) -> list[str]:
    systems = group.systems
    mean_ranks, n_blocks = ranks(group.frame, systems)
    lines = [
        f"{group.level} Mean rank",
        "",
        f"Rank of each system per (dataset, seed) by test accuracy (1 = best, ties share "
        f"the average rank, a failed run ranks last), averaged over the {n_blocks} blocks "
        "that every system ran.",
        "",
    ]
    order = sorted(systems, key=lambda s: (np.nan_to_num(mean_ranks[s], nan=np.inf), s))
    lines += _table(
        ["system", "mean rank"],
        [[s, _rank_text(mean_ranks[s])] for s in order],
    )
    lines += ["", f"![Mean rank]({group.png('ranks')})", ""]
    plot_ranks(mean_ranks, n_blocks, systems, group.out / group.png("ranks"))
    return lines


def _wtl_section(group: _Group) -> list[str]:
    """REFERENCE against every other system; only for groups that hold REFERENCE."""
    others = [s for s in group.systems if s != REFERENCE]
    results = {o: wins_ties_losses(group.frame, REFERENCE, o) for o in others}
    lines = [
        f"{group.level} {REFERENCE} against each system",
        "",
        "Paired per (dataset, seed). Win / loss: test accuracy higher / lower by at least "
        "0.5 percentage points, otherwise a tie; a run that failed loses to one that "
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
            _diff_text(r["mean_diff"]),
            "–" if r["sign_p"] is None else f"{r['sign_p']:.3g}",
        ]
        for other, r in results.items()
    ]
    lines += _table(
        ["against", "wins", "ties", "losses", "pairs", "mean diff (pp)", "sign test p"], rows
    )
    lines += ["", f"![Wins, ties and losses]({group.png('wtl')})", ""]
    plot_wtl(results, REFERENCE, group.out / group.png("wtl"))
    return lines


_TIME_HEADERS = [
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
    "mean CV %",
    "mean test %",
]


def _time_section(group: _Group) -> list[str]:
    frame, systems = group.frame, group.systems
    table = system_table(frame, systems)
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
                _pct(r["mean_cv"]),
                _pct(r["mean_test"]),
            ]
        )
    lines += _table(_TIME_HEADERS, rows)
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


def _failed_section(group: _Group) -> list[str]:
    failed = group.frame[~group.frame["is_ok"]]
    lines = [f"{group.level} Runs that did not finish", ""]
    if failed.empty:
        return [*lines, "None.", ""]
    rows = [
        [r.system, r.dataset, str(r.seed), str(r.status), _short(r.message)]
        for r in failed.itertuples()
    ]
    return [*lines, *_table(["system", "dataset", "seed", "status", "message"], rows, right=99), ""]


def _size_section(group: _Group) -> list[str]:
    """Mean ranks and automodel-tpe's paired record, small tables apart from larger ones.

    Called only for groups that hold REFERENCE and at least one other system.
    """
    systems, level = group.systems, group.level
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
        mean_ranks, n_blocks = ranks(part, systems)
        headers.append(
            f"mean rank, {label} ({part['dataset'].nunique()} tables, {n_blocks} blocks)"
        )
        columns.append(mean_ranks)
    rows = [[s, *(_rank_text(r[s]) for r in columns)] for s in systems]
    lines += _table(headers, rows) + [""]
    rows = []
    for other in (s for s in systems if s != REFERENCE):
        for label, part in bands.items():
            r = wins_ties_losses(part, REFERENCE, other)
            rows.append(
                [
                    other,
                    label,
                    str(r["wins"]),
                    str(r["ties"]),
                    str(r["losses"]),
                    _diff_text(r["mean_diff"]),
                ]
            )
    lines += _table(
        ["against", "tables", "wins", "ties", "losses", "mean diff (pp)"], rows, right=2
    )
    return [*lines, ""]


def family_counts(frame: pd.DataFrame, system: str, dataset: str) -> str:
    """The families a system's finished runs on a dataset chose, most frequent first."""
    chosen = frame[(frame["system"] == system) & (frame["dataset"] == dataset) & frame["is_ok"]][
        "best_family"
    ].dropna()
    counts = chosen.astype(str).value_counts()
    return ", ".join(f"{family} {n}" for family, n in counts.items()) or "–"


def trailing(frame: pd.DataFrame, reference: str, margin: float = TIE_MARGIN) -> list[str]:
    """Datasets where ``reference``'s mean test accuracy trails another system's by ``margin``."""
    means = frame[frame["is_ok"]].pivot_table(
        index="dataset", columns="system", values="test_accuracy", aggfunc="mean"
    )
    notes = []
    if reference not in means:
        return notes
    for dataset, row in means.iterrows():
        others = row.drop(reference).dropna()
        if others.empty or pd.isna(row[reference]):
            continue
        best = others.idxmax()
        gap = row[reference] - others[best]
        if gap <= -margin:
            notes.append(f"{dataset}: {gap * 100:+.1f} points against {best}")
    return notes


def _families_section(group: _Group) -> list[str]:
    frame, level = group.frame, group.level
    searchers = [s for s in group.systems if s != "rf-default"]
    if frame["best_family"].dropna().empty or not searchers:
        return []
    lines = [
        f"{level} Winning families",
        "",
        "The family of each search system's chosen model, with the number of seeds that "
        "chose it: read it beside the accuracy table to see which choices the systems that "
        "beat automodel-tpe on a dataset made.",
        "",
    ]
    rows = [[d, *(family_counts(frame, s, d) for s in searchers)] for d in _datasets(frame)]
    lines += _table(["dataset", *searchers], rows, right=99)
    notes = trailing(frame, "automodel-tpe")
    lines += [
        "",
        "automodel-tpe's mean test accuracy trails the best other system by 0.5 "
        "points or more on: " + ("; ".join(notes) if notes else "no dataset") + ".",
        "",
    ]
    return lines


def _int_text(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return "–"


def _short(message: Any, limit: int = 160) -> str:
    text = " ".join(str(message or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_summary(
    results: str | Path, out_dir: str | Path, command: str, say: Callable[[str], None] = print
) -> Path:
    """Write ``REPORT.md`` and its PNGs into ``out_dir`` from the results file; return its path."""
    out = Path(out_dir)
    records = read_records(results, say)
    if not records:
        raise ValueError(f"No results in {str(results)!r}; run `python -m benchmarks run` first.")
    out.mkdir(parents=True, exist_ok=True)
    frame = load_frame(records)
    lines = ["# automodel benchmark report", ""]
    lines += _provenance(records, _Context(command, Path(results)))
    lines += [
        "",
        "Protocol: for each dataset and seed, one stratified 75% / 25% split (the same for "
        "every system); each system searches on the 75% with its own cross-validation and is "
        "scored once on the 25%. Every search system gets the same number of candidates "
        "(max_evals) and folds (cv). See benchmarks/README.md.",
        "",
    ]
    groups = list(frame.groupby(["max_evals", "cv"], dropna=False, sort=False))
    groups.sort(key=lambda item: -len(item[1]))
    for (max_evals, cv), group in groups:
        suffix = "" if len(groups) == 1 else f"_e{_int_text(max_evals)}_cv{_int_text(cv)}"
        heading = f"Budget: max_evals={_int_text(max_evals)}, cv={_int_text(cv)}"
        lines += _group_section(group.reset_index(drop=True), out, suffix, heading)
    path = out / "REPORT.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
