"""Permutation importance per raw column, on held-out rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automodel import AutoModelClassifier, AutoModelRegressor


def _table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "noise": rng.normal(size=n),
            "signal": signal,
            "text": rng.choice(["a", "b", "c"], size=n),  # one column, however many one-hot parts
            "more_noise": rng.uniform(size=n),
        }
    )
    return X, signal


def test_the_column_that_carries_the_signal_comes_first():
    X, signal = _table()
    y = np.where(signal > 0, "yes", "no")
    model = AutoModelClassifier(
        max_evals=3, cv=3, families=["logreg"], random_state=0, trial_timeout=None
    ).fit(X, y)
    found = model.column_importance(X, y, n_repeats=3)
    assert list(found.columns) == ["column", "mean", "std"]
    assert sorted(found["column"]) == sorted(X.columns)  # raw columns, text included once
    assert found.iloc[0]["column"] == "signal" and found.iloc[0]["mean"] > 0.3
    assert (found.iloc[1:]["mean"].abs() < 0.05).all()
    assert (found["std"] >= 0).all()
    assert model.column_importance_ is found


def test_regression_importance_uses_the_models_scorer(tmp_path):
    X, signal = _table(seed=1)
    y = 3 * signal + 0.1 * np.random.default_rng(1).normal(size=len(signal))
    model = AutoModelRegressor(
        max_evals=2, cv=3, families=["linear"], random_state=0, trial_timeout=None
    ).fit(X, y)
    found = model.column_importance(X, y, n_repeats=2, max_rows=60)
    assert found.iloc[0]["column"] == "signal"
    assert found.iloc[0]["mean"] > 1.0  # R^2 falls from about 1 to below 0
    report = (model.report(tmp_path / "report")).read_text()
    assert "importance.png" in report and (tmp_path / "report" / "importance.png").is_file()


def test_importance_needs_a_fitted_model():
    from sklearn.exceptions import NotFittedError

    X, signal = _table()
    with pytest.raises(NotFittedError):
        AutoModelRegressor().column_importance(X, signal)


def test_classes_the_model_never_saw_are_a_clear_error():
    X, signal = _table()
    y = np.where(signal > 0, "yes", "no")
    model = AutoModelClassifier(
        max_evals=1, cv=3, families=["logreg"], random_state=0, trial_timeout=None
    ).fit(X, y)
    with pytest.raises(ValueError, match=r"class\(es\) \['maybe'\] the model was not fitted on"):
        model.column_importance(X, np.where(signal > 1, "maybe", y))
