from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "datasets" / "penguins.csv"


def skip_unless_installed(family: Any) -> None:
    """Skip the test when a family of an optional extra lacks its modules."""
    for module in family.requires:
        pytest.importorskip(module)


@pytest.fixture(scope="session")
def iris() -> tuple[np.ndarray, np.ndarray]:
    return load_iris(return_X_y=True)


@pytest.fixture(scope="session")
def penguins() -> pd.DataFrame:
    return pd.read_csv(PENGUINS)


@pytest.fixture
def small_binary() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


@pytest.fixture(scope="session")
def mlflow_store_uri(tmp_path_factory) -> str:
    # One database for the run: creating MLflow's tables takes seconds.
    pytest.importorskip("mlflow")
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


@pytest.fixture
def store(mlflow_store_uri, monkeypatch, tmp_path):
    """An MLflow client on the shared SQLite store, set as the tracking URI.

    A SQLite store puts artifacts under ``./mlruns`` of the directory it was first
    opened in: the test runs in its temporary folder, never the repository's.
    """
    import mlflow

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_store_uri)
    mlflow.set_tracking_uri(mlflow_store_uri)
    yield mlflow.MlflowClient(mlflow_store_uri)
    while mlflow.active_run() is not None:
        mlflow.end_run()
