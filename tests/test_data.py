from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from automodel import AutoModelClassifier
from automodel.data import align_features, check_features, describe, read_table


def messy_table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n) + y,
            "with_gaps": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n), dtype="str"),
            "shape": pd.Series(rng.choice(["a", "b"], n), dtype="category"),
            "flag": rng.random(n) < 0.5,
            "text_gaps": pd.Series(
                np.where(rng.random(n) < 0.3, None, rng.choice(["x", "y"], n)), dtype=object
            ),
            "const": 1,
            "empty": np.nan,
            "row_id": [f"id-{i}" for i in range(n)],
        }
    )
    return frame, np.where(y == 1, "yes", "no")


def test_describe_sorts_columns_and_drops_useless_ones(caplog):
    X, _ = messy_table()
    with caplog.at_level(logging.WARNING, logger="automodel"):
        schema = describe(X)
    assert schema.numeric == ["num", "with_gaps"]
    assert schema.categorical == ["colour", "shape", "flag", "text_gaps", "row_id"]
    assert schema.dropped == {"const": "constant", "empty": "all values missing"}
    assert schema.onehot_excluded == ["row_id"]
    assert "Dropping column 'const'" in caplog.text
    assert "'row_id' has a different value in every row" in caplog.text


def test_onehot_never_expands_an_id_column():
    X, _ = messy_table()
    schema = describe(X)
    onehot = schema.preprocessor("onehot").fit(X)
    names = list(onehot.get_feature_names_out())
    assert not any(name.startswith("row_id") for name in names)
    assert len(names) < 20
    ordinal = schema.preprocessor("ordinal").fit(X)
    assert ordinal.transform(X).shape[1] == 7


def test_messy_dataframe_fits_and_takes_unseen_categories():
    X, y = messy_table()
    model = AutoModelClassifier(max_evals=6, cv=3, random_state=0).fit(X, y)
    assert all(s == "ok" for s in model.cv_results_["status"]), model.cv_results_["error"]
    new = X.head(5).copy()
    new["colour"] = ["purple", None, "red", "red", "teal"]
    new.loc[0, "num"] = np.nan
    assert set(model.predict(new)) <= {"yes", "no"}


def test_object_columns_of_numbers_count_as_numeric():
    X = np.array([[1, "2.5"], [2, "3.5"], [3, "1.0"]], dtype=object)
    checked = check_features(X)
    assert checked.dtype == np.float64


def test_predict_matches_columns_by_name():
    X, y = messy_table()
    columns = list(X.columns)
    reordered = X[columns[::-1]]
    aligned = align_features(reordered, columns=columns, n_features=len(columns))
    assert list(aligned.columns) == columns


def test_predict_drops_the_target_silently_and_warns_on_other_extras(recwarn):
    X, _ = messy_table()
    columns = list(X.columns)
    align_features(X.assign(label=1), columns=columns, n_features=len(columns), target_name="label")
    assert not recwarn.list
    with pytest.warns(UserWarning, match=r"Ignoring column\(s\) \['extra'\]"):
        align_features(X.assign(extra=1), columns=columns, n_features=len(columns))


def test_read_table_splits_the_target(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "y": [0, 1]}).to_csv(path, index=False)
    X, y = read_table(str(path), target="y")
    assert list(X.columns) == ["a", "b"]
    assert list(y) == [0, 1]
    tsv = tmp_path / "t.tsv"
    pd.DataFrame({"a": [1, 2], "target": [0, 1]}).to_csv(tsv, sep="\t", index=False)
    X, y = read_table(str(tsv), target="target")
    assert list(X.columns) == ["a"]


@pytest.mark.parametrize(
    ("header", "sep"),
    [("a,b,y", ","), ("a;b;y", ";"), ("a\tb\ty", "\t"), ("a|b|y", "|"), ("only", ",")],
)
def test_the_delimiter_is_found_from_the_header(header, sep):
    from automodel.data import sniff_delimiter

    assert sniff_delimiter(header + "\n") == sep


def test_a_semicolon_csv_is_read_by_its_columns(tmp_path):
    from automodel.data import read_table

    path = tmp_path / "de.csv"
    path.write_text("a;b;y\n1,5;x;0\n2,5;z;1\n")  # decimal commas inside, as exported
    X, y = read_table(str(path), target="y")
    assert list(X.columns) == ["a", "b"] and list(y) == [0, 1]
    assert list(read_table(str(path), sep=";").columns) == ["a", "b", "y"]
