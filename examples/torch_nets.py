"""The torch module of examples/skorch_net.py, in a module of its own so that a saved model
finds it by name in any process that can import ``torch_nets``."""

from __future__ import annotations

# [readme]
import torch


class Net(torch.nn.Module):
    def __init__(self, n_inputs=30, hidden=32, dropout=0.1, seed=None):
        super().__init__()
        if seed is not None:
            torch.manual_seed(seed)  # weights and batch order follow the trial's seed
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(n_inputs, hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden, 2),
        )

    def forward(self, X):
        return self.layers(X)


# [/readme]
