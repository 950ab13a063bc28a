"""The family record, what a space may know of the data, and the space helpers."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hyperopt import hp
from hyperopt.pyll import scope
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

__all__ = ["KNN_MAX_ROWS", "SVM_MAX_ROWS", "TASK_NAMES", "DataInfo", "Family"]

#: The tasks a family may serve.
TASK_NAMES = ("classification", "regression")


@dataclass(frozen=True)
class DataInfo:
    """What a family's space may depend on: the shape of the training data.

    ``n_classes`` is 0 for a regression target. ``n_features`` counts the raw
    columns; ``n_encoded`` the columns after the one-hot column step on the whole
    table (what a net's input layer sees; a training fold can have fewer when a
    rare category is missing from it, so a net should size its input at fit).
    """

    n_rows: int
    n_features: int
    n_classes: int
    cv: int = 5
    n_encoded: int | None = None

    @property
    def fold_rows(self) -> int:
        """Rows in the smallest training fold of a ``cv``-fold split."""
        return self.n_rows - math.ceil(self.n_rows / self.cv)


def _infer_tasks(factory: Callable[..., Any], fixed: Mapping[str, Any]) -> tuple[str, ...]:
    """The task an estimator factory serves, from its class (or an instance it builds)."""
    kind: Any = factory
    if not isinstance(factory, type):
        try:
            kind = type(factory(**fixed))
        except Exception:  # noqa: BLE001 - the caller names the fix
            kind = None
    if isinstance(kind, type) and issubclass(kind, RegressorMixin):
        return ("regression",)
    if isinstance(kind, type) and issubclass(kind, ClassifierMixin):
        return ("classification",)
    return ()


@dataclass(frozen=True)
class Family:
    """One estimator family of the search space.

    Parameters
    ----------
    name : str
        Short name, also the prefix of every hyperopt label of the family
        (``"svm"`` -> ``"svm.C"``).
    estimator : callable
        Builds the unfitted estimator from the decoded hyperparameters as
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
        Train on at most this many rows (a seeded subsample, stratified for
        classes), for families whose fit grows faster than linearly in rows.
    default : callable or None
        ``default(info) -> {label: raw value}``: the family's well-known good
        setting as a point of its space (``hp.choice`` labels take the option's
        index), evaluated before the search proper when ``defaults_first``.
    tasks : tuple of {"classification", "regression"} or None
        The task(s) the family serves. None: read from the estimator (a
        scikit-learn classifier or regressor class, or what the factory builds
        from ``fixed``); a factory that is neither must say it.
    scale_target : bool
        Regression only: fit the estimator on a standardised target (inside a
        ``TransformedTargetRegressor``), for estimators whose hyperparameters
        depend on the target's scale (SVR's epsilon, penalties, step sizes).
    seed : str, callable or None
        How the trial's seed reaches the estimator. None: its ``random_state``
        parameter, when it has one; a str: the name of its seed parameter (e.g.
        ``"seed"``, or ``"module__seed"`` for a skorch net whose module seeds
        torch); a callable ``seed(estimator, seed) -> estimator`` for anything else.
    steps : sequence of (name, transformer)
        Steps put between the scaler and the estimator in every pipeline of the
        family (cloned per trial), e.g. ``[("float32", FunctionTransformer(...))]``
        for a net that wants float32 input. Names other than prep, scale, model.
    requires : tuple of str
        Modules the estimator imports when it is fitted (an optional extra); a
        search naming the family without them fails at once with ``install``.
    install : str or None
        The command that installs ``requires`` (default: ``pip install`` them).
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
    tasks: tuple[str, ...] | None = None
    scale_target: bool = False
    seed: str | Callable[[BaseEstimator, int | None], BaseEstimator] | None = None
    steps: Sequence[tuple[str, BaseEstimator]] = ()
    requires: tuple[str, ...] = ()
    install: str | None = None

    def __post_init__(self) -> None:
        names = [name for name, _ in self.steps]
        taken = {"prep", "scale", "model"}.intersection(names)
        if taken or len(set(names)) != len(names):
            raise ValueError(
                f"Family {self.name!r}: step names must be distinct and not prep, scale or "
                f"model, got {names}."
            )
        object.__setattr__(self, "steps", tuple(self.steps))
        tasks = self.tasks
        if isinstance(tasks, str):
            tasks = (tasks,)
        if tasks is None:
            tasks = _infer_tasks(self.estimator, self.fixed)
            if not tasks:
                raise ValueError(
                    f"Family {self.name!r}: cannot tell whether its estimator is a classifier "
                    "or a regressor; pass tasks=('classification',), ('regression',) or both."
                )
        unknown = [t for t in tasks if t not in TASK_NAMES]
        if unknown or not tasks:
            raise ValueError(
                f"Family {self.name!r}: tasks must be a non-empty tuple of {TASK_NAMES}, "
                f"got {self.tasks!r}."
            )
        object.__setattr__(self, "tasks", tuple(tasks))

    def label(self, param: str) -> str:
        """The hyperopt label of ``param`` in this family."""
        return f"{self.name}.{param}"

    def serves(self, task: str) -> bool:
        """Whether the family can take part in a search for ``task``."""
        return task in (self.tasks or ())

    def check_installed(self) -> None:
        """Raise ImportError naming the install command if a required module is missing."""
        missing = [name for name in self.requires if importlib.util.find_spec(name) is None]
        if missing:
            install = self.install or f"pip install {' '.join(missing)}"
            raise ImportError(
                f"Family {self.name!r} needs {' and '.join(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not installed: {install}"
            )


