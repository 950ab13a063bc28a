"""The ``mlp`` family (scikit-learn's multi-layer perceptron), for classification and regression.

1-3 hidden layers, and an optimiser branch with its own knobs; early stopping on
a validation part of the training fold. The regressor's step sizes depend on the
target's scale, so it fits a standardised target.
"""

from __future__ import annotations

from typing import Any

from hyperopt import hp
from sklearn.neural_network import MLPClassifier, MLPRegressor

from automodel.families._base import SCALED, DataInfo, by_task, hidden_layers, log_int, log_uniform

__all__ = ["MLP"]


def _space(info: DataInfo) -> dict[str, Any]:
    return {
        "hidden_layer_sizes": hidden_layers("mlp", 8, 256, most=3),
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


def _default(info: DataInfo) -> dict[str, Any]:
    """scikit-learn's own: one layer of 100 ReLU units, Adam at 1e-3."""
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


MLP = by_task(
    "mlp", (MLPClassifier, MLPRegressor), _space, _default, fixed={"early_stopping": True}, **SCALED
)
