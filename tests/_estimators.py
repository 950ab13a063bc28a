"""Small estimators with odd behaviour, importable by worker processes."""

from __future__ import annotations

import os
import time

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _count_and_maybe_interrupt(counter, countdown):
    """Count this fit in the file `counter`; raise KeyboardInterrupt on fit number `countdown`."""
    done = os.path.getsize(counter) if os.path.exists(counter) else 0
    with open(counter, "a") as stream:
        stream.write(".")
    if done == countdown:
        raise KeyboardInterrupt


class Picky(ClassifierMixin, BaseEstimator):
    """A tree that raises when `fail_above` rows or more are given to fit."""

    def __init__(self, fail_above=10**9, depth=2):
        self.fail_above = fail_above
        self.depth = depth

    def fit(self, X, y):
        if len(X) >= self.fail_above:
            raise ValueError(f"picky: {len(X)} rows")
        self.tree_ = DecisionTreeClassifier(max_depth=self.depth).fit(X, y)
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, X):
        return self.tree_.predict(X)


class Sleepy(Picky):
    """A tree that sleeps `seconds` in every fit."""

    def __init__(self, seconds=0.1, depth=2, fail_above=10**9):
        super().__init__(fail_above=fail_above, depth=depth)
        self.seconds = seconds

    def fit(self, X, y):
        time.sleep(self.seconds)
        return super().fit(X, y)


class Interrupting(Picky):
    """Raises KeyboardInterrupt on the fit that finds the file `flag` missing... once.

    The first fit after `countdown` fits (counted in the file `counter`) raises
    KeyboardInterrupt, as Ctrl-C would.
    """

    def __init__(self, counter="", countdown=3, depth=2, fail_above=10**9):
        super().__init__(fail_above=fail_above, depth=depth)
        self.counter = counter
        self.countdown = countdown

    def fit(self, X, y):
        _count_and_maybe_interrupt(self.counter, self.countdown)
        return super().fit(X, y)


class SleepyRegressor(RegressorMixin, BaseEstimator):
    """A regression tree that sleeps `seconds` in every fit."""

    def __init__(self, seconds=0.1, depth=2):
        self.seconds = seconds
        self.depth = depth

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.tree_ = DecisionTreeRegressor(max_depth=self.depth).fit(X, y)
        return self

    def predict(self, X):
        return self.tree_.predict(X)


class InterruptingRegressor(SleepyRegressor):
    """Raises KeyboardInterrupt, as Ctrl-C would, on fit number `countdown` (counted in a file)."""

    def __init__(self, counter="", countdown=3, depth=2):
        super().__init__(seconds=0.0, depth=depth)
        self.counter = counter
        self.countdown = countdown

    def fit(self, X, y):
        _count_and_maybe_interrupt(self.counter, self.countdown)
        return super().fit(X, y)


def returned(model):
    """The fitted model inside a classifier's calibration wrapper (the model itself when
    it has none): what the refit or the ensemble step produced."""
    best = model.best_estimator_
    wrapped = type(best).__name__ in ("TemperatureScaled", "DecisionCalibrated")
    return best.estimator_ if wrapped else best
