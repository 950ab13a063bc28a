"""The report's figures: the drawing helpers every plot shares, and the plots of the search.

Drawn on ``matplotlib.figure.Figure`` objects (Agg canvas), never through pyplot, so
nothing here touches global matplotlib state. Each function reads only
``cv_results_`` and plain fitted attributes, so it works on a loaded model as well
as on a freshly fitted one. Here: score per trial, best score per family, and the
winner's out-of-fold predictions against the actual target; the hyperparameter plots
are in :mod:`automodel.plot_params`.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from automodel.formatting import fmt_number, is_number
from automodel.tasks import task_of

__all__ = [
    "PALETTE",
    "family_colours",
    "fmt_number",
    "is_number",
    "new_figure",
    "plot_families",
    "plot_predictions",
    "plot_trials",
    "save_figure",
    "score_label",
    "scoring_of",
]

#: Colour per family (matplotlib's tab10, fixed so every plot agrees).
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
_DPI = 110


def family_colours(families: Sequence[str]) -> dict[str, str]:
    """A colour of :data:`PALETTE` per family, in order of first appearance."""
    ordered = list(dict.fromkeys(families))
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(ordered)}


# -- figures ----------------------------------------------------------------------


def new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas: no pyplot, no global matplotlib state."""
    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Figure, path: Path) -> None:
    """Write ``figure`` as a PNG and free it."""
    figure.savefig(path, dpi=_DPI)
    figure.clear()


def score_label(scoring: str, cv: Any) -> str:
    """The axis label of a mean CV score, e.g. ``mean 5-fold CV accuracy``."""
    folds = f"{cv}-fold " if isinstance(cv, Integral) else ""
    return f"mean {folds}CV {scoring}"


def _view_floor(scores: np.ndarray) -> float:
    """Lowest score worth showing to scale: far-off outliers would flatten the rest."""
    low, high = float(np.min(scores)), float(np.max(scores))
    if scores.size < 5:
        return low
    decile = float(np.quantile(scores, 0.1))
    if high - low > 3 * max(high - decile, 1e-3):
        return decile - 0.5 * max(high - decile, 1e-3)
    return low


def scoring_of(model: Any) -> Any:
    """The scorer a search used (``scoring_``; older models only have ``scoring``, or
    neither: then their task's default)."""
    return (
        getattr(model, "scoring_", None)
        or getattr(model, "scoring", None)
        or task_of(model).default_scoring
    )


