"""The README's own-net examples (examples/*.py) run, reproduce, save and load."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

import automodel
from automodel.cli_options import format_leaderboard

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: The page that shows the examples (the README links to it).
PAGE = (EXAMPLES.parent / "docs" / "own-nets.md").read_text()


def _readme_block(path: Path) -> str:
    text = path.read_text()
    return text.split("# [readme]\n", 1)[1].split("# [/readme]", 1)[0]


@pytest.mark.parametrize("name", ["torch_nets", "skorch_net", "keras_net"])
def test_the_readme_shows_the_example_as_it_runs(name):
    assert _readme_block(EXAMPLES / f"{name}.py").strip() in PAGE


def _example(name: str, *requires: str) -> ModuleType:
    os.environ.setdefault("KERAS_BACKEND", "torch")  # as the example does, before keras
    for module in requires:
        pytest.importorskip(module)
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))  # imported by name, so models pickle its classes
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    return X[::3], y[::3]


def _search(family, seed, data):
    return automodel.AutoModelClassifier(
        families=[family],
        max_evals=2,
        cv=2,
        random_state=seed,
        ensemble=None,
        trial_timeout=None,
        # one core: a warm loky pool from earlier tests lacks EXAMPLES on its sys.path
        n_jobs=1,
    ).fit(*data)


def test_skorch_example_reproduces_shows_short_names_and_loads_elsewhere(data, tmp_path):
    example = _example("skorch_net", "torch", "skorch")
    first, again = (_search(example.net, 0, data) for _ in range(2))
    assert np.array_equal(*(m.cv_results_["mean_test_score"] for m in (first, again)))
    assert set(first.leaderboard()["status"]) == {"ok"}
    shown = format_leaderboard(first, top=5, width=400)  # what `automodel fit` prints
    assert "optimizer=RMSprop" in shown or "optimizer=Adam" in shown, shown
    assert "<class" not in shown  # classes shown by their short names
    path = automodel.save(first, tmp_path / "net.joblib")
    np.save(tmp_path / "X.npy", data[0])
    code = (
        "import numpy, automodel\n"
        f"m = automodel.load({str(path)!r}, trusted=True)\n"
        f"print(m.predict(numpy.load({str(tmp_path / 'X.npy')!r})).sum())\n"
    )
    env = {"PYTHONPATH": str(EXAMPLES)}  # the script's Net class must import where it loads
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    assert int(out.stdout) == first.predict(data[0]).sum()


def test_keras_example_reproduces(data):
    example = _example("keras_net", "torch", "keras", "scikeras")
    first, again = (_search(example.keras_net, 0, data) for _ in range(2))
    assert set(first.leaderboard()["status"]) == {"ok"}
    assert np.array_equal(*(m.cv_results_["mean_test_score"] for m in (first, again)))


@pytest.mark.parametrize(
    ("name", "requires", "path"),
    [
        ("skorch_net", ("torch", "skorch"), str(EXAMPLES)),  # torch_nets must import
        ("keras_net", ("torch", "keras", "scikeras"), ""),  # build_net travels by value
    ],
)
def test_an_example_run_as_a_script_saves_a_model_a_fresh_process_loads(
    name, requires, path, tmp_path
):
    for module in requires:
        pytest.importorskip(module)
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "PYTHONPATH")}
    subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    code = (
        "import automodel\n"
        "from sklearn.datasets import load_breast_cancer\n"
        "X, y = load_breast_cancer(return_X_y=True)\n"
        f"print((automodel.load({name + '.automodel'!r}, trusted=True).predict(X) == y).mean())\n"
    )
    fresh = {**env, "PYTHONPATH": path} if path else env
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=fresh, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout) > 0.8
