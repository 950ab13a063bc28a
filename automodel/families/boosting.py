"""The boosting families ``xgboost`` and ``hgb`` (HistGradientBoosting), for both tasks.

Both take ordinal codes for categories. HistGradientBoosting has no thread
parameter: threadpoolctl holds its OpenMP to one thread.
"""

from __future__ import annotations

from typing import Any

from hyperopt import hp
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from xgboost import XGBClassifier, XGBRegressor

from automodel.families._base import DataInfo, PerTask, by_task, class_weight, int_uniform
from automodel.families._base import log_int as _log_int
from automodel.families._base import log_uniform as _log

__all__ = ["HGB", "XGBOOST"]


def _xgboost_space(info: DataInfo) -> dict[str, Any]:
    return {
        "n_estimators": _log_int("xgboost.n_estimators", 20, 500),
        "learning_rate": _log("xgboost.learning_rate", 0.01, 0.5),
        "max_depth": int_uniform("xgboost.max_depth", 2, 10),
        "subsample": hp.uniform("xgboost.subsample", 0.5, 1.0),
        "colsample_bytree": hp.uniform("xgboost.colsample_bytree", 0.4, 1.0),
        "min_child_weight": _log("xgboost.min_child_weight", 0.5, 20.0),
        "reg_lambda": _log("xgboost.reg_lambda", 1e-3, 10.0),
        "reg_alpha": _log("xgboost.reg_alpha", 1e-4, 1.0),
    }


def _hgb_space(info: DataInfo) -> dict[str, Any]:
    return {
        "learning_rate": _log("hgb.learning_rate", 0.01, 0.5),
        "max_iter": _log_int("hgb.max_iter", 50, 500),
        "max_leaf_nodes": _log_int("hgb.max_leaf_nodes", 8, 128),
        "min_samples_leaf": _log_int("hgb.min_samples_leaf", 2, 100),
        "l2_regularization": _log("hgb.l2_regularization", 1e-6, 10.0),
        "max_features": hp.uniform("hgb.max_features", 0.3, 1.0),
        "class_weight": class_weight("hgb"),
    }


# Well-known defaults, as raw points: XGBoost's own, then scikit-learn's.
def _xgboost_default(info: DataInfo) -> dict[str, Any]:
    return {
        "xgboost.n_estimators": 100,
        "xgboost.learning_rate": 0.3,
        "xgboost.max_depth": 6,
        "xgboost.subsample": 1.0,
        "xgboost.colsample_bytree": 1.0,
        "xgboost.min_child_weight": 1.0,
        "xgboost.reg_lambda": 1.0,
        "xgboost.reg_alpha": 1e-4,
    }


def _hgb_default(info: DataInfo) -> dict[str, Any]:
    return {
        "hgb.learning_rate": 0.1,
        "hgb.max_iter": 100,
        "hgb.max_leaf_nodes": 31,
        "hgb.min_samples_leaf": 20,
        "hgb.l2_regularization": 1e-6,
        "hgb.max_features": 1.0,
        "hgb.class_weight": PerTask(classification=0),
    }


XGBOOST = by_task(
    "xgboost",
    (XGBClassifier, XGBRegressor),
    _xgboost_space,
    _xgboost_default,
    encoding="ordinal",
    fixed={"tree_method": "hist", "verbosity": 0},
    threads="n_jobs",
)
HGB = by_task(
    "hgb",
    (HistGradientBoostingClassifier, HistGradientBoostingRegressor),
    _hgb_space,
    _hgb_default,
    encoding="ordinal",
)
