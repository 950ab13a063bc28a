"""automodel.data: the feature checks and the predict-time column alignment."""

from __future__ import annotations

import numpy as np
import pytest

from automodel import AutoModelClassifier
from automodel.data import align_features, check_features
from tests._tables import messy_table


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
