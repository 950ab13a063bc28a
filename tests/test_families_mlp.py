"""The mlp family (automodel.families.mlp): scikit-learn's MLP in both tasks."""

from __future__ import annotations

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from automodel.families import mlp
from tests._families import TASKS, check_records, default_params, fits, labels


def test_one_declaration_serves_both_tasks():
    check_records(mlp.MLP, classification=MLPClassifier, regression=MLPRegressor)
    for family in mlp.MLP.values():
        assert family.scale and dict(family.fixed) == {"early_stopping": True}
    assert not mlp.MLP["classification"].scale_target and mlp.MLP["regression"].scale_target


@pytest.mark.parametrize("task", TASKS)
def test_one_to_three_layers_and_the_well_known_default(task):
    widths = {f"mlp.width_{k}_of_{n}" for n in (1, 2, 3) for k in range(1, n + 1)}
    assert widths < labels(mlp.MLP[task], task)
    params = default_params(mlp.MLP[task], task)
    assert params["hidden_layer_sizes"] == (100,)
    assert (params["solver"], params["activation"], params["alpha"]) == ("adam", "relu", 1e-4)


@pytest.mark.parametrize("task", TASKS)
def test_a_drawn_point_fits_a_tiny_table(task):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits(mlp.MLP[task], task)
