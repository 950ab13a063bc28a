"""The target column: checks for each task, and the rule ``task="auto"`` follows.

The rule (:func:`detect_task`), in order:

1. text, bool and category targets are classes;
2. numbers with a fractional part are a regression target;
3. whole numbers are classes when they take at most :data:`MAX_AUTO_CLASSES`
   distinct values and each value has at least 2 rows; otherwise they are a
   regression target (a count, a price in whole dollars, a year).

Missing values are ignored by the rule (the task's own check then names them).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import type_of_target

__all__ = [
    "MAX_AUTO_CLASSES",
    "check_class_target",
    "class_codes",
    "check_cv_classes",
    "check_regression_rows",
    "check_regression_target",
    "detect_task",
]

#: Whole-number targets with more distinct values than this are a regression target.
MAX_AUTO_CLASSES = 10

_REGRESSION_HINT = (
    " If y is a numeric quantity rather than class labels, use task='regression' "
    "(AutoModelRegressor)."
)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _one_column(y: Any, n_rows: int, estimator: str, what: str) -> np.ndarray:
    """``y`` as a 1-D array of one ``what`` per row of X (a one-column table or a column
    vector is accepted); a missing ``y``, more columns or another length is refused."""
    if y is None:
        raise ValueError(
            f"{estimator} requires y to be passed, but the target y is None; "
            f"pass one {what} per row."
        )
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"y must be one column of {what}s, got a table with {y.shape[1]} columns."
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        values = np.asarray(y.astype(object))
    else:
        values = np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; use y.ravel() or a Series.",
            DataConversionWarning,
            stacklevel=4,
        )
        values = values.ravel()
    _check_length(values, n_rows, what)
    return values


def _numbers(y: Any) -> np.ndarray | None:
    """The target as float64 if every present value is a number (not bool), else None."""
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and (
        isinstance(y.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(y.dtype)
    ):
        return None
    values = np.asarray(y)
    if values.dtype.kind == "b":
        return None
    if values.dtype.kind in "iuf":
        return values.astype(np.float64).ravel()
    if values.dtype.kind != "O":
        return None
    flat = values.ravel()
    present = [v for v in flat if v is not None and not (isinstance(v, float) and np.isnan(v))]
    if not present or not all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
        for v in present
    ):
        return None
    return pd.to_numeric(pd.Series(flat, dtype=object), errors="coerce").to_numpy(np.float64)


def detect_task(y: Any) -> tuple[str, str]:
    """``("classification" | "regression", reason)`` for a target, by the module's rule."""
    numbers = _numbers(y)
    if numbers is None:
        return "classification", "y holds text, bool or category values"
    present = numbers[np.isfinite(numbers)]
    if present.size and np.any(present != np.round(present)):
        return "regression", "y holds numbers with a fractional part"
    values, counts = np.unique(present, return_counts=True)
    if 2 <= len(values) <= MAX_AUTO_CLASSES and counts.min() >= 2:
        return "classification", (
            f"y holds {len(values)} distinct whole numbers (at most {MAX_AUTO_CLASSES}, "
            "each on 2 rows or more)"
        )
    return "regression", f"y holds {len(values)} distinct whole numbers"


def _refuse_rows(bad: np.ndarray, what: str, fix: str, why: str = "") -> None:
    """Refuse a target whose rows ``bad`` holds: ``y {what} at rows [...]; {why}drop
    those rows or {fix}.`` (``{n}`` in ``what``: how many)."""
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(
            f"y {what.format(n=bad.sum())} at rows {rows}; {why}drop those rows or {fix}."
        )


def _check_length(values: np.ndarray, n_rows: int, what: str) -> None:
    if values.ndim != 1:
        raise ValueError(
            f"y must be 1-D (one {what} per row), got shape {values.shape}; "
            "automodel predicts a single target column."
        )
    if len(values) != n_rows:
        raise ValueError(
            f"X and y have different lengths: X has {n_rows} rows, y has {len(values)} "
            f"(inconsistent numbers of samples); pass one {what} per row."
        )


