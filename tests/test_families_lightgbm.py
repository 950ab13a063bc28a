"""The lightgbm family (automodel.families.lightgbm) in both tasks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hyperopt.pyll import stochastic
from lightgbm import LGBMClassifier, LGBMRegressor

from automodel import safe_format
from automodel.families import lightgbm
from automodel.families._base import LARGE_ROWS, DataInfo
from automodel.schema import describe
from automodel.space import build_space, decode, make_estimator, make_pipeline
from tests._families import (
    INFO,
    TASKS,
    all_default_params,
    check_records,
    classification_only,
    default_params,
    fits,
)


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
def test_on_a_large_table_two_large_models_come_first(task):
    family, classes = lightgbm.LIGHTGBM[task], INFO[task].n_classes
    small = default_params(family, task, DataInfo(LARGE_ROWS - 1, 30, classes))
    assert small == default_params(family, task)
    shallow, deep = all_default_params(family, task, DataInfo(LARGE_ROWS, 30, classes))
    larger = ("n_estimators", "num_leaves", "learning_rate", "colsample_bytree")
    # Many shallow trees first, then the deep model.
    assert [shallow.pop(name) for name in larger] == [1500, 10, 0.1, 0.75]
    assert [deep.pop(name) for name in larger] == [1000, 127, 0.05, 1.0]
    # The rest stays LightGBM's own.
    assert shallow == deep == {k: v for k, v in small.items() if k not in larger}


def test_its_defaults_skip_screenings_rungs_and_other_families_do_not():
    from automodel.families import resolve_families
    from automodel.space import default_points, unscreened

    families = resolve_families(["logreg", "lightgbm", "xgboost"])
    info = DataInfo(LARGE_ROWS, 30, 2)
    points = default_points(families, info)  # logreg, shallow, deep, xgboost
    assert [families[p["family"]].name for p in points] == [
        "logreg", "lightgbm", "lightgbm", "xgboost",
    ]  # fmt: skip
    assert unscreened(families, points) == {1, 2}
    assert not lightgbm.LIGHTGBM["classification"].screen_defaults


def test_a_large_table_searches_up_to_2000_trees():
    def most_trees(rows):
        space = build_space([lightgbm.LIGHTGBM["regression"]], DataInfo(rows, 30, 0))
        rng = np.random.default_rng(0)
        draws = [decode(stochastic.sample(space, rng=rng)).params for _ in range(300)]
        return max(d["n_estimators"] for d in draws)

    assert most_trees(LARGE_ROWS - 1) <= 1000
    assert 1000 < most_trees(LARGE_ROWS) <= 2000


@pytest.mark.parametrize("task", TASKS)
def test_a_drawn_point_fits_a_tiny_table(task):
    fits(lightgbm.LIGHTGBM[task], task)


def _parity_table(n: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    """The class is whether a 40-level text column's level has an even number: no
    order of the codes separates it, a split on groups of categories does."""
    rng = np.random.default_rng(0)
    level = rng.integers(0, 40, n)
    X = pd.DataFrame({"noise": rng.normal(size=n), "level": [f"L{v:02d}" for v in level]})
    return X, (level % 2 == 0).astype(int)


def _small_pipeline(X: pd.DataFrame, n_estimators: int):
    """LightGBM on the "category" column step (a family may declare it)."""
    family = replace(lightgbm.LIGHTGBM["classification"], encoding="category")
    params = default_params(family, TASKS[0]) | {"n_estimators": n_estimators, "num_leaves": 4}
    candidate = decode({"family": "lightgbm", "scaler": "none", "params": params})
    step = describe(X).preprocessor(family.encoding)
    return make_pipeline(candidate, {family.encoding: step}, {"lightgbm": family}, 0)


def test_on_the_category_step_text_columns_are_split_on_natively():
    X, y = _parity_table()
    pipeline = _small_pipeline(X, n_estimators=3).fit(X, y)
    model = pipeline.named_steps["model"]
    assert model.booster_.pandas_categorical == [sorted(set(X.level))]
    # Three trees of 4 leaves: enough for a split on groups of levels, far too few for
    # 20 separate intervals of ordinal codes (those stay near 55% right).
    assert (pipeline.predict(X) == y).mean() > 0.99
    new = X.iloc[:3].copy()
    new["level"] = ["L99", None, "L00"]  # unseen, missing, seen
    assert pipeline.predict_proba(new).shape == (3, 2)


def test_a_fitted_pipeline_is_saved_in_the_safe_format():
    X, y = _parity_table(300)
    pipeline = _small_pipeline(X, n_estimators=3).fit(X, y)
    data = safe_format.dumps(pipeline)
    assert data is not None and safe_format.untrusted_types(data) == []
    np.testing.assert_array_equal(safe_format.loads(data).predict(X), pipeline.predict(X))
