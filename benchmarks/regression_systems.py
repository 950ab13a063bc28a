"""The regression variants of the benchmark's systems (the classification ones: systems.py).

Each is a function ``fit(X, y, seed, budget) -> Fitted`` with ``y`` the target as
floats, scored by R^2 wherever it cross-validates:

- ``automodel-tpe`` / ``automodel-rand``: ``AutoModelRegressor`` with the settings the
  classification systems pass (``max_evals``, ``cv``, ``algo``, ``random_state``);
- ``random-search``: scikit-learn's ``RandomizedSearchCV`` over automodel's six default
  regression families (:func:`random_search_space`), ``KFold(cv, shuffle=True)``;
- ``rf-default``: a default ``RandomForestRegressor``;
- ``flaml``: FLAML's AutoML with ``task="regression"``, ``metric="r2"``.

As automodel does, the scale-sensitive families (linear, SVM, KNN) are fitted on a
standardised target (``TransformedTargetRegressor`` with a ``StandardScaler``), and
SVM and KNN on at most automodel's row caps (:class:`RowCap`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.linear_model import ElasticNet, Ridge
from sklearn.model_selection import KFold, RandomizedSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR
from xgboost import XGBRegressor

from automodel.families import REGISTRIES
from benchmarks import autogluon_peer
from benchmarks.presets import REGRESSION_SYSTEMS as REGRESSION_SYSTEM_NAMES
from benchmarks.presets import STUDY_SETTINGS
from benchmarks.system_parts import (
    SCALERS,
    SVC_MAX_ITER,
    Budget,
    Built,
    Fitted,
    LogUniformInt,
    OneOf,
    RowCap,
    column_step,
    knn_high,
    make_scaler,
    xgboost_distributions,
)
from benchmarks.systems import FLAML_LEARNERS, _automodel, _flaml

__all__ = ["FLAML_REGRESSION_LEARNERS", "REGRESSION_SYSTEMS", "random_search_space"]

#: FLAML's regression learners: the classification list without lrl1 (classes only).
FLAML_REGRESSION_LEARNERS: dict[str, str] = {
    name: package for name, package in FLAML_LEARNERS.items() if name != "lrl1"
}
#: automodel's row caps of its SVM and KNN regression families (10,000 and 20,000).
SVM_MAX_ROWS = REGISTRIES["regression"]["svm"].max_rows
KNN_MAX_ROWS = REGISTRIES["regression"]["knn"].max_rows


def _folds(cv: int, seed: int) -> KFold:
    return KFold(cv, shuffle=True, random_state=seed)


def _on_scaled_target(model: BaseEstimator) -> TransformedTargetRegressor:
    """``model`` fitted on a standardised target, its predictions mapped back."""
    return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())


def _forest_distributions(prep: Any, model: BaseEstimator, max_features: Any) -> dict[str, Any]:
    """Random forest and extra trees: automodel's regression ranges (no criterion or
    class weights)."""
    return {
        "prep": [prep],
        "scale": ["passthrough"],
        "model": [model],
        "model__n_estimators": LogUniformInt(10, 500),
        "model__max_depth": OneOf([None, randint(2, 31)]),
        "model__max_features": max_features,
        "model__min_samples_leaf": LogUniformInt(1, 20),
        "model__bootstrap": [True, False],
    }


def random_search_space(X: pd.DataFrame, cv: int, seed: int) -> list[dict[str, Any]]:
    """One param-distribution dict per family of automodel's default regression set.

    RandomizedSearchCV picks a dict uniformly per candidate, as ``hp.choice`` picks a
    family. linear: ridge (alpha log-uniform [1e-3, 1e3]) or elastic net (alpha
    log-uniform [1e-5, 1], l1_ratio uniform [0.05, 1]), picked uniformly as automodel's
    penalty choice does, each with its own range (:class:`Built`); SVR with C
    log-uniform [1e-3, 1e3], epsilon log-uniform [1e-3, 1] (in units of the
    standardised target), the classification baseline's kernels; KNN, forests and
    XGBoost with automodel's ranges.
    """
    onehot, ordinal = column_step(X, "onehot"), column_step(X, "ordinal")
    scalers = [make_scaler(name) for name in SCALERS]
    max_features = OneOf(["sqrt", "log2", uniform(0.1, 0.9)])
    linear = OneOf(
        [
            Built(Ridge, alpha=loguniform(1e-3, 1e3), random_state=seed),
            Built(
                ElasticNet,
                alpha=loguniform(1e-5, 1.0),
                l1_ratio=uniform(0.05, 0.95),
                max_iter=5000,
                random_state=seed,
            ),
        ]
    )
    inner = "model__estimator__regressor__"  # RowCap -> TransformedTargetRegressor -> model
    return [
        {
            "prep": [onehot],
            "scale": scalers,
            "model": [_on_scaled_target(Ridge())],
            "model__regressor": linear,
        },
        _forest_distributions(
            ordinal, RandomForestRegressor(random_state=seed, n_jobs=1), max_features
        ),
        xgboost_distributions(
            ordinal, XGBRegressor(tree_method="hist", verbosity=0, n_jobs=1, random_state=seed)
        ),
        {
            "prep": [onehot],
            "scale": scalers,
            "model": [RowCap(_on_scaled_target(SVR(max_iter=SVC_MAX_ITER)), SVM_MAX_ROWS, seed)],
            f"{inner}C": loguniform(1e-3, 1e3),
            f"{inner}epsilon": loguniform(1e-3, 1.0),
            f"{inner}kernel": ["rbf", "linear", "poly", "sigmoid"],
            f"{inner}gamma": loguniform(1e-4, 10.0),
            f"{inner}degree": randint(2, 5),
            f"{inner}coef0": uniform(-1.0, 2.0),
        },
        _forest_distributions(
            ordinal, ExtraTreesRegressor(random_state=seed, n_jobs=1), max_features
        ),
        {
            "prep": [onehot],
            "scale": scalers,
            "model": [RowCap(_on_scaled_target(KNeighborsRegressor()), KNN_MAX_ROWS, seed)],
            f"{inner}n_neighbors": LogUniformInt(1, knn_high(len(X), cv)),
            f"{inner}weights": ["uniform", "distance"],
            f"{inner}p": [1, 2],
        },
    ]


_FAMILY_OF = {
    KNeighborsRegressor: "knn",
    SVR: "svm",
    RandomForestRegressor: "forest",
    ExtraTreesRegressor: "extra_trees",
    Ridge: "linear",
    ElasticNet: "linear",
    XGBRegressor: "xgboost",
}


def family(estimator: BaseEstimator) -> str:
    """automodel's family name of a (possibly wrapped) regression model."""
    if isinstance(estimator, RowCap):
        estimator = estimator.estimator
    if isinstance(estimator, TransformedTargetRegressor):
        estimator = estimator.regressor
    return _FAMILY_OF.get(type(estimator), type(estimator).__name__)


