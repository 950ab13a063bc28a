"""Estimator families: one small record per family, kept in a registry.

A family says which scikit-learn classifier to build, which hyperparameters to
search (a dict of hyperopt expressions, built from what is known about the
data), whether a scaling step is searched in front of it, and how categorical
columns should be encoded for it. Adding a family is adding one record to
``REGISTRY``; nothing else in automodel names a family.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from hyperopt import hp
from hyperopt.pyll import scope
from sklearn.base import BaseEstimator
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

__all__ = ["DataInfo", "Family", "REGISTRY", "DEFAULT_FAMILIES", "resolve_families"]


@dataclass(frozen=True)
class DataInfo:
    """What a family's space may depend on: the shape of the training data."""

    n_rows: int
    n_features: int
    n_classes: int
    cv: int = 5

    @property
    def fold_rows(self) -> int:
        """Rows in the smallest training fold of a ``cv``-fold split."""
        return self.n_rows - math.ceil(self.n_rows / self.cv)


@dataclass(frozen=True)
class Family:
    """One estimator family of the search space.

    Parameters
    ----------
    name : str
        Short name, also the prefix of every hyperopt label of the family
        (``"svm"`` -> ``"svm.C"``).
    estimator : callable
        Builds the unfitted classifier from the decoded hyperparameters as
        keyword arguments (usually the estimator class itself).
    space : callable
        ``space(info: DataInfo) -> dict`` of hyperopt expressions. A value that
        is itself a dict (for example one branch of an ``hp.choice``) is merged
        into its parent when decoded, so conditional parameters stay flat.
    scale : bool
        Whether a scaler choice (none / standard / min-max / unit-norm rows) is
        searched in front of the estimator.
    encoding : {"onehot", "ordinal"}
        How categorical columns are encoded for this family.
    fixed : mapping
        Constant keyword arguments passed to ``estimator`` on every trial.
    threads : str or None
        The estimator's parameter for its number of threads (set to 1, so
        automodel alone decides how cores are shared), or None if it has none.
    max_rows : int or None
        Train on at most this many rows (a stratified subsample), for families
        whose fit grows faster than linearly in rows (kernel SVMs, neighbours).
    default : callable or None
        ``default(info) -> {label: raw value}``: the family's well-known good
        setting as a point of its space (``hp.choice`` labels take the option's
        index), evaluated before the search proper when ``defaults_first``.
    """

    name: str
    estimator: Callable[..., BaseEstimator]
    space: Callable[[DataInfo], dict[str, Any]]
    scale: bool = False
    encoding: Literal["onehot", "ordinal"] = "onehot"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    threads: str | None = None
    max_rows: int | None = None
    default: Callable[[DataInfo], dict[str, Any]] | None = None

    def label(self, param: str) -> str:
        """The hyperopt label of ``param`` in this family."""
        return f"{self.name}.{param}"


def _int(label: str, low: float, high: float) -> Any:
    """An integer drawn uniformly from ``[low, high]``."""
    return scope.int(hp.quniform(label, low, high, 1))


def _log_int(label: str, low: float, high: float) -> Any:
    """An integer whose logarithm is uniform on ``[log(low), log(high)]``."""
    return scope.int(hp.qloguniform(label, math.log(low), math.log(high), 1))


def _log(label: str, low: float, high: float) -> Any:
    return hp.loguniform(label, math.log(low), math.log(high))


def _max_features(prefix: str) -> Any:
    return hp.choice(
        f"{prefix}.max_features",
        ["sqrt", "log2", hp.uniform(f"{prefix}.max_features_fraction", 0.1, 1.0)],
    )


def _class_weight(prefix: str) -> Any:
    return hp.choice(f"{prefix}.class_weight", [None, "balanced"])


def _knn_space(info: DataInfo) -> dict[str, Any]:
    high = max(2, min(50, info.fold_rows))
    return {
        "n_neighbors": _log_int("knn.n_neighbors", 1, high),
        "weights": hp.choice("knn.weights", ["uniform", "distance"]),
        "p": hp.choice("knn.p", [1, 2]),
    }


