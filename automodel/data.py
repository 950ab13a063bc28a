"""Input checks: a feature table before the search, and its columns again at predict time.

Everything a user hands to automodel passes through here first, so a bad table
fails with a message that says what is wrong and how to fix it, before any
search starts. At predict time a DataFrame's columns are found by name and put in
the order of fit. The column kinds and the column step are in :mod:`automodel.schema`,
CSV reading in :mod:`automodel.table`.
"""

from __future__ import annotations

import difflib
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import check_array

__all__ = ["align_features", "check_features"]


def _is_frame(X: Any) -> bool:
    return isinstance(X, pd.DataFrame)


def check_features(X: Any, *, name: str = "X") -> pd.DataFrame | np.ndarray:
    """Validate a feature table and return it as a DataFrame or a 2-D array.

    Missing values are allowed (they are imputed); infinite values, empty
    tables and arrays that are not 2-D are not.
    """
    if _is_frame(X):
        return _check_frame(X, name)
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(
            f"{name} must be a 2-D table (NumPy array or pandas DataFrame), got {type(X).__name__}."
        )
    if hasattr(X, "toarray"):
        raise TypeError(
            f"{name} is a sparse matrix; automodel takes dense tables. "
            "Convert it with X.toarray() if it fits in memory."
        )
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(
            f"Found array with dim {array.ndim}, but {name} must be 2-D (rows x columns). "
            "Reshape your data, e.g. X.reshape(-1, 1) for a single feature or "
            "X.reshape(len(X), -1) to flatten extra dimensions."
        )
    if array.dtype.kind in "fc" and np.isinf(array).any():
        raise _infinity(name)
    dtype = None if array.dtype.kind in "OUSb" else "numeric"
    try:
        array = check_array(array, dtype=dtype, ensure_all_finite="allow-nan", input_name=name)
    except ValueError as exc:
        hint = "Pass a 2-D table of numbers or strings (NaN is allowed: it is imputed)."
        raise ValueError(f"{exc} {hint}") from None
    if array.dtype.kind in "OUS":
        try:  # an object array of numbers is a numeric table
            array = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            array = np.asarray(array, dtype=object)
            _check_cells(pd.DataFrame(array), name)
            return array
    if np.isinf(array).any():
        raise _infinity(name)
    return array


def _check_frame(X: pd.DataFrame, name: str) -> pd.DataFrame:
    """A DataFrame needs rows, columns, unique column names, simple cells, no infinity."""
    if X.shape[0] == 0:
        raise ValueError(
            f"{name} is empty: found 0 sample(s) (shape={X.shape}); "
            "pass a table with at least one row."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required; "
            "pass a table with at least one feature column."
        )
    _check_names(X.columns, name)
    complex_columns = [c for c in X.columns if X[c].dtype.kind == "c"]
    if complex_columns:
        raise ValueError(
            f"{name} has complex numbers in column(s) {complex_columns[:5]}; automodel takes "
            "real numbers: split each into its real and imaginary parts (two columns)."
        )
    _check_cells(X, name)
    X = _uniform_categories(X)
    numeric = X.select_dtypes(include="number")
    if numeric.shape[1] and np.isinf(numeric.to_numpy(dtype=float, na_value=np.nan)).any():
        cols = [c for c in numeric.columns if np.isinf(numeric[c].to_numpy(float)).any()]
        raise ValueError(
            f"{name} contains infinity in column(s) {cols[:5]}; replace inf with NaN "
            "(automodel imputes missing values) or with finite numbers."
        )
    return X


def _check_names(columns: pd.Index, name: str) -> None:
    """Column names must be flat, unique, and all strings or all not (as scikit-learn asks)."""
    if isinstance(columns, pd.MultiIndex):
        raise ValueError(
            f"{name} has multi-level column names (a MultiIndex); flatten them, e.g. "
            "X.columns = ['_'.join(map(str, c)) for c in X.columns]."
        )
    if columns.duplicated().any():
        dup = sorted({str(c) for c in columns[columns.duplicated()]})
        raise ValueError(f"{name} has duplicated column names {dup}; rename them.")
    kinds = {isinstance(c, str) for c in columns}
    if len(kinds) > 1:
        others = [c for c in columns if not isinstance(c, str)][:3]
        raise TypeError(
            f"{name} mixes text and other column names (e.g. {others}); make them all text, "
            "e.g. X.columns = X.columns.astype(str)."
        )


