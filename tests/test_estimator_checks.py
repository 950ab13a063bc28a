"""scikit-learn's estimator contract, run on a small, cheap search of each task."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    parametrize_with_checks,
)

from automodel import AutoModelClassifier, AutoModelRegressor


def small(kind=AutoModelClassifier):
    return kind(max_evals=3, cv=2, families=["tree"], random_state=0)


def expected_failures(estimator):
    """Checks automodel fails on purpose, each with its reason (none so far)."""
    return {}


@parametrize_with_checks(
    [small(AutoModelClassifier), small(AutoModelRegressor)],
    expected_failed_checks=expected_failures,
)
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", [AutoModelClassifier, AutoModelRegressor])
def test_column_order_is_matched_by_name_not_refused(kind):
    # scikit-learn's check wants reordered DataFrame columns to be an error;
    # automodel finds columns by name on purpose, so `automodel predict` takes a CSV whose
    # columns come in another order. The check must fail exactly there.
    with pytest.raises(AssertionError, match="predict did not raise"):
        check_dataframe_column_names_consistency(kind.__name__, small(kind))
