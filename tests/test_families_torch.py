"""The torch_mlp family (automodel.families.torch_mlp) in the search, both tasks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hyperopt import space_eval

import automodel
from automodel.families import PRESETS, REGISTRIES, DataInfo, resolve_families, torch_mlp
from automodel.space import build_space, decode, default_points

INFO = DataInfo(n_rows=120, n_features=4, n_classes=2, cv=3)


def _binary(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


def test_no_preset_holds_the_torch_family():
    for task, presets in PRESETS.items():
        assert "torch_mlp" in REGISTRIES[task]
        for name, members in presets.items():
            assert "torch_mlp" not in members, (task, name)


def test_its_default_point_is_the_well_known_net():
    family = REGISTRIES["classification"]["torch_mlp"]
    point = default_points([family], INFO)[0]
    params = decode(space_eval(build_space([family], INFO), point)).params
    assert params["hidden_layer_sizes"] == (100,)
    assert params["optimizer"] == "adam" and params["lr"] == pytest.approx(1e-3)
    assert (params["batch_size"], params["max_epochs"], params["activation"]) == (128, 200, "relu")


def test_naming_it_without_the_extra_is_one_clear_error(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"'torch_mlp' needs torch.*automodel\[torch\]"):
        resolve_families(["default", "torch_mlp"], "regression")
    resolve_families("all", "regression")  # presets never need it


def test_automodel_never_imports_torch_unless_the_family_is_used():
    code = (
        "import sys, automodel\n"
        "from sklearn.datasets import load_iris\n"
        "automodel.fit(*load_iris(return_X_y=True), max_evals=2, cv=2, trial_timeout=None)\n"
        "print('torch' in sys.modules, 'skorch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


pytest.importorskip("torch")
pytest.importorskip("skorch")


def test_search_refit_save_and_load_in_a_fresh_process(tmp_path):
    X, y = _binary()
    model = automodel.AutoModelClassifier(
        families=["torch_mlp"], max_evals=3, cv=3, trial_timeout=None, random_state=0
    ).fit(X, y)
    assert set(model.cv_results_["family"]) == {"torch_mlp"}
    assert model.score(X, y) > 0.8
    path = automodel.save(model, tmp_path / "net.joblib")
    np.save(tmp_path / "X.npy", X)
    code = (
        "import numpy, automodel\n"
        f"m = automodel.load({str(path)!r}, trusted=True)\n"
        "numpy.save('p.npy', m.predict_proba(numpy.load('X.npy')))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
    assert np.allclose(np.load(tmp_path / "p.npy"), model.predict_proba(X), atol=1e-6)


def test_regression_search_with_the_other_families(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 3))
    y = 1000 + 300 * X[:, 0] - 200 * X[:, 1] + rng.normal(size=120)  # far from unit scale
    model = automodel.AutoModelRegressor(
        families=["linear", "torch_mlp"], max_evals=4, cv=3, trial_timeout=None, random_state=0
    ).fit(X, y)
    results = model.cv_results_
    nets = [
        score
        for family, score in zip(results["family"], results["mean_test_score"], strict=True)
        if family == "torch_mlp"
    ]
    assert nets and max(nets) > 0.9  # the standardised target makes the default net work
    assert model.predict(X).shape == (120,)
    loaded = automodel.load(automodel.save(model, tmp_path / "regressor.joblib"), trusted=True)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X))
    single = automodel.AutoModelRegressor(
        families=["torch_mlp"], max_evals=1, cv=3, trial_timeout=None, random_state=0
    ).fit(X, y)  # the net alone, refit on all rows, saved and loaded
    path = automodel.save(single, tmp_path / "net.joblib")
    with pytest.raises(automodel.ModelFileError, match="pickled model.*trusted=True"):
        automodel.load(path)  # a torch net is saved as a pickle: only loaded when trusted
    again = automodel.load(path, trusted=True)
    assert type(again.best_estimator_.named_steps["model"].regressor_).__name__ == (
        "TorchMLPRegressor"
    )
    np.testing.assert_allclose(again.predict(X), single.predict(X))


def test_the_seed_reproduces_the_search():
    X, y = _binary(90)
    params = dict(families=["torch_mlp"], max_evals=2, cv=2, trial_timeout=None, ensemble=None)
    runs = [
        automodel.AutoModelClassifier(**params, random_state=seed).fit(X, y).cv_results_
        for seed in (3, 3, 4)
    ]
    assert np.array_equal(runs[0]["mean_test_score"], runs[1]["mean_test_score"])
    assert runs[0]["params"] == runs[1]["params"]
    assert runs[0]["params"] != runs[2]["params"]


def test_a_net_past_the_trial_timeout_is_a_failed_trial_and_the_search_goes_on():
    def endless(info):
        return {**torch_mlp.torch_space(info), "max_epochs": 100_000, "validation_fraction": 0.0}

    slow = replace(torch_mlp.TORCH_MLP["classification"], space=endless, default=None)
    X, y = _binary()
    model = automodel.AutoModelClassifier(
        families=["logreg", slow], max_evals=4, cv=2, trial_timeout=3, random_state=0, n_jobs=1
    ).fit(X, y)
    statuses = dict(zip(model.cv_results_["family"], model.cv_results_["status"], strict=True))
    assert statuses["torch_mlp"] == "timeout"
    assert model.best_params_["family"] == "logreg"
