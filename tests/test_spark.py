"""Distributed trials through hyperopt's SparkTrials on a local[2] Spark session."""

from __future__ import annotations

import os
import sys
from typing import Any

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
        trial_timeout=None,  # trials in the Spark Python workers (the limit has its own test)
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


def _loss_search(spark: Any, objective: Any, trials: int, slots: int, limit: Any = None) -> Any:
    """A random search of ``trials`` over one ``loss`` parameter on a SparkExecutor."""
    from hyperopt import hp

    from automodel.search import SearchState, run_search
    from automodel.spark import SparkExecutor

    executor = SparkExecutor(objective, session=spark, parallelism=slots, trial_timeout=limit)
    try:
        return run_search(
            {"loss": hp.uniform("loss", 0, 1)},
            executor,
            algo="rand",
            max_evals=trials,
            state=SearchState(rng=np.random.default_rng(0)),
            trial_timeout=limit,
        )
    finally:
        executor.close()


def test_trials_reuse_the_spark_python_worker(spark):
    """Each trial is a one-task job whose input is read to the end, so pyspark keeps
    its Python worker (and the objective loaded in it) for the next trial."""
    from tests._objectives import sleepy

    outcome = _loss_search(spark, sleepy, trials=6, slots=1)
    pids = [record.pid for record in outcome.records]
    # A new Python worker per trial would give 6 pids; the workers that check_executors'
    # job started serve them all.
    assert len(pids) == 6 and len(set(pids)) <= 2


@pytest.mark.parametrize("trial_timeout", [None, 60])
def test_the_broadcast_objective_is_loaded_once_per_process(spark, trial_timeout):
    """The objective (and the table in it) is unpickled once in each process that runs
    trials (the Spark Python worker, or the worker process it keeps for time limits),
    not once per trial."""
    from tests._objectives import CountingLoads

    records = _loss_search(spark, CountingLoads(), 8, slots=2, limit=trial_timeout).records
    assert len(records) == 8 and all(r.ok for r in records)
    assert len({r.pid for r in records}) <= 3  # processes served several trials each
    # Within a process every trial ran the same load of the objective (a load per trial
    # would count up); a reused Spark worker may have loaded earlier tests' objectives.
    loads = {pid: {r.load for r in records if r.pid == pid} for pid in {r.pid for r in records}}
    assert all(len(found) == 1 for found in loads.values()), loads


