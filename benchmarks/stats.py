"""The report's numbers, computed from the results as a DataFrame (no text, no plots).

Every comparison takes the :class:`~benchmarks.metrics.Metric` it compares by
(default: test accuracy), so the classification and regression reports share
these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.metrics import ACCURACY, Metric
from benchmarks.presets import SYSTEM_ORDER

__all__ = [
    "REFERENCE",
    "SMALL_TABLE_ROWS",
    "dataset_order",
    "family_counts",
    "load_frame",
    "ranks",
    "score_table",
    "size_bands",
    "system_order",
    "system_table",
    "trailing",
    "wins_ties_losses",
]

#: The system the wins/ties/losses table is about.
REFERENCE = "automodel-tpe"
#: Tables with fewer rows than this are "small" in the by-size breakdown: on them
#: the differences between good candidates are mostly below the noise of 5-fold CV.
SMALL_TABLE_ROWS = 1000
_SCORES = ("test_accuracy", "test_r2", "test_rmse", "cv_score", "wall_time", "n_evals")


def load_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per (system, dataset, seed, max_evals, cv): the last ok run, else the last run.

    ``task`` is the record's, "classification" for records written before it existed.
    """
    rows = []
    for order, record in enumerate(records):
        budget = record.get("budget") or {}
        rows.append(
            {
                "order": order,
                "system": record.get("system"),
                "dataset": record.get("dataset"),
                "seed": record.get("seed"),
                "task": record.get("task") or "classification",
                "max_evals": budget.get("max_evals"),
                "cv": budget.get("cv"),
                "status": record.get("status"),
                "message": record.get("message"),
                "n_rows": record.get("n_rows"),
                "n_features": record.get("n_features"),
                "n_classes": record.get("n_classes"),
                "test_accuracy": record.get("test_accuracy"),
                "test_r2": record.get("test_r2"),
                "test_rmse": record.get("test_rmse"),
                "cv_score": record.get("cv_score"),
                "wall_time": record.get("wall_time"),
                "n_evals": record.get("n_evals"),
                "n_failures": record.get("n_failures"),
                "time_budget": budget.get("time_budget"),
                "best_family": (record.get("details") or {}).get("best_family"),
                "details": record.get("details") or {},
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.dropna(subset=["system", "dataset", "seed"])
    frame["is_ok"] = frame["status"] == "ok"
    keys = ["system", "dataset", "seed", "max_evals", "cv"]
    frame = frame.sort_values(["is_ok", "order"]).groupby(keys, dropna=False).tail(1)
    for column in (*_SCORES, "n_failures"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame.sort_values("order").reset_index(drop=True)


def system_order(frame: pd.DataFrame) -> list[str]:
    """The systems of ``frame``: the known ones in SYSTEM_ORDER, then any others by name."""
    present = set(frame["system"])
    known = [s for s in SYSTEM_ORDER if s in present]
    return known + sorted(present - set(known))


def dataset_order(frame: pd.DataFrame) -> list[str]:
    """The datasets of ``frame``, smallest table first."""
    sizes = frame.groupby("dataset")["n_rows"].max().fillna(0)
    return sorted(sizes.index, key=lambda name: (sizes[name], name))


def score_table(frame: pd.DataFrame, metric: Metric = ACCURACY) -> pd.DataFrame:
    """Per dataset and system: mean, std and count of ok scores, and runs."""
    ok = frame[frame["is_ok"]]
    stats = ok.groupby(["dataset", "system"])[metric.column].agg(["mean", "std", "count"])
    stats["runs"] = frame.groupby(["dataset", "system"]).size()
    return stats


def ranks(
    frame: pd.DataFrame, systems: Sequence[str], metric: Metric = ACCURACY
) -> tuple[pd.Series, int]:
    """Mean rank per system over the (dataset, seed) blocks all ``systems`` ran."""
    blocks = []
    for _, block in frame.groupby(["dataset", "seed"]):
        if set(block["system"]) >= set(systems):
            indexed = block.set_index("system")
            scores = indexed[metric.column].where(indexed["is_ok"])
            # Failed runs rank last (below any score); ties share the average rank.
            filled = scores.reindex(systems).fillna(metric.worst_fill)
            blocks.append(filled.rank(ascending=not metric.higher_is_better, method="average"))
    if not blocks:
        return pd.Series(np.nan, index=list(systems)), 0
    return pd.concat(blocks, axis=1).mean(axis=1), len(blocks)


def wins_ties_losses(
    frame: pd.DataFrame, reference: str, other: str, metric: Metric = ACCURACY
) -> dict[str, Any]:
    """Paired (dataset, seed) comparison of ``reference`` against ``other``.

    A win or a loss needs a difference of at least ``metric.tie_margin``; a run
    without a model loses to one with a model. ``mean_diff`` is the mean of
    reference minus other over the pairs where both finished.
    """
    a = frame[frame["system"] == reference].set_index(["dataset", "seed"])
    b = frame[frame["system"] == other].set_index(["dataset", "seed"])
    sign = 1.0 if metric.higher_is_better else -1.0
    wins = ties = losses = 0
    diffs = []
    for key in a.index.intersection(b.index):
        ok_a, ok_b = bool(a.at[key, "is_ok"]), bool(b.at[key, "is_ok"])
        if ok_a and ok_b:
            diff = float(a.at[key, metric.column]) - float(b.at[key, metric.column])
            diffs.append(diff)
            if sign * diff >= metric.tie_margin:
                wins += 1
            elif sign * diff <= -metric.tie_margin:
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


def system_table(
    frame: pd.DataFrame, systems: Sequence[str], metric: Metric = ACCURACY
) -> pd.DataFrame:
    """Wall time, evaluations and failures per system (and its mean CV and test score)."""
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
            "mean_test": ok[metric.column].mean(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def family_counts(frame: pd.DataFrame, system: str, dataset: str) -> str:
    """The families a system's finished runs on a dataset chose, most frequent first."""
    chosen = frame[(frame["system"] == system) & (frame["dataset"] == dataset) & frame["is_ok"]][
        "best_family"
    ].dropna()
    counts = chosen.astype(str).value_counts()
    return ", ".join(f"{family} {n}" for family, n in counts.items()) or "–"


def trailing(
    frame: pd.DataFrame,
    reference: str,
    margin: float | None = None,
    metric: Metric = ACCURACY,
) -> list[str]:
    """Datasets where ``reference``'s mean score trails another system's by ``margin``
    (default: the metric's tie margin) or more, with the gap and that system."""
    margin = metric.tie_margin if margin is None else margin
    means = frame[frame["is_ok"]].pivot_table(
        index="dataset", columns="system", values=metric.column, aggfunc="mean"
    )
    notes: list[str] = []
    if reference not in means:
        return notes
    for dataset, row in means.iterrows():
        others = row.drop(reference).dropna()
        if others.empty or pd.isna(row[reference]):
            continue
        best = others.idxmax() if metric.higher_is_better else others.idxmin()
        gap = row[reference] - others[best]
        if (gap if metric.higher_is_better else -gap) <= -margin:
            notes.append(f"{dataset}: {metric.gap(gap)} against {best}")
    return notes