def check_class_target(y: Any, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate class labels; return ``(codes 0..n_classes-1, classes)``."""
    values = _one_column(y, n_rows, "AutoModelClassifier", "class label")
    missing = pd.isna(pd.Series(values, dtype=object)).to_numpy()
    _refuse_rows(missing, "has {n} missing label(s) (NaN/None)", "fill in their labels")
    if values.dtype.kind == "f" and np.isinf(values).any():
        raise ValueError("y contains infinity; class labels must be finite values or strings.")
    kind = type_of_target(values, input_name="y")
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: {kind!r}. automodel's classification needs class labels "
            "(ints, strings or bools). For a continuous target use task='regression' "
            "(AutoModelRegressor); if these numbers are classes, convert them with "
            "y.astype(int) or str."
        )
    classes, codes = np.unique(values, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"y has only one class ({_plain(classes[0])!r}): a classifier needs at least two "
            "classes of labels to learn from; check the target column."
        )
    return codes.astype(np.int64), classes


def class_codes(y: Any, classes: np.ndarray) -> np.ndarray:
    """Class labels as indices into a fitted model's ``classes``; a label it was not
    fitted on is refused."""
    labels = np.asarray(y)
    unknown = sorted(set(labels.tolist()) - set(classes.tolist()), key=str)
    if unknown:
        raise ValueError(
            f"y holds class(es) {unknown[:5]} the model was not fitted on; pass the "
            f"table it was fitted on (classes {classes.tolist()[:10]})."
        )
    return np.searchsorted(classes, labels)


def check_cv_classes(codes: np.ndarray, classes: np.ndarray, cv: int) -> None:
    """Every class needs at least ``cv`` rows for stratified ``cv``-fold CV."""
    counts = np.bincount(codes, minlength=len(classes))
    smallest = int(counts.min())
    if smallest >= cv:
        return
    label = _plain(classes[int(counts.argmin())])
    hint = _REGRESSION_HINT if classes.dtype.kind in "iuf" else ""
    if smallest >= 2:
        raise ValueError(
            f"Class {label!r} has only {smallest} row(s), fewer than cv={cv} folds: "
            "stratified cross-validation needs at least cv rows per class. "
            f"Use cv={smallest} or fewer, or drop that class.{hint}"
        )
    raise ValueError(
        f"Class {label!r} has only {smallest} row(s): stratified cross-validation needs "
        f"at least 2 rows per class (and cv={cv} asks for {cv}). Add rows of that class "
        f"or drop it.{hint}"
    )


def check_regression_target(y: Any, n_rows: int) -> tuple[np.ndarray, None]:
    """Validate a numeric target; return ``(values as float64, None)``."""
    values = _one_column(y, n_rows, "AutoModelRegressor", "number")
    if len(values) < 2:
        raise ValueError(
            f"There is only {len(values)} sample (n_samples={len(values)}): a regression "
            "search needs at least 2 rows (and one per CV fold); add rows."
        )
    numbers = _numbers(values)
    if numbers is None:
        present = [v for v in values.ravel() if not pd.isna(v)]
        example = _plain(present[0]) if present else None
        raise ValueError(
            f"y holds non-numeric values (e.g. {example!r}), but a regression target must be "
            "numbers; use task='classification' (AutoModelClassifier) for class labels, or "
            "convert the column with pd.to_numeric."
        )
    _refuse_rows(np.isnan(numbers), "has {n} missing value(s) (NaN/None)", "fill in their targets")
    _refuse_rows(
        np.isinf(numbers),
        "contains infinity",
        "replace the values",
        "a regression target must be finite: ",
    )
    if np.all(numbers == numbers[0]):
        raise ValueError(
            f"y is constant (every row is {_plain(numbers[0])!r}): there is nothing to learn; "
            "check the target column."
        )
    return numbers, None


def check_regression_rows(y: np.ndarray, classes: None, cv: int) -> None:
    """k-fold CV needs at least ``cv`` rows."""
    if len(y) < cv:
        raise ValueError(
            f"There are only {len(y)} rows, fewer than cv={cv} folds; use cv={max(2, len(y))} "
            "or fewer, or add rows."
            if len(y) >= 2
            else f"There is only {len(y)} row: cross-validation needs at least 2; add rows."
        )
