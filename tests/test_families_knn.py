"""The knn family (automodel.families.knn): both tasks' records, neighbours bounded by a fold."""

from __future__ import annotations

import numpy as np
import pytest
from hyperopt.pyll import stochastic
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from automodel.families import DataInfo, knn
from tests._families import TASKS, check_records, default_params, fits, labels


def test_one_declaration_serves_both_tasks():
    check_records(knn.KNN, classification=KNeighborsClassifier, regression=KNeighborsRegressor)
    classifier, regressor = knn.KNN["classification"], knn.KNN["regression"]
    assert classifier.max_rows == regressor.max_rows == knn.MAX_ROWS == 20_000
    assert (classifier.scale_target, regressor.scale_target) == (False, True)
    assert classifier.scale and regressor.scale and classifier.threads == "n_jobs"


@pytest.mark.parametrize("task", TASKS)
def test_the_same_space_and_default_in_both_tasks(task):
    family = knn.KNN[task]
    assert labels(family, task) == {"knn.n_neighbors", "knn.weights", "knn.p"}
    assert default_params(family, task) == {"n_neighbors": 5, "weights": "uniform", "p": 2}
    fits(family, task)


@pytest.mark.parametrize("task", TASKS)
def test_neighbours_never_exceed_a_training_fold(task):
    tiny = DataInfo(n_rows=12, n_features=2, n_classes=2, cv=4)
    space = knn.KNN[task].space(tiny)
    draws = [stochastic.sample(space, rng=np.random.default_rng(s)) for s in range(200)]
    assert max(d["n_neighbors"] for d in draws) <= tiny.fold_rows
    assert min(d["n_neighbors"] for d in draws) >= 1
    assert all(isinstance(d["n_neighbors"], int) for d in draws)
