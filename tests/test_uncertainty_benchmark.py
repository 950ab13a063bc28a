"""The uncertainty benchmark's figures: ECE, and the report from records."""

from __future__ import annotations

import json

import numpy as np

from benchmarks.uncertainty import COVERAGES, expected_calibration_error
from benchmarks.uncertainty_report import main as report


def test_ece_is_zero_when_confidence_matches_accuracy_and_grows_with_the_gap():
    proba = np.tile([0.75, 0.25], (400, 1))
    y = np.r_[np.zeros(300, int), np.ones(100, int)]  # right 75% of the time
    assert expected_calibration_error(proba, y) < 1e-12
    sharp = np.tile([0.95, 0.05], (400, 1))
    assert abs(expected_calibration_error(sharp, y) - 0.20) < 1e-9


def _record(task, dataset, seed, rng):
    base = {"task": task, "dataset": dataset, "seed": seed, "test_score": 0.8}
    base |= {"best_score": 0.82, "expected_score": 0.805, "ensemble_score": float("nan")}
    if task == "regression":
        base["interval_method"] = "split"
        for who in ("automodel", "mapie_rf"):
            for c in COVERAGES:
                base[f"{who}_coverage_{c}"] = c + rng.normal() * 0.01
                base[f"{who}_width_{c}"] = 1.5
    else:
        base["calibration"] = "temperature"
        for who in ("automodel", "uncalibrated", "forest"):
            base[f"{who}_log_loss"], base[f"{who}_ece"] = 0.4, 0.05
        for c in COVERAGES:
            base[f"set_coverage_{c}"], base[f"set_size_{c}"] = c, 1.2
    return base


def test_the_report_has_a_row_per_table_and_the_headlines(tmp_path):
    rng = np.random.default_rng(0)
    records = tmp_path / "r.jsonl"
    rows = [
        _record(t, d, s, rng)
        for t in ("regression", "classification")
        for d in "ab"
        for s in (0, 1)
    ]
    records.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "u.md"
    assert report([str(records), "--out", str(out)]) == 0
    text = out.read_text()
    assert "regression: 2 tables, 4 runs" in text and "classification: 2 tables" in text
    assert "| a |" in text and "| **mean** |" in text
    assert "(expected_score_ - test) +0.50 points (standard error 0.00)" in text
    assert "(best_score_ - test) +2.00 (0.00)" in text
    assert "Paired over the 4 runs with an uncalibrated counterpart" in text
