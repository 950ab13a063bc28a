"""MLflow tracking against a real store: a SQLite file in a temporary folder."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris

import automodel
from automodel import AutoModelClassifier
from automodel.tracking import MlflowWarning

mlflow = pytest.importorskip("mlflow")


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True, as_frame=True)


def quick(**params):
    settings = {"max_evals": 4, "cv": 3, "random_state": 0, "trial_timeout": None, **params}
    return AutoModelClassifier(**settings)


def children(client, run):
    found = client.search_runs(
        [run.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run.info.run_id}'"
    )
    return sorted(found, key=lambda r: int(r.data.tags["trial"]))


def test_an_active_run_gets_the_search_its_trials_and_the_model(store, iris):
    X, y = iris
    with mlflow.start_run() as run:
        model = quick().fit(X, y)
    logged = store.get_run(run.info.run_id)
    assert logged.data.params["task"] == "classification"
    assert logged.data.params["max_evals"] == "4" and logged.data.params["n_rows"] == "150"
    assert logged.data.metrics["best_score"] == pytest.approx(model.best_score_)
    assert logged.data.tags["stop_reason"] == "max_evals"
    trials = children(store, run)
    assert [t.data.tags["trial"] for t in trials] == ["0", "1", "2", "3"]
    scores = [t.data.metrics["mean_test_score"] for t in trials]
    np.testing.assert_allclose(scores, model.cv_results_["mean_test_score"])
    assert trials[0].data.params["family"] == model.cv_results_["family"][0]
    assert "leaderboard.csv" in [a.path for a in store.list_artifacts(run.info.run_id)]
    loaded = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_true_starts_and_ends_a_run_and_false_logs_nothing(store, iris):
    model = quick(mlflow_logging=True).fit(*iris)
    assert mlflow.active_run() is None
    run = store.get_run(model.mlflow_run_id_)
    assert run.info.status == "FINISHED" and len(children(store, run)) == 4
    with mlflow.start_run() as active:
        quick(mlflow_logging=False).fit(*iris)
    assert children(store, store.get_run(active.info.run_id)) == []


def test_a_resumed_search_does_not_log_finished_trials_twice(store, iris, tmp_path):
    path = tmp_path / "search.ckpt"
    quick(max_evals=2, checkpoint=path).fit(*iris)  # no run active: not tracked
    with mlflow.start_run() as run:
        quick(max_evals=4, checkpoint=path).fit(*iris)
    assert [t.data.tags["trial"] for t in children(store, run)] == ["2", "3"]


def test_a_failing_store_costs_one_warning_and_nothing_else(iris, tmp_path, monkeypatch):
    (tmp_path / "a_file").write_text("")  # the store's folder cannot be made under a file
    uri = f"sqlite:///{tmp_path / 'a_file' / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    with pytest.warns(MlflowWarning, match="MLflow logging failed"):
        model = quick(mlflow_logging=True).fit(*iris)
    assert len(model.cv_results_["params"]) == 4
    assert model.predict(iris[0]).shape == (150,)


def test_the_report_joins_the_run(store, iris, tmp_path):
    model = quick(mlflow_logging=True).fit(*iris)
    model.report(tmp_path / "report")
    paths = [a.path for a in store.list_artifacts(model.mlflow_run_id_, "report")]
    assert "report/report.md" in paths and "report/trials.png" in paths


def test_cli_mlflow_flag_uses_the_tracking_uri(store, tmp_path, capsys):
    from automodel.cli import main
    from tests.conftest import PENGUINS

    out = tmp_path / "m.joblib"
    argv = ["fit", str(PENGUINS), "--target", "species", "--max-evals", "2", "--cv", "3"]
    assert main([*argv, "--families", "tree", "--mlflow", "--quiet", "--out", str(out)]) == 0
    model = automodel.load(out)
    run = store.get_run(model.mlflow_run_id_)
    assert run.data.params["task"] == "classification" and len(children(store, run)) == 2
