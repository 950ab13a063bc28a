"""Distributed trials through hyperopt's SparkTrials on a local[2] Spark session."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import automodel
from automodel import AutoModelClassifier


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from automodel.spark import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_search_gives_the_same_kind_of_model(spark, iris, tmp_path):
    X, y = iris
    model = AutoModelClassifier(
        max_evals=6,
        cv=3,
        backend="spark",
        parallelism=2,
        random_state=0,
        families=["tree", "knn", "svm"],
    ).fit(X, y)
    table = model.cv_results_
    assert len(table["params"]) == 6
    assert set(table["status"]) <= {"ok", "error"}
    assert model.best_score_ >= 0.9
    assert type(model.trials_).__name__ == "Trials"
    # The families' defaults come first, as in a local search (SparkTrials ignores
    # fmin's points_to_evaluate, so automodel's suggestion function hands them out).
    local = AutoModelClassifier(
        max_evals=3, cv=3, random_state=0, families=["tree", "knn", "svm"]
    ).fit(X, y)
    assert list(table["params"][:3]) == list(local.cv_results_["params"])
    path = automodel.save(model, tmp_path / "spark.joblib")
    np.testing.assert_array_equal(automodel.load(path).predict(X), model.predict(X))


def test_spark_refuses_a_checkpoint(spark, iris, tmp_path):
    model = AutoModelClassifier(max_evals=2, backend="spark", checkpoint=tmp_path / "c.pkl")
    with pytest.raises(ValueError, match="checkpoint is not supported with backend='spark'"):
        model.fit(*iris)


def test_missing_pyspark_names_the_extra(monkeypatch, iris):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(ImportError, match=r"pip install 'automodel\[spark\]'"):
        AutoModelClassifier(max_evals=2, backend="spark").fit(*iris)


def test_cli_runs_trials_on_a_spark_master(spark, tmp_path, capsys):
    from automodel.cli import main
    from tests.conftest import PENGUINS

    out = tmp_path / "m.joblib"
    argv = [
        "fit",
        str(PENGUINS),
        "--target",
        "species",
        "--max-evals",
        "3",
        "--cv",
        "3",
        "--spark",
        "local[2]",
        "--parallelism",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    assert len(automodel.load(out).cv_results_["params"]) == 3


def test_cli_without_pyspark_is_one_line(monkeypatch, capsys):
    from automodel.cli import main
    from tests.conftest import PENGUINS

    monkeypatch.setitem(sys.modules, "pyspark", None)
    argv = ["fit", str(PENGUINS), "--target", "species", "--spark", "local[2]", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "automodel[spark]" in err[0]


def test_spark_regression_search(spark, tmp_path):
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    model = automodel.AutoModelRegressor(
        max_evals=4, cv=3, backend="spark", parallelism=2, random_state=0, families=["linear"]
    ).fit(X, y)
    assert len(model.cv_results_["params"]) == 4
    assert model.stop_reason_ == "max_evals"
    assert model.best_score_ > 0.3
    assert np.isfinite(model.oof_predictions_).all()
    path = automodel.save(model, tmp_path / "spark.joblib")
    np.testing.assert_array_equal(automodel.load(path).predict(X), model.predict(X))
