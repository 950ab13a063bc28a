"""PyTorch multi-layer perceptrons as scikit-learn estimators (the ``torch_mlp`` family).

``TorchMLPClassifier`` and ``TorchMLPRegressor`` hold plain hyperparameters (names
and numbers, so they print, clone and pickle like any scikit-learn estimator) and
build a skorch net at ``fit``, sized from the data: the input layer from the
columns the pipeline hands over, the output layer from the classes. torch and
skorch are imported only then (``pip install "automodel[torch]"``).

Input of any numeric type, dense or sparse, is cast to a dense float32 array;
class labels become int64 indices for the cross-entropy loss, regression targets
a float32 column for the squared error.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["REQUIRES", "TORCH_EXTRA", "TorchMLPClassifier", "TorchMLPRegressor", "missing_torch"]

#: How to install what the nets need.
TORCH_EXTRA = 'pip install "automodel[torch]"'
#: The modules the nets import at fit.
REQUIRES = ("torch", "skorch")


def missing_torch() -> list[str]:
    """The modules the nets need that are not installed (without importing them)."""
    return [name for name in REQUIRES if importlib.util.find_spec(name) is None]


def _torch_module() -> Any:
    missing = missing_torch()
    if missing:
        raise ImportError(
            f"The torch_mlp family needs {' and '.join(missing)}, which is not installed: "
            f"{TORCH_EXTRA}."
        )
    return importlib.import_module("automodel.torch_module")


def as_float32(X: Any) -> np.ndarray:
    """A dense, C-ordered float32 array of ``X`` (sparse matrices are densified)."""
    if sp.issparse(X):
        X = X.toarray()
    return np.ascontiguousarray(np.asarray(X, dtype=np.float32))


@contextlib.contextmanager
def _threads(torch: Any, n_threads: int | None) -> Iterator[None]:
    """torch on ``n_threads`` threads inside the block (None: unchanged), then restored."""
    before = torch.get_num_threads()
    if n_threads:
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class _TorchMLP(BaseEstimator):
    """Shared parameters and fitting of the two nets."""

    _classifier = False

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (100,),
        activation: str = "relu",
        dropout: float = 0.0,
        init: str = "default",
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        batch_size: int = 128,
        max_epochs: int = 200,
        patience: int = 10,
        validation_fraction: float = 0.1,
        random_state: int | None = None,
        n_threads: int | None = None,
        device: str = "cpu",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.init = init
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_threads = n_threads
        self.device = device

    def _fit_net(self, X: np.ndarray, y: np.ndarray, n_outputs: int) -> None:
        module = _torch_module()
        torch = module.torch
        params = self.get_params(deep=False)
        for name, known in (
            ("activation", module.ACTIVATIONS),
            ("init", module.INITS),
            ("optimizer", module.OPTIMIZERS),
        ):
            if params[name] not in known:
                raise ValueError(f"{name} must be one of {sorted(known)}, got {params[name]!r}.")
        seed = self.random_state
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31 - 1))
        params["seed"] = int(seed)
        with _threads(torch, self.n_threads):
            torch.manual_seed(params["seed"])
            net = module.build_net(
                params,
                n_inputs=X.shape[1],
                n_outputs=n_outputs,
                n_rows=X.shape[0],
                classifier=self._classifier,
                # A stratified split needs two rows of every class.
                stratify=self._classifier and bool(np.bincount(y.ravel()).min() >= 2),
            )
            net.fit(X, y)
            sample = net.forward(X[:256]).detach().numpy()
        if not np.isfinite(sample).all():
            raise ValueError(
                f"training diverged: the net's outputs are not finite after {len(net.history)} "
                f"epochs ({self.optimizer}, lr={self.lr:.3g}); a smaller learning rate, or "
                "scaled inputs, would train."
            )
        self.net_ = net
        self.n_features_in_ = X.shape[1]
        self.n_epochs_ = len(net.history)

    def _forward(self, X: Any, method: str) -> np.ndarray:
        check_is_fitted(self, "net_")
        X = as_float32(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but this net was fitted on {self.n_features_in_}."
            )
        with _threads(_torch_module().torch, self.n_threads):
            return getattr(self.net_, method)(X)


class TorchMLPClassifier(ClassifierMixin, _TorchMLP):
    """A PyTorch MLP classifier (cross-entropy loss), trained through skorch.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int
        Neurons of each hidden layer.
    activation : {"relu", "tanh", "elu", "leaky_relu"}
    dropout : float
        Dropout after each hidden layer (0 for none).
    init : {"default", "xavier_uniform", "xavier_normal", "kaiming_uniform", \
"kaiming_normal", "orthogonal"}
        Weight initialisation of the linear layers (biases start at 0).
    optimizer : {"sgd", "adam", "adamw", "rmsprop"}
    lr, momentum, weight_decay : float
        The optimiser's step size, momentum (SGD and RMSprop only) and weight decay.
    batch_size, max_epochs : int
    patience : int
        Epochs without a better validation loss before training stops (the best
        epoch's weights are kept).
    validation_fraction : float
        Share of the training rows held out for early stopping (stratified); 0, or
        too few rows for one, trains for ``max_epochs``.
    random_state : int or None
        Seeds torch (weights, dropout, batch order) and the validation split.
    n_threads : int or None
        torch's threads during fit and predict (None: leave torch's setting).
    device : str
        torch device, ``"cpu"`` by default (``"cuda"`` when one is available).
    """

    _classifier = True

    def fit(self, X: Any, y: Any) -> TorchMLPClassifier:
        X = as_float32(X)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        self._fit_net(X, codes.astype(np.int64), n_outputs=len(self.classes_))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._forward(X, "predict_proba").astype(np.float64)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class TorchMLPRegressor(RegressorMixin, _TorchMLP):
    """A PyTorch MLP regressor (squared error), trained through skorch.

    The parameters are :class:`TorchMLPClassifier`'s; the validation split for
    early stopping is not stratified. In automodel's search the target is
    standardised in front of the net (``scale_target``).
    """

    def fit(self, X: Any, y: Any) -> TorchMLPRegressor:
        X = as_float32(X)
        target = np.asarray(y, dtype=np.float32).reshape(-1, 1)
        self._fit_net(X, target, n_outputs=1)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self._forward(X, "predict").reshape(-1).astype(np.float64)
