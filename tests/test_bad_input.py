"""Every kind of bad input gets a clear error that names the problem and the fix."""

from __future__ import annotations

import json
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from sklearn.exceptions import NotFittedError

import automodel
from automodel import AutoModelClassifier, ModelFileError
from automodel.cli import main
from automodel.table import read_table

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 4))
Y = np.repeat([0, 1], 20)


def fit(X=X, y=Y, **params):
    params = {"max_evals": 2, "cv": 3, "families": ["tree"], "random_state": 0, **params}
    return AutoModelClassifier(**params).fit(X, y)


@pytest.fixture(scope="module")
def fitted():
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    return fit(frame), fit(X)


def with_value(array, row, col, value):
    array = array.astype(object if isinstance(value, (str, dict)) else float)
    array[row, col] = value
    return array


def files(tmp_path):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"a": [1, 2, 3], "y": [0, 1, 0]}).to_csv(csv, index=False)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("a,b,y\n")
    binary = tmp_path / "image.png"
    binary.write_bytes(bytes(range(256)) * 8)
    return {"csv": csv, "empty": empty, "header": header, "binary": binary}


FIT_CASES = [
    ("empty X", dict(X=np.empty((0, 4)), y=[]), ValueError, r"0 sample\(s\).*Pass a 2-D table"),
    (
        "empty frame",
        dict(X=pd.DataFrame(columns=["a"]), y=[]),
        ValueError,
        r"is empty.*at least one row",
    ),
    ("no columns", dict(X=np.empty((40, 0))), ValueError, r"0 feature\(s\).*Pass a 2-D table"),
    (
        "length mismatch",
        dict(y=Y[:-3]),
        ValueError,
        r"X has 40 rows, y has 37.*one class label per row",
    ),
    (
        "NaN target",
        dict(y=np.where(np.arange(40) == 5, np.nan, Y)),
        ValueError,
        r"missing label.*\[5\].*drop those rows",
    ),
    (
        "None target",
        dict(y=np.where(np.arange(40) == 2, None, Y.astype(object))),
        ValueError,
        r"missing label.*fill in",
    ),
    ("one class", dict(y=np.zeros(40, int)), ValueError, r"only one class.*at least two classes"),
    (
        "tiny class",
        dict(y=np.r_[np.zeros(37, int), [1, 1, 1]], cv=5),
        ValueError,
        r"Class 1 has only 3 row\(s\), fewer than cv=5.*Use cv=3",
    ),
    (
        "single-row class",
        dict(y=np.r_[np.zeros(39, int), [1]]),
        ValueError,
        r"only 1 row.*at least 2 rows per class",
    ),
    (
        "inf in array",
        dict(X=with_value(X, 3, 1, np.inf)),
        ValueError,
        r"infinity.*replace inf with NaN",
    ),
    (
        "inf in frame",
        dict(X=pd.DataFrame(with_value(X, 3, 1, -np.inf), columns=list("abcd"))),
        ValueError,
        r"infinity in column\(s\) \['b'\]",
    ),
    (
        "no usable column",
        dict(X=np.ones((40, 3))),
        ValueError,
        r"no usable column.*constant.*columns that vary",
    ),
    ("3-D array", dict(X=np.zeros((40, 2, 2))), ValueError, r"dim 3.*Reshape your data"),
    ("1-D array", dict(X=np.zeros(40)), ValueError, r"dim 1.*Reshape your data"),
    (
        "continuous target",
        dict(y=np.linspace(0, 1, 40)),
        ValueError,
        r"Unknown label type.*task='regression'",
    ),
    ("y is None", dict(y=None), ValueError, r"requires y to be passed.*one class label per row"),
    ("2-D target", dict(y=np.zeros((40, 2))), ValueError, r"y must be 1-D"),
    ("string X", dict(X="data.csv"), TypeError, r"must be a 2-D table.*got str"),
    ("sparse X", dict(X=scipy.sparse.csr_matrix(X)), TypeError, r"sparse matrix.*X.toarray\(\)"),
    (
        "dict cell",
        dict(X=with_value(X, 0, 0, {"a": 1})),
        TypeError,
        r"dict at row 0.*string or a number",
    ),
    (
        "max_evals=0",
        dict(max_evals=0),
        ValueError,
        r"'max_evals' parameter.*range \[1, inf\).*Got 0",
    ),
    ("cv=1", dict(cv=1), ValueError, r"'cv' parameter.*range \[2, inf\).*Got 1"),
    ("unknown algo", dict(algo="grid"), ValueError, r"'algo' parameter.*\{.*tpe.*\}.*Got 'grid'"),
    ("unknown family", dict(families=["svn"]), ValueError, r"Unknown family 'svn'.*Valid names"),
    ("negative timeout", dict(timeout=-1), ValueError, r"'timeout' parameter.*Got -1"),
    ("unknown scoring", dict(scoring="acc"), ValueError, r"'scoring' parameter.*Got 'acc'"),
    ("n_jobs=0", dict(n_jobs=0), ValueError, r"n_jobs=0 runs no trial.*-1 \(one per core\)"),
    (
        "an own algo that returns no trials",
        dict(algo=lambda new_ids, domain, trials, seed: 1),
        TypeError,
        r"returned 1, not a list of hyperopt trial documents",
    ),
    (
        "complex column",
        dict(X=pd.DataFrame({"a": X[:, 0], "z": X[:, 1] + 1j})),
        ValueError,
        r"complex numbers in column\(s\) \['z'\].*real and imaginary parts",
    ),
    (
        "multi-level column names",
        dict(X=pd.DataFrame(X, columns=pd.MultiIndex.from_product([["g"], list("abcd")]))),
        ValueError,
        r"multi-level column names.*flatten them",
    ),
    (
        "column names of mixed kinds",
        dict(X=pd.DataFrame(X, columns=[0, "b", "c", "d"])),
        TypeError,
        r"mixes text and other column names \(e.g. \[0\]\).*astype\(str\)",
    ),
]


