"""After the search: what the returned model needs for intervals, sets and an expected score.

:func:`uncertainty` reads the returned model's out-of-fold predictions (the best
trial's, or the ensemble's) and the trials' (for the expected score) and builds:

- regression: a :class:`~automodel.conformal.RegressionConformal` ("cv+" for a
  bagged model, whose members are the fold models; else "split" on the absolute
  out-of-fold residuals, or "normalised" when a difficulty model of the residuals
  makes the intervals narrower on the calibration rows at the same coverage);
- classification: a :class:`~automodel.conformal.ClassConformal` on the calibrated
  out-of-fold probabilities;
- both: the BBC-CV expected score (:mod:`automodel.expected`).

The difficulty model is a small random forest of ``|residual|`` on the raw columns
(ordinal-encoded, large leaves), fitted out of fold on the calibration rows (5
folds) so that the normalised scores are honest, then once on all of them for new
rows.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline

from automodel.calibration import calibrate, calibrated_oof
from automodel.conformal import (
    ClassConformal,
    RegressionConformal,
    covered_rows,
    order_statistic,
    sample_rows,
)
from automodel.ensemble import ensemble_pool
from automodel.evaluate import take_rows
from automodel.expected import Expected, expected_score
from automodel.learning_curve import refit_gain
from automodel.trial import TrialRecord

__all__ = [
    "ADAPTIVE_GAIN",
    "UNCERTAINTY_RESERVE",
    "Uncertainty",
    "calibrated_uncertainty",
    "class_conformal",
    "regression_conformal",
    "uncertainty",
    "uncertainty_seconds",
]

#: Seconds the search keeps for this step (interval or set calibration, expected score):
#: at least the first, growing by a second per ``UNCERTAINTY_ROWS`` rows up to the
#: second (its optional parts are cut short at the deadline).
UNCERTAINTY_RESERVE = (0.25, 1.0)
UNCERTAINTY_ROWS = 4000


def uncertainty_seconds(n_rows: int) -> float:
    """Seconds kept for this step on ``n_rows`` rows (:data:`UNCERTAINTY_RESERVE`)."""
    low, high = UNCERTAINTY_RESERVE
    return min(high, low + n_rows / UNCERTAINTY_ROWS)


#: Seconds a difficulty model's six fits take per (row x column), about (measured on
#: one core: 10,000 x 20 in 1.1 s); they are skipped when the time budget has less left.
DIFFICULTY_SECONDS_PER_CELL = 1e-5

#: The normalised intervals are kept when their mean width on the calibration rows is
#: at most this share of the plain ones' (at 90% coverage).
ADAPTIVE_GAIN = 0.97


@dataclass
class Uncertainty:
    """What :func:`uncertainty` found (each part None when it could not be built)."""

    conformal: RegressionConformal | ClassConformal | None = None
    expected: Expected | None = None

    def attributes(self) -> dict[str, Any]:
        """The estimator's fitted attributes from these parts."""
        found = self.expected
        values: dict[str, Any] = {"expected_score_": math.nan if found is None else found.score}
        if found is not None:
            values["expected_score_parts_"] = found.parts()
        if self.conformal is not None:
            values["conformal_"] = self.conformal
        if isinstance(self.conformal, RegressionConformal):
            values["interval_method_"] = self.conformal.method
        return values


