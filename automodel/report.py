"""A report of one search: a Markdown or HTML page with PNG plots beside it.

``write_report(model, out_dir)`` reads only ``cv_results_`` and plain fitted
attributes (``best_params_``, ``best_score_``, ``best_index_``, ``scoring``,
``stop_reason_``, ``search_time_``), so it works on a model loaded with
:func:`automodel.load` as well as on a freshly fitted one. Plots are drawn on
``matplotlib.figure.Figure`` objects (Agg canvas), never through pyplot, so
the module touches no global matplotlib state.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from sklearn.utils.validation import check_is_fitted

__all__ = ["new_figure", "save_figure", "write_report"]

#: Trials shown in the report's leaderboard.
TOP_TRIALS = 10
#: Hyperparameters whose values are spread over decades even without a space to ask.
KNOWN_LOG_PARAMS = frozenset(
    {"C", "gamma", "learning_rate", "reg_lambda", "reg_alpha", "min_child_weight"}
)
#: Colour per family (matplotlib's tab10, fixed so every plot agrees).
_PALETTE = [
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


@dataclass(frozen=True)
class _Plot:
    """One PNG of the report: its file name, a caption and a short description."""

    file: str
    title: str
    caption: str


# -- plain values ----------------------------------------------------------------


def _fmt_number(value: Any, digits: int = 4) -> str:
    """Short text for a hyperparameter or score value."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            return str(value)
        return f"{value:.{digits}g}"
    return str(value)


def _fmt_params(params: dict[str, Any]) -> str:
    """``C=3.18, kernel=rbf`` from a trial's params (family and scaler left out)."""
    shown = {k: v for k, v in params.items() if k not in ("family", "scaler")}
    return ", ".join(f"{k}={_fmt_number(v)}" for k, v in shown.items()) or "(defaults)"


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _family_colours(families: Sequence[str]) -> dict[str, str]:
    ordered = list(dict.fromkeys(families))
    return {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(ordered)}


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
        "scoring": getattr(model, "scoring", "accuracy"),
        "search_time": getattr(model, "search_time_", None),
        "cv": getattr(model, "cv", None),
        "algo": getattr(model, "algo", None),
    }


def _leaderboard_rows(model: Any, top: int) -> list[dict[str, str]]:
    """The ``top`` best trials as display strings (failed trials never lead)."""
    table = model.cv_results_
    order = sorted(range(len(table["status"])), key=lambda i: (table["rank_test_score"][i], i))
    rows = []
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


# -- which hyperparameters are searched on a log scale ----------------------------


def _space_log_params(model: Any) -> dict[str, set[str]]:
    """Per family, the parameter names its hyperopt space draws log-uniformly.

    Found by walking each family's space expression; an empty dict when the
    families cannot be rebuilt (the caller then falls back to known names).
    """
    try:
        from hyperopt.pyll.base import as_apply, dfs

        from automodel.families import DataInfo, resolve_families

        families = resolve_families(getattr(model, "families", None))
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
                if dist.name in ("loguniform", "qloguniform", "lognormal", "qlognormal"):
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


# -- plots -----------------------------------------------------------------------