def _uniform_categories(X: pd.DataFrame) -> pd.DataFrame:
    """Category columns as the encoders need them: a missing value as NaN (not pd.NA),
    and a column of text mixed with numbers as text throughout (``1`` -> ``"1"``)."""
    changed = {}
    for column in X.columns:
        values = X[column]
        if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is pd.NA:
            changed[column] = values.astype(object).where(values.notna(), np.nan)
        elif values.dtype == object:
            present = values.dropna()
            text = present.map(lambda v: isinstance(v, str))
            if text.any() and not text.all():
                changed[column] = values.where(values.isna(), values.astype(str))
    return X.assign(**changed) if changed else X


def _infinity(name: str) -> ValueError:
    return ValueError(
        f"Input {name} contains infinity: replace inf with NaN "
        "(automodel imputes missing values) or with finite numbers."
    )


def _check_cells(frame: pd.DataFrame, name: str) -> None:
    """Object columns may hold strings, numbers, bools and missing values only."""
    for position in np.flatnonzero([dtype == np.dtype(object) for dtype in frame.dtypes]):
        column = frame.iloc[:, position]
        bad = column.map(
            lambda v: (
                not isinstance(v, (str, bytes, int, float, bool, np.generic))
                and v is not None
                and v is not pd.NA
            )
        )
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            kind = type(column.iloc[row]).__name__
            raise TypeError(
                f"{name} has a {kind} at row {row}, column {frame.columns[position]!r}, but every "
                "cell argument must be a string or a number; convert or drop that column."
            )


def align_features(
    X: Any,
    *,
    columns: list[Any] | None,
    n_features: int,
    target_name: Any = None,
    estimator_name: str = "AutoModelClassifier",
    dtypes: dict[str, str] | None = None,
) -> pd.DataFrame | np.ndarray:
    """Check a table at predict time and put its columns in the order of fit.

    A model fitted on a DataFrame finds its columns by name: their order may
    differ, the target column is dropped silently, other extra columns are
    ignored with a warning, and missing ones are an error. With ``dtypes`` (the
    column types at fit), a column that held numbers and now holds text is an error
    that names it.
    """
    if columns is not None and _is_frame(X):
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise ValueError(_missing_columns(missing, [c for c in X.columns if c not in columns]))
        extra = [c for c in X.columns if c not in columns and c != target_name]
        if extra:
            warnings.warn(
                f"Ignoring column(s) {extra[:10]} that were not seen at fit time.",
                UserWarning,
                stacklevel=3,
            )
        X = X[columns]
        if dtypes is not None:
            X = _check_numbers_stay_numbers(X, dtypes)
        return check_features(X)
    if _is_frame(X):
        X = X.to_numpy()
    X = check_features(X)
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {estimator_name} is expecting {n_features} "
            "features as input; pass the same columns as at fit."
        )
    if columns is not None:
        return pd.DataFrame(X, columns=columns)
    return X


def _missing_columns(missing: list[Any], unknown: list[Any]) -> str:
    """One line naming the columns of fit that the table lacks, with a likely rename."""
    names = ", ".join(repr(c) for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
    text = f"The table has no column {names}, which the model was fitted on"
    lowered = {str(u).lower(): u for u in unknown}  # a change of case is a rename too
    guesses = [
        f"{lowered[close[0]]!r} for {c!r}"
        for c in missing
        if (close := difflib.get_close_matches(str(c).lower(), list(lowered), n=1))
    ]
    if guesses:
        text += f" (renamed? it has {', '.join(guesses[:5])})"
    return text + "; add the missing column(s) to the table you predict on."


def _is_number_type(dtype: str) -> bool:
    try:
        return np.dtype(dtype).kind in "iufb"
    except TypeError:
        return False  # category, string: not a NumPy number type


def _check_numbers_stay_numbers(X: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """A column of numbers at fit must hold numbers (or missing values) now; numbers
    written as text ("1.5") are converted."""
    frame = X
    for column in X.columns:
        fitted = dtypes.get(str(column))
        if fitted is None or not _is_number_type(fitted):
            continue
        if pd.api.types.is_numeric_dtype(X[column]):
            continue
        values = X[column]
        numbers = pd.to_numeric(values, errors="coerce")
        bad = values[numbers.isna() & values.notna()]
        if bad.empty:
            X = X.copy() if X is frame else X  # never change the caller's table
            X[column] = numbers
            continue
        raise ValueError(
            f"Column {column!r} held numbers at fit ({fitted}) but now holds text "
            f"({values.dtype}), e.g. {bad.iloc[0]!r} in row {bad.index[0]!r}; make its values "
            "numbers (or empty for missing) as at fit."
        )
    return X
