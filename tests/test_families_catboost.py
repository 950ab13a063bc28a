"""The catboost family (automodel.families.catboost, the estimators of automodel.catboost_model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automodel.families import catboost
from automodel.schema import describe
from automodel.space import decode, default_points, make_pipeline
from tests._families import TASKS, classification_only, default_params, fits

pytest.importorskip("catboost")

from automodel.catboost_model import (  # noqa: E402
    NativeCatBoostClassifier,
    NativeCatBoostRegressor,
    text_columns,
)
from tests._families import check_records  # noqa: E402


def test_one_declaration_serves_both_tasks_and_reads_text_itself():
    check_records(
        catboost.CATBOOST,
        classification=NativeCatBoostClassifier,
        regression=NativeCatBoostRegressor,
    )
    for family in catboost.CATBOOST.values():
        assert family.encoding == "native" and family.requires == ("catboost",)
        assert family.threads == "thread_count" and family.seed == "random_seed"


def test_class_weights_are_searched_in_classification_only():
    assert classification_only(catboost.CATBOOST) == ({"catboost.auto_class_weights"}, 7)


@pytest.mark.parametrize("task", TASKS)
def test_the_default_is_catboosts_own_with_fewer_iterations(task):
    params = default_params(catboost.CATBOOST[task], task)
    assert (params["depth"], params["l2_leaf_reg"], params["one_hot_max_size"]) == (6, 3.0, 2)
    assert (params["iterations"], params["learning_rate"]) == (500, 0.05)


@pytest.mark.parametrize("task", TASKS)
def test_a_drawn_point_fits_a_tiny_table(task):
    fits(catboost.CATBOOST[task], task, draws=2)


def _table(rows: int = 120) -> tuple[pd.DataFrame, np.ndarray]:
    """A text column decides the class; a number column is noise; a few cells missing."""
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue", "grey"], size=rows)
    frame = pd.DataFrame({"noise": rng.normal(size=rows), "colour": colour})
    y = np.isin(colour, ["red", "blue"]).astype(int)
    frame.loc[::17, "colour"] = None
    return frame, y


def test_text_columns_reach_catboost_as_categories_not_codes():
    X, y = _table()
    schema = describe(X)
    family = catboost.CATBOOST["classification"]
    info_point = default_points([family], _info(X))[0]
    del info_point["family"]
    candidate = decode(
        {"family": "catboost", "scaler": "none", "params": default_params(family, TASKS[0])}
    )
    pipeline = make_pipeline(
        candidate, {"native": schema.preprocessor("native")}, {"catboost": family}, 0
    )
    pipeline.fit(X, y)
    model = pipeline.named_steps["model"]
    assert model.get_cat_feature_indices() == [1]  # numbers first, then the text column
    seen = X.iloc[:4].copy()
    seen.loc[:, "colour"] = ["red", "green", "purple", None]  # an unseen and a missing one
    assert pipeline.predict(seen).shape == (4,)
    assert (pipeline.predict(X[X.colour.notna()]) == y[X.colour.notna()]).mean() > 0.95


def _info(X: pd.DataFrame):
    from automodel.families import DataInfo

    return DataInfo(len(X), X.shape[1], 2, cv=3)


def test_text_columns_are_the_non_numeric_ones_of_a_frame():
    frame = pd.DataFrame({"a": [1.0], "b": ["x"], "c": [2], "d": pd.Series(["y"], dtype=object)})
    assert text_columns(frame) == [1, 3]
    assert text_columns(np.zeros((2, 3))) == []
