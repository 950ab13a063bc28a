"""The tree families ``tree``, ``forest`` and ``extra_trees``, for classification and regression.

Classification also searches the split criterion and class weights; the regressors
keep scikit-learn's squared error. Trees take ordinal codes for categories.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from hyperopt import hp
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from automodel.families._base import DataInfo, PerTask, by_task, class_weight, int_uniform
from automodel.families._base import log_int as _log_int

__all__ = ["EXTRA_TREES", "FOREST", "TREE"]


def _tree_space(info: DataInfo) -> dict[str, Any]:
    criteria = ["gini", "entropy", "log_loss"]
    return {
        "criterion": PerTask(classification=hp.choice("tree.criterion", criteria)),
        "max_depth": hp.choice(
            "tree.max_depth", [None, int_uniform("tree.max_depth_value", 1, 30)]
        ),
        "min_samples_split": _log_int("tree.min_samples_split", 2, 40),
        "min_samples_leaf": _log_int("tree.min_samples_leaf", 1, 20),
        "max_features": hp.choice(
            "tree.max_features",
            [None, "sqrt", "log2", hp.uniform("tree.max_features_fraction", 0.1, 1.0)],
        ),
        "class_weight": class_weight("tree"),
    }


def _forest_space(prefix: str, info: DataInfo) -> dict[str, Any]:
    """Random forest and extra trees share the shape of their space."""
    fraction = hp.uniform(f"{prefix}.max_features_fraction", 0.1, 1.0)
    depth = int_uniform(f"{prefix}.max_depth_value", 2, 30)
    return {
        "n_estimators": _log_int(f"{prefix}.n_estimators", 10, 500),
        "criterion": PerTask(classification=hp.choice(f"{prefix}.criterion", ["gini", "entropy"])),
        "max_depth": hp.choice(f"{prefix}.max_depth", [None, depth]),
        # sqrt, log2 or a fraction of the columns.
        "max_features": hp.choice(f"{prefix}.max_features", ["sqrt", "log2", fraction]),
        "min_samples_leaf": _log_int(f"{prefix}.min_samples_leaf", 1, 20),
        "bootstrap": hp.choice(f"{prefix}.bootstrap", [True, False]),
        "class_weight": class_weight(prefix),
    }


# Well-known defaults, as raw points (choice labels take the index of the option).
def _tree_default(info: DataInfo) -> dict[str, Any]:
    return {
        "tree.criterion": PerTask(classification=0),
        "tree.max_depth": 0,
        "tree.min_samples_split": 2,
        "tree.min_samples_leaf": 1,
        "tree.max_features": 0,
        "tree.class_weight": PerTask(classification=0),
    }


def _forest_default(prefix: str, bootstrap: int, info: DataInfo) -> dict[str, Any]:
    # Classifiers split on sqrt of the columns, regressors on every column (1.0).
    return {
        f"{prefix}.n_estimators": 100,
        f"{prefix}.criterion": PerTask(classification=0),
        f"{prefix}.max_depth": 0,
        f"{prefix}.max_features": PerTask(classification=0, regression=2),
        f"{prefix}.max_features_fraction": PerTask(regression=1.0),
        f"{prefix}.min_samples_leaf": 1,
        f"{prefix}.bootstrap": bootstrap,
        f"{prefix}.class_weight": PerTask(classification=0),
    }


TREE = by_task(
    "tree",
    (DecisionTreeClassifier, DecisionTreeRegressor),
    _tree_space,
    _tree_default,
    encoding="ordinal",
)


#: Forests train on at most this many rows (a seeded sample): up to 500 single-threaded
#: trees on more rows outrun the per-trial limit, and gain little from them.
FOREST_MAX_ROWS = 200_000


def _forest(name: str, classifier: Any, regressor: Any, bootstrap: int) -> dict[str, Any]:
    """Random forest and extra trees: the same declaration but for the estimators."""
    space, default = partial(_forest_space, name), partial(_forest_default, name, bootstrap)
    estimators = (classifier, regressor)
    return by_task(
        name,
        estimators,
        space,
        default,
        encoding="ordinal",
        threads="n_jobs",
        max_rows=FOREST_MAX_ROWS,
    )


FOREST = _forest("forest", RandomForestClassifier, RandomForestRegressor, bootstrap=0)
EXTRA_TREES = _forest("extra_trees", ExtraTreesClassifier, ExtraTreesRegressor, bootstrap=1)