def fit_random_search(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
    """RandomizedSearchCV over the six default regression families, scored by R^2."""
    pipeline = Pipeline(
        [("prep", "passthrough"), ("scale", "passthrough"), ("model", KNeighborsRegressor())]
    )
    search = RandomizedSearchCV(
        pipeline,
        random_search_space(X, budget.cv, seed),
        n_iter=budget.max_evals,
        scoring="r2",
        cv=_folds(budget.cv, seed),
        error_score=np.nan,
        random_state=seed,
    ).fit(X, y)
    means = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    return Fitted(
        predict=search.predict,
        cv_score=float(search.best_score_),
        n_evals=len(means),
        n_failures=int(np.isnan(means).sum()),
        details={"best_family": family(search.best_estimator_.named_steps["model"])},
    )


def fit_rf_default(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
    """A default random forest; its CV R^2 from ``budget.cv`` shuffled folds."""
    pipeline = Pipeline(
        [
            ("prep", column_step(X, "ordinal")),
            ("model", RandomForestRegressor(random_state=seed, n_jobs=1)),
        ]
    )
    scores = cross_val_score(pipeline, X, y, cv=_folds(budget.cv, seed), scoring="r2")
    pipeline.fit(X, y)
    return Fitted(pipeline.predict, float(np.mean(scores)), 1, 0, {"best_family": "forest"})


REGRESSION_SYSTEMS: dict[str, Callable[[pd.DataFrame, np.ndarray, int, Budget], Fitted]] = {
    "automodel-tpe": _automodel("tpe", "regression"),
    "automodel-rand": _automodel("rand", "regression"),
    "random-search": fit_random_search,
    "flaml": _flaml("regression", "r2", FLAML_REGRESSION_LEARNERS),
    "rf-default": fit_rf_default,
    "autogluon": autogluon_peer.for_task("regression"),
    **{name: _automodel("tpe", "regression", **found) for name, found in STUDY_SETTINGS.items()},
}
if tuple(REGRESSION_SYSTEMS) != REGRESSION_SYSTEM_NAMES:  # pragma: no cover - a guard
    raise RuntimeError("benchmarks.presets.REGRESSION_SYSTEMS must list REGRESSION_SYSTEMS")