def test_one_trial_at_a_time_on_spark_gives_the_local_search(spark, iris):
    params = dict(max_evals=8, cv=3, random_state=0, families=["tree", "knn"], trial_timeout=None)
    on_spark = AutoModelClassifier(backend="spark", parallelism=1, **params).fit(*iris)
    local = AutoModelClassifier(**params).fit(*iris)
    assert list(on_spark.cv_results_["params"]) == list(local.cv_results_["params"])
    np.testing.assert_array_equal(
        on_spark.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


def test_the_total_budget_cancels_a_running_spark_trial(spark, iris):
    import time

    start = time.monotonic()
    model = AutoModelClassifier(
        max_evals=3, cv=2, backend="spark", parallelism=2, timeout=12, random_state=1,
        families=[_sleepy_family(), "tree"], ensemble=None, trial_timeout=None,
    ).fit(*iris)  # fmt: skip
    elapsed = time.monotonic() - start
    assert model.cv_results_["status"][0] == "timeout"  # the 60 s default, cancelled
    assert elapsed < 12 + 2


def test_a_spark_search_resumes_from_its_checkpoint(spark, iris, tmp_path):
    X, y = iris
    path = tmp_path / "search.pkl"
    params = dict(cv=3, backend="spark", parallelism=2, random_state=0, checkpoint=path)
    params["trial_timeout"] = None
    params["families"] = ["tree", "knn"]
    first = AutoModelClassifier(max_evals=4, **params).fit(X, y)
    assert path.exists() and len(first.cv_results_["params"]) == 4
    more = AutoModelClassifier(max_evals=6, **params).fit(X, y)
    assert len(more.cv_results_["params"]) == 6
    # The first four are the checkpoint's trials, not run again.
    assert list(more.cv_results_["params"][:4]) == list(first.cv_results_["params"])
    np.testing.assert_array_equal(
        more.cv_results_["mean_test_score"][:4], first.cv_results_["mean_test_score"]
    )


def _sleepy_family(slow_first: bool = True) -> automodel.Family:
    from hyperopt import hp

    from tests._estimators import Sleepy

    return automodel.Family(
        "sleepy",
        Sleepy,
        lambda info: {"seconds": hp.choice("sleepy.seconds", [0.01, 60.0])},
        default=(lambda info: {"sleepy.seconds": 1}) if slow_first else None,
    )


def test_trial_timeout_holds_on_spark(spark, iris):
    import time

    start = time.monotonic()
    model = AutoModelClassifier(
        max_evals=3,
        cv=2,
        backend="spark",
        parallelism=2,
        trial_timeout=3,
        random_state=1,
        families=[_sleepy_family(), "tree"],
        ensemble=None,
    ).fit(*iris)
    elapsed = time.monotonic() - start
    table = model.cv_results_
    assert table["status"][0] == "timeout"  # the 60 s default point, stopped at 3 s
    assert "ok" in list(table["status"])
    assert model.best_params_.get("seconds") != 60.0
    assert elapsed < 50  # no trial ran its 60 s


def test_executor_problems_are_named_with_the_fix():
    from automodel.spark import executor_problem

    ok = [("0.1.0", "", "/usr/bin/python3", "3.11")]
    assert executor_problem(ok, "0.1.0", "3.11") == ""
    missing = [(None, "ModuleNotFoundError: No module named 'automodel'", "/opt/py", "3.11")]
    text = executor_problem(missing, "0.1.0", "3.11")
    assert "cannot import automodel (/opt/py: ModuleNotFoundError" in text
    assert "pip install 'automodel[spark]==0.1.0'" in text and "PYSPARK_PYTHON" in text
    other = executor_problem([("0.0.9", "", "/opt/py", "3.11")], "0.1.0", "3.11")
    assert "run automodel 0.0.9 (/opt/py), the driver 0.1.0" in other
    python = executor_problem([("0.1.0", "", "/opt/py", "3.12")], "0.1.0", "3.11")
    assert "Python 3.12" in python and "same Python version" in python


def test_executors_without_automodel_get_one_clear_line(tmp_path):
    """A real Spark whose Python workers run a bare interpreter (no automodel)."""
    import subprocess
    import venv

    from tests.conftest import PENGUINS

    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    venv.create(tmp_path / "bare", with_pip=False)
    env = {**os.environ, "PYSPARK_PYTHON": str(tmp_path / "bare" / "bin" / "python")}
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    argv = [sys.executable, "-m", "automodel.cli", "fit", str(PENGUINS), "--target", "species"]
    argv += ["--spark", "local[1]", "--max-evals", "2", "--quiet", "--out", str(tmp_path / "m")]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("automodel: error: Spark executors cannot import automodel")
    assert "pip install 'automodel[spark]==" in last
    assert not (tmp_path / "m").exists()


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
        max_evals=4,
        cv=3,
        backend="spark",
        parallelism=2,
        random_state=0,
        families=["linear"],
        trial_timeout=None,
    ).fit(X, y)
    assert len(model.cv_results_["params"]) == 4
    assert model.stop_reason_ == "max_evals"
    assert model.best_score_ > 0.3
    assert np.isfinite(model.oof_predictions_).all()
    path = automodel.save(model, tmp_path / "spark.joblib")
    np.testing.assert_array_equal(automodel.load(path).predict(X), model.predict(X))


def test_ctrl_c_on_spark_keeps_the_finished_trials_and_refits(tmp_path):
    import signal
    import subprocess
    import time

    from tests.conftest import PENGUINS

    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    out, checkpoint = tmp_path / "m.joblib", tmp_path / "ck.pkl"
    argv = [sys.executable, "-m", "automodel.cli", "fit", str(PENGUINS), "--target", "species"]
    argv += ["--spark", "local[2]", "--parallelism", "2", "--max-evals", "500", "--quiet"]
    argv += ["--families", "forest", "--checkpoint", str(checkpoint), "--out", str(out)]
    argv += ["--trial-timeout", "none"]  # trials in the Spark Python workers: a faster start
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    driver = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        end = time.monotonic() + 150
        while not checkpoint.exists() and time.monotonic() < end and driver.poll() is None:
            time.sleep(0.3)
        assert checkpoint.exists() and driver.poll() is None
        driver.send_signal(signal.SIGINT)  # what Ctrl-C sends the driver
        stdout, stderr = driver.communicate(timeout=120)
    finally:
        driver.kill()
        driver.wait()
    assert driver.returncode == 0, stderr[-3000:]
    assert "INTERRUPTED: best found so far" in stdout
    model = automodel.load(out)
    assert model.stop_reason_ == "interrupted"
    assert 1 <= len(model.cv_results_["params"]) < 500


def test_mlflow_child_runs_are_logged_from_sparktrials_thread(spark, iris, store):
    import mlflow

    experiment = mlflow.set_experiment("spark-trials")  # its own: counted below
    try:
        with mlflow.start_run() as run:
            AutoModelClassifier(
                max_evals=3, cv=2, backend="spark", parallelism=2, random_state=0,
                families=["tree"], ensemble=None, trial_timeout=None,
            ).fit(*iris)  # fmt: skip
    finally:
        mlflow.set_experiment(experiment_id="0")
    found = store.search_runs(
        [run.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run.info.run_id}'"
    )
    assert sorted(r.data.tags["trial"] for r in found) == ["0", "1", "2"]
    assert all(r.data.tags["status"] == "ok" for r in found)
    top = store.search_runs([experiment.experiment_id])
    assert len(top) == 4  # the search's run and its three trials, no stray top-level run
