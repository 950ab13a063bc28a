"""The PyTorch nets (automodel.nets, automodel.torch_module) as scikit-learn estimators."""

from __future__ import annotations

import importlib.util
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from automodel import nets
from automodel.nets import TorchMLPClassifier, TorchMLPRegressor

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")


@pytest.fixture(scope="module")
def three_classes() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5])]
    return X, y


def test_classifier_predicts_its_own_labels_with_probabilities(three_classes):
    X, y = three_classes
    model = TorchMLPClassifier(max_epochs=60, lr=1e-2, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert list(model.classes_) == ["high", "low", "mid"]
    assert proba.shape == (len(y), 3) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert set(model.predict(X)) <= set(y)
    assert model.score(X, y) > 0.8  # it learns the boundary, not just the prior


def test_any_numeric_input_is_cast_to_float32(three_classes):
    X, y = three_classes
    dense = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    frame = pd.DataFrame(X.astype(np.float64), columns=list("abcd"))
    assert np.allclose(dense.predict_proba(frame), dense.predict_proba(X))
    from_sparse = TorchMLPClassifier(max_epochs=5, random_state=0).fit(sp.csr_matrix(X), y)
    assert np.allclose(from_sparse.predict_proba(X), dense.predict_proba(X))


def test_the_seed_reproduces_the_net_and_another_seed_changes_it(three_classes):
    X, y = three_classes
    params = dict(max_epochs=10, dropout=0.2, hidden_layer_sizes=(16, 16))
    first = TorchMLPClassifier(**params, random_state=1).fit(X, y).predict_proba(X)
    again = TorchMLPClassifier(**params, random_state=1).fit(X, y).predict_proba(X)
    other = TorchMLPClassifier(**params, random_state=2).fit(X, y).predict_proba(X)
    assert np.array_equal(first, again)
    assert not np.allclose(first, other)


def test_regressor_learns_a_linear_target():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=200)
    model = TorchMLPRegressor(max_epochs=100, lr=1e-2, random_state=0).fit(X, y)
    predictions = model.predict(X)
    assert predictions.shape == (200,) and predictions.dtype == np.float64
    assert model.score(X, y) > 0.9


def test_early_stopping_ends_training_when_the_validation_loss_stalls():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(200, 3)), rng.normal(size=200)  # nothing to learn
    model = TorchMLPRegressor(max_epochs=300, patience=3, lr=1e-2, random_state=0).fit(X, y)
    assert model.n_epochs_ < 300


def test_too_few_rows_for_a_validation_part_train_every_epoch():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    model = TorchMLPRegressor(max_epochs=7, patience=1, random_state=0).fit(X, y)
    assert model.n_epochs_ == 7


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
def test_every_optimizer_and_init_trains(optimizer, three_classes):
    X, y = three_classes
    for init in ("default", "xavier_normal", "kaiming_uniform", "orthogonal"):
        model = TorchMLPClassifier(
            optimizer=optimizer, init=init, activation="elu", max_epochs=2, random_state=0
        ).fit(X, y)
        assert np.isfinite(model.predict_proba(X)).all()


def test_unknown_names_are_clear_errors(three_classes):
    X, y = three_classes
    with pytest.raises(ValueError, match=r"optimizer must be one of \['adam', "):
        TorchMLPClassifier(optimizer="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="activation must be one of"):
        TorchMLPClassifier(activation="swish").fit(X, y)


def test_torch_threads_are_set_for_the_fit_and_restored(monkeypatch, three_classes):
    from automodel import torch_module

    seen: list[int] = []
    build = torch_module.build_net

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return build(*args, **kwargs)

    monkeypatch.setattr(torch_module, "build_net", spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        TorchMLPClassifier(max_epochs=1, n_threads=1, random_state=0).fit(*three_classes)
        assert seen == [1]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_fitted_net_pickles_clones_and_checks_its_input(three_classes):
    X, y = three_classes
    model = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(model))
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    fresh = clone(model)
    assert fresh.get_params() == model.get_params() and not hasattr(fresh, "net_")
    with pytest.raises(ValueError, match="X has 3 features, but this net was fitted on 4"):
        model.predict(X[:, :3])


def test_without_torch_fitting_names_the_extra(monkeypatch, three_classes):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "skorch" else real(name, *a)
    )
    assert nets.missing_torch() == ["skorch"]
    with pytest.raises(ImportError, match=r'needs skorch.*pip install "automodel\[torch\]"'):
        TorchMLPClassifier().fit(*three_classes)


def test_a_class_with_one_row_does_not_break_the_validation_split():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(120, 3))
    y = np.array(["a"] * 60 + ["b"] * 59 + ["c"])  # "c" once: no stratified split possible
    model = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert list(model.classes_) == ["a", "b", "c"] and model.predict_proba(X).shape == (120, 3)


def test_a_diverging_net_says_so():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 3)) * 1e4  # unscaled, huge inputs
    y = X[:, 0] * 1e3
    net = TorchMLPRegressor(optimizer="sgd", lr=1.0, momentum=0.9, max_epochs=20, random_state=0)
    with pytest.raises(ValueError, match="training diverged: the net's outputs are not finite"):
        net.fit(X, y)
