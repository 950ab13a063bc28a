"""The ``lightgbm`` family (LightGBM's gradient-boosted trees), for both tasks.

Its space holds the knobs the published tuning studies search (TabRepo's LightGBM
space, FLAML's): trees and learning rate, leaves, the smallest leaf, row and column
subsampling, L1 / L2 penalties and extremely randomised splits; class weights for
classification. Its default point is LightGBM's own defaults, and on a large table
(from :data:`~automodel.families._base.LARGE_ROWS` rows) two large models instead:
1,500 shallow trees (10 leaves, rate 0.1, 3/4 of the columns per tree), then 1,000
trees of 127 leaves at rate 0.05, both trained on all rows at once under screening
(``screen_defaults=False``). On the generated million-row table
(``benchmarks/million.py``) the deep one, fitted once, scored above a 10-minute search
that began from the small default (seed 1); the shallow one, FLAML's choice there,
scored above the deep one on both tasks (R^2 0.8247 against 0.8133, seed 2; accuracy
0.8509 against 0.8504, seed 1). Categories reach it as ordinal
codes (and a many-level column's target encoding, :mod:`automodel.schema`): one
LightGBM scored 0.848 on codes against 0.841 on its native categorical splits
(``lightgbm-large-codes`` / ``lightgbm-large``). One thread per trial (``n_jobs``).
"""

from __future__ import annotations

from typing import Any

from hyperopt import hp
from lightgbm import LGBMClassifier, LGBMRegressor

from automodel.families._base import (
    LARGE_ROWS,
    DataInfo,
    PerTask,
    by_task,
    class_weight,
    log_int,
    log_uniform,
)

__all__ = ["DEEP", "LIGHTGBM", "SHALLOW"]


def _space(info: DataInfo) -> dict[str, Any]:
    most_trees = 2000 if info.n_rows >= LARGE_ROWS else 1000
    return {
        "n_estimators": log_int("lightgbm.n_estimators", 20, most_trees),
        "learning_rate": log_uniform("lightgbm.learning_rate", 0.005, 0.3),
        "num_leaves": log_int("lightgbm.num_leaves", 4, 256),
        "min_child_samples": log_int("lightgbm.min_child_samples", 2, 100),
        "subsample": hp.uniform("lightgbm.subsample", 0.5, 1.0),
        "colsample_bytree": hp.uniform("lightgbm.colsample_bytree", 0.4, 1.0),
        "reg_alpha": log_uniform("lightgbm.reg_alpha", 1e-4, 1.0),
        "reg_lambda": log_uniform("lightgbm.reg_lambda", 1e-3, 10.0),
        "extra_trees": hp.choice("lightgbm.extra_trees", [False, True]),
        "class_weight": class_weight("lightgbm"),
    }


#: On a large table, LightGBM's first default point: many shallow trees (FLAML's choice
#: at 600 s on the generated million-row regression table, seed 2, rounded), then the
#: deep model below.
SHALLOW = {"n_estimators": 1500, "num_leaves": 10, "learning_rate": 0.1, "colsample_bytree": 0.75}
#: The deep large model: 1,000 trees of 127 leaves at rate 0.05.
DEEP = {"n_estimators": 1000, "num_leaves": 127, "learning_rate": 0.05, "colsample_bytree": 1.0}


def _default(info: DataInfo) -> dict[str, Any] | list[dict[str, Any]]:
    """LightGBM's defaults (no penalties: the lowest values of their log ranges); on a
    large table two points instead: :data:`SHALLOW`, then :data:`DEEP`."""
    point = {
        "lightgbm.n_estimators": 100,
        "lightgbm.learning_rate": 0.1,
        "lightgbm.num_leaves": 31,
        "lightgbm.min_child_samples": 20,
        "lightgbm.subsample": 1.0,
        "lightgbm.colsample_bytree": 1.0,
        "lightgbm.reg_alpha": 1e-4,
        "lightgbm.reg_lambda": 1e-3,
        "lightgbm.extra_trees": 0,
        "lightgbm.class_weight": PerTask(classification=0),
    }
    if info.n_rows < LARGE_ROWS:
        return point
    return [
        {**point, **{f"lightgbm.{name}": value for name, value in large.items()}}
        for large in (SHALLOW, DEEP)
    ]


LIGHTGBM = by_task(
    "lightgbm",
    (LGBMClassifier, LGBMRegressor),
    _space,
    _default,
    encoding="ordinal",
    # subsample draws rows for every tree only with a bagging frequency.
    fixed={"subsample_freq": 1, "verbosity": -1},
    threads="n_jobs",
    # Under screening the two large models train on all rows at once: on 37,500 rows the
    # deep one ranked below the shallow one and was pruned, yet the two mixed on all
    # rows scored above either (accuracy 0.8525 against 0.8514 / 0.8510, classification
    # seed 2); through the rungs it reached all rows too late for the pair's refit.
    screen_defaults=False,
)
