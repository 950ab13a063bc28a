"""The target checks of each task and the rule task="auto" follows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automodel.target import (
    MAX_AUTO_CLASSES,
    check_class_target,
    check_regression_target,
    detect_task,
)

RNG = np.random.default_rng(0)

# (case, target, expected task): the documented rule, one row per kind of target.
TASK_RULE = [
    ("strings", np.array(["a", "b", "a", "c"] * 5), "classification"),
    ("bools", np.array([True, False] * 10), "classification"),
    ("category", pd.Series(pd.Categorical(["x", "y"] * 10)), "classification"),
    ("text with missing", pd.Series(["a", None, "b", "a"] * 5), "classification"),
    ("number-like strings are text", np.array(["1", "2"] * 10), "classification"),
    ("fractional floats", RNG.normal(size=40), "regression"),
    ("one fractional value among whole ones", np.r_[np.arange(39) % 3, 0.5], "regression"),
    ("binary ints", np.array([0, 1] * 20), "classification"),
    ("whole floats, 3 values", np.array([1.0, 2.0, 3.0] * 10), "classification"),
    (
        f"{MAX_AUTO_CLASSES} whole values, 2 rows each",
        np.repeat(np.arange(MAX_AUTO_CLASSES), 2),
        "classification",
    ),
    (
        f"{MAX_AUTO_CLASSES + 1} whole values",
        np.repeat(np.arange(MAX_AUTO_CLASSES + 1), 5),
        "regression",
    ),
    ("a count with 14 values", np.repeat(np.arange(14), 10), "regression"),
    ("whole values, one on a single row", np.r_[np.zeros(20), np.ones(20), [2.0]], "regression"),
    ("diabetes-like whole floats", np.round(RNG.uniform(25, 346, 400)), "regression"),
    ("object array of numbers", np.array([1.5, 2.25, 3.0] * 5, dtype=object), "regression"),
    ("ints with a missing value", pd.Series([1.0, 2.0, np.nan] * 10), "classification"),
    ("one-column frame", pd.DataFrame({"y": RNG.normal(size=20)}), "regression"),
]


@pytest.mark.parametrize(
    "target, expected", [c[1:] for c in TASK_RULE], ids=[c[0] for c in TASK_RULE]
)
def test_task_rule(target, expected):
    task, reason = detect_task(target)
    assert task == expected
    assert reason.startswith("y holds")


def test_check_class_target_encodes_labels_once():
    codes, classes = check_class_target(np.array([7, 3, 7, 1]), n_rows=4)
    np.testing.assert_array_equal(codes, [2, 1, 2, 0])
    np.testing.assert_array_equal(classes, [1, 3, 7])
    codes, classes = check_class_target(pd.Series([True, False, True]), n_rows=3)
    np.testing.assert_array_equal(classes, [False, True])


def test_check_regression_target_returns_floats():
    values, classes = check_regression_target(pd.Series([1, 2, 3], name="price"), n_rows=3)
    assert classes is None
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, [1.0, 2.0, 3.0])


def test_regression_target_names_the_rows_with_missing_values():
    with pytest.raises(ValueError, match=r"2 missing value\(s\).*rows \[1, 3\]"):
        check_regression_target(np.array([1.0, np.nan, 2.0, np.nan]), n_rows=4)
