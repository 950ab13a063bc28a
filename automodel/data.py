"""Input checks and table handling.

Everything a user hands to automodel passes through here first, so a bad table
fails with a message that says what is wrong and how to fix it, before any
search starts. The column preprocessing built here (imputation, categorical
encoding) becomes the first step of every Pipeline, so it is fitted inside each
CV fold and the saved model takes raw rows.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils import check_array

__all__ = [
    "Schema",
    "align_features",
    "check_features",
    "describe",
    "read_table",
]

logger = logging.getLogger("automodel")

#: One-hot encoding keeps at most this many categories per column; rarer ones share a column.
MAX_ONEHOT_CATEGORIES = 30
#: Below this many rows a column with one value per row is not judged ID-like.
MIN_ROWS_FOR_ID_CHECK = 20


def _is_frame(X: Any) -> bool:
    return isinstance(X, pd.DataFrame)


def check_features(X: Any, *, name: str = "X") -> pd.DataFrame | np.ndarray:
    """Validate a feature table and return it as a DataFrame or a 2-D array.

    Missing values are allowed (they are imputed); infinite values, empty
    tables and arrays that are not 2-D are not.
    """
    if _is_frame(X):
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
        if X.columns.duplicated().any():
            dup = sorted({str(c) for c in X.columns[X.columns.duplicated()]})
            raise ValueError(f"{name} has duplicated column names {dup}; rename them.")
        _check_cells(X, name)
        numeric = X.select_dtypes(include="number")
        if numeric.shape[1] and np.isinf(numeric.to_numpy(dtype=float, na_value=np.nan)).any():
            cols = [c for c in numeric.columns if np.isinf(numeric[c].to_numpy(float)).any()]
            raise ValueError(
                f"{name} contains infinity in column(s) {cols[:5]}; replace inf with NaN "
                "(automodel imputes missing values) or with finite numbers."
            )
        return X
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
            listed = "".join(f"- {c}\n" for c in missing[:10])
            raise ValueError(
                "The feature names should match those that were passed during fit.\n"
                f"Feature names seen at fit time, yet now missing:\n{listed}"
                f"Add the missing column(s) {missing[:10]} to the table you predict on."
            )
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


@dataclass(frozen=True)
class Schema:
    """What was learned about the columns of the training table."""

    numeric: list[Any]
    categorical: list[Any]
    dropped: dict[Any, str] = field(default_factory=dict)
    #: High-cardinality text columns one-hot encoding would blow up (kept for trees).
    onehot_excluded: list[Any] = field(default_factory=list)

    def preprocessor(self, encoding: Literal["onehot", "ordinal"]) -> ColumnTransformer:
        """The column step for a family: impute numbers, encode categories."""
        steps: list[tuple[str, Any, list[Any]]] = []
        if self.numeric:
            steps.append(
                ("num", SimpleImputer(strategy="median", keep_empty_features=True), self.numeric)
            )
        categorical = self.categorical
        if encoding == "onehot":
            categorical = [c for c in categorical if c not in self.onehot_excluded]
            encoder: Any = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=MAX_ONEHOT_CATEGORIES,
                sparse_output=False,
                dtype=np.float64,
            )
        else:
            encoder = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                dtype=np.float64,
            )
        if categorical:
            steps.append(("cat", encoder, categorical))
        return ColumnTransformer(
            steps, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=False
        )


def encoded_width(schema: Schema, X: pd.DataFrame | np.ndarray) -> int:
    """Columns the one-hot column step makes of ``X`` (fitted on all of its rows)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return len(schema.preprocessor("onehot").fit(X).get_feature_names_out())


def describe(X: pd.DataFrame | np.ndarray) -> Schema:
    """Sort columns into numeric and categorical and drop the useless ones.

    Constant and all-missing columns are dropped (with a logged note). A text
    column with a different value in every row looks like an ID: it is kept
    for ordinal encoding but never one-hot expanded.
    """
    frame = X if _is_frame(X) else pd.DataFrame(X)
    positional = not _is_frame(X)
    numeric: list[Any] = []
    categorical: list[Any] = []
    dropped: dict[Any, str] = {}
    id_like: list[Any] = []
    n_rows = len(frame)
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        key = position if positional else name
        if column.isna().all():
            dropped[key] = "all values missing"
            continue
        if column.nunique(dropna=False) <= 1 and n_rows > 1:
            dropped[key] = "constant"
            continue
        if _is_numeric(column):
            numeric.append(key)
            continue
        categorical.append(key)
        present = column.dropna()
        if len(present) >= MIN_ROWS_FOR_ID_CHECK and present.nunique() == len(present):
            id_like.append(key)
    for key, reason in dropped.items():
        logger.warning("Dropping column %r: %s.", key, reason)
    for key in id_like:
        logger.warning(
            "Column %r has a different value in every row (an ID?); it is not one-hot encoded.",
            key,
        )
    if not numeric and not categorical:
        raise ValueError(
            f"X has no usable column: all {frame.shape[1]} column(s) are constant or entirely "
            f"missing ({dropped}); pass columns that vary between rows."
        )
    return Schema(numeric, categorical, dropped, id_like)


def _is_numeric(column: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(column.dtype):
        return False
    if pd.api.types.is_numeric_dtype(column.dtype):
        return True
    if column.dtype == object:
        # An object column of numbers (e.g. from an object ndarray) is numeric.
        converted = pd.to_numeric(column.dropna(), errors="coerce")
        return bool(converted.notna().all())
    return False


#: Delimiters a CSV's header line is checked for, in order of preference.
DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: the one of :data:`DELIMITERS` it
    holds most often (a comma when it holds none: one column)."""
    counts = {sep: header.count(sep) for sep in DELIMITERS}
    best = max(DELIMITERS, key=lambda sep: counts[sep])  # ties: the earlier one
    return best if counts[best] else ","


def _header_line(source: Any) -> str:
    import gzip

    opener = gzip.open if source.suffix == ".gz" else open
    try:
        with opener(source, "rt", encoding="utf-8", errors="replace") as handle:
            return handle.readline()
    except (OSError, EOFError):
        return ""  # pandas says what is wrong with the file


def read_table(
    path: str, *, target: str | None = None, sep: str | None = None
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Read a CSV (``.gz`` allowed) with a header row.

    ``sep`` None: the delimiter is found from the header line (comma, semicolon, tab
    or bar; :func:`sniff_delimiter`). With ``target``, return ``(X, y)`` with the
    target column split off.
    """
    from pathlib import Path

    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"No such file: {str(source)!r}; check the path.")
    if sep is None:
        sep = sniff_delimiter(_header_line(source))
    try:
        frame = pd.read_csv(source, sep=sep)
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"{str(source)!r} is empty; give a CSV with a header row and data rows."
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, EOFError) as exc:
        raise ValueError(
            f"{str(source)!r} could not be read as a CSV table ({type(exc).__name__}); "
            "give a comma-separated text file with a header row."
        ) from None
    if frame.shape[0] == 0:
        raise ValueError(f"{str(source)!r} has a header but no data rows; add rows to fit on.")
    if target is None:
        return frame
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns[:20]))
        raise ValueError(
            f"Target column {target!r} is not in {str(source)!r}; its columns are: {columns} "
            f"(read with delimiter {sep!r}). Pass one of them with --target, or give the "
            "delimiter with --sep."
        )
    return frame.drop(columns=[target]), frame[target]
