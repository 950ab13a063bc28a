"""The refit's learning-curve gain (automodel.learning_curve)."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest
from sklearn.model_selection import KFold

from automodel import AutoModelClassifier, AutoModelRegressor
from automodel.evaluate import Objective
from automodel.expected import WEIGHT
from automodel.families import REGISTRIES
from automodel.learning_curve import refit_gain
from automodel.screening import ROWS_KEY
from automodel.selection import oof_score
from tests._families import default_params


def _objective(n_rows=300, families=None):
    """A smooth curve that a nearest-neighbour model learns better with more rows."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(n_rows, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 / 3 + rng.normal(scale=0.1, size=n_rows)
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    registry = REGISTRIES["regression"]
    families = families or {name: registry[name] for name in ("knn", "linear")}
    return Objective.build(
        X, y, folds, scoring="r2", families=families, keep_predictions=True, stratify=False
    )


def _config(name):
    family = REGISTRIES["regression"][name]
    return {"family": name, "scaler": "none", "params": default_params(family, "regression")}


def test_the_gain_reads_the_drop_from_half_the_rows_on_a_log_curve():
    objective = _objective()
    record = objective(_config("knn"))
    found = refit_gain(objective, [record], {0: 1})
    assert found.half < found.full  # fewer rows, worse neighbours
    assert found.full == pytest.approx(oof_score(record.oof, objective.y, "r2"))
    # 240 training rows of 300: log(300 / 240) / log(2) of the drop.
    assert found.gain == pytest.approx((found.full - found.half) * math.log(1.25) / math.log(2))
    assert 0 < found.gain < 0.1


def test_an_ensemble_combines_its_members_half_row_predictions_with_its_weights():
    objective = _objective()
    records = [objective(_config("knn")), objective(_config("linear"))]
    found = refit_gain(objective, records, {0: 3, 1: 1})
    halves = [objective({**r.config, ROWS_KEY: 120}).oof for r in records]
    assert found.half == pytest.approx(
        oof_score((3 * halves[0] + halves[1]) / 4, objective.y, "r2"), rel=1e-6
    )


def test_no_gain_where_it_cannot_be_measured():
    objective = _objective()
    record = objective(_config("knn"))
    assert refit_gain(objective, [record], {0: 1}, deadline=time.monotonic() - 1) is None
    screened = dataclasses.replace(record, screen_rows=100)
    assert refit_gain(objective, [screened], {0: 1}) is None
    capped = dataclasses.replace(REGISTRIES["regression"]["knn"], max_rows=100)
    objective = _objective(families={"knn": capped})
    assert refit_gain(objective, [objective(_config("knn"))], {0: 1}) is None  # no refit gain


def test_a_refit_regressor_adds_its_gain_bagged_models_and_classifiers_none():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(240, 4))
    y = X[:, 0] + np.sin(X[:, 1]) + rng.normal(scale=0.3, size=240)
    model = AutoModelRegressor(families=["knn", "linear"], max_evals=4, random_state=0)
    parts = model.fit(X, y).expected_score_parts_
    assert np.isfinite(parts["refit_gain"]) and parts["half_score"] < parts["oof_score"]
    optimism = WEIGHT * (parts["apparent"] - parts["bootstrap"])
    expected = parts["oof_score"] - optimism + parts["refit_gain"]
    assert model.expected_score_ == pytest.approx(expected)
    bagged = AutoModelRegressor(
        families=["knn"], max_evals=3, ensemble=False, bagging=True, random_state=0
    )
    assert bagged.fit(X, y).bagged_
    assert math.isnan(bagged.expected_score_parts_["refit_gain"])
    labels = (y > 0).astype(int)
    refit = AutoModelClassifier(families=["knn"], max_evals=3, bagging=False, random_state=0)
    refit.fit(X, labels)
    assert not refit.bagged_ and math.isnan(refit.expected_score_parts_["refit_gain"])
