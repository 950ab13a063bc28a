"""automodel.table: reading a CSV, its delimiter found from the header line."""

from __future__ import annotations

import pandas as pd
import pytest

from automodel.table import read_table, sniff_delimiter


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
    assert sniff_delimiter(header + "\n") == sep


def test_a_semicolon_csv_is_read_by_its_columns(tmp_path):
    path = tmp_path / "de.csv"
    path.write_text("a;b;y\n1,5;x;0\n2,5;z;1\n")  # decimal commas inside, as exported
    X, y = read_table(str(path), target="y")
    assert list(X.columns) == ["a", "b"] and list(y) == [0, 1]
    assert list(read_table(str(path), sep=";").columns) == ["a", "b", "y"]
