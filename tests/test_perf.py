"""benchmarks.perf: the overhead table on a tiny table (behaviour only, no timing targets)."""

from __future__ import annotations

import re

import pytest

from benchmarks import perf
from benchmarks.datasets import DEFAULT_REGRESSION_DIR
from benchmarks.perf import main

ROWS = (
    "fit wall time s",
    "search_time_ / refit_time_ s",
    "setup+teardown s",
    "trials / failed",
    "suggest ms (median / mean)",
    "fit+score ms (median / mean)",
    "everything else ms (median / mean)",
    "everything else ms, mean incl. start-up",
    "peak memory MB, main + workers",
)


def test_overhead_prints_both_executors(capsys):
    argv = ["overhead", "--dataset", "iris", "--max-evals", "3", "--cv", "2"]
    assert main([*argv, "--families", "knn", "logreg"]) == 0
    out = capsys.readouterr().out
    assert "overhead: iris (150, 4), 3 evaluations, 2-fold CV" in out
    header = next(line for line in out.splitlines() if line.startswith("figure"))
    assert "workers (trial_timeout=300)" in header
    assert "in process (None)" in header
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    for row in ROWS:
        assert row in lines, f"missing row {row!r} in:\n{out}"
    assert "3 / 0" in lines["trials / failed"]
    assert lines["trials / failed"].count("3 / 0") == 2  # both executors ran every trial
    # Two measured figures (median / mean) per executor, not just the row's label.
    measured = lines["everything else ms (median / mean)"].split("target")[0]
    figures = re.findall(r"\d+(?:\.\d+)?", measured.split("mean)")[1])
    assert len(figures) >= 4 and all(float(f) >= 0 for f in figures)


def test_paths_compares_serial_and_parallel(capsys, monkeypatch):
    monkeypatch.delitem(perf.PATHS, "spark local[2]")  # Spark has its own test (test_spark)
    argv = ["paths", "--datasets", "iris", "--seeds", "0", "--max-evals", "3", "--cv", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "paths: iris, seeds [0], 3 evaluations, 2-fold CV" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("iris")]
    assert [row[2:4] for row in rows] == [["serial", "(n_jobs=1)"], ["parallel", "(n_jobs=2)"]]
    for row in rows:
        assert 0.0 <= float(row[5]) <= 1.0  # test accuracy
    summary = out.split("mean over datasets and seeds")[1]
    assert "serial (n_jobs=1)" in summary and "parallel (n_jobs=2)" in summary


def test_suggest_compares_hyperopt_and_cached_tpe(capsys):
    argv = ["suggest", "--dataset", "iris", "--max-evals", "14", "--repeats", "1", "--cv", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "hyperopt tpe.suggest" in out and "automodel TPE()" in out
    assert "same suggestions: True" in out


@pytest.mark.skipif(not (DEFAULT_REGRESSION_DIR / "cpus").is_dir(), reason="no regression tables")
def test_diamonds_target_run_on_a_small_regression_table(capsys):
    # The diamonds command on the smallest shared regression table (209 rows).
    argv = ["diamonds", "--dataset", "cpus", "--max-evals", "2", "--cv", "2", "--n-jobs", "1"]
    assert main([*argv, "--families", "linear", "knn"]) == 0
    out = capsys.readouterr().out
    assert "diamonds: cpus (209, 6), 156 rows searched, 2 evaluations, n_jobs=1" in out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    r2 = float(lines["test R2"].split()[2])
    assert -1.0 < r2 <= 1.0
    assert ">= random forest's" in lines["test R2"]
    assert (
        "trials / timeouts / failed" in lines and "2 / 0 / 0" in lines["trials / timeouts / failed"]
    )
    assert "peak memory MB, main + workers" in lines
