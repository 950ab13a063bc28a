"""The report's documents: its header, leaderboard and plots as Markdown or as an HTML page.

:mod:`automodel.report` gathers the plain values (header items, leaderboard rows as
display strings, the drawn plots); this module only lays them out, so the two
formats say the same things.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Plot", "html_page", "markdown_page"]


@dataclass(frozen=True)
class Plot:
    """One PNG of the report: its file name, a title and a caption."""

    file: str
    title: str
    caption: str


_HEADERS = ["rank", "trial", "family", "scaler", "mean ± std CV", "fit time (s)", "params"]
_KEYS = ["rank", "trial", "family", "scaler", "score", "fit_time", "params"]


def _expected(info: dict[str, Any]) -> str:
    expected = info.get("expected", math.nan)
    if not math.isfinite(expected):
        return "not estimated (no out-of-fold predictions)"
    gain = info.get("expected_gain", "")
    return f"{expected:.4f} (the best CV score less the luck of selection: BBC-CV{gain})"


def _header_items(info: dict[str, Any]) -> list[tuple[str, str]]:
    failures = (
        ", ".join(f"{n} {reason}" for reason, n in sorted(info["failures"].items())) or "none"
    )
    task = info["task"] + (f" ({info['task_reason']})" if info["task_reason"] else "")
    items = [
        ("Task", task),
        ("Model", info["model"]),
        ("Best family", f"{info['family']} (scaler: {info['scaler']})"),
        ("Best params", info["params"]),
        (f"Best CV {info['scoring']}", f"{info['score']:.4f} ± {info['std']:.4f}"),
        (f"Expected {info['scoring']} on new rows", _expected(info)),
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
    if info.get("interval_method"):
        items.append(("Prediction intervals", f"conformal, {info['interval_method']}"))
    if info["search_time"] is not None:
        items.append(("Search time", f"{info['search_time']:.1f} s"))
    return items


def markdown_page(info: dict[str, Any], rows: list[dict[str, str]], plots: list[Plot]) -> str:
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


def html_page(info: dict[str, Any], rows: list[dict[str, str]], plots: list[Plot]) -> str:
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
