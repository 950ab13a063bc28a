"""The report's "ensemble against the single best" section: both come out of one search.

An automodel record whose search ran the ensemble step, or bagged its single best,
holds the returned model's test scores and, in ``details``, the single best
pipeline's (refit on all rows) test scores on the same test part (``single_test_*``;
absent when the step kept the single best, which then *is* the model). So the two are
paired on the very same runs, without a second search.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmarks.group import Group, markdown_table
from benchmarks.stats import REFERENCE, dataset_order, wins_ties_losses

__all__ = ["SINGLE_SUFFIX", "ensemble_section", "single_best_frame"]

#: Appended to the system's name for its single-best rows.
SINGLE_SUFFIX = " (single best)"


def _paired(details: dict[str, Any]) -> bool:
    """The run ran the ensemble step or bagged its single best."""
    return "ensemble_members" in details or bool(details.get("bagged"))


def single_best_frame(frame: pd.DataFrame, system: str = REFERENCE) -> pd.DataFrame:
    """``system``'s runs that ran the ensemble step or bagged, scored as their single best."""
    rows = frame[frame["system"] == system]
    rows = rows[[_paired(d) for d in rows["details"]]].copy()
    for column in ("test_accuracy", "test_r2", "test_rmse"):
        single = [d.get(f"single_{column}") for d in rows["details"]]
        pairs = zip(single, rows[column], strict=True)
        rows[column] = [v if v is not None else old for v, old in pairs]
    rows["system"] = system + SINGLE_SUFFIX
    return rows


def _median(values: list[Any]) -> float:
    finite = [float(v) for v in values if v is not None and np.isfinite(v)]
    return float(np.median(finite)) if finite else float("nan")


def _get(frame: pd.DataFrame, key: str) -> list[Any]:
    return [d.get(key) for d in frame["details"]]


def ensemble_section(group: Group) -> list[str]:
    """Paired ensemble vs single best of REFERENCE, per table and overall; times."""
    single = single_best_frame(group.frame)
    if single.empty:
        return []
    metric = group.metric
    label = REFERENCE + SINGLE_SUFFIX
    ours = group.frame[group.frame["system"] == REFERENCE]
    ours = ours[[_paired(d) for d in ours["details"]]]
    both = pd.concat([ours, single])
    overall = wins_ties_losses(both, REFERENCE, label, metric)
    kept = [d.get("ensemble_score") is not None for d in ours["details"]]
    bagged = [bool(d.get("bagged")) for d in ours["details"]]
    # The ensemble step's own time, or for a bagged run the whole refit (single best
    # and fold models): a share of the rest of the fit.
    spent = [
        d.get("refit_time") if b else d.get("ensemble_time")
        for d, b in zip(ours["details"], bagged, strict=True)
    ]
    extra = [
        t / (w - t)
        for t, w in zip(spent, ours["wall_time"], strict=True)
        if t is not None and w and w > t
    ]
    lines = [
        f"{group.level} Ensemble against the single best ({REFERENCE})",
        "",
        f"Both come out of the same search: the model {REFERENCE} returned (a weighted "
        "ensemble of its trials, chosen by greedy selection on their out-of-fold "
        "predictions; the single best's fold models, bagged; or the single best when no "
        "mix beat it) against the single best pipeline of that search refit on all rows, "
        f"on the same test part. Ties under {metric.margin_words}.",
        "",
        f"- Ensemble kept in {sum(kept)} of {len(kept)} runs; the single best bagged in "
        f"{sum(bagged)}.",
        f"- Paired: {overall['wins']} wins, {overall['ties']} ties, {overall['losses']} "
        f"losses; mean difference {metric.diff(overall['mean_diff'])} {metric.diff_unit}.",
        f"- Mean {metric.name}: returned model {metric.text(ours[metric.column].mean())}, "
        f"single best {metric.text(single[metric.column].mean())}.",
        f"- Extra wall time of the ensemble step (selection and refit of the members; "
        "with bagging, the whole refit), "
        f"median over runs: {100 * _median(extra):.1f}% of the rest of the fit.",
        "- Predict time per 1,000 test rows, median over runs where an ensemble was kept "
        f"or bagged: returned model {_median(_get(ours, 'predict_ms_per_1000')):.1f} ms, "
        f"single best {_median(_get(ours, 'single_predict_ms_per_1000')):.1f} ms.",
        "",
    ]
    rows = []
    for dataset in dataset_order(both):
        part = both[both["dataset"] == dataset]
        r = wins_ties_losses(part, REFERENCE, label, metric)
        mean = part.groupby("system")[metric.column].mean()
        rows.append(
            [
                dataset,
                metric.text(mean.get(REFERENCE)),
                metric.text(mean.get(label)),
                metric.diff(r["mean_diff"]),
                f"{r['wins']}/{r['ties']}/{r['losses']}",
            ]
        )
    headers = ["dataset", "returned", "single best", f"mean diff ({metric.diff_unit})", "W/T/L"]
    return [*lines, *markdown_table(headers, rows), ""]
