"""The benchmark suite end to end on a tiny budget (each run in its own process)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re

import numpy as np
import pytest

from benchmarks.__main__ import main
from benchmarks.datasets import resolve_datasets
from benchmarks.presets import PRESETS, SYSTEM_ORDER
from benchmarks.summary import TIE_MARGIN, load_frame, wins_ties_losses

# A generous run timeout: these runs take seconds, but a loaded machine must not fail them.
TINY = ["--seeds", "1", "--max-evals", "3", "--cv", "2", "--run-timeout", "900"]


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _pmlb_dir(tmp_path, name: str, rows: list[tuple[float, float, int]]):
    folder = tmp_path / "pmlb" / name
    folder.mkdir(parents=True)
    text = "a\tb\ttarget\n" + "".join(f"{a}\t{b}\t{t}\n" for a, b, t in rows)
    with gzip.open(folder / f"{name}.tsv.gz", "wt") as handle:
        handle.write(text)
    return tmp_path / "pmlb"


def test_run_resume_and_report(tmp_path, capsys):
    results = tmp_path / "results.jsonl"
    argv = [
        "run",
        "--datasets",
        "iris",
        "glass",
        "--systems",
        "automodel-tpe",
        "rf-default",
        "--data-dir",
        str(tmp_path / "no-such-dir"),
        "--results",
        str(results),
        *TINY,
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "not found: skipping glass" in out
    records = _lines(results)
    assert [(r["system"], r["dataset"], r["seed"]) for r in records] == [
        ("automodel-tpe", "iris", 0),
        ("rf-default", "iris", 0),
    ]
    for record in records:
        assert record["status"] == "ok", record["message"]
        assert (record["n_rows"], record["n_features"], record["n_classes"]) == (150, 4, 3)
        assert (record["n_train"], record["n_test"]) == (112, 38)
        assert 0.0 <= record["test_accuracy"] <= 1.0
        assert 0.0 <= record["cv_score"] <= 1.0
        assert record["wall_time"] > 0
        assert record["budget"]["max_evals"] == 3 and record["budget"]["cv"] == 2
        assert record["n_failures"] == 0
        assert record["automodel_version"]
        assert "git_commit" in record and record["timestamp"]
        assert record["machine"]["cpu_count"] >= 1
        assert record["command"].startswith("python -m benchmarks run")
    assert records[0]["n_evals"] == 3
    assert records[1]["n_evals"] == 1

    # A second run skips what is done and appends nothing.
    assert main(argv) == 0
    assert "Skipping 2 run(s)" in capsys.readouterr().out
    assert len(_lines(results)) == 2

    out_dir = tmp_path / "report"
    assert main(["report", "--results", str(results), "--out", str(out_dir)]) == 0
    text = (out_dir / "REPORT.md").read_text()
    assert "| iris | 150 | 4 | 3 |" in text
    assert "## Budget: max_evals=3, cv=2" in text
    assert "Mean rank" in text and "automodel-tpe against each system" in text
    assert "`python -m benchmarks report --results" in text
    assert "CPUs" in text
    winners = text.split("Winning families")[1]
    family = records[0]["details"]["best_family"]
    assert f"| iris | {family} 1 |" in winners  # automodel-tpe's one seed (rf-default: no column)
    assert "trails the best other system" in winners
    pngs = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert {"accuracy.png", "ranks.png", "walltime.png", "wtl.png"} <= set(pngs)
    for name in pngs:
        assert (out_dir / name).read_bytes()[:4] == b"\x89PNG"


def test_timeout_and_error_are_recorded(tmp_path, capsys):
    # Class 2 has two rows: fewer than the 3 folds automodel is asked for.
    rows = [(float(i), float(i % 7), i % 2) for i in range(38)] + [(1.5, 2.5, 2), (3.5, 0.5, 2)]
    data_dir = _pmlb_dir(tmp_path, "tiny", rows)
    results = tmp_path / "r.jsonl"
    common = ["--datasets", "tiny", "--data-dir", str(data_dir), "--results", str(results)]
    common += ["--seeds", "1", "--max-evals", "3", "--cv", "3"]
    assert main(["run", "--systems", "automodel-tpe", *common]) == 0
    assert main(["run", "--systems", "rf-default", "--run-timeout", "0.01", *common]) == 0
    error, timeout = _lines(results)
    assert error["status"] == "error" and "ValueError" in error["message"]
    assert error["test_accuracy"] is None
    assert timeout["status"] == "timeout" and "0.01" in timeout["message"]
    # Neither is "done": a new run retries both.
    assert main(["run", "--systems", "rf-default", "automodel-tpe", *common]) == 0
    assert "Skipping" not in capsys.readouterr().out.split("Preset")[-1]
    assert len(_lines(results)) == 4


def test_unknown_names_are_refused(tmp_path, capsys):
    data_dir = _pmlb_dir(tmp_path, "tiny", [(1.0, 2.0, 0), (2.0, 1.0, 1)])
    argv = ["run", "--results", str(tmp_path / "r.jsonl"), "--data-dir", str(data_dir)]
    assert main([*argv, "--datasets", "nope"]) == 2
    assert "Unknown dataset 'nope'" in capsys.readouterr().err
    assert main([*argv, "--datasets", "iris", "--systems", "magic"]) == 2
    assert "unknown system(s) magic" in capsys.readouterr().err


def test_dataset_sources(tmp_path):
    data_dir = _pmlb_dir(tmp_path, "tiny", [(1.0, 2.0, 0), (2.0, 1.0, 1), (3.0, 0.0, 1)])
    specs = {s.name: s for s in resolve_datasets(["iris", "penguins", "pmlb"], data_dir)}
    assert [specs[n].source for n in ("iris", "penguins", "tiny")] == [
        "sklearn",
        "embedded",
        "pmlb",
    ]
    X, y = specs["tiny"].load()
    assert list(X.columns) == ["a", "b"] and list(y) == [0, 1, 1]
    assert specs["penguins"].shape() == {"n_rows": 344, "n_features": 7, "n_classes": 3}
    messages: list[str] = []
    assert resolve_datasets(["glass"], tmp_path / "missing", messages.append) == []
    assert "skipping glass" in messages[0]


def test_presets_are_consistent():
    assert set(PRESETS) == {"quick", "full", "regression", "regression-quick"}
    assert PRESETS["quick"].max_evals == 5 and PRESETS["quick"].cv == 3
    full = PRESETS["full"]
    assert (full.max_evals, full.cv, full.seeds) == (50, 5, 3)
    assert len([d for d in full.datasets if d != "penguins"]) >= 12
    studies = {"automodel-lightgbm", "automodel-catboost", "automodel-serial"}
    assert set(full.systems) == set(SYSTEM_ORDER) - studies


def test_random_search_space_samples_valid_pipelines(penguins):
    from sklearn.model_selection import ParameterSampler

    from automodel.families import DEFAULT_FAMILIES
    from benchmarks.systems import _family, random_search_space

    X = penguins.drop(columns="species")
    space = random_search_space(X, cv=3, seed=0)
    # The baseline searches the families automodel's default set searches, one dict each.
    assert sorted(_family(params["model"][0]) for params in space) == sorted(DEFAULT_FAMILIES)
    for params in ParameterSampler(space, n_iter=60, random_state=0):
        model = params["model"]
        if "model__n_neighbors" in params:
            assert 1 <= params["model__n_neighbors"] <= 50
        if "model__n_estimators" in params:
            assert 10 <= params["model__n_estimators"] <= 500
        if "model__max_features" in params and isinstance(params["model__max_features"], float):
            assert 0.1 <= params["model__max_features"] <= 1.0
        assert model is not None


def test_wins_ties_losses_margin():
    def record(system, seed, accuracy, status="ok"):
        return {
            "system": system,
            "dataset": "d",
            "seed": seed,
            "status": status,
            "test_accuracy": accuracy,
            "budget": {"max_evals": 5, "cv": 3},
        }

    base = 0.9
    records = [
        record("automodel-tpe", 0, base + TIE_MARGIN + 1e-9),  # win
        record("other", 0, base),
        record("automodel-tpe", 1, base + TIE_MARGIN / 2),  # tie
        record("other", 1, base),
        record("automodel-tpe", 2, None, "timeout"),  # loss: no model
        record("other", 2, base),
        record("automodel-tpe", 3, base - 0.02),  # loss
        record("other", 3, base),
    ]
    result = wins_ties_losses(load_frame(records), "automodel-tpe", "other")
    assert (result["wins"], result["ties"], result["losses"]) == (1, 1, 2)
    assert result["mean_diff"] == pytest.approx(np.mean([0.005, 0.0025, -0.02]), abs=1e-6)


def test_trailing_names_datasets_where_the_reference_is_behind():
    from benchmarks.summary import family_counts, trailing

    def record(system, dataset, seed, accuracy, family):
        return {
            "system": system,
            "dataset": dataset,
            "seed": seed,
            "status": "ok",
            "test_accuracy": accuracy,
            "budget": {"max_evals": 5, "cv": 3},
            "details": {"best_family": family},
        }

    frame = load_frame(
        [
            record("automodel-tpe", "a", 0, 0.80, "svm"),
            record("automodel-tpe", "a", 1, 0.80, "logreg"),
            record("other", "a", 0, 0.90, "svm"),
            record("other", "a", 1, 0.90, "svm"),
            record("automodel-tpe", "b", 0, 0.90, "forest"),
            record("other", "b", 0, 0.898, "forest"),  # within the margin: not trailing
        ]
    )
    assert trailing(frame, "automodel-tpe") == ["a: -10.0 points against other"]
    assert family_counts(frame, "other", "a") == "svm 2"
    assert family_counts(frame, "automodel-tpe", "c") == "–"


def test_size_breakdown_splits_small_tables_from_larger_ones(tmp_path):
    from benchmarks.summary import SMALL_TABLE_ROWS, size_bands, write_summary

    def record(system, dataset, n_rows, seed, accuracy):
        return {
            "system": system,
            "dataset": dataset,
            "n_rows": n_rows,
            "seed": seed,
            "status": "ok",
            "test_accuracy": accuracy,
            "budget": {"max_evals": 5, "cv": 3},
        }

    records = []
    for seed in (0, 1):
        # automodel-tpe loses on the small table and wins on the large one.
        records += [
            record("automodel-tpe", "small", SMALL_TABLE_ROWS - 1, seed, 0.80),
            record("other", "small", SMALL_TABLE_ROWS - 1, seed, 0.85),
            record("automodel-tpe", "large", SMALL_TABLE_ROWS, seed, 0.95),
            record("other", "large", SMALL_TABLE_ROWS, seed, 0.90),
        ]
    bands = size_bands(load_frame(records))
    assert [set(part["dataset"]) for part in bands.values()] == [{"small"}, {"large"}]

    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    text = write_summary(results, tmp_path / "out", "test").read_text(encoding="utf-8")
    section = text.split("### By table size")[1].split("###")[0]
    assert "| other | < 1,000 rows | 0 | 0 | 2 | -5.00 |" in section
    assert "| other | >= 1,000 rows | 2 | 0 | 0 | +5.00 |" in section
    assert "| automodel-tpe | 2.00 | 1.00 |" in section

    # One band only: no breakdown.
    small_only = [r for r in records if r["dataset"] == "small"]
    results.write_text("".join(json.dumps(r) + "\n" for r in small_only), encoding="utf-8")
    assert "By table size" not in write_summary(results, tmp_path / "out", "test").read_text(
        encoding="utf-8"
    )


# -- the regression suite -------------------------------------------------------------


def _regression_dir(tmp_path, name: str = "tiny_reg", rows: int = 48):
    """A regression table NAME/NAME.tsv.gz: a number, a text column, a float target."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "regression" / name
    folder.mkdir(parents=True)
    lines = ["a\tkind\ttarget"]
    for i in range(rows):
        a, kind = float(rng.normal()), "xyz"[i % 3]
        target = 3.0 * a + {"x": 0.0, "y": 1.0, "z": -1.0}[kind] + 0.1 * float(rng.normal())
        lines.append(f"{a}\t{kind}\t{target}")
    with gzip.open(folder / f"{name}.tsv.gz", "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    return tmp_path / "regression"


def test_regression_run_records_and_report(tmp_path, capsys, monkeypatch):
    regression_dir = _regression_dir(tmp_path)
    results = tmp_path / "regression.jsonl"
    # FLAML runs when it is installed (the bench extra); the test extra alone lacks it.
    has_flaml = importlib.util.find_spec("flaml") is not None
    systems = ["automodel-tpe", "random-search", "rf-default"] + (["flaml"] if has_flaml else [])
    # optuna-tpe is skipped on regression tables whether or not optuna is installed: the
    # rule is about the system, so pretend every package is there.
    monkeypatch.setattr("benchmarks.__main__.availability", lambda name: None)
    argv = ["run", "--preset", "regression-quick", "--datasets", "tiny_reg"]
    argv += ["--regression-dir", str(regression_dir), "--data-dir", str(tmp_path / "none")]
    argv += ["--results", str(results), "--systems", *systems, "optuna-tpe", *TINY]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Skipping optuna-tpe on regression tables: no regression variant." in out
    records = {r["system"]: r for r in _lines(results)}
    assert sorted(records) == sorted(systems)
    for record in records.values():
        assert record["status"] == "ok", record["message"]
        assert record["task"] == "regression"
        assert (record["n_rows"], record["n_features"]) == (48, 2)
        assert "n_classes" not in record and "test_accuracy" not in record
        assert (record["n_train"], record["n_test"]) == (36, 12)  # 75/25, not stratified
        assert record["test_r2"] <= 1.0 and record["test_rmse"] > 0
        assert np.isfinite(record["cv_score"]) and record["cv_score"] <= 1.0
    assert records["automodel-tpe"]["n_evals"] == 3
    assert records["random-search"]["n_evals"] == 3
    assert records["rf-default"]["n_evals"] == 1
    assert records["automodel-tpe"]["test_r2"] > 0.5  # target = 3a + kind + small noise
    if has_flaml:
        assert records["flaml"]["budget"]["time_budget"] > 0
    assert records["random-search"]["details"]["best_family"] in {
        "linear", "forest", "xgboost", "svm", "extra_trees", "knn",
    }  # fmt: skip

    out_dir = tmp_path / "report"
    assert main(["report", "--results", str(results), "--out", str(out_dir)]) == 0
    text = (out_dir / "REPORT.md").read_text()
    assert text.startswith("# automodel regression benchmark report")
    assert "### Test R² per dataset" in text and "### Test RMSE (target units) per dataset" in text
    assert "| tiny_reg | 48 | 2 |" in text  # no classes column
    assert "by at least 0.005 R²" in text and "mean diff (R²)" in text
    assert "mean CV R²" in text and "Test accuracy" not in text
    assert "Ensemble against the single best (automodel-tpe)" in text
    details = records["automodel-tpe"]["details"]
    assert "ensemble_members" in details and details["ensemble_time"] >= 0
    kept = details["ensemble_score"] is not None
    assert kept == ("single_test_r2" in details) == ("predict_ms_per_1000" in details)
    assert "`python -m benchmarks report --results" in text
    pngs = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert set(pngs) == {"r2.png", "ranks.png", "walltime.png", "wtl.png"}
    for name in pngs:
        assert (out_dir / name).read_bytes()[:4] == b"\x89PNG"


def test_results_file_defaults_to_one_per_task(tmp_path, capsys):
    from benchmarks.runner import DEFAULT_REGRESSION_RESULTS, DEFAULT_RESULTS, default_results

    regression_dir = _regression_dir(tmp_path)
    specs = resolve_datasets(["iris", "regression"], None, regression_dir=regression_dir)
    by_task = {spec.task: spec for spec in specs}
    assert default_results([by_task["regression"]]) == DEFAULT_REGRESSION_RESULTS
    assert default_results([by_task["classification"]]) == DEFAULT_RESULTS
    with pytest.raises(ValueError, match="mix classification and regression"):
        default_results(specs)
    # Mixed tables without --results: refused before anything runs.
    argv = ["run", "--datasets", "iris", "tiny_reg", "--regression-dir", str(regression_dir)]
    assert main(argv) == 2
    assert "mix classification and regression" in capsys.readouterr().err


def test_regression_tables_know_their_task(tmp_path):
    regression_dir = _regression_dir(tmp_path)
    (spec,) = resolve_datasets(["regression"], tmp_path / "none", regression_dir=regression_dir)
    assert (spec.name, spec.source, spec.task) == ("tiny_reg", "regression", "regression")
    X, y = spec.load()
    assert list(X.columns) == ["a", "kind"] and y.dtype == np.float64
    assert spec.shape() == {"n_rows": 48, "n_features": 2}
    # "all" means every classification table; a regression table is never in it.
    assert "tiny_reg" not in {
        s.name for s in resolve_datasets(["all"], None, print, regression_dir)
    }
    messages: list[str] = []
    assert resolve_datasets(["cpus"], None, messages.append, tmp_path / "missing") == []
    assert "Regression data directory" in messages[0] and "skipping cpus" in messages[0]


def test_regression_presets_name_the_shared_tables():
    from benchmarks.datasets import DEFAULT_REGRESSION_DIR
    from benchmarks.presets import REGRESSION_DATASETS, REGRESSION_SYSTEMS, supports

    full, quick = PRESETS["regression"], PRESETS["regression-quick"]
    assert (full.max_evals, full.cv, full.seeds, full.run_timeout) == (50, 5, 5, 3600.0)
    assert full.datasets == REGRESSION_DATASETS and len(REGRESSION_DATASETS) == 12
    studies = {"automodel-lightgbm", "automodel-catboost", "automodel-serial"}
    assert set(full.systems) == set(REGRESSION_SYSTEMS) - studies
    assert "optuna-tpe" not in full.systems
    assert (quick.max_evals, quick.cv, quick.seeds, len(quick.datasets)) == (5, 3, 2, 2)
    assert set(quick.datasets) <= set(REGRESSION_DATASETS)
    assert not supports("optuna-tpe", "regression") and supports("optuna-tpe", "classification")
    if DEFAULT_REGRESSION_DIR.is_dir():
        shared = {p.name for p in DEFAULT_REGRESSION_DIR.iterdir() if p.is_dir()}
        assert set(REGRESSION_DATASETS) <= shared


def test_regression_random_search_space_mirrors_automodel(tmp_path):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import ParameterSampler

    from automodel.families import PRESETS, REGISTRIES
    from benchmarks.regression_systems import family, random_search_space
    from benchmarks.system_parts import RowCap

    X, _ = resolve_datasets(["tiny_reg"], None, regression_dir=_regression_dir(tmp_path))[0].load()
    space = random_search_space(X, cv=3, seed=0)
    assert sorted(family(params["model"][0]) for params in space) == sorted(
        PRESETS["regression"]["default"]
    )
    seen = set()
    for params in ParameterSampler(space, n_iter=60, random_state=0):
        model = params["model"]
        name = family(model)
        seen.add(name)
        if name in ("svm", "knn"):  # automodel's row caps and standardised target
            assert isinstance(model, RowCap)
            assert model.max_rows == REGISTRIES["regression"][name].max_rows
            assert isinstance(model.estimator, TransformedTargetRegressor)
        if name == "linear":
            assert isinstance(model, TransformedTargetRegressor)
            inner = params["model__regressor"]
            low, high = (1e-3, 1e3) if type(inner).__name__ == "Ridge" else (1e-5, 1.0)
            assert low <= inner.alpha <= high
        if "model__estimator__regressor__epsilon" in params:
            assert 1e-3 <= params["model__estimator__regressor__epsilon"] <= 1.0
        if "model__n_estimators" in params:
            assert 10 <= params["model__n_estimators"] <= 500
        assert "model__criterion" not in params and "model__class_weight" not in params
    assert seen == set(PRESETS["regression"]["default"])


def test_row_cap_fits_on_at_most_max_rows():
    from sklearn.linear_model import LinearRegression

    from benchmarks.system_parts import RowCap

    X = np.arange(40, dtype=float).reshape(-1, 1)
    capped = RowCap(LinearRegression(), max_rows=10, random_state=0).fit(X, 2 * X.ravel())
    assert capped.n_fit_rows_ == 10
    assert np.allclose(capped.predict([[100.0]]), [200.0])
    assert RowCap(LinearRegression(), max_rows=None).fit(X, X.ravel()).n_fit_rows_ == 40


def _scored(system, dataset, seed, r2, n_rows=300, status="ok", task="regression", **extra):
    record = {
        "system": system,
        "dataset": dataset,
        "seed": seed,
        "n_rows": n_rows,
        "n_features": 3,
        "status": status,
        "budget": {"max_evals": 5, "cv": 3},
        "details": {"best_family": "forest"},
        **extra,
    }
    if task == "regression":
        record |= {"task": task, "test_r2": r2, "test_rmse": None if r2 is None else 1 - r2}
    else:
        record |= {"n_classes": 2, "test_accuracy": r2}  # an old record: no "task"
    return record


def test_wins_ties_losses_by_r2_margin():
    from benchmarks.metrics import R2
    from benchmarks.stats import ranks

    records = [
        _scored("automodel-tpe", "d", 0, 0.80 + R2.tie_margin + 1e-9),  # win
        _scored("other", "d", 0, 0.80),
        _scored("automodel-tpe", "d", 1, 0.80 + R2.tie_margin / 2),  # tie
        _scored("other", "d", 1, 0.80),
        _scored("automodel-tpe", "d", 2, None, status="error"),  # loss: no model
        _scored("other", "d", 2, -3.0),  # a very bad R² still beats no model
        _scored("automodel-tpe", "d", 3, -0.5),  # loss
        _scored("other", "d", 3, 0.1),
    ]
    frame = load_frame(records)
    result = wins_ties_losses(frame, "automodel-tpe", "other", R2)
    assert (result["wins"], result["ties"], result["losses"]) == (1, 1, 2)
    assert result["mean_diff"] == pytest.approx(np.mean([0.005, 0.0025, -0.6]), abs=1e-6)
    mean_ranks, blocks = ranks(frame, ["automodel-tpe", "other"], R2)
    assert blocks == 4 and mean_ranks["automodel-tpe"] == pytest.approx(1.5)


def test_report_keeps_classification_and_regression_apart(tmp_path):
    from benchmarks.summary import write_summary

    records = []
    for seed in (0, 1):
        records += [
            _scored("automodel-tpe", "small", seed, 0.70, n_rows=200),
            _scored("other", "small", seed, 0.80, n_rows=200),
            _scored("automodel-tpe", "large", seed, 0.91, n_rows=2000),
            _scored("other", "large", seed, 0.90, n_rows=2000),
            _scored("automodel-tpe", "iris", seed, 0.95, n_rows=150, task="classification"),
            _scored("other", "iris", seed, 0.90, n_rows=150, task="classification"),
        ]
    results = tmp_path / "mixed.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    text = write_summary(results, tmp_path / "out", "test").read_text(encoding="utf-8")
    assert text.startswith("# automodel benchmark report")
    classification, regression = text.split("## Regression, budget: max_evals=5, cv=3")
    assert "## Classification, budget: max_evals=5, cv=3" in classification
    assert "| iris | 150 | 3 | 2 | **95.0 ± 0.0** | 90.0 ± 0.0 |" in classification
    assert "small" not in classification and "iris" not in regression
    assert "![Test accuracy per dataset](accuracy_classification.png)" in classification
    assert "![Test R² per dataset](r2_regression.png)" in regression
    assert "| small | 200 | 3 | 0.700 ± 0.000 | **0.800 ± 0.000** |" in regression
    rmse = regression.split("Test RMSE (target units) per dataset")[1].split("###")[0]
    assert "| small | 200 | 3 | 0.3000 ± 0.0000 | **0.2000 ± 0.0000** |" in rmse  # lowest wins
    wtl = regression.split("automodel-tpe against each system")[1].split("###")[0]
    assert "| other | 2 | 0 | 2 | 4 | -0.045 |" in wtl
    sizes = regression.split("### By table size")[1].split("###")[0]
    assert "| other | < 1,000 rows | 0 | 0 | 2 | -0.100 |" in sizes
    assert "| other | >= 1,000 rows | 2 | 0 | 0 | +0.010 |" in sizes
    assert (
        "trails the best other system by 0.005 R² or more on: small: -0.100 R² against other"
        in regression
    )
    for name in ("accuracy_classification", "r2_regression", "wtl_regression", "ranks_regression"):
        assert (tmp_path / "out" / f"{name}.png").is_file()


def test_ensemble_variants_compare_on_the_same_search(capsys, tmp_path):
    from benchmarks.ensemble_variants import VARIANTS
    from benchmarks.ensemble_variants import main as variants_main

    records = tmp_path / "variants.jsonl"
    argv = ["--datasets", "iris", "--seeds", "1", "--max-evals", "6", "--cv", "3"]
    assert variants_main([*argv, "--records", str(records)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("iris seed=0:"))
    assert all(f"{v} " in line for v in VARIANTS)
    assert "1 (table, seed) pairs" in out and "caruana         mean" in out
    (row,) = [json.loads(x) for x in records.read_text().splitlines()]
    assert row["dataset"] == "iris" and set(VARIANTS) <= set(row)
    assert variants_main([*argv, "--variants", "caruana_bagged", "--first-seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "iris seed=2:" in out and "seed=0" not in out
    summary = out.split("pairs;")[1]
    assert "caruana_bagged" in summary and "logloss" not in summary


def test_stacking_is_fitted_on_out_of_fold_probabilities_and_applied_to_refit_members():
    from automodel.evaluate import Objective
    from automodel.tasks import TASKS
    from benchmarks.ensemble_variants import stacked

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] > 0).astype(int)
    rows = np.arange(300)
    folds = [(rows[rows % 3 != k], rows[rows % 3 == k]) for k in range(3)]
    objective = Objective.build(X, y, folds, n_classes=2)
    configs = [{"family": "logreg", "scaler": "standard", "params": {}}]
    voting = TASKS["classification"].voting
    right = np.eye(2, dtype=np.float32)[y] * 0.8 + 0.1
    test = np.array([[2.0, 0.0], [-2.0, 0.0]])
    # The refit member is right on the test rows; the stacker follows what it learnt
    # from the out-of-fold probabilities, even when they were reversed.
    assert list(stacked(objective, configs, {0: right}, voting, test)) == [1, 0]
    assert list(stacked(objective, configs, {0: right[:, ::-1].copy()}, voting, test)) == [0, 1]
    for pool, expected in (({0: right}, [1, 0]), ({0: right[:, ::-1].copy()}, [0, 1])):
        # bagged: the members' fold models give the test probabilities
        assert list(stacked(objective, configs, pool, voting, test, bagged=True)) == expected
    objective.n_classes = 0
    with pytest.raises(ValueError, match="classification only"):
        stacked(objective, configs, {0: right}, voting, test)


def test_fold_bagging_averages_the_fold_models_with_aligned_classes():
    from sklearn.datasets import load_iris

    from automodel.evaluate import Objective
    from benchmarks.ensemble_variants import fold_bagged

    X, y = load_iris(return_X_y=True)
    rows = np.arange(len(y))
    # Fold 0 trains on classes 0 and 1 only: its model has two probability columns.
    folds = [(rows[y < 2], rows[y == 2]), (rows[10:], rows[:10])]
    objective = Objective.build(X, y, folds, n_classes=3)
    config = {"family": "logreg", "scaler": "standard", "params": {}}
    test = X[[0, 60, 120]]
    mean = fold_bagged(objective, [config], {0: 1}, test)
    both = [objective.pipeline(config).fit(X[train], y[train]) for train, _ in folds]
    assert mean.shape == (3, 3)
    np.testing.assert_allclose(mean.sum(axis=1), 1.0)
    np.testing.assert_allclose(mean[:, 2], both[1].predict_proba(test)[:, 2] / 2)
    assert list(np.argmax(mean, axis=1)[:2]) == [0, 1]
    svm = {"family": "svm", "scaler": "standard", "params": {}}
    votes = fold_bagged(objective, [svm], {0: 1}, test)  # no predict_proba: fold models vote
    assert set(np.unique(votes)) <= {0.0, 0.5, 1.0} and list(votes.sum(axis=1)) == [1.0] * 3


def test_ensemble_variants_summarize_names_a_missing_or_empty_records_file(tmp_path, capsys):
    from benchmarks.ensemble_variants import main as variants_main

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    for path, message in ((tmp_path / "nope.jsonl", "no such records file"), (empty, "no (table")):
        with pytest.raises(SystemExit):
            variants_main(["--summarize", str(path)])
        assert message in capsys.readouterr().err


def test_ensemble_variants_summary_pairs_and_names_the_worst_table():
    from benchmarks.ensemble_variants import VARIANTS, summary

    def row(dataset, seed, single, diverse):
        return {
            "dataset": dataset,
            "seed": seed,
            **dict.fromkeys(VARIANTS, single),
            "diverse": diverse,
        }

    text = summary([row("a", 0, 0.80, 0.82), row("a", 1, 0.80, 0.80), row("b", 0, 0.90, 0.88)])
    line = next(x for x in text.splitlines() if x.strip().startswith("diverse "))
    assert "W/T/L 1/1/1" in line and "worst table b -0.0200" in line
    assert "3 (table, seed) pairs" in text


def test_torch_vs_mlp_summary_pairs_by_table_and_seed():
    from benchmarks.torch_vs_mlp import summary

    def record(dataset, seed, family, score, seconds):
        return {
            "dataset": dataset,
            "task": "classification",
            "seed": seed,
            "family": family,
            "test_score": score,
            "trial_seconds_median": seconds,
        }

    records = [
        record("a", 0, "mlp", 0.80, 1.0),
        record("a", 0, "torch_mlp", 0.85, 4.0),
        record("a", 1, "mlp", 0.80, 1.0),
        record("a", 1, "torch_mlp", 0.801, 2.0),
        record("b", 0, "mlp", 0.90, 2.0),
        record("b", 0, "torch_mlp", 0.70, 2.0),
        record("b", 1, "mlp", 0.90, 2.0),  # no torch_mlp run: not a pair
    ]
    text = summary(records)
    assert "over 3 (table, seed) pairs" in text
    assert "wins / ties / losses 1 / 1 / 1" in text
    assert "ratio torch/mlp 2.00" in text


def test_merge_replaces_records_of_the_same_key_and_appends_new_ones(tmp_path, capsys):
    def record(system, dataset, accuracy):
        budget = {"max_evals": 50, "cv": 5}
        return {"system": system, "dataset": dataset, "seed": 0, "budget": budget,
                "test_accuracy": accuracy, "status": "ok"}  # fmt: skip

    base, newer, out = (tmp_path / n for n in ("base.jsonl", "new.jsonl", "out.jsonl"))
    base.write_text(
        "".join(json.dumps(r) + "\n" for r in (record("a", "x", 0.8), record("b", "x", 0.7)))
    )
    newer.write_text(
        "".join(json.dumps(r) + "\n" for r in (record("a", "x", 0.9), record("a", "y", 0.6)))
    )
    assert main(["merge", str(base), str(newer), "--out", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["system"], r["dataset"], r["test_accuracy"]) for r in rows] == [
        ("a", "x", 0.9), ("b", "x", 0.7), ("a", "y", 0.6),
    ]  # fmt: skip
    assert "3 records" in capsys.readouterr().out
    assert main(["merge", str(tmp_path / "nope.jsonl"), str(newer), "--out", str(out)]) == 2
    assert "no such results file" in capsys.readouterr().err


def test_budget_rows_name_the_model_that_predicts():
    from types import SimpleNamespace

    from benchmarks.budget import _model

    kept = SimpleNamespace(ensemble_score_=0.9, ensemble_members_=[1, 2])
    bagged = SimpleNamespace(ensemble_score_=float("nan"), bagged_=True)
    late = SimpleNamespace(bagged_=False, bagging_note_="the time budget has less left")
    assert _model(kept) == "ensemble of 2" and _model(bagged) == "bagged"
    assert _model(late) == "single (the time budget has less left)"


def test_a_bagged_run_pairs_with_its_single_best():
    from benchmarks.ensemble_section import single_best_frame

    def record(seed, accuracy, details):
        return {"system": "automodel-tpe", "dataset": "d", "seed": seed, "status": "ok",
                "test_accuracy": accuracy, "budget": {"max_evals": 5, "cv": 3},
                "details": details}  # fmt: skip

    records = [
        record(0, 0.90, {"bagged": True, "single_test_accuracy": 0.85}),
        record(1, 0.80, {"bagged": False}),  # a refit single best: nothing to pair
    ]
    single = single_best_frame(load_frame(records))
    assert list(single["seed"]) == [0] and list(single["test_accuracy"]) == [0.85]
