from __future__ import annotations

import re

import numpy as np
import pytest

import automodel
from automodel import AutoModelClassifier
from automodel.report import write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def fitted(iris):
    X, y = iris
    return AutoModelClassifier(max_evals=6, cv=3, random_state=0).fit(X, y)


def _linked_pngs(text: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)


def _check_pngs(out, names) -> None:
    assert names, "the report links no plot"
    for name in names:
        path = out / name
        assert path.is_file(), name
        assert path.read_bytes()[:8] == PNG_MAGIC
        assert path.stat().st_size > 5_000  # a drawn figure, not an empty canvas


def test_markdown_report_has_header_leaderboard_and_plots(fitted, tmp_path):
    path = write_report(fitted, tmp_path / "report")
    assert path == tmp_path / "report" / "report.md"
    text = path.read_text(encoding="utf-8")
    assert f"{fitted.best_score_:.4f} ± " in text
    assert f"**Best family**: {fitted.best_params_['family']}" in text
    assert "**Trials**: 6 (6 ok)" in text
    assert "**Stop reason**: max_evals" in text
    assert "**Scoring**: accuracy" in text
    assert "| rank | trial | family | scaler | mean ± std CV | fit time (s) | params |" in text
    board = fitted.leaderboard()
    first_row = next(line for line in text.splitlines() if line.startswith("| 1 |"))
    assert f"| {board['family'].iloc[0]} |" in first_row
    assert len([line for line in text.splitlines() if re.match(r"\| \d+ \| \d+ \|", line)]) == 6
    pngs = _linked_pngs(text)
    assert {"trials.png", "families.png"} <= set(pngs)
    _check_pngs(path.parent, pngs)


def test_report_of_a_loaded_model(fitted, tmp_path):
    loaded = automodel.load(automodel.save(fitted, tmp_path / "m.joblib"))
    assert not hasattr(loaded, "trials_")
    path = write_report(loaded, tmp_path / "loaded")
    text = path.read_text(encoding="utf-8")
    assert f"{fitted.best_score_:.4f}" in text
    _check_pngs(path.parent, _linked_pngs(text))


def test_html_report(fitted, tmp_path):
    path = write_report(fitted, tmp_path, fmt="html")
    assert path.name == "report.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<table>" in text and "<th>mean ± std CV</th>" in text
    images = re.findall(r'<img src="([^"]+)"', text)
    _check_pngs(tmp_path, images)


def test_failed_trials_are_counted_by_reason(fitted, tmp_path):
    loaded = automodel.load(automodel.save(fitted, tmp_path / "m.joblib"))
    table = loaded.cv_results_
    worst = int(np.argmax(table["rank_test_score"]))
    if worst == loaded.best_index_:  # pragma: no cover - every trial tied
        pytest.skip("no trial other than the best to mark as failed")
    table["status"][worst] = "timeout"
    table["mean_test_score"][worst] = np.nan
    table["std_test_score"][worst] = np.nan
    text = write_report(loaded, tmp_path / "r").read_text(encoding="utf-8")
    assert "**Failures**: 1 timeout" in text
    assert "**Trials**: 6 (5 ok)" in text


def test_bad_format_is_refused(fitted, tmp_path):
    with pytest.raises(ValueError, match="'md' or 'html'"):
        write_report(fitted, tmp_path, fmt="pdf")
