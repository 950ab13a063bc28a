"""The task records: which tables "auto" ensembles or bags, folds, the scorer check."""

from __future__ import annotations

import numpy as np
import pytest

from automodel.tasks import CLASSIFICATION, REGRESSION, SMALL_CLASSIFICATION_ROWS


def test_classification_bags_small_tables_and_ensembles_the_rest():
    small, large = SMALL_CLASSIFICATION_ROWS - 1, SMALL_CLASSIFICATION_ROWS
    assert CLASSIFICATION.auto_bags(small) and not CLASSIFICATION.auto_ensembles(small)
    assert CLASSIFICATION.auto_ensembles(large) and not CLASSIFICATION.auto_bags(large)


def test_regression_ensembles_every_size_and_never_bags():
    for rows in (10, 999, 1000, 10**6):
        assert REGRESSION.auto_ensembles(rows) and not REGRESSION.auto_bags(rows)


def test_folds_are_stratified_for_classes_and_one_split_with_holdout():
    y = np.array([0] * 80 + [1] * 20)
    X = np.zeros((100, 1))
    for _, test in CLASSIFICATION.folds(X, y, 5, holdout=False, seed=0):
        assert y[test].sum() == 4 and len(test) == 20
    (train, test), *rest = REGRESSION.folds(X, y.astype(float), 5, holdout=True, seed=0)
    assert not rest and len(test) == 20 and len(train) == 80


def test_a_scorer_of_the_other_task_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="task='regression'"):
        CLASSIFICATION.scoring("r2")
    assert REGRESSION.scoring(None) == "r2" and CLASSIFICATION.scoring(None) == "accuracy"
