"""The linear families: ``logreg`` (classification), ``linear`` (ridge or elastic net, regression).

The one family kind whose two tasks differ in name, estimator and space: both are
searched behind a scaler, and ``linear`` fits a standardised target (its
penalties depend on the target's scale).
"""

from __future__ import annotations

from typing import Any

from hyperopt import hp
from sklearn.base import BaseEstimator
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

from automodel.families._base import DataInfo, by_task, class_weight, log_uniform

__all__ = ["LINEAR", "linear_model"]


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


def _logreg_space(info: DataInfo) -> dict[str, Any]:
    # scikit-learn 1.9 deprecates `penalty=`: l1_ratio 0 is L2, 1 is L1, between is elastic net.
    return {
        "C": log_uniform("logreg.C", 1e-4, 1e3),
        # Each penalty brings its solver: lbfgs is fast for L2, saga handles L1 / elastic net.
        "penalty": hp.choice(
            "logreg.penalty",
            [
                {"l1_ratio": 0.0, "solver": "lbfgs"},
                {"l1_ratio": 1.0, "solver": "saga"},
                {"l1_ratio": hp.uniform("logreg.l1_ratio", 0.05, 0.95), "solver": "saga"},
            ],
        ),
        "class_weight": class_weight("logreg"),
    }


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


# Well-known defaults, as raw points (choice labels take the index of the option).
def _logreg_default(info: DataInfo) -> dict[str, Any]:
    return {"logreg.C": 1.0, "logreg.penalty": 0, "logreg.class_weight": 0}


def _linear_default(info: DataInfo) -> dict[str, Any]:
    return {"linear.penalty": 0, "linear.ridge_alpha": 1.0}


LINEAR = by_task(
    "logreg",
    (LogisticRegression, linear_model),
    _logreg_space,
    _logreg_default,
    scale=True,
    classification={"fixed": {"max_iter": 1000}},
    regression={
        "name": "linear",
        "space": _linear_space,
        "default": _linear_default,
        "scale_target": True,
    },
)
