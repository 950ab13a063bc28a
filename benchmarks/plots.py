"""The PNG plots of the benchmark report (``benchmarks/sections.py`` writes the text).

Each takes the :class:`~benchmarks.metrics.Metric` of its group (default: test
accuracy) for its axis, titles and tie margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from automodel.plots import new_figure, save_figure
from benchmarks.metrics import ACCURACY, Metric

__all__ = ["plot_accuracy", "plot_ranks", "plot_scores", "plot_wall_time", "plot_wtl"]

_COLOURS = {
    "automodel-tpe": "#1f77b4",
    "automodel-rand": "#aec7e8",
    "random-search": "#ff7f0e",
    "optuna-tpe": "#2ca02c",
    "flaml": "#9467bd",
    "rf-default": "#7f7f7f",
}
_EXTRA_COLOURS = ["#8c564b", "#e377c2", "#bcbd22", "#17becf", "#d62728"]


def _colour(system: str, systems: Sequence[str]) -> str:
    if system in _COLOURS:
        return _COLOURS[system]
    others = [s for s in systems if s not in _COLOURS]
    return _EXTRA_COLOURS[others.index(system) % len(_EXTRA_COLOURS)]


def plot_scores(
    stats: pd.DataFrame,
    datasets: Sequence[str],
    systems: Sequence[str],
    path: Path,
    metric: Metric = ACCURACY,
) -> None:
    """Small multiples: per dataset, the mean test score (± std) of each system.

    One panel per dataset with its own zoomed x-axis (differences between systems
    are a few points, accuracies across datasets span 50-100%); points, not bars,
    since a zoomed axis has no meaningful zero.
    """
    scale = metric.scale
    columns = min(4, len(datasets))
    rows = math.ceil(len(datasets) / columns)
    figure = new_figure(2.9 * columns + 1.3, 0.32 * len(systems) * rows + 0.75 * rows + 0.9)
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    positions = np.arange(len(systems))[::-1]
    for k, dataset in enumerate(datasets):
        ax = axes[k // columns][k % columns]
        means = np.array(
            [scale * stats["mean"].get((dataset, s), np.nan) for s in systems], dtype=float
        )
        stds = np.nan_to_num(
            np.array([scale * stats["std"].get((dataset, s), np.nan) for s in systems], dtype=float)
        )
        for position, system, mean, std in zip(positions, systems, means, stds, strict=True):
            if np.isfinite(mean):
                ax.errorbar(
                    mean,
                    position,
                    xerr=std,
                    fmt="o",
                    markersize=6,
                    color=_colour(system, systems),
                    ecolor="black",
                    elinewidth=1,
                    capsize=3,
                )
        finite = np.isfinite(means)
        if finite.any():
            low = float(np.min(means[finite] - stds[finite]))
            high = float(np.max(means[finite] + stds[finite]))
            pad = max(0.12 * (high - low), scale * metric.tie_margin or 1e-3 * abs(high))
            ax.set_xlim(low - pad, high + pad)
        for position, mean in zip(positions, means, strict=True):
            if not np.isfinite(mean):
                ax.text(
                    0.02,
                    position,
                    "no finished run",
                    transform=ax.get_yaxis_transform(),
                    va="center",
                    color="#d62728",
                    fontsize="x-small",
                )
        ax.set_yticks(positions, systems)
        ax.set_ylim(-0.6, len(systems) - 0.4)
        ax.set_title(dataset, fontsize="medium")
        ax.tick_params(axis="both", labelsize="small")
        ax.grid(True, axis="x", alpha=0.3)
        if k // columns == rows - 1 or k + columns >= len(datasets):
            ax.set_xlabel(metric.axis, fontsize="small")
    for k in range(len(datasets), rows * columns):
        axes[k // columns][k % columns].set_visible(False)
    what = metric.heading.split(" (")[0]
    figure.suptitle(f"{what} per dataset (mean ± std over seeds; x-axis zoomed per dataset)")
    save_figure(figure, path)


#: The name of earlier versions (test accuracy is the default metric).
plot_accuracy = plot_scores


def plot_ranks(
    mean_ranks: pd.Series,
    n_blocks: int,
    systems: Sequence[str],
    path: Path,
    metric: Metric = ACCURACY,
) -> None:
    """Mean rank per system (lower is better)."""
    order = sorted(systems, key=lambda s: (np.nan_to_num(mean_ranks[s], nan=np.inf), s))
    figure = new_figure(7.0, 1.2 + 0.5 * len(order))
    ax = figure.add_subplot()
    positions = np.arange(len(order))[::-1]
    values = [mean_ranks[s] for s in order]
    ax.barh(positions, values, color=[_colour(s, systems) for s in order], height=0.6)
    for position, value in zip(positions, values, strict=True):
        if np.isfinite(value):
            ax.text(value, position, f" {value:.2f}", va="center", fontsize="small")
    ax.set_yticks(positions, order)
    ax.set_xlim(0, len(systems) + 0.6)
    ax.set_xlabel(f"mean rank over {n_blocks} (dataset, seed) blocks (1 = best)")
    ax.set_ylabel("system")
    ax.set_title(f"Mean rank by {metric.name} (lower is better)")
    ax.grid(True, axis="x", alpha=0.3)
    save_figure(figure, path)


def plot_wall_time(frame: pd.DataFrame, systems: Sequence[str], path: Path) -> None:
    """Wall time of every finished run per system (log scale), with the median."""
    figure = new_figure(7.5, 1.2 + 0.55 * len(systems))
    ax = figure.add_subplot()
    rng = np.random.default_rng(0)
    for k, system in enumerate(systems):
        position = len(systems) - 1 - k
        times = frame[(frame["system"] == system) & frame["is_ok"]]["wall_time"].dropna()
        if times.empty:
            continue
        jitter = rng.uniform(-0.15, 0.15, size=len(times))
        ax.scatter(
            times,
            position + jitter,
            s=18,
            alpha=0.85,
            color=_colour(system, systems),
            edgecolors="#333333",
            linewidths=0.3,
        )
        median = float(times.median())
        ax.plot([median, median], [position - 0.3, position + 0.3], color="black", linewidth=2)
    ax.set_yticks(np.arange(len(systems))[::-1], systems)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("wall time per run (s, log scale; black bar: median)")
    ax.set_ylabel("system")
    ax.set_title("Wall time per run (search + refit + predict)")
    ax.grid(True, axis="x", alpha=0.3, which="both")
    save_figure(figure, path)


def plot_wtl(
    results: dict[str, dict[str, Any]], reference: str, path: Path, metric: Metric = ACCURACY
) -> None:
    """Stacked bars: wins, ties and losses of ``reference`` against each other system."""
    others = list(results)
    figure = new_figure(7.5, 1.3 + 0.5 * len(others))
    ax = figure.add_subplot()
    positions = np.arange(len(others))[::-1]
    left = np.zeros(len(others))
    for part, colour in (("wins", "#2ca02c"), ("ties", "#c7c7c7"), ("losses", "#d62728")):
        values = np.array([results[o][part] for o in others], dtype=float)
        ax.barh(positions, values, left=left, color=colour, height=0.6, label=part)
        for position, start, value in zip(positions, left, values, strict=True):
            if value:
                ax.text(start + value / 2, position, f"{value:.0f}", ha="center", va="center")
        left += values
    ax.set_yticks(positions, [f"vs {o}" for o in others])
    ax.set_xlabel("(dataset, seed) pairs")
    margin = metric.margin(metric.diff_unit)
    ax.set_title(f"{reference}: wins / ties / losses (tie: |difference| < {margin})")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    save_figure(figure, path)
