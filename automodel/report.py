"""A report of one search: a Markdown or HTML page with PNG plots beside it.

``write_report(model, out_dir)`` reads only ``cv_results_`` and plain fitted
attributes (``best_params_``, ``best_score_``, ``best_index_``, ``scoring_``,
``task_``, ``stop_reason_``, ``search_time_``; the winner's out-of-fold
predictions when its task keeps them), so it works on a model loaded with
:func:`automodel.load` as well as on a freshly fitted one. Here the report's plain
values are gathered and its plots drawn (by :mod:`automodel.plots`,
:mod:`automodel.plot_params` and :mod:`automodel.importance`);
:mod:`automodel.report_pages` lays them out.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from automodel.importance import plot_importance
from automodel.plot_params import plot_params
from automodel.plots import (
    PALETTE,
    family_colours,
    fmt_number,
    plot_families,
    plot_predictions,
    plot_trials,
    scoring_of,
)
from automodel.report_pages import Plot, html_page, markdown_page
from automodel.results import gain_note, single_best_note
from automodel.tasks import task_of

__all__ = ["write_report"]

#: Trials shown in the report's leaderboard.
TOP_TRIALS = 10


# -- plain values ----------------------------------------------------------------


def _fmt_params(params: dict[str, Any]) -> str:
    """``C=3.18, kernel=rbf`` from a trial's params (family and scaler left out)."""
    shown = {k: v for k, v in params.items() if k not in ("family", "scaler")}
    return ", ".join(f"{k}={fmt_number(v)}" for k, v in shown.items()) or "(defaults)"


def _summary(model: Any) -> dict[str, Any]:
    """Everything the header needs, as plain values."""
    table = model.cv_results_
    status = list(table["status"])
    n = len(status)
    best = int(model.best_index_)
    failures = Counter(s for s in status if s != "ok")
    return {
        "family": model.best_params_.get("family"),
        "scaler": model.best_params_.get("scaler"),
        "params": _fmt_params(model.best_params_),
        "score": float(model.best_score_),
        "std": float(table["std_test_score"][best]),
        "best_trial": best,
        "n_trials": n,
        "n_ok": n - sum(failures.values()),
        "failures": dict(failures),
        "stop_reason": getattr(model, "stop_reason_", None),
        "scoring": scoring_of(model),
        "task": task_of(model).name,
        "task_reason": getattr(model, "task_reason_", None),
        "search_time": getattr(model, "search_time_", None),
        "cv": getattr(model, "cv", None),
        "algo": getattr(model, "algo", None),
        "model": _model_line(model),
        "expected": float(getattr(model, "expected_score_", np.nan)),
        "expected_gain": gain_note(model),
        "interval_method": getattr(model, "interval_method_", None),
    }


def _ensemble_kept(model: Any) -> bool:
    return bool(np.isfinite(getattr(model, "ensemble_score_", np.nan)))


def _members(model: Any) -> str:
    pairs = zip(model.ensemble_members_, model.ensemble_weights_, strict=True)
    return ", ".join(f"trial {m} x{w}" for m, w in pairs)


def _model_line(model: Any) -> str:
    """What predicts: the ensemble (members, weights, score) or the single best."""
    if _ensemble_kept(model):
        return (
            f"weighted ensemble of {len(model.ensemble_members_)} pipelines ({_members(model)}); "
            f"out-of-fold score {model.ensemble_score_:.4f}, optimistic: the weights were "
            "chosen on those same predictions"
        )
    if getattr(model, "bagged_", False):
        return (
            f"the single best pipeline, bagged: its {model.cv} fold models averaged "
            "(their out-of-fold score is the trial's CV score)"
        )
    note = single_best_note(model)
    return "the single best pipeline" + (f" ({note})" if note else "")


