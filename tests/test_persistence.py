from __future__ import annotations

import fractions
import hashlib
import json
import pathlib
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.exceptions import NotFittedError

import automodel
from automodel import AutoModelClassifier, ModelFileError, safe_format
from automodel.payload import dump
from automodel.persistence import (
    FORMAT_VERSION,
    HEADER,
    PICKLE_ENTRY,
    SAFE_ENTRY,
    read_metadata,
)
from automodel.portable import predicting_part, versions


@pytest.fixture(scope="module")
def fitted(penguins):
    X, y = penguins.drop(columns="species"), penguins["species"]
    # No SVM: an SVC best (it mixes in no ensemble) would leave no ensemble to save.
    families = ["logreg", "forest", "xgboost", "knn"]
    model = AutoModelClassifier(max_evals=4, cv=3, random_state=0, ensemble=True, families=families)
    return model.fit(X, y), X


def test_round_trip_predicts_identically(fitted, tmp_path):
    model, X = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    loaded = automodel.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.best_params_ == model.best_params_


def test_sets_and_the_expected_score_survive_save_and_load(fitted, tmp_path):
    model, X = fitted
    loaded = automodel.load(automodel.save(model, tmp_path / "m.automodel"))
    np.testing.assert_array_equal(loaded.predict_set(X, 0.8), model.predict_set(X, 0.8))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.expected_score_ == model.expected_score_


@pytest.mark.parametrize("params", [{}, {"bagging": True, "ensemble": None}])
def test_intervals_survive_save_and_load_in_the_safe_format(params, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = X[:, 0] + rng.normal(size=300) * (0.1 + np.abs(X[:, 1]))  # uneven noise
    model = automodel.AutoModelRegressor(max_evals=3, families=["linear", "knn"], random_state=0)
    model.set_params(**params).fit(X, y)
    path = automodel.save(model, tmp_path / "r.automodel")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [HEADER, SAFE_ENTRY]
    loaded = automodel.load(path)
    assert loaded.interval_method_ == model.interval_method_
    np.testing.assert_array_equal(loaded.predict_interval(X, 0.9), model.predict_interval(X, 0.9))


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


def _rewrite(path, header=None, data=None):
    """Rewrite a model file's header (``header(dict)`` edits it) or model entry."""
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read(HEADER))
        entry = archive.read(document["entry"])
    if header is not None:
        header(document)
    if data is not None:
        entry = data(entry)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(HEADER, json.dumps(document))
        archive.writestr(document["entry"], entry)


def test_the_default_families_are_saved_in_the_safe_format(fitted, tmp_path):
    model, _ = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [HEADER, SAFE_ENTRY]
        data = archive.read(SAFE_ENTRY)
        assert json.loads(archive.read(HEADER))["format_version"] == FORMAT_VERSION
    assert b"hyperopt" not in data
    assert safe_format.untrusted_types(data) == []


def test_corrupt_payload_fails_the_checksum(fitted, tmp_path):
    model, _ = fitted
    path = automodel.save(model, tmp_path / "m.joblib")

    def flip(entry):
        changed = bytearray(entry)
        changed[len(changed) // 2] ^= 0xFF
        return bytes(changed)

    _rewrite(path, data=flip)
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
    with pytest.raises(ModelFileError, match="is a pickle.*trusted=True"):
        automodel.load(other)
    with pytest.raises(ModelFileError, match="no automodel header"):
        automodel.load(other, trusted=True)


def test_incompatible_format_version_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    _rewrite(path, header=lambda d: d.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(
        ModelFileError, match=f"format version {FORMAT_VERSION + 1}.*reads version {FORMAT_VERSION}"
    ):
        automodel.load(path)


def test_library_version_mismatch_warns(fitted, tmp_path):
    model, X = fitted
    path = automodel.save(model, tmp_path / "m.joblib")
    _rewrite(path, header=lambda d: d["metadata"]["versions"].update({"scikit-learn": "0.1"}))
    with pytest.warns(UserWarning, match="scikit-learn 0.1 ->"):
        loaded = automodel.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


class _RunsCode:
    """Unpickling this writes a file: what a malicious model file could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_a_crafted_file_runs_no_code_unless_trusted(fitted, tmp_path):
    model, _ = fitted
    marker = tmp_path / "ran"
    # a zip model file whose entry is a pickle that runs code
    crafted = automodel.save(model, tmp_path / "crafted.joblib")
    evil = pickle.dumps(_RunsCode(marker))

    checksum = hashlib.sha256(evil).hexdigest()
    as_pickle = lambda d: d.update(entry=PICKLE_ENTRY, sha256=checksum)  # noqa: E731
    _rewrite(crafted, header=as_pickle, data=lambda _: evil)
    with pytest.raises(ModelFileError, match="pickled model.*trusted=True"):
        automodel.load(crafted)
    # an old-style joblib pickle that runs code as the container is read
    old_style = tmp_path / "old.joblib"
    joblib.dump({"format": "automodel.model", "x": _RunsCode(marker)}, old_style)
    with pytest.raises(ModelFileError, match="is a pickle"):
        automodel.load(old_style)
    with pytest.raises(ModelFileError, match="is a pickle"):
        read_metadata(old_style)
    assert not marker.exists()
    # a skops entry naming a type automodel does not trust
    data = skops.io.dumps(fractions.Fraction(1, 3))
    _rewrite(
        crafted,
        header=lambda d: d.update(entry=SAFE_ENTRY, sha256=hashlib.sha256(data).hexdigest()),
        data=lambda _: data,
    )
    with pytest.raises(ModelFileError, match=r"does not trust \(fractions.Fraction\).*--trusted"):
        automodel.load(crafted)
    assert automodel.load(crafted, trusted=True) == fractions.Fraction(1, 3)
    # trusted, the pickle runs: the marker shows that the refusals above were real
    with pytest.raises(ModelFileError, match="format version None"):
        automodel.load(old_style, trusted=True)
    assert marker.exists()


def test_a_format_2_file_loads_only_when_trusted(fitted, tmp_path):
    model, X = fitted
    payload = dump(predicting_part(model))
    document = {
        "format": "automodel.model",
        "format_version": 2,
        "metadata": {"versions": versions(), "keras_backend": None},
        "leaderboard": {},
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    path = tmp_path / "old.joblib"
    joblib.dump(document, path, compress=3)
    with pytest.raises(ModelFileError, match="older automodel.*save it again"):
        automodel.load(path)
    loaded = automodel.load(path, trusted=True)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert read_metadata(path, trusted=True)["metadata"]["keras_backend"] is None


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


def test_a_target_encoded_column_saves_in_the_safe_format(tmp_path):
    rng = np.random.default_rng(0)
    city = rng.integers(0, 50, 400)
    X = pd.DataFrame({"x": rng.normal(size=400), "city": [f"c{v}" for v in city]})
    y = rng.normal(size=50)[city] + X["x"] + rng.normal(size=400) * 0.1
    model = automodel.AutoModelRegressor(max_evals=2, families=["forest"], random_state=0)
    model.fit(X, y)
    assert "TargetEncoder" in repr(model.best_estimator_)  # the column's means, for trees
    path = automodel.save(model, tmp_path / "city.automodel")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [HEADER, SAFE_ENTRY]
    np.testing.assert_array_equal(automodel.load(path).predict(X), model.predict(X))
