"""The report's hyperparameter plots: a family's trial scores against each numeric parameter.

A parameter the family's space draws log-uniformly gets a log axis (found by walking
the space; a few well-known names otherwise), whole numbers get integer ticks and the
winning trial is a star. Like :mod:`automodel.plots`, only ``cv_results_`` and plain
fitted attributes are read.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from hyperopt.pyll.base import as_apply, dfs
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from automodel.families import DataInfo, resolve_families
from automodel.formatting import fmt_number, is_number
from automodel.plots import new_figure, save_figure, score_label, scoring_of
from automodel.tasks import task_of

__all__ = ["KNOWN_LOG_PARAMS", "plot_params"]

#: Hyperparameters whose values are spread over decades even without a space to ask.
KNOWN_LOG_PARAMS = frozenset(
    {"C", "gamma", "learning_rate", "reg_lambda", "reg_alpha", "min_child_weight"}
)
#: hyperopt's distributions that draw on a log scale.
_LOG_DISTRIBUTIONS = ("loguniform", "qloguniform", "lognormal", "qlognormal")


def _space_log_params(model: Any) -> dict[str, set[str]]:
    """Per family, the parameter names its hyperopt space draws log-uniformly.

    Found by walking each family's space expression; an empty dict when the
    families cannot be rebuilt (the caller then falls back to known names).
    """
    try:
        families = resolve_families(getattr(model, "families", None), task_of(model).name)
        info = DataInfo(
            n_rows=1000, n_features=int(getattr(model, "n_features_in_", 10)), n_classes=2
        )
        found: dict[str, set[str]] = {}
        for family in families:
            names: set[str] = set()
            for node in dfs(as_apply(family.space(info))):
                if node.name != "hyperopt_param":
                    continue
                label, dist = node.pos_args[0].obj, node.pos_args[1]
                if dist.name in _LOG_DISTRIBUTIONS:
                    names.add(str(label).rsplit(".", 1)[-1])
            found[family.name] = names
        return found
    except Exception:  # noqa: BLE001 - a custom family or space we cannot walk
        return {}


def _log_scale(name: str, family: str, values: np.ndarray, searched: dict[str, set[str]]) -> bool:
    if values.size == 0 or np.any(values <= 0):
        return False
    if family in searched:
        return name in searched[family]
    return name in KNOWN_LOG_PARAMS or values.max() / values.min() >= 100


def _log_axis(ax: Any, values: np.ndarray) -> None:
    """Log x-axis with plain-number tick labels (1, 2, 5 per decade when few decades)."""
    ax.set_xscale("log")
    decades = math.log10(values.max() / values.min()) if values.size else 0.0
    subs = (1.0, 2.0, 5.0) if decades <= 2 else (1.0,)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _x_axis(ax: Any, values: np.ndarray, log: bool) -> None:
    """A log axis, integer ticks for whole numbers, or one tick for a single value."""
    if log:
        _log_axis(ax, values)
    elif np.all(values == np.round(values)):
        distinct = np.unique(values)
        if distinct.size <= 8:
            ax.set_xticks(distinct, [fmt_number(int(v)) for v in distinct])
            if distinct.size == 1:
                ax.set_xlim(distinct[0] - 1, distinct[0] + 1)
        else:
            ax.xaxis.get_major_locator().set_params(integer=True)
    elif np.unique(values).size == 1:
        ax.set_xticks(values[:1], [fmt_number(values[0])])


def _numeric_params(model: Any, family: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``(name, values, scores)`` for each numeric ``param_*`` of ``family``'s ok trials."""
    table = model.cv_results_
    scores = np.asarray(table["mean_test_score"], dtype=float)
    rows = [
        i
        for i, f in enumerate(table["family"])
        if f == family and table["status"][i] == "ok" and np.isfinite(scores[i])
    ]
    found = []
    for key, column in table.items():
        if not key.startswith("param_") or key in ("param_family", "param_scaler"):
            continue
        mask = np.ma.getmaskarray(column)
        data = np.ma.getdata(column)
        values, kept = [], []
        for i in rows:
            if not mask[i] and is_number(data[i]):
                values.append(float(data[i]))
                kept.append(scores[i])
        if len(values) >= 1:
            found.append((key.removeprefix("param_"), np.array(values), np.array(kept)))
    return found


def plot_params(model: Any, family: str, path: Path, colour: str) -> bool:
    """Score against each numeric hyperparameter of ``family``; False if none."""
    params = _numeric_params(model, family)
    if not params:
        return False
    searched = _space_log_params(model)
    best_params = model.best_params_
    columns = min(3, len(params))
    rows = math.ceil(len(params) / columns)
    figure = new_figure(3.6 * columns + 0.4, 3.0 * rows + 0.6)
    axes = figure.subplots(rows, columns, squeeze=False)
    ylabel = score_label(scoring_of(model), getattr(model, "cv", None))
    for k, (name, values, scores) in enumerate(params):
        ax = axes[k // columns][k % columns]
        ax.scatter(values, scores, s=26, color=colour, edgecolors="white", linewidths=0.5)
        log = _log_scale(name, family, values, searched)
        _x_axis(ax, values, log)
        winner = best_params.get(name)
        if best_params.get("family") == family and is_number(winner):
            ax.scatter(
                [winner],
                [model.best_score_],
                s=110,
                marker="*",
                color="black",
                zorder=4,
                label="best trial",
            )
            ax.legend(loc="lower right", fontsize="x-small")
        trials = "trial" if len(values) == 1 else "trials"
        ax.set_title(f"{name} ({len(values)} {trials})", fontsize="medium")
        ax.set_xlabel(f"{name} (log scale)" if log else name)
        if k % columns == 0:
            ax.set_ylabel(ylabel)
        ax.tick_params(axis="both", labelsize="small")
        ax.grid(True, alpha=0.3)
    for k in range(len(params), rows * columns):
        axes[k // columns][k % columns].set_visible(False)
    figure.suptitle(f"{family}: score against each numeric hyperparameter")
    save_figure(figure, path)
    return True
