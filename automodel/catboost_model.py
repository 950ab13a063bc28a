"""CatBoost estimators that find their categorical columns themselves (imports catboost).

The ``catboost`` family's column step (``Schema.preprocessor("native")``) hands the
model a DataFrame whose category columns hold text; these subclasses pass the
positions of those columns to CatBoost's ``fit`` as ``cat_features``, so CatBoost
encodes them with its own ordered target statistics instead of one-hot columns.
Their parameters are CatBoost's own; the classifier predicts a 1-D array of labels
for any number of classes, as scikit-learn's classifiers do. Imported only when the family is used.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from catboost import CatBoostClassifier, CatBoostRegressor

__all__ = ["NativeCatBoostClassifier", "NativeCatBoostRegressor", "text_columns"]


def text_columns(X: Any) -> list[int]:
    """Positions of the columns of ``X`` that do not hold numbers."""
    if not isinstance(X, pd.DataFrame):
        return []
    return [i for i, dtype in enumerate(X.dtypes) if not pd.api.types.is_numeric_dtype(dtype)]


class NativeCatBoostClassifier(CatBoostClassifier):
    """``CatBoostClassifier`` whose ``fit`` reads the categorical columns from ``X``."""

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> NativeCatBoostClassifier:
        kwargs.setdefault("cat_features", text_columns(X) or None)
        return super().fit(X, y, **kwargs)

    def predict(self, X: Any, *args: Any, **kwargs: Any) -> Any:
        """Class labels as a 1-D array (CatBoost gives a column for several classes)."""
        predicted = super().predict(X, *args, **kwargs)
        if getattr(predicted, "ndim", 1) == 2 and predicted.shape[1] == 1:
            return predicted.ravel()
        return predicted


class NativeCatBoostRegressor(CatBoostRegressor):
    """``CatBoostRegressor`` whose ``fit`` reads the categorical columns from ``X``."""

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> NativeCatBoostRegressor:
        kwargs.setdefault("cat_features", text_columns(X) or None)
        return super().fit(X, y, **kwargs)
