"""The ``torch_mlp`` family (optional extra ``torch``): a PyTorch MLP through skorch.

Used only when named (``families=["default", "torch_mlp"]``): no preset holds it,
so a preset searches the same space whether or not torch is installed. Its space
holds the knobs the PyTorch tuning tutorials search by hand: 1-4 hidden layers
and their neurons, activation, dropout, weight initialisation, optimiser (each
with its own learning-rate range, momentum for SGD and RMSprop), weight decay,
batch size and epochs (with early stopping on a validation part of the training
fold). Its default point is the well-known one: one hidden layer of 100 ReLU
units, Adam at 1e-3, batches of 128, up to 200 epochs.
"""

from __future__ import annotations

from typing import Any

from hyperopt import hp

from automodel.families._base import SCALED, DataInfo, by_task, hidden_layers, log_int, log_uniform
from automodel.nets import REQUIRES, TORCH_EXTRA, TorchMLPClassifier, TorchMLPRegressor

__all__ = ["OPTIMIZERS", "TORCH_MLP", "torch_default", "torch_space"]

NAME = "torch_mlp"
ACTIVATIONS = ("relu", "tanh", "elu", "leaky_relu")
INITS = (
    "default",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
)
#: Each optimiser's learning-rate range; SGD and RMSprop also search momentum.
OPTIMIZERS: dict[str, tuple[float, float]] = {
    "adam": (1e-4, 3e-2),
    "adamw": (1e-4, 3e-2),
    "rmsprop": (1e-4, 1e-2),
    "sgd": (1e-3, 0.3),
}
_MOMENTUM = {"sgd": (0.5, 0.99), "rmsprop": (0.0, 0.9)}


def _label(param: str) -> str:
    return f"{NAME}.{param}"


def _optimizer(name: str) -> dict[str, Any]:
    low, high = OPTIMIZERS[name]
    branch: dict[str, Any] = {"optimizer": name, "lr": log_uniform(_label(f"{name}.lr"), low, high)}
    if name in _MOMENTUM:
        branch["momentum"] = hp.uniform(_label(f"{name}.momentum"), *_MOMENTUM[name])
    return branch


def torch_space(info: DataInfo) -> dict[str, Any]:
    """The net's hyperparameters (either task)."""
    return {
        "hidden_layer_sizes": hidden_layers(NAME, 16, 512, most=4),
        "activation": hp.choice(_label("activation"), list(ACTIVATIONS)),
        "dropout": hp.uniform(_label("dropout"), 0.0, 0.5),
        "init": hp.choice(_label("init"), list(INITS)),
        "optimizer": hp.choice(_label("optimizer"), [_optimizer(name) for name in OPTIMIZERS]),
        "weight_decay": log_uniform(_label("weight_decay"), 1e-6, 1e-2),
        "batch_size": log_int(_label("batch_size"), 16, 256),
        "max_epochs": log_int(_label("max_epochs"), 20, 300),
    }


def torch_default(info: DataInfo) -> dict[str, Any]:
    """One hidden layer of 100 ReLU units, Adam at 1e-3, batches of 128, 200 epochs."""
    return {
        _label("layers"): 0,
        _label("width_1_of_1"): 100,
        _label("activation"): 0,
        _label("dropout"): 0.0,
        _label("init"): 0,
        _label("optimizer"): 0,
        _label("adam.lr"): 1e-3,
        _label("weight_decay"): 1e-6,
        _label("batch_size"): 128,
        _label("max_epochs"): 200,
    }


#: The regressor fits a standardised target, as the other step-size-tuned families.
TORCH_MLP = by_task(
    NAME,
    (TorchMLPClassifier, TorchMLPRegressor),
    torch_space,
    torch_default,
    threads="n_threads",
    requires=REQUIRES,
    install=TORCH_EXTRA,
    **SCALED,
)
