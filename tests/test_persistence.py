from __future__ import annotations

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import automodel
from automodel import AutoModelClassifier, ModelFileError
from automodel.persistence import FORMAT_VERSION, read_metadata


@pytest.fixture(scope="module")
def fitted(penguins):
    X, y = penguins.drop(columns="species"), penguins["species"]
    # No SVM: an SVC best (no class probabilities) would leave no ensemble to save.
    families = ["logreg", "forest", "xgboost", "knn"]
    model = AutoModelClassifier(max_evals=4, cv=3, random_state=0, ensemble=True, families=families)
    return model.fit(X, y), X


def test_round_trip_predicts_identically(fitted, tmp_path):
    model, X = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    loaded = automodel.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.best_params_ == model.best_params_


def test_file_holds_metadata_and_a_plain_leaderboard(fitted, tmp_path):
    model, X = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    info = read_metadata(path)
    meta = info["metadata"]
    assert set(meta["versions"]) >= {"automodel", "scikit-learn", "xgboost", "numpy"}
    assert meta["columns"] == list(X.columns)
    assert meta["dtypes"]["island"] in ("str", "object")
    assert meta["classes"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert meta["best_score"] == pytest.approx(model.best_score_)
    assert meta["created"].endswith("+00:00")
    board = info["leaderboard"]
    assert len(board["family"]) == 5  # the ensemble's row, then 4 trials
    assert board["family"][0] == "ensemble" and board["trial"][0] is None
    assert board["weight"][0] == sum(model.ensemble_weights_)
    assert all(
        isinstance(v, (str, int, float, dict, type(None)))
        for v in board["mean_test_score"] + board["family"] + board["trial"] + board["weight"]
    )


def test_saved_payload_needs_no_hyperopt(fitted, tmp_path):
    model, _ = fitted
    document = joblib.load(automodel.save(model, tmp_path / "m.joblib"))
    assert b"hyperopt" not in document["payload"]
    assert document["format_version"] == FORMAT_VERSION


def test_corrupt_payload_fails_the_checksum(fitted, tmp_path):
    model, _ = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    document = joblib.load(path)
    payload = bytearray(document["payload"])
    payload[len(payload) // 2] ^= 0xFF
    document["payload"] = bytes(payload)
    joblib.dump(document, path)
    with pytest.raises(ModelFileError, match="SHA-256"):
        automodel.load(path)


def test_truncated_file_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ModelFileError, match="truncated, corrupt"):
        automodel.load(path)


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="not a readable automodel model file"):
        automodel.load(text)
    other = tmp_path / "other.joblib"
    joblib.dump({"weights": [1, 2]}, other)
    with pytest.raises(ModelFileError, match="no automodel header"):
        automodel.load(other)


def test_incompatible_format_version_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    document = joblib.load(path)
    document["format_version"] = FORMAT_VERSION + 1
    joblib.dump(document, path)
    with pytest.raises(
        ModelFileError, match=f"format version {FORMAT_VERSION + 1}.*reads version {FORMAT_VERSION}"
    ):
        automodel.load(path)


def test_library_version_mismatch_warns(fitted, tmp_path):
    model, X = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    document = joblib.load(path)
    document["metadata"]["versions"]["scikit-learn"] = "0.1"
    joblib.dump(document, path)
    with pytest.warns(UserWarning, match="scikit-learn 0.1 ->"):
        loaded = automodel.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_missing_file_and_unfitted_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        automodel.load(tmp_path / "absent.joblib")
    with pytest.raises(NotFittedError):
        automodel.save(AutoModelClassifier(), tmp_path / "x.joblib")
    with pytest.raises(TypeError, match="fitted AutoModelClassifier"):
        automodel.save(object(), tmp_path / "x.joblib")


def test_save_is_atomic_and_leaves_no_temporary_files(fitted, tmp_path):
    model, _ = fitted
    automodel.save(model, tmp_path / "m.joblib")
    automodel.save(model, tmp_path / "m.joblib")
    assert [p.name for p in tmp_path.iterdir()] == ["m.joblib"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.dumps(automodel.load(tmp_path / "m.joblib"))


OWN_FAMILY_SCRIPT = """
import sys
from hyperopt import hp
from sklearn.datasets import load_iris
from sklearn.linear_model import RidgeClassifier
import automodel

X, y = load_iris(return_X_y=True)
ridge = automodel.Family(
    "ridge", RidgeClassifier, lambda info: {"alpha": hp.loguniform("ridge.alpha", -7, 7)}
)
model = automodel.AutoModelClassifier(
    families=["logreg", ridge], max_evals=4, cv=3, random_state=0, trial_timeout=None
).fit(X, y)
automodel.save(model, sys.argv[1])
print(model.predict(X[:5]).tolist())
"""

LOAD_SCRIPT = """
import sys
from sklearn.datasets import load_iris
import automodel

model = automodel.load(sys.argv[1])
print(model.predict(load_iris(return_X_y=True)[0][:5]).tolist())
print(model.families)
"""


def test_a_model_searched_with_an_own_lambda_family_saves_and_loads_elsewhere(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "own.joblib"
    script = tmp_path / "script.py"
    script.write_text(OWN_FAMILY_SCRIPT)  # the family lives in the script's __main__
    fitted = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, check=True
    )
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, str(path)], capture_output=True, text=True, check=True
    )
    lines = loaded.stdout.splitlines()
    assert lines[0] == fitted.stdout.splitlines()[0]
    assert lines[1] == "['logreg', 'ridge']"