def _svm_space(info: DataInfo) -> dict[str, Any]:
    def gamma(kernel: str) -> Any:
        return _log(f"svm.{kernel}.gamma", 1e-4, 10.0)

    return {
        "C": _log("svm.C", 1e-3, 1e3),
        "kernel": hp.choice(
            "svm.kernel",
            [
                {"kernel": "rbf", "gamma": gamma("rbf")},
                {"kernel": "linear"},
                {
                    "kernel": "poly",
                    "gamma": gamma("poly"),
                    "degree": _int("svm.poly.degree", 2, 4),
                    "coef0": hp.uniform("svm.poly.coef0", 0.0, 1.0),
                },
                {
                    "kernel": "sigmoid",
                    "gamma": gamma("sigmoid"),
                    "coef0": hp.uniform("svm.sigmoid.coef0", -1.0, 1.0),
                },
            ],
        ),
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


def _xgboost_space(info: DataInfo) -> dict[str, Any]:
    return {
        "n_estimators": _log_int("xgboost.n_estimators", 20, 500),
        "learning_rate": _log("xgboost.learning_rate", 0.01, 0.5),
        "max_depth": _int("xgboost.max_depth", 2, 10),
        "subsample": hp.uniform("xgboost.subsample", 0.5, 1.0),
        "colsample_bytree": hp.uniform("xgboost.colsample_bytree", 0.4, 1.0),
        "min_child_weight": _log("xgboost.min_child_weight", 0.5, 20.0),
        "reg_lambda": _log("xgboost.reg_lambda", 1e-3, 10.0),
        "reg_alpha": _log("xgboost.reg_alpha", 1e-4, 1.0),
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


def _mlp_space(info: DataInfo) -> dict[str, Any]:
    def width(layer: int, of: int) -> Any:
        return _log_int(f"mlp.width_{layer}_of_{of}", 8, 256)

    return {
        "hidden_layer_sizes": hp.choice(
            "mlp.layers", [tuple(width(k, n) for k in range(1, n + 1)) for n in (1, 2, 3)]
        ),
        "activation": hp.choice("mlp.activation", ["relu", "tanh"]),
        # The optimiser's branch carries its own knobs (merged into the parameters).
        "optimizer": hp.choice(
            "mlp.solver",
            [
                {"solver": "adam"},
                {"solver": "sgd", "momentum": hp.uniform("mlp.momentum", 0.8, 0.99)},
            ],
        ),
        "learning_rate_init": _log("mlp.learning_rate_init", 1e-4, 0.1),
        "batch_size": _log_int("mlp.batch_size", 16, 256),
        "max_iter": _log_int("mlp.max_iter", 50, 500),
        "alpha": _log("mlp.alpha", 1e-6, 0.1),
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


#: libsvm's fit grows between quadratically and cubically in rows: past this many
#: training rows an SVM trial trains on a stratified subsample.
SVM_MAX_ROWS = 10_000
#: Neighbour searches cost rows x rows at predict time: same idea, higher cap.
KNN_MAX_ROWS = 20_000


# Well-known defaults, as raw points (choice labels take the index of the option).
def _knn_default(info: DataInfo) -> dict[str, Any]:
    return {"knn.n_neighbors": min(5, info.fold_rows), "knn.weights": 0, "knn.p": 1}


def _svm_default(info: DataInfo) -> dict[str, Any]:
    # scikit-learn's gamma="scale" is 1 / n_features on standardised columns.
    gamma = min(10.0, max(1e-4, 1.0 / max(1, info.n_features)))
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


def _logreg_default(info: DataInfo) -> dict[str, Any]:
    return {"logreg.C": 1.0, "logreg.penalty": 0, "logreg.class_weight": 0}


def _mlp_default(info: DataInfo) -> dict[str, Any]:
    return {
        "mlp.layers": 0,
        "mlp.width_1_of_1": 100,
        "mlp.activation": 0,
        "mlp.solver": 0,
        "mlp.learning_rate_init": 1e-3,
        "mlp.batch_size": 200,
        "mlp.max_iter": 200,
        "mlp.alpha": 1e-4,
    }


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
            default=_knn_default,
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
            _xgboost_space,
            encoding="ordinal",
            fixed={"tree_method": "hist", "verbosity": 0},
            threads="n_jobs",
            default=_xgboost_default,
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
            _mlp_space,
            scale=True,
            fixed={"early_stopping": True},
            default=_mlp_default,
        ),
        # HistGradientBoosting has no thread parameter: threadpoolctl holds its OpenMP to one.
        Family(
            "hgb",
            HistGradientBoostingClassifier,
            _hgb_space,
            encoding="ordinal",
            default=_hgb_default,
        ),
    )
}


#: The compact default space. Defaults are evaluated in this order: the cheapest strong
#: one first (so a tight time budget still returns a model), then the tree ensembles.
#: Decision trees are dominated by the forests, MLPs need more trials than a ~50-trial
#: budget gives, and HistGradientBoosting overlaps XGBoost: all three are in "all".
DEFAULT_FAMILIES: tuple[str, ...] = ("logreg", "forest", "xgboost", "svm", "extra_trees", "knn")


def resolve_families(families: Any) -> list[Family]:
    """Turn the user's ``families`` option into a list of family records.

    ``None`` or ``"default"`` gives the default set, ``"all"`` every registered
    family; otherwise each item is a family name or a :class:`Family`.
    """
    if families is None or families == "default":
        return [REGISTRY[name] for name in DEFAULT_FAMILIES]
    if families == "all":
        return list(REGISTRY.values())
    if isinstance(families, (str, Family)):
        families = [families]
    resolved: list[Family] = []
    for item in families:
        if isinstance(item, Family):
            found = [item]
        elif item == "default" or item == "all":
            found = resolve_families(item)
        elif isinstance(item, str) and item in REGISTRY:
            found = [REGISTRY[item]]
        else:
            valid = ", ".join(sorted(REGISTRY))
            raise ValueError(
                f"Unknown family {item!r} in `families`. Valid names: {valid} "
                "(or 'default' / 'all', or an automodel.Family record)."
            )
        resolved.extend(f for f in found if f.name not in {r.name for r in resolved})
    if not resolved:
        raise ValueError("`families` is empty: name at least one family, or pass None.")
    return resolved