def test_text_columns_with_pd_na_or_mixed_with_numbers_are_categories():
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["s"] = pd.array(["x", None] * 20, dtype="string")  # pd.NA for missing
    frame["m"] = pd.Series([1, "one"] * 20, dtype=object)  # numbers and text
    model = fit(X=frame, max_evals=2, families=["logreg", "forest"])
    assert set(model.cv_results_["status"]) == {"ok"}
    assert model.predict(frame.iloc[:5]).shape == (5,)


@pytest.mark.parametrize(
    "kwargs, exc, message", [c[1:] for c in FIT_CASES], ids=[c[0] for c in FIT_CASES]
)
def test_fit_rejects_bad_input(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        fit(**kwargs)


YR = np.linspace(0.0, 1.0, 40) ** 2  # a regression target for X

REGRESSION_CASES = [
    (
        "NaN in a regression target",
        dict(y=np.where(np.isin(np.arange(40), [4, 9]), np.nan, YR)),
        ValueError,
        r"2 missing value\(s\).*rows \[4, 9\].*drop those rows",
    ),
    (
        "inf in a regression target",
        dict(y=np.where(np.arange(40) == 7, np.inf, YR)),
        ValueError,
        r"infinity at rows \[7\].*finite",
    ),
    ("constant target", dict(y=np.full(40, 3.5)), ValueError, r"y is constant.*3\.5.*nothing"),
    (
        "text with task='regression'",
        dict(y=np.array(["cheap", "dear"] * 20)),
        ValueError,
        r"non-numeric values \(e\.g\. 'cheap'\).*task='classification'",
    ),
    (
        "too few rows for the folds",
        dict(X=X[:3], y=YR[:3], cv=5),
        ValueError,
        r"only 3 rows, fewer than cv=5 folds; use cv=3",
    ),
    (
        "length mismatch",
        dict(y=YR[:30]),
        ValueError,
        r"X has 40 rows, y has 30.*one number per row",
    ),
    ("y is None", dict(y=None), ValueError, r"requires y to be passed.*one number per row"),
    (
        "classification scorer",
        dict(scoring="f1_macro"),
        ValueError,
        r"'f1_macro' is a classification metric.*'r2'",
    ),
    (
        "classification family",
        dict(families=["logreg"]),
        ValueError,
        r"'logreg' is a classification family.*Regression families",
    ),
]


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [c[1:] for c in REGRESSION_CASES],
    ids=[c[0] for c in REGRESSION_CASES],
)
def test_regression_fit_rejects_bad_input(kwargs, exc, message):
    params = {"X": X, "y": YR, "max_evals": 2, "cv": 3, "families": ["tree"], "random_state": 0}
    params.update(kwargs)
    with pytest.raises(exc, match=message):
        automodel.AutoModelRegressor(**{k: v for k, v in params.items() if k not in "Xy"}).fit(
            params["X"], params["y"]
        )


def test_numeric_classes_with_a_tiny_class_suggest_regression():
    y = np.r_[np.arange(20), np.arange(20)].astype(float)
    y[0] = 99.0  # a class of one row
    with pytest.raises(ValueError, match=r"Class 0\.0 has only 1 row.*task='regression'"):
        automodel.fit(X, y, task="classification", max_evals=2)


