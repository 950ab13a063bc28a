"""The PyTorch side of the ``torch_mlp`` family: the network and its skorch wrapper.

This module imports torch and skorch at import time; only
:mod:`automodel.nets` imports it, when a net is fitted (or a fitted one is
loaded), so automodel itself never needs torch.
"""

from __future__ import annotations

from typing import Any

import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import EarlyStopping
from skorch.dataset import ValidSplit
from torch import nn

__all__ = ["ACTIVATIONS", "INITS", "OPTIMIZERS", "MLPModule", "build_net"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}
#: Weight initialisations of the linear layers ("default" keeps torch's own).
INITS: dict[str, Any] = {
    "default": None,
    "xavier_uniform": nn.init.xavier_uniform_,
    "xavier_normal": nn.init.xavier_normal_,
    "kaiming_uniform": nn.init.kaiming_uniform_,
    "kaiming_normal": nn.init.kaiming_normal_,
    "orthogonal": nn.init.orthogonal_,
}
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
}
#: Optimisers that take a ``momentum`` argument.
WITH_MOMENTUM = frozenset({"sgd", "rmsprop"})


class MLPModule(nn.Module):
    """Fully connected layers: (linear -> activation -> dropout) per hidden layer, then linear."""

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        hidden: tuple[int, ...] = (100,),
        activation: str = "relu",
        dropout: float = 0.0,
        init: str = "default",
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_inputs
        for size in hidden:
            layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)
        initialise = INITS[init]
        if initialise is not None:
            for layer in self.layers:
                if isinstance(layer, nn.Linear):
                    initialise(layer.weight)
                    nn.init.zeros_(layer.bias)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers(X)


def build_net(
    params: dict[str, Any],
    *,
    n_inputs: int,
    n_outputs: int,
    n_rows: int,
    classifier: bool,
    stratify: bool | None = None,
) -> NeuralNetClassifier | NeuralNetRegressor:
    """The skorch net for one fit of :class:`automodel.nets.TorchMLPClassifier` / ``Regressor``.

    Early stopping watches the loss on a seeded validation part of the rows
    (stratified for classes, unless ``stratify`` is False: a class with a single
    row) when there are enough rows for one; with fewer, the net trains for
    ``max_epochs``.
    """
    stratify = classifier if stratify is None else stratify
    optimizer = params["optimizer"]
    extra: dict[str, Any] = {"optimizer__weight_decay": params["weight_decay"]}
    if optimizer in WITH_MOMENTUM:
        extra["optimizer__momentum"] = params["momentum"]
    n_valid = int(n_rows * params["validation_fraction"])
    callbacks: list[Any] = []
    train_split: Any = None
    if params["validation_fraction"] > 0 and n_valid >= max(10, n_outputs if classifier else 0):
        train_split = ValidSplit(
            params["validation_fraction"], stratified=stratify, random_state=params["seed"]
        )
        callbacks.append(
            EarlyStopping(monitor="valid_loss", patience=params["patience"], load_best=True)
        )
    net_class = NeuralNetClassifier if classifier else NeuralNetRegressor
    return net_class(
        MLPModule,
        module__n_inputs=n_inputs,
        module__n_outputs=n_outputs,
        module__hidden=tuple(params["hidden_layer_sizes"]),
        module__activation=params["activation"],
        module__dropout=params["dropout"],
        module__init=params["init"],
        criterion=nn.CrossEntropyLoss if classifier else nn.MSELoss,
        optimizer=OPTIMIZERS[optimizer],
        lr=params["lr"],
        batch_size=max(1, min(int(params["batch_size"]), n_rows - n_valid)),
        max_epochs=int(params["max_epochs"]),
        train_split=train_split,
        callbacks=callbacks,
        iterator_train__shuffle=True,
        device=params["device"],
        verbose=0,
        **extra,
    )
