"""automodel.schema: the column kinds and the column step built from them."""

from __future__ import annotations

import logging

import pandas as pd

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
