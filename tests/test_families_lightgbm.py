"""The lightgbm family (automodel.families.lightgbm) in both tasks."""

from __future__ import annotations

import pytest
from lightgbm import LGBMClassifier, LGBMRegressor

from automodel.families import lightgbm
from automodel.space import make_estimator
from tests._families import TASKS, check_records, classification_only, default_params, fits


def test_one_declaration_serves_both_tasks_single_threaded():
    check_records(lightgbm.LIGHTGBM, classification=LGBMClassifier, regression=LGBMRegressor)
    for family in lightgbm.LIGHTGBM.values():
        assert family.encoding == "ordinal" and not family.scale and not family.scale_target
        built = make_estimator(family, {}, random_state=7)
        assert (built.n_jobs, built.random_state, built.subsample_freq) == (1, 7, 1)


def test_class_weights_are_searched_in_classification_only():
    assert classification_only(lightgbm.LIGHTGBM) == ({"lightgbm.class_weight"}, 9)


@pytest.mark.parametrize("task", TASKS)
def test_the_default_is_lightgbms_own(task):
    params = default_params(lightgbm.LIGHTGBM[task], task)
    own = LGBMClassifier().get_params()
    for name in ("n_estimators", "learning_rate", "num_leaves", "min_child_samples"):
        assert params[name] == own[name], name
    assert (params["subsample"], params["colsample_bytree"], params["extra_trees"]) == (
        1.0,
        1.0,
        False,
    )


@pytest.mark.parametrize("task", TASKS)
def test_a_drawn_point_fits_a_tiny_table(task):
    fits(lightgbm.LIGHTGBM[task], task)
