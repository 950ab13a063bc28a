"""The regression families and presets.

The same names as the classification families where the idea is the same
(``forest``, ``xgboost``, ``svm`` ...), so ``families=["svm", "knn"]`` means the
same thing in both tasks; ``linear`` (ridge or elastic net) takes the place of
``logreg``. Families whose hyperparameters depend on the target's scale (SVR's
epsilon, linear penalties, MLP step sizes, neighbours) have ``scale_target``:
they are fitted on a standardised target, so a price in dollars and a z-score
get the same search.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from hyperopt import hp
from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    ExtraTreesRegressor,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.linear_model import ElasticNet, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeRegressor
from xgboost import XGBRegressor

from automodel.families import torch_mlp
from automodel.families._base import (
    KNN_MAX_ROWS,
    SVM_MAX_ROWS,
    DataInfo,
    Family,
    int_uniform,
    knn_default,
    knn_neighbours,
    log_int,
    log_uniform,
    max_features,
    mlp_default,
    mlp_space,
    svm_gamma_default,
    svm_kernel,
    xgboost_default,
    xgboost_space,
)

__all__ = ["DEFAULT_FAMILIES", "PRESETS", "REGISTRY", "linear_model"]


def linear_model(
    penalty: str = "l2",
    alpha: float = 1.0,
    l1_ratio: float = 0.5,
    max_iter: int = 5000,
    random_state: Any = None,
) -> BaseEstimator:
    """``Ridge`` (penalty "l2") or ``ElasticNet`` (penalty "elasticnet")."""
    if penalty == "l2":
        return Ridge(alpha=alpha, random_state=random_state)
    return ElasticNet(alpha=alpha, l1_ratio=l1_ratio, max_iter=max_iter, random_state=random_state)


def _linear_space(info: DataInfo) -> dict[str, Any]:
    # On a standardised target an elastic-net alpha above ~1 zeroes every coefficient.
    return {
        "penalty": hp.choice(
            "linear.penalty",
            [
                {"penalty": "l2", "alpha": log_uniform("linear.ridge_alpha", 1e-3, 1e3)},
                {
                    "penalty": "elasticnet",
                    "alpha": log_uniform("linear.enet_alpha", 1e-5, 1.0),
                    "l1_ratio": hp.uniform("linear.l1_ratio", 0.05, 1.0),
                },
            ],
        )
    }


def _knn_space(info: DataInfo) -> dict[str, Any]:
    return {
        "n_neighbors": knn_neighbours(info),
        "weights": hp.choice("knn.weights", ["uniform", "distance"]),
        "p": hp.choice("knn.p", [1, 2]),
    }


def _svm_space(info: DataInfo) -> dict[str, Any]:
    def gamma(kernel: str) -> Any:
        return log_uniform(f"svm.{kernel}.gamma", 1e-4, 10.0)

    return {
        "C": log_uniform("svm.C", 1e-3, 1e3),
        # In units of the standardised target: 0.1 is a tenth of its standard deviation.
        "epsilon": log_uniform("svm.epsilon", 1e-3, 1.0),
        "kernel": svm_kernel(gamma),
    }


def _tree_space(info: DataInfo) -> dict[str, Any]:
    return {
        "max_depth": hp.choice(
            "tree.max_depth", [None, int_uniform("tree.max_depth_value", 1, 30)]
        ),
        "min_samples_split": log_int("tree.min_samples_split", 2, 40),
        "min_samples_leaf": log_int("tree.min_samples_leaf", 1, 20),
        "max_features": hp.choice(
            "tree.max_features",
            [None, "sqrt", "log2", hp.uniform("tree.max_features_fraction", 0.1, 1.0)],
        ),
    }


def _forest_space(prefix: str, info: DataInfo) -> dict[str, Any]:
    return {
        "n_estimators": log_int(f"{prefix}.n_estimators", 10, 500),
        "max_depth": hp.choice(
            f"{prefix}.max_depth", [None, int_uniform(f"{prefix}.max_depth_value", 2, 30)]
        ),
        "max_features": max_features(prefix),
        "min_samples_leaf": log_int(f"{prefix}.min_samples_leaf", 1, 20),
        "bootstrap": hp.choice(f"{prefix}.bootstrap", [True, False]),
    }


def _hgb_space(info: DataInfo) -> dict[str, Any]:
    return {
        "learning_rate": log_uniform("hgb.learning_rate", 0.01, 0.5),
        "max_iter": log_int("hgb.max_iter", 50, 500),
        "max_leaf_nodes": log_int("hgb.max_leaf_nodes", 8, 128),
        "min_samples_leaf": log_int("hgb.min_samples_leaf", 2, 100),
        "l2_regularization": log_uniform("hgb.l2_regularization", 1e-6, 10.0),
        "max_features": hp.uniform("hgb.max_features", 0.3, 1.0),
    }


# Well-known defaults, as raw points (choice labels take the index of the option).
def _linear_default(info: DataInfo) -> dict[str, Any]:
    return {"linear.penalty": 0, "linear.ridge_alpha": 1.0}


def _svm_default(info: DataInfo) -> dict[str, Any]:
    gamma = svm_gamma_default(info)
    return {"svm.C": 1.0, "svm.epsilon": 0.1, "svm.kernel": 0, "svm.rbf.gamma": gamma}


def _tree_default(info: DataInfo) -> dict[str, Any]:
    return {
        "tree.max_depth": 0,
        "tree.min_samples_split": 2,
        "tree.min_samples_leaf": 1,
        "tree.max_features": 0,
    }


def _forest_default(prefix: str, bootstrap: int, info: DataInfo) -> dict[str, Any]:
    # scikit-learn's regressors use every column at each split (max_features=1.0).
    return {
        f"{prefix}.n_estimators": 100,
        f"{prefix}.max_depth": 0,
        f"{prefix}.max_features": 2,
        f"{prefix}.max_features_fraction": 1.0,
        f"{prefix}.min_samples_leaf": 1,
        f"{prefix}.bootstrap": bootstrap,
    }


def _hgb_default(info: DataInfo) -> dict[str, Any]:
    return {
        "hgb.learning_rate": 0.1,
        "hgb.max_iter": 100,
        "hgb.max_leaf_nodes": 31,
        "hgb.min_samples_leaf": 20,
        "hgb.l2_regularization": 1e-6,
        "hgb.max_features": 1.0,
    }


_REGRESSION = ("regression",)

REGISTRY: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "knn",
            KNeighborsRegressor,
            _knn_space,
            scale=True,
            threads="n_jobs",
            max_rows=KNN_MAX_ROWS,
            default=knn_default,
            scale_target=True,
        ),
        Family(
            "svm",
            SVR,
            _svm_space,
            scale=True,
            fixed={"max_iter": 200_000},
            max_rows=SVM_MAX_ROWS,
            default=_svm_default,
            scale_target=True,
        ),
        Family(
            "tree", DecisionTreeRegressor, _tree_space, encoding="ordinal", default=_tree_default
        ),
        Family(
            "forest",
            RandomForestRegressor,
            partial(_forest_space, "forest"),
            encoding="ordinal",
            threads="n_jobs",
            default=partial(_forest_default, "forest", 0),
        ),
        Family(
            "xgboost",
            XGBRegressor,
            xgboost_space,
            encoding="ordinal",
            fixed={"tree_method": "hist", "verbosity": 0},
            threads="n_jobs",
            default=xgboost_default,
        ),
        Family(
            "extra_trees",
            ExtraTreesRegressor,
            partial(_forest_space, "extra_trees"),
            encoding="ordinal",
            threads="n_jobs",
            default=partial(_forest_default, "extra_trees", 1),
        ),
        Family(
            "linear",
            linear_model,
            _linear_space,
            scale=True,
            default=_linear_default,
            tasks=_REGRESSION,
            scale_target=True,
        ),
        Family(
            "mlp",
            MLPRegressor,
            mlp_space,
            scale=True,
            fixed={"early_stopping": True},
            default=mlp_default,
            scale_target=True,
        ),
        Family(
            "hgb",
            HistGradientBoostingRegressor,
            _hgb_space,
            encoding="ordinal",
            default=_hgb_default,
        ),
        torch_mlp.regressor_family,
    )
}

#: The compact default space, cheapest strong default first (as for classification).
DEFAULT_FAMILIES: tuple[str, ...] = ("linear", "forest", "xgboost", "svm", "extra_trees", "knn")

#: Named sets of families: "default", "all" and "classic" (the original design's four).
#: None holds a family of an optional extra (torch_mlp): it is used only when named.
PRESETS: dict[str, tuple[str, ...]] = {
    "default": DEFAULT_FAMILIES,
    "all": tuple(name for name in REGISTRY if not REGISTRY[name].requires),
    "classic": ("knn", "svm", "tree", "forest"),
}
