"""The ``catboost`` family (optional extra ``catboost``): CatBoost, for both tasks.

CatBoost reads the text columns itself (``encoding="native"``: no one-hot, no
ordinal codes; its ordered target statistics encode them), through the estimators
of ``automodel.catboost_model``, imported only when a trial builds one. Its space
holds what its documentation's tuning guide and the published tuning studies
(TabRepo) search: iterations and learning rate, depth, L2 leaf penalty, random
strength, bagging temperature, the one-hot threshold; class weights for
classification. Its default point is CatBoost's defaults (depth 6, l2_leaf_reg 3,
random_strength 1, bagging_temperature 1, one_hot_max_size 2) with 500 iterations
at a learning rate of 0.05 instead of 1,000 at its size-dependent automatic rate,
to keep a trial cheap on one thread. The wheel is large (about 270 MB installed,
with plotly), so it is an extra: ``pip install "automodel[catboost]"``.
"""

from __future__ import annotations

from typing import Any

from hyperopt import hp

from automodel.families._base import DataInfo, PerTask, by_task, int_uniform, log_int, log_uniform

__all__ = ["CATBOOST", "INSTALL", "REQUIRES"]

REQUIRES = ("catboost",)
INSTALL = 'pip install "automodel[catboost]"'


def _classifier(**params: Any) -> Any:
    from automodel.catboost_model import NativeCatBoostClassifier

    return NativeCatBoostClassifier(**params)


def _regressor(**params: Any) -> Any:
    from automodel.catboost_model import NativeCatBoostRegressor

    return NativeCatBoostRegressor(**params)


def _space(info: DataInfo) -> dict[str, Any]:
    weights = hp.choice("catboost.auto_class_weights", [None, "Balanced"])
    return {
        "iterations": log_int("catboost.iterations", 50, 1000),
        "learning_rate": log_uniform("catboost.learning_rate", 0.01, 0.3),
        "depth": int_uniform("catboost.depth", 3, 8),
        "l2_leaf_reg": log_uniform("catboost.l2_leaf_reg", 0.5, 30.0),
        "random_strength": log_uniform("catboost.random_strength", 0.1, 10.0),
        "bagging_temperature": hp.uniform("catboost.bagging_temperature", 0.0, 1.0),
        "one_hot_max_size": hp.choice("catboost.one_hot_max_size", [2, 10]),
        "auto_class_weights": PerTask(classification=weights),
    }


def _default(info: DataInfo) -> dict[str, Any]:
    return {
        "catboost.iterations": 500,
        "catboost.learning_rate": 0.05,
        "catboost.depth": 6,
        "catboost.l2_leaf_reg": 3.0,
        "catboost.random_strength": 1.0,
        "catboost.bagging_temperature": 1.0,
        "catboost.one_hot_max_size": 0,
        "catboost.auto_class_weights": PerTask(classification=0),
    }


CATBOOST = by_task(
    "catboost",
    (_classifier, _regressor),
    _space,
    _default,
    encoding="native",
    fixed={"logging_level": "Silent", "allow_writing_files": False},
    threads="thread_count",
    seed="random_seed",
    requires=REQUIRES,
    install=INSTALL,
)