PREDICT_CASES = [
    (
        "before fit",
        lambda f, a: AutoModelClassifier().predict(X),
        NotFittedError,
        r"not fitted yet",
    ),
    (
        "missing column",
        lambda f, a: f.predict(pd.DataFrame(X[:, :3], columns=list("abc"))),
        ValueError,
        r"^The table has no column 'd', which the model was fitted on; add the missing",
    ),
    (
        "renamed column",
        lambda f, a: f.predict(pd.DataFrame(X, columns=["a", "b", "c", "D"])),
        ValueError,
        r"no column 'd', which the model was fitted on \(renamed\? it has 'D' for 'd'\)",
    ),
    (
        "column count",
        lambda f, a: a.predict(X[:, :3]),
        ValueError,
        r"X has 3 features, but AutoModelClassifier is expecting 4 features.*same columns",
    ),
    (
        "too many columns",
        lambda f, a: a.predict(np.c_[X, X]),
        ValueError,
        r"X has 8 features, but AutoModelClassifier is expecting 4",
    ),
    (
        "inf at predict",
        lambda f, a: a.predict(with_value(X, 0, 0, np.inf)),
        ValueError,
        r"infinity",
    ),
    (
        "text in a column of numbers",
        lambda f, a: f.predict(
            pd.DataFrame(X, columns=list("abcd"))
            .astype({"b": object})
            .assign(b=lambda t: t["b"].where(t.index != 3, "x"))
        ),
        ValueError,
        r"Column 'b' held numbers at fit \(float64\) but now holds text \(object\), e.g. 'x' in "
        r"row 3; make its values numbers",
    ),
]


@pytest.mark.parametrize(
    "call, exc, message", [c[1:] for c in PREDICT_CASES], ids=[c[0] for c in PREDICT_CASES]
)
def test_predict_rejects_bad_input(fitted, call, exc, message):
    with pytest.raises(exc, match=message):
        call(*fitted)


def test_numbers_written_as_text_are_read_as_numbers_at_predict(fitted):
    frame_model, _ = fitted
    frame = pd.DataFrame(X, columns=list("abcd"))
    as_text = frame.astype({"b": str})
    np.testing.assert_array_equal(frame_model.predict(as_text), frame_model.predict(frame))


def test_predict_ignores_extra_columns_with_a_warning_and_missing_values_are_fine(fitted):
    frame_model, _ = fitted
    frame = pd.DataFrame(X, columns=list("abcd"))
    with pytest.warns(UserWarning, match=r"Ignoring column\(s\) \['zzz'\]"):
        frame_model.predict(frame.assign(zzz=1))
    frame.iloc[0, 0] = np.nan
    assert len(frame_model.predict(frame)) == 40


FILE_CASES = [
    (
        "target not in CSV",
        lambda p: read_table(str(p["csv"]), target="label"),
        ValueError,
        r"'label' is not in.*columns are: a, y.*--target",
    ),
    (
        "missing CSV",
        lambda p: read_table(str(p["csv"]) + ".nope"),
        FileNotFoundError,
        r"No such file.*check the path",
    ),
    ("empty CSV", lambda p: read_table(str(p["empty"])), ValueError, r"is empty.*header row"),
    ("header-only CSV", lambda p: read_table(str(p["header"])), ValueError, r"no data rows"),
    (
        "non-CSV file",
        lambda p: read_table(str(p["binary"])),
        ValueError,
        r"could not be read as a CSV.*comma-separated",
    ),
    (
        "model file: not a model",
        lambda p: automodel.load(p["csv"]),
        ModelFileError,
        r"not a readable automodel model file.*automodel.save",
    ),
    (
        "model file: a pickle of something else",
        lambda p: automodel.load(_dump(p, {"w": 1}), trusted=True),
        ModelFileError,
        r"no automodel header",
    ),
    (
        "model file: truncated",
        lambda p: automodel.load(_truncated(p)),
        ModelFileError,
        r"truncated, corrupt",
    ),
    (
        "model file: other format version",
        lambda p: automodel.load(_future(p)),
        ModelFileError,
        r"format version 99.*refit the model",
    ),
]


def _dump(paths, obj):
    path = paths["csv"].with_suffix(".joblib")
    joblib.dump(obj, path)
    return path


def _truncated(paths):
    path = paths["csv"].with_suffix(".joblib")
    automodel.save(fit(), path)
    path.write_bytes(path.read_bytes()[:100])
    return path


def _future(paths):
    path = paths["csv"].with_suffix(".joblib")
    automodel.save(fit(), path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        entries = {name: archive.read(name) for name in names}
    header = json.loads(entries[names[0]])
    header["format_version"] = 99
    entries[names[0]] = json.dumps(header)
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    return path


@pytest.mark.parametrize(
    "call, exc, message", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_files_are_checked(tmp_path, call, exc, message):
    with pytest.raises(exc, match=message):
        call(files(tmp_path))


@pytest.mark.parametrize("name", ["empty", "header", "binary"])
def test_cli_turns_file_errors_into_one_line(tmp_path, capsys, name):
    path = files(tmp_path)[name]
    assert main(["fit", str(path), "--target", "y", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("automodel: error:")
