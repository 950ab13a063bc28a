"""Fold bagging: the best trial's k fold models, averaged, in place of one refit on all rows.

Each fold model is the trial's own pipeline fitted on that fold's training rows (the
same rows, row cap and seed as in the trial), so the bagged model's out-of-fold score
is the trial's cross-validated score, not an optimistic one. The k fitted pipelines
become one scikit-learn ``VotingClassifier`` (soft; hard votes for a family without
``predict_proba``, such as an ``SVC``) or ``VotingRegressor`` over
``sklearn.frozen.FrozenEstimator`` members, so the model saves and predicts without
automodel's code. Its parameters are the unfitted pipelines: a clone of it fitted on
other rows fits k identical pipelines on them (no frozen model leaks into, e.g.,
``cross_val_score`` or the permutation importance). Predicting costs k times the
single pipeline's predict.

``bagging="auto"`` bags the single best where the task says so
(:meth:`~automodel.tasks.Task.auto_bags`: classification searches on fewer than
1,000 rows, where it paid in the benchmark; README, "Ensembles, measured").
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator

from automodel.evaluate import Objective

__all__ = ["BagOutcome", "bag_best", "bag_seconds"]


def bag_seconds(fold_times: Sequence[float], cores: int) -> float:
    """Seconds to fit again the fold models that took ``fold_times`` in the trial,
    ``cores`` at a time (before any safety margin)."""
    times = list(fold_times)
    if not times:
        return 0.0
    return max(sum(times) / max(1, min(cores, len(times))), max(times))


@dataclass
class BagOutcome:
    """The bagged model (None: the refit single best is kept) and why not."""

    estimator: Any = None
    note: str = ""


def _fit_fold(objective: Objective, config: dict[str, Any], train: np.ndarray) -> BaseEstimator:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return objective.fit_rows(config, train)


def bag_folds(
    objective: Objective, config: dict[str, Any], voting: type, n_jobs: int | None = None
) -> BaseEstimator:
    """The voting model of ``config``'s fold models, one per search fold.

    Raises ValueError when a fold model did not see every class (its probabilities
    would not line up with the others').
    """
    cores = min(effective_n_jobs(n_jobs), len(objective.folds))
    fitted = Parallel(n_jobs=cores)(
        delayed(_fit_fold)(objective, config, train) for train, _ in objective.folds
    )
    members = [(f"fold{k}", FrozenEstimator(model)) for k, model in enumerate(fitted)]
    kwargs: dict[str, Any] = {}
    if issubclass(voting, VotingClassifier):
        classes = np.unique(objective.y)
        for k, model in enumerate(fitted):
            if not np.array_equal(model.classes_, classes):
                raise ValueError(f"fold model {k} saw {len(model.classes_)} of the classes")
        soft = all(hasattr(model, "predict_proba") for model in fitted)
        kwargs["voting"] = "soft" if soft else "hard"
    # Frozen members ignore fit: this only records the classes (no model is refit).
    bagged = voting(members, **kwargs).fit(objective.X, objective.y)
    # The parameters become the unfitted pipelines, so that a clone of the bagged model
    # fits its members for real (k identical pipelines on the rows it is given); the
    # fitted members (estimators_) stay the frozen fold models.
    return bagged.set_params(**{name: clone(m.estimator) for name, m in members})


def bag_best(
    objective: Objective,
    config: dict[str, Any],
    voting: type,
    deadline: float | None,
    planned: float,
    n_jobs: int | None = None,
    warn: bool = True,
) -> BagOutcome:
    """Bag ``config`` when its ``planned`` seconds fit before ``deadline``; otherwise,
    or on a failure, keep the refit single best (with a warning when ``warn``)."""
    if deadline is not None and time.monotonic() + planned > deadline:
        note = (
            f"bagging the best trial's fold models needs about {planned:.1f} s and the "
            "time budget has less left"
        )
        if warn:
            warnings.warn(f"Not bagged: {note}.", UserWarning, stacklevel=4)
        return BagOutcome(note=note)
    try:
        return BagOutcome(bag_folds(objective, config, voting, n_jobs))
    except Exception as exc:  # noqa: BLE001 - a fold that fails to fit: keep the refit
        note = f"bagging failed ({type(exc).__name__}: {exc})"
        if warn:
            warnings.warn(f"Not bagged: {note}.", UserWarning, stacklevel=4)
        return BagOutcome(note=note)
