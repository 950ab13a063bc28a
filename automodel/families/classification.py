"""The classification families and presets.

A family says which scikit-learn classifier to build, which hyperparameters to
search (a dict of hyperopt expressions, built from what is known about the
data), whether a scaling step is searched in front of it, and how categorical
columns should be encoded for it. Adding a family is adding one record to
``REGISTRY``; nothing else in automodel names a family.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from hyperopt import hp
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from xgboost import XGBClassifier

from automodel.families import torch_mlp
from automodel.families._base import (
    KNN_MAX_ROWS,
    SVM_MAX_ROWS,
    DataInfo,
    Family,
    knn_default,
    knn_neighbours,
    mlp_default,
    mlp_space,
    svm_gamma_default,
    svm_kernel,
    xgboost_default,
    xgboost_space,
)
from automodel.families._base import int_uniform as _int
from automodel.families._base import log_int as _log_int
from automodel.families._base import log_uniform as _log
from automodel.families._base import max_features as _max_features

__all__ = ["DEFAULT_FAMILIES", "PRESETS", "REGISTRY"]


def _class_weight(prefix: str) -> Any:
    return hp.choice(f"{prefix}.class_weight", [None, "balanced"])


def _knn_space(info: DataInfo) -> dict[str, Any]:
    return {
        "n_neighbors": knn_neighbours(info),
        "weights": hp.choice("knn.weights", ["uniform", "distance"]),
        "p": hp.choice("knn.p", [1, 2]),
    }


def _svm_space(info: DataInfo) -> dict[str, Any]:
    def gamma(kernel: str) -> Any:
        return _log(f"svm.{kernel}.gamma", 1e-4, 10.0)

    return {
        "C": _log("svm.C", 1e-3, 1e3),
        "kernel": svm_kernel(gamma),
        "class_weight": _class_weight("svm"),
    }


def _tree_space(info: DataInfo) -> dict[str, Any]:
    return {
        "criterion": hp.choice("tree.criterion", ["gini", "entropy", "log_loss"]),
        "max_depth": hp.choice("tree.max_depth", [None, _int("tree.max_depth_value", 1, 30)]),
        "min_samples_split": _log_int("tree.min_samples_split", 2, 40),
        "min_samples_leaf": _log_int("tree.min_samples_leaf", 1, 20),
        "max_features": hp.choice(
            "tree.max_features",
            [None, "sqrt", "log2", hp.uniform("tree.max_features_fraction", 0.1, 1.0)],
        ),
        "class_weight": _class_weight("tree"),
    }


def _forest_space(prefix: str, info: DataInfo) -> dict[str, Any]:
    """Random forest and extra trees share the shape of their space."""
    return {
        "n_estimators": _log_int(f"{prefix}.n_estimators", 10, 500),
        "criterion": hp.choice(f"{prefix}.criterion", ["gini", "entropy"]),
        "max_depth": hp.choice(
            f"{prefix}.max_depth", [None, _int(f"{prefix}.max_depth_value", 2, 30)]
        ),
        "max_features": _max_features(prefix),
        "min_samples_leaf": _log_int(f"{prefix}.min_samples_leaf", 1, 20),
        "bootstrap": hp.choice(f"{prefix}.bootstrap", [True, False]),
        "class_weight": _class_weight(prefix),
    }


def _logreg_space(info: DataInfo) -> dict[str, Any]:
    # scikit-learn 1.9 deprecates `penalty=`: l1_ratio 0 is L2, 1 is L1, between is elastic net.
    return {
        "C": _log("logreg.C", 1e-4, 1e3),
        # Each penalty brings its solver: lbfgs is fast for L2, saga handles L1 / elastic net.
        "penalty": hp.choice(
            "logreg.penalty",
            [
                {"l1_ratio": 0.0, "solver": "lbfgs"},
                {"l1_ratio": 1.0, "solver": "saga"},
                {"l1_ratio": hp.uniform("logreg.l1_ratio", 0.05, 0.95), "solver": "saga"},
            ],
        ),
        "class_weight": _class_weight("logreg"),
    }


def _hgb_space(info: DataInfo) -> dict[str, Any]:
    return {
        "learning_rate": _log("hgb.learning_rate", 0.01, 0.5),
        "max_iter": _log_int("hgb.max_iter", 50, 500),
        "max_leaf_nodes": _log_int("hgb.max_leaf_nodes", 8, 128),
        "min_samples_leaf": _log_int("hgb.min_samples_leaf", 2, 100),
        "l2_regularization": _log("hgb.l2_regularization", 1e-6, 10.0),
        "max_features": hp.uniform("hgb.max_features", 0.3, 1.0),
        "class_weight": _class_weight("hgb"),
    }


# Well-known defaults, as raw points (choice labels take the index of the option).
def _svm_default(info: DataInfo) -> dict[str, Any]:
    gamma = svm_gamma_default(info)
    return {"svm.C": 1.0, "svm.kernel": 0, "svm.rbf.gamma": gamma, "svm.class_weight": 0}


def _tree_default(info: DataInfo) -> dict[str, Any]:
    return {
        "tree.criterion": 0,
        "tree.max_depth": 0,
        "tree.min_samples_split": 2,
        "tree.min_samples_leaf": 1,
        "tree.max_features": 0,
        "tree.class_weight": 0,
    }


def _forest_default(prefix: str, bootstrap: int, info: DataInfo) -> dict[str, Any]:
    return {
        f"{prefix}.n_estimators": 100,
        f"{prefix}.criterion": 0,
        f"{prefix}.max_depth": 0,
        f"{prefix}.max_features": 0,
        f"{prefix}.min_samples_leaf": 1,
        f"{prefix}.bootstrap": bootstrap,
        f"{prefix}.class_weight": 0,
    }


def _logreg_default(info: DataInfo) -> dict[str, Any]:
    return {"logreg.C": 1.0, "logreg.penalty": 0, "logreg.class_weight": 0}


def _hgb_default(info: DataInfo) -> dict[str, Any]:
    return {
        "hgb.learning_rate": 0.1,
        "hgb.max_iter": 100,
        "hgb.max_leaf_nodes": 31,
        "hgb.min_samples_leaf": 20,
        "hgb.l2_regularization": 1e-6,
        "hgb.max_features": 1.0,
        "hgb.class_weight": 0,
    }


REGISTRY: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "knn",
            KNeighborsClassifier,
            _knn_space,
            scale=True,
            threads="n_jobs",
            max_rows=KNN_MAX_ROWS,
            default=knn_default,
        ),
        # max_iter bounds libsvm on badly scaled data, where it can run for minutes.
        Family(
            "svm",
            SVC,
            _svm_space,
            scale=True,
            fixed={"max_iter": 200_000},
            max_rows=SVM_MAX_ROWS,
            default=_svm_default,
        ),
        Family(
            "tree", DecisionTreeClassifier, _tree_space, encoding="ordinal", default=_tree_default
        ),
        Family(
            "forest",
            RandomForestClassifier,
            partial(_forest_space, "forest"),
            encoding="ordinal",
            threads="n_jobs",
            default=partial(_forest_default, "forest", 0),
        ),
        Family(
            "xgboost",
            XGBClassifier,
            xgboost_space,
            encoding="ordinal",
            fixed={"tree_method": "hist", "verbosity": 0},
            threads="n_jobs",
            default=xgboost_default,
        ),
        Family(
            "extra_trees",
            ExtraTreesClassifier,
            partial(_forest_space, "extra_trees"),
            encoding="ordinal",
            threads="n_jobs",
            default=partial(_forest_default, "extra_trees", 1),
        ),
        Family(
            "logreg",
            LogisticRegression,
            _logreg_space,
            scale=True,
            fixed={"max_iter": 1000},
            default=_logreg_default,
        ),
        Family(
            "mlp",
            MLPClassifier,
            mlp_space,
            scale=True,
            fixed={"early_stopping": True},
            default=mlp_default,
        ),
        # HistGradientBoosting has no thread parameter: threadpoolctl holds its OpenMP to one.
        Family(
            "hgb",
            HistGradientBoostingClassifier,
            _hgb_space,
            encoding="ordinal",
            default=_hgb_default,
        ),
        torch_mlp.classifier_family,
    )
}


#: The compact default space. Defaults are evaluated in this order: the cheapest strong
#: one first (so a tight time budget still returns a model), then the tree ensembles.
#: Decision trees are dominated by the forests, MLPs need more trials than a ~50-trial
#: budget gives, and HistGradientBoosting overlaps XGBoost: all three are in "all".
DEFAULT_FAMILIES: tuple[str, ...] = ("logreg", "forest", "xgboost", "svm", "extra_trees", "knn")

#: Named sets of families: "default", "all" and "classic" (the original design's four).
#: None holds a family of an optional extra (torch_mlp): it is used only when named.
PRESETS: dict[str, tuple[str, ...]] = {
    "default": DEFAULT_FAMILIES,
    "all": tuple(name for name in REGISTRY if not REGISTRY[name].requires),
    "classic": ("knn", "svm", "tree", "forest"),
}
