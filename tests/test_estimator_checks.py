"""scikit-learn's estimator contract, run on a small, cheap search."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    parametrize_with_checks,
)

from automodel import AutoModelClassifier


def small() -> AutoModelClassifier:
    return AutoModelClassifier(max_evals=3, cv=2, families=["tree"], random_state=0)


def expected_failures(estimator: AutoModelClassifier) -> dict[str, str]:
    """Checks automodel fails on purpose, each with its reason (none so far)."""
    return {}


@parametrize_with_checks([small()], expected_failed_checks=expected_failures)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_column_order_is_matched_by_name_not_refused():
    # scikit-learn's check wants reordered DataFrame columns to be an error;
    # automodel finds columns by name on purpose, so `automodel predict` takes a CSV whose
    # columns come in another order. The check must fail exactly there.
    with pytest.raises(AssertionError, match="predict did not raise"):
        check_dataframe_column_names_consistency("AutoModelClassifier", small())
