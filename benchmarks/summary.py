"""``python -m benchmarks report``: REPORT.md and its PNG plots from a results file.

Records are grouped by task (classification, regression) and budget
(``max_evals``, ``cv``); each group gets its own section. Within a group, a
(system, dataset, seed) that ran several times counts once: its last "ok"
record, else its last record. Classification groups compare systems by test
accuracy, regression groups by test R^2 (with test RMSE beside it):

- the score per dataset and system: mean ± std over seeds;
- mean rank: systems ranked per (dataset, seed) by the score (1 = best,
  ties share the average rank; a run that failed or timed out ranks last),
  averaged over the (dataset, seed) blocks every system of the group ran;
- automodel-tpe against each other system, paired per (dataset, seed): a win
  or a loss needs a difference of at least the tie margin (0.5 percentage
  points of accuracy, 0.005 R^2), otherwise it is a tie; a failed run loses to
  a finished one;
- the mean ranks and that paired record again, for tables below and above
  1,000 rows apart (when the group has both);
- wall time, evaluations and failures per system; the winning families and
  where automodel-tpe trails; the runs that did not finish.

The numbers come from ``stats.py``, the sections from ``sections.py``, the
scores' formats and margins from ``metrics.py``.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.metrics import R2_TIE_MARGIN, TIE_MARGIN
from benchmarks.records import read_records
from benchmarks.sections import group_section
from benchmarks.stats import (
    REFERENCE,
    SMALL_TABLE_ROWS,
    family_counts,
    load_frame,
    ranks,
    score_table,
    size_bands,
    system_table,
    trailing,
    wins_ties_losses,
)

__all__ = [
    "R2_TIE_MARGIN",
    "REFERENCE",
    "SMALL_TABLE_ROWS",
    "TIE_MARGIN",
    "accuracy_table",
    "family_counts",
    "load_frame",
    "ranks",
    "score_table",
    "size_bands",
    "system_table",
    "trailing",
    "wins_ties_losses",
    "write_summary",
]

#: Per dataset and system: mean, std and count of ok test accuracies (the
#: classification case of :func:`~benchmarks.stats.score_table`).
accuracy_table = score_table

TASK_ORDER = ("classification", "regression")
PROTOCOL = {
    "classification": (
        "Protocol: for each dataset and seed, one stratified 75% / 25% split (the same for "
        "every system); each system searches on the 75% with its own cross-validation and is "
        "scored once on the 25%. Every search system gets the same number of candidates "
        "(max_evals) and folds (cv). See benchmarks/README.md."
    ),
    "regression": (
        "Protocol (regression): for each dataset and seed, one 75% / 25% split, not "
        "stratified (the same for every system); each system searches on the 75% with its "
        "own cross-validation (k-fold, R² as the score) and is scored once on the 25% by R² "
        "(ranks and wins / ties / losses) and RMSE (in the target's units). Every search "
        "system gets the same number of candidates (max_evals) and folds (cv). A paired "
        f"difference of test R² below {R2_TIE_MARGIN:g} is a tie. See benchmarks/README.md."
    ),
}


def _int_text(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return "–"


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
    present = set(frame["task"])
    tasks = [t for t in TASK_ORDER if t in present] + sorted(present - set(TASK_ORDER))
    title = "regression benchmark report" if tasks == ["regression"] else "benchmark report"
    lines = [f"# automodel {title}", ""]
    lines += _provenance(records, _Context(command, Path(results)))
    lines += [""]
    for task in tasks:
        lines += [PROTOCOL.get(task, PROTOCOL["classification"]), ""]
    groups = list(frame.groupby(["task", "max_evals", "cv"], dropna=False, sort=False))
    groups.sort(key=lambda item: (tasks.index(item[0][0]), -len(item[1])))
    mixed = len(tasks) > 1
    for (task, max_evals, cv), group in groups:
        budget = f"max_evals={_int_text(max_evals)}, cv={_int_text(cv)}"
        suffix = f"_{task}" if mixed else ""
        if len(groups) > len(tasks):  # some task has several budgets
            suffix += f"_e{_int_text(max_evals)}_cv{_int_text(cv)}"
        heading = f"{task.capitalize()}, budget: {budget}" if mixed else f"Budget: {budget}"
        lines += group_section(group.reset_index(drop=True), out, suffix, heading, task)
    path = out / "REPORT.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
