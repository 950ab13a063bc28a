"""The objective of one trial: a candidate Pipeline scored by cross-validation.

An :class:`Objective` holds the data, the folds and the column templates, and is
picklable, so a worker process receives it once and then evaluates many
candidates. It never raises for a bad candidate: the error becomes a failed
result, and the search goes on.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split

from automodel.families import REGISTRY, Family
from automodel.schema import ENCODINGS, Schema, describe
from automodel.screening import pop_rows
from automodel.space import decode, make_pipeline
from automodel.trial import Reason, TrialRecord

__all__ = ["MAX_WARNINGS_KEPT", "Objective", "cap_rows", "take_rows"]

#: Distinct warning messages kept per trial (the rest are counted, not stored).
MAX_WARNINGS_KEPT = 5


def take_rows(X: Any, rows: np.ndarray) -> Any:
    """Rows of a DataFrame or an array by position."""
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def cap_rows(
    rows: np.ndarray, y: np.ndarray, max_rows: int | None, seed: int, stratify: bool = True
) -> np.ndarray:
    """At most ``max_rows`` of ``rows``, a seeded subsample (sorted); stratified by ``y``
    for classes."""
    if max_rows is None or len(rows) <= max_rows:
        return rows
    kept, _ = train_test_split(
        rows, train_size=max_rows, stratify=y[rows] if stratify else None, random_state=seed
    )
    return np.sort(kept)


def _fit_fold(
    pipeline: BaseEstimator,
    X: Any,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    scoring: Any,
    keep_predictions: bool = False,
    n_classes: int = 0,
) -> dict[str, Any]:
    """Fit on one fold and score it; errors and warnings come back as data.

    With ``keep_predictions`` the fold's predictions of its test rows come back too:
    class probabilities (``n_classes`` > 0; none when the pipeline has no
    ``predict_proba``), else predicted values. A classifier without
    ``predict_proba`` but with ``decision_function`` always returns its decision values.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            start = time.perf_counter()
            pipeline.fit(take_rows(X, train), y[train])
            fit_time = time.perf_counter() - start
            start = time.perf_counter()
            X_test = take_rows(X, test)
            score = float(get_scorer(scoring)(pipeline, X_test, y[test]))
            score_time = time.perf_counter() - start
            predictions = _predictions(pipeline, X_test, n_classes) if keep_predictions else None
            decision = _decisions(pipeline, X_test, n_classes)
        except Exception as exc:  # noqa: BLE001 - a bad candidate is data, not a crash
            return {"error": _error_text(exc)}
    messages = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    fold = {"score": score, "fit_time": fit_time, "score_time": score_time, "warnings": messages}
    if predictions is not None:
        fold["predictions"] = predictions
    if decision is not None:
        fold["decision"] = decision
    return fold


def _predictions(pipeline: BaseEstimator, X_test: Any, n_classes: int) -> np.ndarray | None:
    """Float32 test-row predictions: probabilities (rows x classes) or values."""
    if not n_classes:
        return np.asarray(pipeline.predict(X_test), dtype=np.float32).ravel()
    if not hasattr(pipeline, "predict_proba"):
        return None
    proba = np.asarray(pipeline.predict_proba(X_test), dtype=np.float32)
    return proba if proba.shape[1:] == (n_classes,) else None


def _decisions(pipeline: BaseEstimator, X_test: Any, n_classes: int) -> np.ndarray | None:
    """Float32 decision values (rows x columns) of a classifier without probabilities
    (an SVC), for the calibration of its probabilities (``automodel.calibration``)."""
    if not n_classes or hasattr(pipeline, "predict_proba"):
        return None
    if not hasattr(pipeline, "decision_function"):
        return None
    values = np.asarray(pipeline.decision_function(X_test), dtype=np.float32)
    return values.reshape(len(values), -1)


