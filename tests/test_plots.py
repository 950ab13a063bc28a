"""Display text of hyperparameter values (report, CLI leaderboard)."""

from __future__ import annotations

import math

import pytest
from sklearn.linear_model import Ridge

from automodel.plots import fmt_number


class Outer:
    class Inner:
        pass


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "True"),
        (None, "None"),
        (7, "7"),
        (0.000123456, "0.0001235"),
        (math.inf, "inf"),
        ("rbf", "rbf"),
        (Ridge, "Ridge"),  # a class: its name, not "<class '...'>"
        (Outer.Inner, "Outer.Inner"),
        (math.tanh, "tanh"),  # a function
    ],
)
def test_values_print_short(value, text):
    assert fmt_number(value) == text