def plot_trials(model: Any, path: Path, colours: dict[str, str]) -> None:
    """Score per trial, coloured by family, with the best-so-far line.

    Trials are numbered from 0, like the rows of ``cv_results_`` and the
    leaderboard. Scores far below the rest are drawn as triangles on the
    bottom edge (not to scale) so the top of the search stays readable.
    """
    table = model.cv_results_
    scores = np.asarray(table["mean_test_score"], dtype=float)
    n = len(scores)
    trials = np.arange(n)
    ok = np.isfinite(scores)
    low, high = (_view_floor(scores[ok]), float(np.max(scores[ok]))) if ok.any() else (0.0, 1.0)
    pad = max((high - low) * 0.06, 0.005)
    clipped = ok & (scores < low)
    floor = low - pad
    figure = new_figure(9.0, 4.6)
    ax = figure.add_subplot()
    _scatter_families(ax, scores, list(table["family"]), ok, clipped, floor, colours)
    if clipped.any():
        ax.scatter([], [], marker="v", color="grey", label=f"score < {low:.3g} (not to scale)")
    best_so_far = np.fmax.accumulate(np.where(ok, scores, -np.inf))
    shown = np.isfinite(best_so_far)
    ax.step(
        trials[shown],
        best_so_far[shown],
        where="post",
        color="black",
        linewidth=1.6,
        label="best so far",
        zorder=2,
    )
    if (~ok).any():
        ax.scatter(
            trials[~ok],
            np.full((~ok).sum(), floor),
            marker="x",
            s=36,
            color="#d62728",
            label="failed trial",
            zorder=3,
            clip_on=False,
        )
    ax.set_ylim(floor - 0.5 * pad, high + pad)
    ax.set_xlim(-0.5, n - 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("trial (row of cv_results_, from 0)")
    ax.set_ylabel(score_label(scoring_of(model), getattr(model, "cv", None)))
    ax.set_title(f"Search progress: {n} trials (higher is better)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    save_figure(figure, path)


def _scatter_families(
    ax: Any,
    scores: np.ndarray,
    families: list[str],
    ok: np.ndarray,
    clipped: np.ndarray,
    floor: float,
    colours: dict[str, str],
) -> None:
    """Per family, its trials as dots at their score (labelled by family), and those
    scoring far below the rest as triangles on the bottom edge (``floor``)."""
    n = len(scores)
    trials = np.arange(n)
    for family in colours:
        rows = [i for i in range(n) if ok[i] and not clipped[i] and families[i] == family]
        if rows:
            ax.scatter(
                trials[rows],
                scores[rows],
                s=28,
                color=colours[family],
                label=family,
                zorder=3,
                edgecolors="white",
                linewidths=0.5,
            )
        rows = [i for i in range(n) if clipped[i] and families[i] == family]
        if rows:
            ax.scatter(
                trials[rows],
                np.full(len(rows), floor),
                marker="v",
                s=40,
                color=colours[family],
                zorder=3,
                clip_on=False,
            )


def plot_families(model: Any, path: Path, colours: dict[str, str]) -> None:
    """Best CV score per family (horizontal bars), with trial counts."""
    table = model.cv_results_
    scores = np.asarray(table["mean_test_score"], dtype=float)
    families = list(table["family"])
    names = list(colours)
    best = []
    counts = []
    for family in names:
        rows = [i for i, f in enumerate(families) if f == family]
        values = scores[rows]
        counts.append((len(rows), int(np.isfinite(values).sum())))
        best.append(float(np.nanmax(values)) if np.isfinite(values).any() else np.nan)
    order = sorted(range(len(names)), key=lambda k: np.nan_to_num(best[k], nan=-np.inf))
    figure = new_figure(7.5, 1.2 + 0.55 * len(names))
    ax = figure.add_subplot()
    finite = [b for b in best if np.isfinite(b)]
    low = min(finite) if finite else 0.0
    high = max(finite) if finite else 1.0
    span = max(high - low, 0.02)
    left = low - 0.6 * span
    for position, k in enumerate(order):
        if np.isfinite(best[k]):
            ax.barh(position, best[k] - left, left=left, color=colours[names[k]], height=0.6)
            ax.text(best[k], position, f" {best[k]:.4f}", va="center", fontsize="small")
        else:
            ax.text(left, position, "  all trials failed", va="center", fontsize="small")
    ax.set_yticks(list(range(len(order))))
    ax.set_yticklabels([f"{names[k]} ({counts[k][1]}/{counts[k][0]} trials ok)" for k in order])
    ax.set_xlim(left, high + 0.35 * span)
    ax.set_xlabel(f"best {score_label(scoring_of(model), getattr(model, 'cv', None))}")
    ax.set_ylabel("family")
    ax.set_title("Best score per family")
    ax.grid(True, axis="x", alpha=0.3)
    save_figure(figure, path)


def plot_predictions(model: Any, path: Path, colour: str, what: str = "Winning pipeline") -> bool:
    """Predicted against actual, and residuals against predicted, from the returned
    model's out-of-fold predictions (regression; ``what`` names that model in the
    title); False when the model has none."""
    predicted = getattr(model, "oof_predictions_", None)
    actual = getattr(model, "_oof_target", None)
    if predicted is None or actual is None:
        return False
    predicted, actual = np.asarray(predicted, float), np.asarray(actual, float)
    kept = np.isfinite(predicted) & np.isfinite(actual)
    if kept.sum() < 2:
        return False
    predicted, actual = predicted[kept], actual[kept]
    residual = actual - predicted
    size = 14 if kept.sum() <= 2000 else 5
    alpha = 0.7 if kept.sum() <= 2000 else 0.3
    figure = new_figure(10.0, 4.4)
    left, right = figure.subplots(1, 2)
    left.scatter(actual, predicted, s=size, alpha=alpha, color=colour, edgecolors="none")
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    left.plot([low, high], [low, high], color="black", linewidth=1.0, label="predicted = actual")
    left.set_xlabel("actual")
    left.set_ylabel("predicted (out of fold)")
    left.set_title("Predicted against actual")
    left.legend(loc="upper left", fontsize="small")
    right.scatter(predicted, residual, s=size, alpha=alpha, color=colour, edgecolors="none")
    right.axhline(0.0, color="black", linewidth=1.0)
    right.set_xlabel("predicted (out of fold)")
    right.set_ylabel("residual (actual - predicted)")
    right.set_title("Residuals")
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    figure.suptitle(f"{what}, out-of-fold predictions of {kept.sum()} training rows")
    save_figure(figure, path)
    return True