@dataclass
class Objective:
    """Cross-validated score of a decoded search-space point.

    Parameters
    ----------
    X, y : the training table and the target (classes encoded 0..n_classes-1).
    folds : the (train, test) row positions of every CV split, fixed for the search.
    scoring : a scikit-learn scorer name; the trial's loss is minus its mean.
    preprocessors : column step template per family encoding.
    families : the family records of the space, by name.
    random_state : seed of every estimator built.
    n_jobs : processes for the folds of one trial (None or 1: in this process).
    stratify : row caps keep the class proportions (classification).
    keep_predictions : results carry ``"oof"``, the out-of-fold predictions as
        float32 (NaN for rows in no test fold): one value per row, or with
        ``n_classes`` one probability per row and class (pipelines without
        ``predict_proba`` then carry none).
    n_classes : number of classes (0 for regression).
    """

    X: Any
    y: np.ndarray
    folds: Sequence[tuple[np.ndarray, np.ndarray]]
    scoring: Any  # a scorer name or a scorer callable
    preprocessors: Mapping[str, BaseEstimator]
    families: Mapping[str, Family]
    random_state: int
    n_jobs: int | None = None
    stratify: bool = True
    keep_predictions: bool = False
    n_classes: int = 0

    @classmethod
    def build(
        cls,
        X: Any,
        y: np.ndarray,
        folds: Sequence[tuple[np.ndarray, np.ndarray]],
        *,
        scoring: Any = "accuracy",
        families: Mapping[str, Family] | None = None,
        random_state: int = 0,
        schema: Schema | None = None,
        stratify: bool = True,
        keep_predictions: bool = False,
        n_classes: int = 0,
    ) -> Objective:
        """An objective over ``families`` (default: all registered) with the column
        steps that ``schema`` (default: ``describe(X)``) calls for."""
        schema = describe(X) if schema is None else schema
        target = "continuous" if n_classes == 0 else "binary" if n_classes == 2 else "multiclass"
        return cls(
            X=X,
            y=y,
            folds=list(folds),
            scoring=scoring,
            preprocessors={enc: schema.preprocessor(enc, target) for enc in ENCODINGS},
            families=REGISTRY if families is None else families,
            random_state=random_state,
            stratify=stratify,
            keep_predictions=keep_predictions,
            n_classes=n_classes,
        )

    def pipeline(self, config: Mapping[str, Any]) -> BaseEstimator:
        """The unfitted Pipeline of a ``space_eval``-decoded point."""
        return make_pipeline(decode(config), self.preprocessors, self.families, self.random_state)

    def fit_all(self, config: Mapping[str, Any], screen_rows: int | None = None) -> BaseEstimator:
        """The Pipeline of ``config`` fitted on every row (or the family's row cap); for
        a trial that a screening rung stopped at ``screen_rows`` training rows, on the
        same share of every row (a seeded subsample), as it was scored."""
        rows = np.arange(len(self.y))
        if screen_rows is not None:
            share = screen_rows / len(self.folds[0][0])
            kept = max(1, round(share * len(rows)))
            rows = cap_rows(rows, self.y, kept, self.random_state, self.stratify)
        return self.fit_rows(config, rows)

    def fit_rows(self, config: Mapping[str, Any], rows: np.ndarray) -> BaseEstimator:
        """The Pipeline of ``config`` fitted on ``rows`` (capped as in its trials)."""
        max_rows = self.families[decode(config).family].max_rows
        rows = cap_rows(rows, self.y, max_rows, self.random_state, self.stratify)
        return self.pipeline(config).fit(take_rows(self.X, rows), self.y[rows])

    def __call__(self, config: Mapping[str, Any]) -> TrialRecord:
        """Evaluate one point; return its record (status ok or fail)."""
        start = time.perf_counter()
        config, rung_rows = pop_rows(config)  # a screening rung trains on fewer rows
        try:
            candidate = decode(config)
            pipeline = make_pipeline(
                candidate, self.preprocessors, self.families, self.random_state
            )
        except Exception as exc:  # noqa: BLE001
            record = _failure(_error_text(exc), start)
        else:
            caps = [self.families[candidate.family].max_rows, rung_rows]
            cap = min((c for c in caps if c is not None), default=None)
            record = self.score(pipeline, cap, start)
        return record.stamped(config=config)

    def score(
        self, estimator: BaseEstimator, max_rows: int | None = None, start: float | None = None
    ) -> TrialRecord:
        """Cross-validate any unfitted estimator on the search's folds (never raises)."""
        start = time.perf_counter() if start is None else start
        jobs = (
            (
                clone(estimator),
                self.X,
                self.y,
                cap_rows(train, self.y, max_rows, self.random_state, self.stratify),
                test,
                self.scoring,
                self.keep_predictions,
                self.n_classes,
            )
            for train, test in self.folds
        )
        if self.n_jobs in (None, 1):
            folds = [_fit_fold(*job) for job in jobs]
        else:
            folds = Parallel(n_jobs=self.n_jobs)(delayed(_fit_fold)(*job) for job in jobs)
        errors = [fold["error"] for fold in folds if "error" in fold]
        if errors:
            return _failure(errors[0], start)
        scores = [fold["score"] for fold in folds]
        if not np.all(np.isfinite(scores)):
            return _failure(f"non-finite CV score(s): {scores}", start)
        caught = list(dict.fromkeys(m for fold in folds for m in fold["warnings"]))
        width = (self.n_classes,) if self.n_classes else ()
        return TrialRecord.succeeded(
            scores,
            [fold["fit_time"] for fold in folds],
            [fold["score_time"] for fold in folds],
            warnings=tuple(caught[:MAX_WARNINGS_KEPT]),
            n_warnings=len(caught),
            duration=time.perf_counter() - start,
            oof=self._out_of_fold(folds, "predictions", width) if self.keep_predictions else None,
            oof_decision=self._out_of_fold(folds, "decision"),
        )

    def _out_of_fold(
        self, folds: list[dict[str, Any]], key: str, width: tuple[int, ...] | None = None
    ) -> np.ndarray | None:
        """The folds' ``key`` arrays on their test rows as one float32 array (NaN for
        rows in no test fold; None unless every fold has one)."""
        if not all(key in fold for fold in folds):
            return None
        width = folds[0][key].shape[1:] if width is None else width
        oof = np.full((len(self.y), *width), np.nan, dtype=np.float32)
        for (_, test), fold in zip(self.folds, folds, strict=True):
            oof[test] = fold[key]
        return oof


def _failure(error: str, start: float) -> TrialRecord:
    return TrialRecord.failed(Reason.ERROR, error, time.perf_counter() - start)
