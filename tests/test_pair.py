"""The paired comparison of two results files (benchmarks/pair.py)."""

from __future__ import annotations

import json

import pytest

from benchmarks.pair import main


def _write(path, system, scores, rows=500, wall=10.0, max_evals=50):
    """One record per (table, seed): ``scores`` maps a table to its accuracies by seed."""
    lines = []
    for table, values in scores.items():
        for seed, value in enumerate(values):
            record = {
                "system": system,
                "dataset": table,
                "seed": seed,
                "task": "classification",
                "budget": {"max_evals": max_evals, "cv": 5},
                "status": "ok" if value is not None else "error",
                "n_rows": rows if table != "big" else 5000,
                "test_accuracy": value,
                "wall_time": wall,
            }
            lines.append(json.dumps(record) + "\n")
    path.write_text("".join(lines))


def test_wins_ties_losses_by_size_and_wall_times(tmp_path, capsys):
    new, base = tmp_path / "new.jsonl", tmp_path / "base.jsonl"
    _write(new, "automodel-tpe", {"small": [0.80, 0.70, None], "big": [0.90, 0.91]}, wall=5.0)
    # base: seed 2 of "small" finished, "only_base" has no pair in new.
    _write(
        base,
        "automodel-tpe",
        {"small": [0.78, 0.703, 0.6], "big": [0.92, 0.91], "only_base": [0.5]},
    )
    assert main([str(new), str(base)]) == 0
    out = capsys.readouterr().out
    # small: a win (+2 points), a tie (-0.3), a loss (failed); big: a loss (-2), a tie.
    assert "all tables: 1 / 2 / 2 (W / T / L of 5 pairs)" in out
    assert "tables < 1,000 rows: 1 / 1 / 1 (W / T / L of 3 pairs)" in out
    assert "tables >= 1,000 rows: 0 / 1 / 1 (W / T / L of 2 pairs)" in out
    assert "median wall s: new 5.0, base 10.0" in out
    assert "only_base" not in out


def test_a_study_system_against_the_default_and_a_seed_filter(tmp_path, capsys):
    new, base = tmp_path / "new.jsonl", tmp_path / "base.jsonl"
    _write(new, "automodel-serial", {"t": [0.9, 0.5]})
    _write(base, "automodel-tpe", {"t": [0.8, 0.9]})
    assert main([str(new), str(base), "--new-system", "automodel-serial", "--seeds", "0"]) == 0
    assert "all tables: 1 / 0 / 0 (W / T / L of 1 pairs), mean +10.00 pp" in capsys.readouterr().out
    assert main([str(new), str(base)]) == 1  # no automodel-tpe runs in new


def test_a_missing_file_or_several_budgets_in_one_file_are_named(tmp_path):
    new, base = tmp_path / "new.jsonl", tmp_path / "base.jsonl"
    _write(base, "automodel-tpe", {"t": [0.8]})
    with pytest.raises(SystemExit, match="new.jsonl: no such results file"):
        main([str(new), str(base)])
    _write(new, "automodel-tpe", {"t": [0.8]}, max_evals=100)
    with new.open("a") as handle:  # the same runs at 50 trials in the same file
        handle.write(base.read_text())
    with pytest.raises(SystemExit, match=r"several budgets \(max_evals \[50, 100\]\)"):
        main([str(new), str(base)])
