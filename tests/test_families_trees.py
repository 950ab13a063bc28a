"""The tree families (automodel.families.trees): tree, forest, extra_trees in both tasks."""

from __future__ import annotations

import pytest
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from automodel.families import trees
from tests._families import TASKS, check_records, default_params, fits, labels

ENSEMBLES = {"forest": trees.FOREST, "extra_trees": trees.EXTRA_TREES}


def test_each_declaration_serves_both_tasks():
    check_records(
        trees.TREE, classification=DecisionTreeClassifier, regression=DecisionTreeRegressor
    )
    check_records(
        trees.FOREST, classification=RandomForestClassifier, regression=RandomForestRegressor
    )
    check_records(
        trees.EXTRA_TREES, classification=ExtraTreesClassifier, regression=ExtraTreesRegressor
    )
    for records in (trees.TREE, trees.FOREST, trees.EXTRA_TREES):
        for family in records.values():
            assert family.encoding == "ordinal" and not family.scale and not family.scale_target


@pytest.mark.parametrize("prefix", ["tree", *ENSEMBLES])
def test_classification_alone_searches_criterion_and_class_weight(prefix):
    records = {"tree": trees.TREE, **ENSEMBLES}[prefix]
    only = {f"{prefix}.criterion", f"{prefix}.class_weight"}
    classes = labels(records["classification"], "classification")
    assert classes - labels(records["regression"], "regression") == only
    assert labels(records["regression"], "regression") == classes - only


@pytest.mark.parametrize("task", TASKS)
def test_the_defaults_are_scikit_learns(task):
    tree = default_params(trees.TREE[task], task)
    assert tree["max_depth"] is None and tree["max_features"] is None
    assert ("criterion" in tree) == ("class_weight" in tree) == (task == "classification")
    columns = "sqrt" if task == "classification" else 1.0
    for name, bootstrap in (("forest", True), ("extra_trees", False)):
        params = default_params(ENSEMBLES[name][task], task)
        assert (params["n_estimators"], params["max_features"]) == (100, columns)
        assert params["bootstrap"] is bootstrap


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("name", ["tree", *ENSEMBLES])
def test_a_drawn_point_fits_a_tiny_table(task, name):
    fits({"tree": trees.TREE, **ENSEMBLES}[name][task], task)
