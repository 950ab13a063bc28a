"""Pieces the baseline systems share (``systems.py`` and ``regression_systems.py``).

What a system gets and returns (:class:`Budget`, :class:`Fitted`), distributions
scikit-learn's samplers accept (anything with ``rvs``), the plain column step of the
baselines, the scalers searched in front of scale-sensitive models, and
:class:`RowCap`, which fits a model on at most a given number of rows as automodel
does for SVM and KNN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)
from sklearn.utils import check_random_state

__all__ = [
    "xgboost_distributions",
    "SCALERS",
    "SVC_MAX_ITER",
    "Budget",
    "Built",
    "Fitted",
    "LogUniformInt",
    "OneOf",
    "RowCap",
    "column_step",
    "knn_high",
    "make_scaler",
]

#: Same bound as automodel's SVM family, so libsvm cannot run for minutes.
SVC_MAX_ITER = 200_000


@dataclass(frozen=True)
class Budget:
    """What every search system gets: ``max_evals`` candidates, ``cv`` folds.

    ``time_budget`` is FLAML's budget in seconds (it has no candidate count).
    """

    max_evals: int
    cv: int
    time_budget: float | None = None


@dataclass
class Fitted:
    """A fitted system: how to predict, and what its search reported."""

    predict: Callable[[Any], np.ndarray]
    cv_score: float | None
    n_evals: int | None
    n_failures: int | None
    details: dict[str, Any] = field(default_factory=dict)
    #: Other predictors of the same fit, scored on the same test part into
    #: ``details`` (e.g. ``"single"``: automodel's single best beside its ensemble).
    variants: dict[str, Callable[[Any], np.ndarray]] = field(default_factory=dict)


# -- distributions scikit-learn's samplers accept (anything with ``rvs``) -----------


class LogUniformInt:
    """An integer whose log is uniform on ``[log(low), log(high)]`` (hyperopt's qloguniform)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = int(low), int(high)
        self._dist = loguniform(self.low, self.high) if self.high > self.low else None

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        """Draw one integer (or an array of ``size``)."""
        if self._dist is None:
            value = np.full(size if size is not None else (), self.low)
        else:
            value = self._dist.rvs(size=size, random_state=random_state)
        value = np.clip(np.round(value), self.low, self.high).astype(int)
        return int(value) if size is None else value

    def __repr__(self) -> str:
        return f"LogUniformInt({self.low}, {self.high})"


class OneOf:
    """Pick one option uniformly; an option with ``rvs`` is then sampled (like ``hp.choice``)."""

    def __init__(self, options: list[Any]) -> None:
        self.options = list(options)

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        """Draw one value (``size`` is not supported: the samplers draw one at a time)."""
        if size is not None:
            raise ValueError("OneOf draws one value at a time")
        rng = check_random_state(random_state)
        option = self.options[rng.randint(len(self.options))]
        return option.rvs(random_state=rng) if hasattr(option, "rvs") else option

    def __repr__(self) -> str:
        return f"OneOf({self.options!r})"


class Built:
    """An estimator of ``factory``, its keyword arguments drawn from ``params``.

    A value with ``rvs`` is sampled, any other is passed as it is. With
    :class:`OneOf` this searches several estimators under one parameter, each
    with its own ranges (ridge and elastic net with different alphas).
    """

    def __init__(self, factory: Callable[..., Any], **params: Any) -> None:
        self.factory = factory
        self.params = params

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        """Build one estimator (``size`` is not supported)."""
        if size is not None:
            raise ValueError("Built draws one estimator at a time")
        rng = check_random_state(random_state)
        drawn = {
            name: value.rvs(random_state=rng) if hasattr(value, "rvs") else value
            for name, value in self.params.items()
        }
        return self.factory(**drawn)

    def __repr__(self) -> str:
        return f"Built({getattr(self.factory, '__name__', self.factory)}, {self.params!r})"


# -- preprocessing ------------------------------------------------------------------


def column_step(X: pd.DataFrame, encoding: str) -> ColumnTransformer:
    """Impute numbers (median); impute and encode other columns ("onehot"/"ordinal")."""
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c].dtype)]
    numeric = [c for c in numeric if not pd.api.types.is_bool_dtype(X[c].dtype)]
    other = [c for c in X.columns if c not in numeric]
    encoder: Any
    if encoding == "onehot":
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    else:
        encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    steps: list[tuple[str, Any, list[Any]]] = []
    if numeric:
        steps.append(("num", SimpleImputer(strategy="median", keep_empty_features=True), numeric))
    if other:
        steps.append(
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), encoder), other)
        )
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


def knn_high(n_rows: int, cv: int) -> int:
    """automodel's bound on n_neighbors: rows of a training fold, at most 50."""
    return max(2, min(50, n_rows - math.ceil(n_rows / cv)))


SCALERS: dict[str, Any] = {
    "none": "passthrough",
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "normalize": Normalizer,
}


def make_scaler(name: str) -> Any:
    """A new scaling step of ``SCALERS`` (or "passthrough")."""
    made = SCALERS[name]
    return made if isinstance(made, str) else made()


class RowCap(RegressorMixin, BaseEstimator):
    """Fit ``estimator`` on at most ``max_rows`` rows drawn at random (seeded).

    automodel fits its SVM and KNN families on a subsample past 10,000 and
    20,000 training rows (``Family.max_rows``); the regression baseline does the
    same, so that an SVR on diamonds' 32,000-row folds cannot run for an hour.
    """

    def __init__(
        self, estimator: Any = None, max_rows: int | None = None, random_state: Any = None
    ) -> None:
        self.estimator = estimator
        self.max_rows = max_rows
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> RowCap:
        """Fit a clone of ``estimator`` on the rows (or ``max_rows`` of them)."""
        y = np.asarray(y)
        rows = np.arange(len(y))
        if self.max_rows is not None and len(y) > self.max_rows:
            rng = check_random_state(self.random_state)
            rows = np.sort(rng.choice(len(y), self.max_rows, replace=False))
        part = X.iloc[rows] if hasattr(X, "iloc") else X[rows]
        self.estimator_ = clone(self.estimator).fit(part, y[rows])
        self.n_fit_rows_ = len(rows)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The fitted estimator's predictions."""
        return self.estimator_.predict(X)


def xgboost_distributions(prep: Any, model: BaseEstimator) -> dict[str, Any]:
    """XGBoost's candidates in either task: automodel's ranges (families/boosting.py)."""
    return {
        "prep": [prep],
        "scale": ["passthrough"],
        "model": [model],
        "model__n_estimators": LogUniformInt(20, 500),
        "model__learning_rate": loguniform(0.01, 0.5),
        "model__max_depth": randint(2, 11),
        "model__subsample": uniform(0.5, 0.5),
        "model__colsample_bytree": uniform(0.4, 0.6),
        "model__min_child_weight": loguniform(0.5, 20.0),
        "model__reg_lambda": loguniform(1e-3, 10.0),
        "model__reg_alpha": loguniform(1e-4, 1.0),
    }
