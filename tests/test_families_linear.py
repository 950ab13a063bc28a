"""The linear families (automodel.families.linear): logreg and linear, one per task."""

from __future__ import annotations

import pytest
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

from automodel.families import linear
from tests._families import check_records, default_params, fits, labels


def test_one_declaration_two_names():
    check_records(linear.LINEAR, classification=LogisticRegression, regression=Ridge)
    logreg, ridge = linear.LINEAR["classification"], linear.LINEAR["regression"]
    assert (logreg.name, ridge.name) == ("logreg", "linear")
    assert logreg.scale and ridge.scale
    assert dict(logreg.fixed) == {"max_iter": 1000} and dict(ridge.fixed) == {}
    assert (logreg.scale_target, ridge.scale_target) == (False, True)


def test_each_task_has_its_own_space():
    assert labels(linear.LINEAR["classification"], "classification") == {
        "logreg.C",
        "logreg.penalty",
        "logreg.l1_ratio",
        "logreg.class_weight",
    }
    assert labels(linear.LINEAR["regression"], "regression") == {
        "linear.penalty",
        "linear.ridge_alpha",
        "linear.enet_alpha",
        "linear.l1_ratio",
    }


def test_the_defaults_are_l2():
    assert default_params(linear.LINEAR["classification"], "classification") == {
        "C": 1.0,
        "l1_ratio": 0.0,
        "solver": "lbfgs",
        "class_weight": None,
    }
    assert default_params(linear.LINEAR["regression"], "regression") == {
        "penalty": "l2",
        "alpha": 1.0,
    }


def test_linear_model_is_ridge_or_elastic_net():
    assert isinstance(linear.linear_model("l2", alpha=2.0), Ridge)
    enet = linear.linear_model("elasticnet", alpha=0.1, l1_ratio=0.3, random_state=1)
    assert isinstance(enet, ElasticNet)
    assert (enet.alpha, enet.l1_ratio, enet.max_iter, enet.random_state) == (0.1, 0.3, 5000, 1)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_drawn_point_fits_a_tiny_table(task):
    fits(linear.LINEAR[task], task, draws=4)