def new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas: no pyplot, no global matplotlib state."""
    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Figure, path: Path) -> None:
    """Write ``figure`` as a PNG and free it."""
    figure.savefig(path, dpi=_DPI)
    figure.clear()


def _score_label(scoring: str, cv: Any) -> str:
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


def _plot_trials(model: Any, path: Path, colours: dict[str, str]) -> None:
    """Score per trial, coloured by family, with the best-so-far line.

    Trials are numbered from 0, like the rows of ``cv_results_`` and the
    leaderboard. Scores far below the rest are drawn as triangles on the
    bottom edge (not to scale) so the top of the search stays readable.
    """
    table = model.cv_results_
    scores = np.asarray(table["mean_test_score"], dtype=float)
    families = list(table["family"])
    n = len(scores)
    trials = np.arange(n)
    ok = np.isfinite(scores)
    low, high = (_view_floor(scores[ok]), float(np.max(scores[ok]))) if ok.any() else (0.0, 1.0)
    pad = max((high - low) * 0.06, 0.005)
    clipped = ok & (scores < low)
    floor = low - pad
    figure = new_figure(9.0, 4.6)
    ax = figure.add_subplot()
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
    ax.set_ylabel(_score_label(model.scoring, getattr(model, "cv", None)))
    ax.set_title(f"Search progress: {n} trials (higher is better)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    save_figure(figure, path)


def _plot_families(model: Any, path: Path, colours: dict[str, str]) -> None:
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
    ax.set_xlabel(f"best {_score_label(model.scoring, getattr(model, 'cv', None))}")
    ax.set_ylabel("family")
    ax.set_title("Best score per family")
    ax.grid(True, axis="x", alpha=0.3)
    save_figure(figure, path)


def _log_axis(ax: Any, values: np.ndarray) -> None:
    """Log x-axis with plain-number tick labels (1, 2, 5 per decade when few decades)."""
    ax.set_xscale("log")
    decades = math.log10(values.max() / values.min()) if values.size else 0.0
    subs = (1.0, 2.0, 5.0) if decades <= 2 else (1.0,)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


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
            if not mask[i] and _is_number(data[i]):
                values.append(float(data[i]))
                kept.append(scores[i])
        if len(values) >= 1:
            found.append((key.removeprefix("param_"), np.array(values), np.array(kept)))
    return found


def _plot_params(model: Any, family: str, path: Path, colour: str) -> bool:
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
    ylabel = _score_label(model.scoring, getattr(model, "cv", None))
    for k, (name, values, scores) in enumerate(params):
        ax = axes[k // columns][k % columns]
        ax.scatter(values, scores, s=26, color=colour, edgecolors="white", linewidths=0.5)
        log = _log_scale(name, family, values, searched)
        if log:
            _log_axis(ax, values)
        elif np.all(values == np.round(values)):
            distinct = np.unique(values)
            if distinct.size <= 8:
                ax.set_xticks(distinct, [_fmt_number(int(v)) for v in distinct])
                if distinct.size == 1:
                    ax.set_xlim(distinct[0] - 1, distinct[0] + 1)
            else:
                ax.xaxis.get_major_locator().set_params(integer=True)
        elif np.unique(values).size == 1:
            ax.set_xticks(values[:1], [_fmt_number(values[0])])
        winner = best_params.get(name)
        if best_params.get("family") == family and _is_number(winner):
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


def _make_plots(model: Any, out: Path) -> list[_Plot]:
    table = model.cv_results_
    colours = _family_colours(list(table["family"]))
    plots = []
    _plot_trials(model, out / "trials.png", colours)
    plots.append(
        _Plot(
            "trials.png",
            "Search progress",
            "Mean CV score of each trial (colour: family), failed trials as red crosses "
            "below the rest, and the best score found so far.",
        )
    )
    _plot_families(model, out / "families.png", colours)
    plots.append(
        _Plot("families.png", "Best score per family", "Best mean CV score of each family.")
    )
    family = str(model.best_params_.get("family"))
    file = f"params_{family}.png"
    if _plot_params(model, family, out / file, colours.get(family, _PALETTE[0])):
        plots.append(
            _Plot(
                file,
                f"Hyperparameters of {family}",
                f"Mean CV score of every {family} trial against each numeric "
                "hyperparameter (log axis where the space is log-uniform); the star "
                "is the winner.",
            )
        )
    return plots


# -- documents ---------------------------------------------------------------------


_HEADERS = ["rank", "trial", "family", "scaler", "mean ± std CV", "fit time (s)", "params"]
_KEYS = ["rank", "trial", "family", "scaler", "score", "fit_time", "params"]


def _header_items(info: dict[str, Any]) -> list[tuple[str, str]]:
    failures = (
        ", ".join(f"{n} {reason}" for reason, n in sorted(info["failures"].items())) or "none"
    )
    items = [
        ("Best family", f"{info['family']} (scaler: {info['scaler']})"),
        ("Best params", info["params"]),
        (f"Best CV {info['scoring']}", f"{info['score']:.4f} ± {info['std']:.4f}"),
        ("Best trial", str(info["best_trial"])),
        ("Trials", f"{info['n_trials']} ({info['n_ok']} ok)"),
        ("Failures", failures),
        ("Stop reason", str(info["stop_reason"])),
        ("Scoring", str(info["scoring"])),
    ]
    if info["cv"] is not None:
        items.append(("CV folds", str(info["cv"])))
    if info["algo"] is not None:
        items.append(("Algorithm", str(info["algo"])))
    if info["search_time"] is not None:
        items.append(("Search time", f"{info['search_time']:.1f} s"))
    return items


def _markdown(info: dict[str, Any], rows: list[dict[str, str]], plots: list[_Plot]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# automodel search report", ""]
    lines += [f"- **{name}**: {cell(value)}" for name, value in _header_items(info)]
    lines += ["", f"## Leaderboard (top {len(rows)})", ""]
    lines.append("| " + " | ".join(_HEADERS) + " |")
    lines.append(
        "|" + "|".join("---:" if h in ("rank", "trial") else "---" for h in _HEADERS) + "|"
    )
    for row in rows:
        lines.append("| " + " | ".join(cell(row[k]) for k in _KEYS) + " |")
    lines += ["", "## Plots", ""]
    for plot in plots:
        lines += [f"### {plot.title}", "", plot.caption, "", f"![{plot.title}]({plot.file})", ""]
    return "\n".join(lines)


def _html(info: dict[str, Any], rows: list[dict[str, str]], plots: list[_Plot]) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>automodel search report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;"
        "text-align:left;vertical-align:top}th{background:#f2f2f2}img{max-width:100%}"
        "dt{font-weight:bold;float:left;clear:left;width:11em}dd{margin-left:12em}</style>",
        "</head><body>",
        "<h1>automodel search report</h1>",
        "<dl>",
    ]
    parts += [f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in _header_items(info)]
    parts += ["</dl>", f"<h2>Leaderboard (top {len(rows)})</h2>", "<table>"]
    parts.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in _HEADERS) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{esc(row[k])}</td>" for k in _KEYS) + "</tr>")
    parts += ["</table>", "<h2>Plots</h2>"]
    for plot in plots:
        parts += [
            f"<h3>{esc(plot.title)}</h3>",
            f"<p>{esc(plot.caption)}</p>",
            f'<img src="{esc(plot.file)}" alt="{esc(plot.title)}">',
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


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
    text = _markdown(info, rows, plots) if fmt == "md" else _html(info, rows, plots)
    path = out / f"report.{fmt}"
    path.write_text(text, encoding="utf-8")
    return path
