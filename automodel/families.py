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
from typing import Any, Literal

from hyperopt import hp
from hyperopt.pyll import scope
from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
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
    """

    name: str
    estimator: Callable[..., BaseEstimator]
    space: Callable[[DataInfo], dict[str, Any]]
    scale: bool = False
    encoding: Literal["onehot", "ordinal"] = "onehot"
    fixed: Mapping[str, Any] = field(default_factory=dict)

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
    }


def _forest_space(info: DataInfo) -> dict[str, Any]:
    return {
        "n_estimators": _log_int("forest.n_estimators", 10, 500),
        "criterion": hp.choice("forest.criterion", ["gini", "entropy"]),
        "max_depth": hp.choice("forest.max_depth", [None, _int("forest.max_depth_value", 2, 30)]),
        "max_features": _max_features("forest"),
        "min_samples_leaf": _log_int("forest.min_samples_leaf", 1, 20),
        "bootstrap": hp.choice("forest.bootstrap", [True, False]),
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


REGISTRY: dict[str, Family] = {
    family.name: family
    for family in (
        Family("knn", KNeighborsClassifier, _knn_space, scale=True),
        # max_iter bounds libsvm on badly scaled data, where it can run for minutes.
        Family("svm", SVC, _svm_space, scale=True, fixed={"max_iter": 200_000}),
        Family("tree", DecisionTreeClassifier, _tree_space, encoding="ordinal"),
        Family("forest", RandomForestClassifier, _forest_space, encoding="ordinal"),
        Family(
            "xgboost",
            XGBClassifier,
            _xgboost_space,
            encoding="ordinal",
            fixed={"tree_method": "hist", "verbosity": 0},
        ),
    )
}

DEFAULT_FAMILIES: tuple[str, ...] = ("knn", "svm", "tree", "forest", "xgboost")


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