#: libsvm's fit grows between quadratically and cubically in rows: past this many
#: training rows an SVM trial trains on a subsample (stratified for classes).
SVM_MAX_ROWS = 10_000
#: Neighbour searches cost rows x rows at predict time: same idea, higher cap.
KNN_MAX_ROWS = 20_000


# -- space helpers -------------------------------------------------------------------


def int_uniform(label: str, low: float, high: float) -> Any:
    """An integer drawn uniformly from ``[low, high]``."""
    return scope.int(hp.quniform(label, low, high, 1))


def log_int(label: str, low: float, high: float) -> Any:
    """An integer whose logarithm is uniform on ``[log(low), log(high)]``."""
    return scope.int(hp.qloguniform(label, math.log(low), math.log(high), 1))


def log_uniform(label: str, low: float, high: float) -> Any:
    """A float whose logarithm is uniform on ``[log(low), log(high)]``."""
    return hp.loguniform(label, math.log(low), math.log(high))


def max_features(prefix: str) -> Any:
    """sqrt, log2 or a fraction of the columns (forests)."""
    return hp.choice(
        f"{prefix}.max_features",
        ["sqrt", "log2", hp.uniform(f"{prefix}.max_features_fraction", 0.1, 1.0)],
    )


def knn_neighbours(info: DataInfo) -> Any:
    """Neighbours (log scale), at most the rows of a training fold, capped at 50."""
    high = max(2, min(50, info.fold_rows))
    return log_int("knn.n_neighbors", 1, high)


def svm_kernel(gamma: Callable[[str], Any]) -> Any:
    """The kernel choice of both SVM families, each kernel with its own knobs."""
    return hp.choice(
        "svm.kernel",
        [
            {"kernel": "rbf", "gamma": gamma("rbf")},
            {"kernel": "linear"},
            {
                "kernel": "poly",
                "gamma": gamma("poly"),
                "degree": int_uniform("svm.poly.degree", 2, 4),
                "coef0": hp.uniform("svm.poly.coef0", 0.0, 1.0),
            },
            {
                "kernel": "sigmoid",
                "gamma": gamma("sigmoid"),
                "coef0": hp.uniform("svm.sigmoid.coef0", -1.0, 1.0),
            },
        ],
    )


def mlp_space(info: DataInfo) -> dict[str, Any]:
    """scikit-learn's MLP (either task): 1-3 layers, optimiser branch with its own knobs."""

    def width(layer: int, of: int) -> Any:
        return log_int(f"mlp.width_{layer}_of_{of}", 8, 256)

    return {
        "hidden_layer_sizes": hp.choice(
            "mlp.layers", [tuple(width(k, n) for k in range(1, n + 1)) for n in (1, 2, 3)]
        ),
        "activation": hp.choice("mlp.activation", ["relu", "tanh"]),
        "optimizer": hp.choice(
            "mlp.solver",
            [
                {"solver": "adam"},
                {"solver": "sgd", "momentum": hp.uniform("mlp.momentum", 0.8, 0.99)},
            ],
        ),
        "learning_rate_init": log_uniform("mlp.learning_rate_init", 1e-4, 0.1),
        "batch_size": log_int("mlp.batch_size", 16, 256),
        "max_iter": log_int("mlp.max_iter", 50, 500),
        "alpha": log_uniform("mlp.alpha", 1e-6, 0.1),
    }


def xgboost_space(info: DataInfo) -> dict[str, Any]:
    """XGBoost's boosting knobs (either task)."""
    return {
        "n_estimators": log_int("xgboost.n_estimators", 20, 500),
        "learning_rate": log_uniform("xgboost.learning_rate", 0.01, 0.5),
        "max_depth": int_uniform("xgboost.max_depth", 2, 10),
        "subsample": hp.uniform("xgboost.subsample", 0.5, 1.0),
        "colsample_bytree": hp.uniform("xgboost.colsample_bytree", 0.4, 1.0),
        "min_child_weight": log_uniform("xgboost.min_child_weight", 0.5, 20.0),
        "reg_lambda": log_uniform("xgboost.reg_lambda", 1e-3, 10.0),
        "reg_alpha": log_uniform("xgboost.reg_alpha", 1e-4, 1.0),
    }


# -- well-known defaults shared by both tasks, as raw points ------------------------


def knn_default(info: DataInfo) -> dict[str, Any]:
    return {"knn.n_neighbors": min(5, info.fold_rows), "knn.weights": 0, "knn.p": 1}


def xgboost_default(info: DataInfo) -> dict[str, Any]:
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


def mlp_default(info: DataInfo) -> dict[str, Any]:
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


def svm_gamma_default(info: DataInfo) -> float:
    """scikit-learn's gamma="scale" is 1 / n_features on standardised columns."""
    return min(10.0, max(1e-4, 1.0 / max(1, info.n_features)))
