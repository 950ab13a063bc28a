"""Which columns matter: permutation importance of the chosen model on held-out rows.

For each fold of a fresh ``cv``-fold split (one 80/20 split on tables above
``holdout_above`` rows) the chosen model (``best_estimator_``, the ensemble if one
was kept) is refit on the training part, and scikit-learn's
``permutation_importance`` shuffles one *raw* input column at a time on the
held-out part (a text column is one column, not its one-hot parts): the drop of the
model's own ``scoring_`` is the column's importance. Held-out rows show what
generalises, not what the model memorised.

Cost: ``cv`` refits of the model, plus ``columns x n_repeats`` predictions of at
most ``max_rows`` held-out rows in all.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.inspection import permutation_importance
from sklearn.metrics import get_scorer

from automodel import data
from automodel.calibration import predicting_model
from automodel.evaluate import take_rows
from automodel.tasks import task_of

__all__ = ["column_importance", "plot_importance"]


def column_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    n_repeats: int = 5,
    max_rows: int = 2000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Permutation importance per raw column: ``column``, ``mean``, ``std``, best first.

    ``mean`` and ``std`` are over every (fold, repeat); ``max_rows`` bounds the
    held-out rows that are permuted, shared over the folds.
    """
    task = task_of(model)
    X = data.check_features(X)
    y_fit = task.fitted_target(y, X.shape[0], getattr(model, "classes_", None))
    holdout = model.holdout_above is not None and len(y_fit) > model.holdout_above
    seed = 0 if random_state is None else int(random_state)
    folds = task.folds(X, y_fit, model.cv, holdout, seed)
    rng = np.random.default_rng(seed)
    per_fold = max(1, max_rows // len(folds))
    scorer = get_scorer(model.scoring_) if isinstance(model.scoring_, str) else model.scoring_
    columns = list(X.columns) if isinstance(X, pd.DataFrame) else list(range(X.shape[1]))
    drops = []
    for train, test in folds:
        if len(test) > per_fold:
            test = np.sort(rng.choice(test, size=per_fold, replace=False))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = clone(predicting_model(model.best_estimator_)).fit(
                take_rows(X, train), y_fit[train]
            )
            found = permutation_importance(
                fitted,
                take_rows(X, test),
                y_fit[test],
                scoring=scorer,
                n_repeats=n_repeats,
                random_state=seed,
            )
        drops.append(found.importances)  # columns x repeats
    values = np.concatenate(drops, axis=1)
    frame = pd.DataFrame(
        {"column": columns, "mean": values.mean(axis=1), "std": values.std(axis=1)}
    )
    return frame.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)


def plot_importance(frame: pd.DataFrame, path: Path, scoring: str, top: int = 20) -> None:
    """Horizontal bars of the ``top`` columns' mean drop, with their spread."""
    from automodel.plots import new_figure, save_figure  # matplotlib: only for the plot

    shown = frame.head(top).iloc[::-1]
    figure = new_figure(7.5, 1.2 + 0.35 * len(shown))
    ax = figure.add_subplot()
    positions = np.arange(len(shown))
    ax.barh(positions, shown["mean"], xerr=shown["std"], color="#4C72B0", height=0.6)
    ax.set_yticks(list(positions))
    ax.set_yticklabels([str(c) for c in shown["column"]])
    ax.axvline(0.0, color="#555555", linewidth=0.8)
    ax.set_xlabel(f"drop in {scoring} when the column is shuffled (held-out rows)")
    title = "Column importance"
    if len(frame) > top:
        title += f" (top {top} of {len(frame)})"
    ax.set_title(title)
    save_figure(figure, path)
