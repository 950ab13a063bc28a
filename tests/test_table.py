"""automodel.table: reading a CSV, its delimiter found from the header line."""

from __future__ import annotations

import pandas as pd
import pytest

from automodel.table import CsvFormat, read_table, sniff_decimal, sniff_delimiter, sniff_format


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


EUROPEAN = "sepal_length;sepal_width;species\n5,1;3,5;setosa\n4,9;3,0;setosa\n6,3;2,9;virginica\n"


def test_a_semicolon_csv_with_decimal_commas_is_read_as_numbers(tmp_path):
    path = tmp_path / "iris_eu.csv"
    path.write_text(EUROPEAN)
    assert sniff_format(path) == CsvFormat(";", ",")
    X, y = read_table(str(path), target="species")
    assert X.dtypes.tolist() == [float, float]
    assert X["sepal_length"].tolist() == [5.1, 4.9, 6.3]
    # Given explicitly, the decimal mark wins over what the lines suggest.
    as_text = read_table(str(path), decimal=".")
    assert not pd.api.types.is_numeric_dtype(as_text["sepal_length"])


@pytest.mark.parametrize(
    ("lines", "sep", "decimal"),
    [
        (["1,5;2,25;a", "3,0;4;b"], ";", ","),
        (["1.5;2.25;a", "3.0;4;b"], ";", "."),
        (["1.5;x,y;a", "3.5;p,q;b"], ";", "."),  # commas in text, not numbers
        (["1,5,2", "3,0,4"], ",", "."),  # a comma delimiter leaves no room for decimal commas
        (['"1,5"\t"2,5"', '"3,0"\t"4"'], "\t", ","),
        (["1,234\t7", "12,500\t8"], "\t", "."),  # thousands with a comma: no evidence
        (["1,234\t0,5", "2,000\t1,25"], "\t", ","),  # but real decimals decide
    ],
)
def test_the_decimal_mark_is_found_from_the_data_lines(lines, sep, decimal):
    assert sniff_decimal(lines, sep) == decimal


def test_dotted_thousands_with_decimal_commas(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("price;rooms\n1.234,50;3\n987,25;2\n12.000,00;5\n")
    found = sniff_format(path)
    assert (found.decimal, found.thousands) == (",", ".")
    assert "thousands separator '.'" in found.describe()
    assert read_table(str(path))["price"].tolist() == [1234.5, 987.25, 12000.0]
