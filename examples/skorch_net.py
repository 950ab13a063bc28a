"""Your own PyTorch net in automodel's search, through skorch.

Run: python examples/skorch_net.py   (needs: pip install "automodel[torch]")

The net's class lives in examples/torch_nets.py, not in this script: skorch pickles the
torch module by name, so the class must import where the model is loaded (there:
PYTHONPATH=examples, or the folder the model is loaded from).
"""

from __future__ import annotations

# [readme]
import numpy as np
import torch
from hyperopt import hp
from sklearn.preprocessing import FunctionTransformer
from skorch import NeuralNetClassifier
from torch_nets import Net  # in a module, so the saved model loads in any process

import automodel


def net_space(info):  # info.n_encoded: the width the net's input layer sees
    return {
        "module__n_inputs": info.n_encoded,
        "module__hidden": hp.choice("net.hidden", [16, 32, 64, 128]),
        "module__dropout": hp.uniform("net.dropout", 0.0, 0.5),
        "optimizer": hp.choice("net.optimizer", [torch.optim.Adam, torch.optim.RMSprop]),
        "lr": hp.loguniform("net.lr", np.log(1e-4), np.log(1e-1)),
        "max_epochs": hp.choice("net.max_epochs", [20, 50]),
    }


net = automodel.Family(
    "net",
    NeuralNetClassifier,
    net_space,
    scale=True,
    fixed={"module": Net, "criterion": torch.nn.CrossEntropyLoss, "verbose": 0},
    steps=[("float32", FunctionTransformer(np.float32))],  # torch wants float32 input
    seed="module__seed",
)
# [/readme]


def main() -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    model = automodel.AutoModelClassifier(
        families=["logreg", net], max_evals=4, cv=3, random_state=0
    ).fit(X_train, y_train)
    print(model.leaderboard().to_string(max_colwidth=80))
    print(f"test accuracy {model.score(X_test, y_test):.3f}")
    automodel.save(model, "skorch_net.automodel")
    # A model holding an own net is a pickle: load it only from a source you trust.
    loaded = automodel.load("skorch_net.automodel", trusted=True)
    assert (loaded.predict(X_test) == model.predict(X_test)).all()


if __name__ == "__main__":
    main()