def _leaderboard_rows(model: Any, top: int) -> list[dict[str, str]]:
    """The ``top`` best trials as display strings (failed trials never lead)."""
    table = model.cv_results_
    order = sorted(range(len(table["status"])), key=lambda i: (table["rank_test_score"][i], i))
    rows = []
    if _ensemble_kept(model):
        rows.append(
            {
                "rank": "–",
                "trial": "ensemble",
                "family": "ensemble",
                "scaler": "",
                "score": f"{model.ensemble_score_:.4f} (out-of-fold)",
                "fit_time": "–",
                "params": _members(model),
            }
        )
    for i in order[:top]:
        ok = table["status"][i] == "ok"
        mean, std = table["mean_test_score"][i], table["std_test_score"][i]
        fit_time = table["mean_fit_time"][i]
        rows.append(
            {
                "rank": str(int(table["rank_test_score"][i])),
                "trial": str(i),
                "family": str(table["family"][i]),
                "scaler": str(table["preprocessing"][i]),
                "score": f"{mean:.4f} ± {std:.4f}" if ok else f"failed ({table['status'][i]})",
                "fit_time": f"{fit_time:.3f}" if ok and np.isfinite(fit_time) else "–",
                "params": _fmt_params(table["params"][i]),
            }
        )
    return rows


def _make_plots(model: Any, out: Path) -> list[Plot]:
    """Draw the report's PNGs into ``out``: those the model has the values for."""
    table = model.cv_results_
    colours = family_colours(list(table["family"]))
    plots = []
    plot_trials(model, out / "trials.png", colours)
    plots.append(
        Plot(
            "trials.png",
            "Search progress",
            "Mean CV score of each trial (colour: family), failed trials as red crosses "
            "below the rest, and the best score found so far.",
        )
    )
    plot_families(model, out / "families.png", colours)
    plots.append(
        Plot("families.png", "Best score per family", "Best mean CV score of each family.")
    )
    family = str(model.best_params_.get("family"))
    ensemble = _ensemble_kept(model)
    what = "Weighted ensemble" if ensemble else "Winning pipeline"
    if plot_predictions(model, out / "predictions.png", colours.get(family, PALETTE[0]), what):
        whose = " (the weighted mix of its members')" if ensemble else ""
        plots.append(
            Plot(
                "predictions.png",
                "Predictions of the model",
                f"Out-of-fold predictions of the model{whose}, each row predicted by the "
                "fold that did not train on it, against the actual target, and the residuals.",
            )
        )
    importance = getattr(model, "column_importance_", None)
    if importance is not None:
        plot_importance(importance, out / "importance.png", str(scoring_of(model)))
        plots.append(
            Plot(
                "importance.png",
                "Which columns matter",
                "Permutation importance of the model on held-out rows: the drop of its "
                "score when one raw column is shuffled (bars: mean over folds and repeats; "
                "lines: spread). Near zero or below: the model does not rely on it.",
            )
        )
    file = f"params_{family}.png"
    if plot_params(model, family, out / file, colours.get(family, PALETTE[0])):
        plots.append(
            Plot(
                file,
                f"Hyperparameters of {family}",
                f"Mean CV score of every {family} trial against each numeric "
                "hyperparameter (log axis where the space is log-uniform); the star "
                "is the winner.",
            )
        )
    return plots


def write_report(model: Any, out_dir: str | Path, fmt: str = "md") -> Path:
    """Write ``report.md`` (or ``report.html``) and its PNG plots into ``out_dir``.

    Parameters
    ----------
    model : AutoModelClassifier
        A fitted search, or one read back with :func:`automodel.load` (only
        ``cv_results_`` and plain attributes are used, not ``trials_``).
    out_dir : str or Path
        Directory for the report and the plots (created if missing; files of
        the same names are overwritten).
    fmt : {"md", "html"}
        Markdown or a standalone HTML page; both link the PNGs by relative path.

    Returns
    -------
    Path
        The path of the written report.
    """
    if fmt not in ("md", "html"):
        raise ValueError(f"fmt must be 'md' or 'html', got {fmt!r}.")
    check_is_fitted(model, ["cv_results_", "best_params_", "best_index_"])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    info = _summary(model)
    rows = _leaderboard_rows(model, TOP_TRIALS)
    plots = _make_plots(model, out)
    text = (markdown_page if fmt == "md" else html_page)(info, rows, plots)
    path = out / f"report.{fmt}"
    path.write_text(text, encoding="utf-8")
    return path
