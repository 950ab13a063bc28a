"""automodel.schema: the column kinds and the column step built from them."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from automodel.schema import MISSING_CATEGORY, describe
from tests._tables import messy_table


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


def test_numbers_written_as_text_get_a_one_line_warning(caplog):
    frame = pd.DataFrame(
        {"size": ["5,1", "4,9", "3,2", None], "colour": ["red", "blue", "red", "blue"]}
    )
    with caplog.at_level("WARNING", logger="automodel"):
        found = describe(frame)
    assert found.categorical == ["size", "colour"]
    warned = [r.getMessage() for r in caplog.records if "numbers written as text" in r.getMessage()]
    assert warned == [
        "Column 'size' holds numbers written as text (e.g. '5,1'); it is read as categories. "
        "If they are numbers, convert the column (a CSV with decimal commas: --decimal ',')."
    ]


def test_category_encoding_keeps_text_columns_as_pandas_categories():
    X, _ = messy_table()
    schema = describe(X)
    encoded = schema.preprocessor("category").fit(X).transform(X)
    assert list(encoded.columns) == schema.numeric + schema.categorical  # numbers first
    kinds = encoded.dtypes
    assert all(isinstance(kinds[c], pd.CategoricalDtype) for c in schema.categorical)
    assert not any(isinstance(kinds[c], pd.CategoricalDtype) for c in schema.numeric)
    gaps = X["text_gaps"].isna()
    assert gaps.any() and (encoded.loc[gaps, "text_gaps"] == MISSING_CATEGORY).all()


def _many_levels_table(n=600, levels=60, seed=0):
    """A 60-level text column whose levels carry the label (10% flipped), a 10-level one
    and noise."""
    rng = np.random.default_rng(seed)
    level = rng.integers(0, levels, n)
    positive = rng.permutation(levels) < levels // 2  # half the levels, in no text order
    X = pd.DataFrame(
        {
            "noise": rng.normal(size=n),
            "city": [f"city-{v}" for v in level],
            "few": [f"f{v}" for v in rng.integers(0, 10, n)],
        }
    )
    return X, (positive[level] ^ (rng.random(n) < 0.1)).astype(int)


def test_columns_with_more_levels_than_onehot_keeps_are_target_encoded_for_trees():
    X, y = _many_levels_table()
    schema = describe(X)
    assert schema.many_levels == ["city"]  # not "few" (10 levels)
    plain = schema.preprocessor("ordinal").fit_transform(X, y)
    encoded = schema.preprocessor("ordinal", "binary").fit_transform(X, y)
    assert plain.shape == (600, 3) and encoded.shape == (600, 4)
    assert np.array_equal(encoded[:, :3], plain)  # the codes stay; the means come after
    assert schema.preprocessor("onehot", "binary").fit_transform(X, y).shape[1] < 45
    three = schema.preprocessor("ordinal", "multiclass").fit_transform(X, y + (X.noise > 1))
    assert three.shape == (600, 3 + 3)  # one column of means per class


def test_id_like_columns_are_not_target_encoded():
    X, _ = messy_table()
    assert describe(X).many_levels == []


def test_target_encoding_is_cross_fitted_and_reproducible():
    X, y = _many_levels_table()
    step = describe(X).preprocessor("ordinal", "binary")
    fitted = step.fit_transform(X, y)[:, -1]
    assert not np.allclose(fitted, step.transform(X)[:, -1])  # a row's own label is left out
    again = describe(X).preprocessor("ordinal", "binary").fit_transform(X, y)[:, -1]
    assert np.array_equal(fitted, again)


def test_one_split_on_the_target_encoding_finds_what_codes_hide():
    X, y = _many_levels_table(n=2000)
    X_test, y_test = X.iloc[1000:], y[1000:]
    scores = {}
    for target_type in (None, "binary"):
        step = describe(X).preprocessor("ordinal", target_type)
        stump = make_pipeline(step, DecisionTreeClassifier(max_depth=1, random_state=0))
        scores[target_type] = stump.fit(X.iloc[:1000], y[:1000]).score(X_test, y_test)
    assert scores["binary"] > 0.85 and scores[None] < 0.75
