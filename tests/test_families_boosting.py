"""The boosting families (automodel.families.boosting): xgboost and hgb in both tasks."""

from __future__ import annotations

import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from xgboost import XGBClassifier, XGBRegressor

from automodel.families import boosting
from tests._families import TASKS, check_records, default_params, fits, labels


def test_each_declaration_serves_both_tasks():
    check_records(boosting.XGBOOST, classification=XGBClassifier, regression=XGBRegressor)
    check_records(
        boosting.HGB,
        classification=HistGradientBoostingClassifier,
        regression=HistGradientBoostingRegressor,
    )
    for family in (*boosting.XGBOOST.values(), *boosting.HGB.values()):
        assert family.encoding == "ordinal" and not family.scale and not family.scale_target
    for family in boosting.XGBOOST.values():
        assert family.threads == "n_jobs"
        assert dict(family.fixed) == {"tree_method": "hist", "verbosity": 0}
    assert all(family.threads is None for family in boosting.HGB.values())


def test_xgboost_searches_the_same_space_in_both_tasks():
    both = [labels(boosting.XGBOOST[task], task) for task in TASKS]
    assert both[0] == both[1] and len(both[0]) == 8


def test_hgb_searches_class_weights_in_classification_only():
    classes = labels(boosting.HGB["classification"], "classification")
    assert classes - labels(boosting.HGB["regression"], "regression") == {"hgb.class_weight"}


@pytest.mark.parametrize("task", TASKS)
def test_the_defaults_are_the_libraries_own(task):
    xgb = default_params(boosting.XGBOOST[task], task)
    assert (xgb["n_estimators"], xgb["learning_rate"], xgb["max_depth"]) == (100, 0.3, 6)
    hgb = default_params(boosting.HGB[task], task)
    assert (hgb["learning_rate"], hgb["max_iter"], hgb["max_leaf_nodes"]) == (0.1, 100, 31)
    assert ("class_weight" in hgb) == (task == "classification")


@pytest.mark.parametrize("task", TASKS)
def test_a_drawn_point_fits_a_tiny_table(task):
    fits(boosting.XGBOOST[task], task)
    fits(boosting.HGB[task], task)
