"""The training table's columns: their kinds, and the column step every Pipeline starts with.

:func:`describe` sorts the columns into numbers and categories and drops the useless
ones; :meth:`Schema.preprocessor` builds the ``ColumnTransformer`` (imputation,
categorical encoding) that becomes the first step of every Pipeline, so it is fitted
inside each CV fold and the saved model takes raw rows.

A text column with more levels than one-hot keeps (``MAX_ONEHOT_CATEGORIES``) also
gets target-encoded columns next to its ordinal codes for the tree families: codes in
sorted-text order put related levels far apart, so a tree needs many splits for what
one split on a level's (cross-fitted) mean target finds. On the generated
million-row table (a 1,000-level column) one LightGBM scored 0.8526 with them against
0.8484 on codes alone (``benchmarks/million.py``, ``lightgbm-large-target``).
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
from sklearn.model_selection import KFold
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, TargetEncoder

__all__ = ["ENCODINGS", "Schema", "as_category", "as_text", "describe", "encoded_width"]

logger = logging.getLogger("automodel")

#: How a family may want its categorical columns: one-hot columns, ordinal codes, the
#: text itself (for a model that encodes categories on its own, e.g. CatBoost), or
#: pandas ``category`` columns (for a model that splits on them natively, e.g. LightGBM;
#: the built-in lightgbm family measured better on codes, see its module).
ENCODINGS = ("onehot", "ordinal", "native", "category")
Encoding = Literal["onehot", "ordinal", "native", "category"]
#: What a target encoder encodes: the target's kind (sklearn's ``TargetEncoder``).
TargetType = Literal["binary", "multiclass", "continuous"]
#: Encodings whose column step returns a DataFrame.
FRAME_ENCODINGS = ("native", "category")
#: What a missing category becomes for ``"native"`` encoding.
MISSING_CATEGORY = "missing"
#: One-hot encoding keeps at most this many categories per column; rarer ones share a column.
MAX_ONEHOT_CATEGORIES = 30
#: Below this many rows a column with one value per row is not judged ID-like.
MIN_ROWS_FOR_ID_CHECK = 20


@dataclass(frozen=True)
class Schema:
    """What was learned about the columns of the training table."""

    numeric: list[Any]
    categorical: list[Any]
    dropped: dict[Any, str] = field(default_factory=dict)
    #: High-cardinality text columns one-hot encoding would blow up (kept for trees).
    onehot_excluded: list[Any] = field(default_factory=list)
    #: Text columns with more than ``MAX_ONEHOT_CATEGORIES`` levels (not ID-like).
    many_levels: list[Any] = field(default_factory=list)

    def preprocessor(
        self, encoding: Encoding, target_type: TargetType | None = None
    ) -> ColumnTransformer:
        """The column step for a family: impute numbers, encode categories.

        ``"native"`` keeps categories as text (missing ones as ``MISSING_CATEGORY``) in a
        DataFrame, numbers first, for a model that reads the text columns itself;
        ``"category"`` gives the same DataFrame with pandas ``category`` columns. With a
        ``target_type``, ``"ordinal"`` adds the target-encoded ``many_levels`` columns
        after the codes (cross-fitted when the step is fitted, so a row's own target
        never reaches its encoding).
        """
        steps: list[tuple[str, Any, list[Any]]] = []
        if self.numeric:
            steps.append(
                ("num", SimpleImputer(strategy="median", keep_empty_features=True), self.numeric)
            )
        categorical = self.categorical
        if encoding == "onehot":
            categorical = [c for c in categorical if c not in self.onehot_excluded]
        if categorical:
            steps.append(("cat", _category_encoder(encoding), categorical))
        encoded = encoding == "ordinal" and target_type is not None and bool(self.many_levels)
        if encoded:
            steps.append(("target", _target_encoder(target_type), self.many_levels))
        step = ColumnTransformer(
            steps,
            remainder="drop",
            sparse_threshold=0.0,
            verbose_feature_names_out=encoded,  # a column's codes and means share its name
        )
        return step.set_output(transform="pandas") if encoding in FRAME_ENCODINGS else step


def _category_encoder(encoding: Encoding) -> Any:
    if encoding == "onehot":
        return OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            max_categories=MAX_ONEHOT_CATEGORIES,
            sparse_output=False,
            dtype=np.float64,
        )
    if encoding == "native":
        return FunctionTransformer(as_text, feature_names_out="one-to-one")
    if encoding == "category":
        return FunctionTransformer(as_category, feature_names_out="one-to-one")
    return OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=-1,
        encoded_missing_value=-1,
        dtype=np.float64,
    )


def _target_encoder(target_type: TargetType) -> TargetEncoder:
    # Its own shuffled folds with a fixed seed: the same encoding on every run.
    return TargetEncoder(target_type=target_type, cv=KFold(5, shuffle=True, random_state=0))


def as_text(X: Any) -> pd.DataFrame:
    """Categories as text, missing ones as ``MISSING_CATEGORY`` (the ``"native"`` step)."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    return frame.astype(object).where(frame.notna(), MISSING_CATEGORY).astype(str)


def as_category(X: Any) -> pd.DataFrame:
    """Categories as pandas ``category`` columns of text (the ``"category"`` step).

    Each call finds its own categories; a model that reads them (LightGBM) keeps the
    training categories and maps new rows onto them, unseen values becoming missing.
    """
    return as_text(X).astype("category")


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
    positional = not isinstance(X, pd.DataFrame)
    frame = pd.DataFrame(X) if positional else X
    numeric: list[Any] = []
    categorical: list[Any] = []
    dropped: dict[Any, str] = {}
    id_like: list[Any] = []
    many_levels: list[Any] = []
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
        _warn_numbers_as_text(key, column)
        present = column.dropna()
        levels = present.nunique()
        if len(present) >= MIN_ROWS_FOR_ID_CHECK and levels == len(present):
            id_like.append(key)
        elif levels > MAX_ONEHOT_CATEGORIES:
            many_levels.append(key)
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
    return Schema(numeric, categorical, dropped, id_like, many_levels)


#: Share of a text column's values that must read as numbers to be called numbers as text.
NUMBERS_AS_TEXT = 0.9


def _warn_numbers_as_text(key: Any, column: pd.Series) -> None:
    """Warn (one line) when a text column holds numbers written with a decimal comma or
    spaces: it is read as categories, which is rarely what its numbers mean."""
    present = column.dropna()
    if len(present) == 0 or pd.api.types.is_bool_dtype(column.dtype):
        return
    text = present.astype(str).str.strip()
    cleaned = text.str.replace(" ", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce").notna()
    if numbers.mean() >= NUMBERS_AS_TEXT:
        example = text[numbers].iloc[0]
        logger.warning(
            "Column %r holds numbers written as text (e.g. %r); it is read as categories. "
            "If they are numbers, convert the column (a CSV with decimal commas: --decimal ',').",
            key,
            example,
        )


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