def _difficulty_model(preprocessor: Any, n_rows: int, seed: int) -> Any:
    """A smooth model of ``|residual|``: a small forest with large leaves (the target is
    noisy; measured against gradient boosting, it gave narrower intervals)."""
    forest = RandomForestRegressor(
        n_estimators=50,
        min_samples_leaf=max(10, n_rows // 50),
        max_features=0.5,
        random_state=seed,
        n_jobs=1,
    )
    return make_pipeline(clone(preprocessor), forest)


def _normalised(
    X: Any, residual: np.ndarray, preprocessor: Any, seed: int
) -> tuple[RegressionConformal, float] | None:
    """Normalised scores from a cross-fitted difficulty model, and their mean width."""
    if len(residual) < 100:
        return None
    floor = max(float(np.mean(residual)) * 0.05, 1e-12)
    spread = np.empty(len(residual))
    for train, test in KFold(5, shuffle=True, random_state=seed).split(residual):
        model = _difficulty_model(preprocessor, len(train), seed)
        model.fit(take_rows(X, train), residual[train])
        spread[test] = np.maximum(model.predict(take_rows(X, test)), floor)
    scores = np.sort(residual / spread).astype(np.float32)
    width = order_statistic(scores, 0.9) * float(np.mean(spread))
    model = _difficulty_model(preprocessor, len(residual), seed).fit(X, residual)
    return RegressionConformal("normalised", scores, difficulty=model, floor=floor), width


def regression_conformal(
    X: Any,
    y: np.ndarray,
    oof: np.ndarray | None,
    folds: list[tuple[np.ndarray, np.ndarray]],
    bagged: bool,
    preprocessor: Any,
    seed: int,
    deadline: float | None = None,
) -> RegressionConformal | None:
    """The interval calibration of a regressor with out-of-fold predictions ``oof``
    (the difficulty model only when its fits end before ``deadline``)."""
    if oof is None:
        return None
    covered = np.flatnonzero(covered_rows(oof))
    if len(covered) == 0:
        return None
    rows = covered[sample_rows(len(covered), seed)]
    residual = np.abs(y[rows] - oof[rows].astype(np.float64))
    if bagged:
        fold = np.full(len(y), -1, dtype=np.int16)
        for k, (_, test) in enumerate(folds):
            fold[test] = k
        return RegressionConformal("cv+", residual.astype(np.float32), fold=fold[rows])
    split = RegressionConformal("split", np.sort(residual).astype(np.float32))
    cost = DIFFICULTY_SECONDS_PER_CELL * len(rows) * X.shape[1]
    if deadline is not None and time.monotonic() + cost > deadline:
        return split
    adaptive = _normalised(take_rows(X, rows), residual, preprocessor, seed)
    if adaptive is not None and adaptive[1] <= ADAPTIVE_GAIN * order_statistic(split.scores, 0.9):
        return adaptive[0]
    return split


def class_conformal(proba: np.ndarray | None, y: np.ndarray, seed: int) -> ClassConformal | None:
    """The set calibration from the returned classifier's out-of-fold probabilities."""
    if proba is None:
        return None
    covered = np.flatnonzero(covered_rows(proba))
    if len(covered) == 0:
        return None
    rows = covered[sample_rows(len(covered), seed)]
    chosen = proba[rows, y[rows]] / proba[rows].sum(axis=1)
    return ClassConformal(np.sort(1.0 - chosen).astype(np.float32))


def uncertainty(
    *,
    X: Any,
    y: np.ndarray,
    returned: np.ndarray | None,
    pool: Mapping[int, np.ndarray],
    scoring: Any,
    seed: int,
    classes: bool,
    folds: list[tuple[np.ndarray, np.ndarray]],
    bagged: bool,
    preprocessor: Any,
    ensemble: Collection[int] | None = None,
    max_members: int | None = None,
    deadline: float | None = None,
) -> Uncertainty:
    """Conformal calibration and expected score of the returned model, whose out-of-fold
    predictions (calibrated probabilities for classes) are ``returned``; ``pool``:
    the trials' out-of-fold predictions (trial row -> array). Past ``deadline`` the
    optional parts are cut short (the difficulty model, bootstrap rounds)."""
    found = Uncertainty()
    if classes:
        found.conformal = class_conformal(returned, y, seed)
    else:
        found.conformal = regression_conformal(
            X, y, returned, folds, bagged, preprocessor, seed, deadline
        )
    if returned is not None and pool:
        try:
            found.expected = expected_score(
                pool, returned, y, scoring, seed, ensemble, max_members, deadline
            )
        except Exception as exc:  # noqa: BLE001 - an optional estimate: keep the model
            warnings.warn(
                f"expected_score_ not estimated ({type(exc).__name__}: {exc}); the model "
                "and its other attributes are unaffected.",
                UserWarning,
                stacklevel=4,
            )
    return found


def calibrated_uncertainty(
    problem: Any,
    records: Sequence[TrialRecord],
    table: Mapping[str, Any],
    best_index: int,
    model: Any,
    ensemble_kept: bool,
    bagged: bool,
    oof: np.ndarray | None,
    weights: Mapping[int, int] | None = None,
) -> tuple[Any, str, Uncertainty]:
    """The finishing stage's last step: a classifier's calibration
    (:func:`automodel.calibration.calibrate`), then :func:`uncertainty` for the
    returned ``model`` of a search (``problem``) whose out-of-fold predictions are
    ``oof``. Returns the model, why it has no probabilities ("" when it has) and the
    uncertainty parts."""
    note = ""
    returned = oof
    if problem.classes is not None:
        decision = records[best_index].oof_decision
        model, note = calibrate(model, decision, problem.y, problem.seed, oof)
        returned = calibrated_oof(model, oof, decision)
    pool = {k: r.oof for k, r in enumerate(records) if r.oof is not None}
    if returned is not None and best_index not in pool:
        pool[best_index] = returned  # an SVC winner: its calibrated probabilities
    eligible = set(ensemble_pool(records, table, problem.objective)) if ensemble_kept else None
    found = uncertainty(
        X=problem.X,
        y=problem.y,
        returned=returned,
        pool=pool,
        scoring=problem.scoring,
        seed=problem.seed,
        classes=problem.classes is not None,
        folds=problem.folds,
        bagged=bagged,
        preprocessor=problem.objective.preprocessors["ordinal"],
        ensemble=eligible,
        max_members=problem.ensemble_size or None,
        deadline=problem.deadline,
    )
    # Regression only: on classification tables the gain overshot (benchmarks README).
    if found.expected is not None and not bagged and problem.classes is None:
        weights = {best_index: 1} if weights is None else weights
        gain = refit_gain(problem.objective, records, weights, problem.deadline)
        if gain is not None:
            found.expected.add_gain(gain.gain, gain.half)
    return model, note, found
