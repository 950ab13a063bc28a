"""The scikit-learn facade: ``AutoModelClassifier``, ``AutoModelRegressor`` and ``fit``.

Both estimators are thin subclasses of :class:`AutoModelEstimator`, which holds
the parameters and hands them to the search engine (``engine.run``) with its
task; they differ only in how they predict. ``fit(X, y, task="auto")`` picks
the task by the rule in :mod:`automodel.target`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from automodel import data, engine
from automodel._docs import ESTIMATOR_DOC
from automodel.results import leaderboard, model_line
from automodel.settings import PARAMETER_CONSTRAINTS, SETTINGS, Settings
from automodel.tracking import log_report, open_tracker

__all__ = ["AutoModelClassifier", "AutoModelEstimator", "AutoModelRegressor"]


def _final_estimator_has(method: str, before_fit: bool):  # noqa: ANN202 - for available_if
    """``method`` exists when the winner has it; before fit, ``before_fit`` decides."""

    def check(self: AutoModelEstimator) -> bool:
        if not hasattr(self, "best_estimator_"):
            return before_fit
        if hasattr(self.best_estimator_, method):
            return True
        why = getattr(self, "proba_note_", "") if "proba" in method else ""
        # scikit-learn chains this message under its own "has no attribute" error.
        raise AttributeError(f"the model has no {method}" + (f": {why}" if why else ""))

    return check


class AutoModelEstimator(BaseEstimator):
    """The shared base: parameters, ``fit`` through the engine, the column checks."""

    _task: ClassVar[str]

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        *,
        max_evals: int | None = 50,
        cv: int = 5,
        algo: str | Callable[..., Any] = "tpe",
        scoring: str | Callable[..., float] | None = None,
        families: Any = None,
        random_state: Any = None,
        n_jobs: int | None = -1,
        timeout: float | None = None,
        trial_timeout: float | None = 300,
        early_stop_rounds: int | None = None,
        defaults_first: bool = True,
        holdout_above: int | None = 20_000,
        screening: str | int | bool | None = "auto",
        ensemble: str | int | bool | None = "auto",
        bagging: str | bool = "auto",
        checkpoint: str | os.PathLike[str] | None = None,
        backend: str = "local",
        parallelism: int | None = None,
        mlflow_logging: bool | None = None,
        verbose: int = 0,
    ) -> None:
        given = locals()  # the parameters are the settings' declarations (test_settings.py)
        for setting in SETTINGS:
            setattr(self, setting.name, given[setting.name])

    def __sklearn_tags__(self):  # noqa: ANN204 - sklearn's Tags type
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any) -> AutoModelEstimator:
        """Search the space on ``(X, y)`` and refit the best pipeline on all rows."""
        self._validate_params()
        params = self.get_params(deep=False)
        settings = Settings(**params)
        problem = engine.prepare(settings, self._task, X, y)
        tracker = open_tracker(settings.mlflow_logging)
        if tracker is not None:
            tracker.start(params, problem.task.name, problem.X.shape)
        try:
            result = engine.run(problem, [] if tracker is None else [tracker.trial])
        except BaseException:
            if tracker is not None:
                tracker.close()  # the trials are logged; no model to log
            raise
        for name in engine.OPTIONAL_ATTRIBUTES:
            self.__dict__.pop(name, None)
        for name, value in result.attributes().items():
            setattr(self, name, value)
        self.task_reason_ = f"{type(self).__name__} was used"
        self._remember_input(result.features, y)
        if tracker is not None:
            tracker.finish(self, result.features)
        return self

    def _remember_input(self, X: Any, y: Any) -> None:
        self.n_features_in_ = X.shape[1]
        self._columns = list(X.columns) if isinstance(X, pd.DataFrame) else None
        self._dtypes = (
            {str(c): str(t) for c, t in X.dtypes.items()}
            if self._columns is not None
            else str(X.dtype)
        )
        if self._columns is not None and all(isinstance(c, str) for c in self._columns):
            self.feature_names_in_ = np.asarray(self._columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.target_name_ = getattr(y, "name", None)

    def _prepare(self, X: Any) -> Any:
        check_is_fitted(self, "best_estimator_")
        return data.align_features(
            X,
            columns=self._columns,
            n_features=self.n_features_in_,
            target_name=self.target_name_,
            estimator_name=type(self).__name__,
            dtypes=getattr(self, "_dtypes", None) if self._columns is not None else None,
        )

    def _conformal(self, method: str) -> Any:
        check_is_fitted(self, "best_estimator_")
        if not hasattr(self, "conformal_"):
            raise AttributeError(
                f"{method} needs the returned model's out-of-fold predictions, and this "
                "fit kept none (a model saved by an earlier automodel, or a winner without "
                "out-of-fold predictions): fit again."
            )
        return self.conformal_

    def __str__(self) -> str:
        """A fitted model says what it is; an unfitted one prints its parameters."""
        if not hasattr(self, "best_estimator_"):
            return repr(self)
        best = self.best_params_
        return (
            f"{type(self).__name__} ({self.task_}): {model_line(self)}.\n"
            f"Best trial: {best.get('family')} (scaler {best.get('scaler')}), CV "
            f"{self.scoring_} {self.best_score_:.4f} over {len(self.cv_results_['params'])} "
            "trials; model.leaderboard() lists them."
        )

    def leaderboard(self, top: int | None = None) -> pd.DataFrame:
        """The trials as a DataFrame, best first; a kept ensemble is the first row
        (family "ensemble", its out-of-fold score, ``trial`` <NA>) and the ``weight``
        column gives each trial's weight in it."""
        check_is_fitted(self, "cv_results_")
        ensemble = None
        if np.isfinite(getattr(self, "ensemble_score_", np.nan)):
            ensemble = (self.ensemble_members_, self.ensemble_weights_, self.ensemble_score_)
        return leaderboard(self.cv_results_, top, ensemble)

    def column_importance(self, X: Any, y: Any, **options: Any) -> pd.DataFrame:
        """Permutation importance of the model per raw column, on held-out rows.

        Refits the model on the training part of each fold of ``(X, y)`` (the
        data it was fitted on) and shuffles one column at a time on the held-out
        part; returns ``column``, ``mean`` and ``std`` of the drop in ``scoring_``,
        best first, and keeps it as ``column_importance_`` for the report.
        ``options`` (``n_repeats=5``, ``max_rows=2000``, ``random_state=0``) and the
        cost: :func:`automodel.importance.column_importance`.
        """
        from automodel.importance import column_importance  # matplotlib: only when asked

        check_is_fitted(self, "best_estimator_")
        self.column_importance_ = column_importance(self, X, y, **options)
        return self.column_importance_

    def report(self, out_dir: str | os.PathLike[str], fmt: str = "md") -> Any:
        """Write a Markdown (``fmt="md"``) or HTML report of the search with PNG plots.

        Returns the path of the report file; see :func:`automodel.report.write_report`.
        """
        from automodel.report import write_report  # matplotlib: only when asked

        path = write_report(self, out_dir, fmt)
        log_report(self, path)
        return path

    def __getstate__(self) -> dict[str, Any]:
        # Trials hold hyperopt objects; a pickled model must load without them.
        state = super().__getstate__()
        state.pop("trials_", None)
        return state


class AutoModelClassifier(ClassifierMixin, AutoModelEstimator):
    """Search several model families with hyperopt and refit the best Pipeline (classes).

    ``best_estimator_`` predicts class *indices* 0..n_classes-1;
    ``classes_[best_estimator_.predict(X)]`` gives labels (``predict`` does that),
    and ``classes_`` orders ``predict_proba``'s columns.
    """

    __doc__ = (__doc__ or "") + ESTIMATOR_DOC
    _task = "classification"

    def predict(self, X: Any) -> np.ndarray:
        """Class labels for ``X`` (in the labels ``y`` had at fit)."""
        X = self._prepare(X)
        return self.classes_[self.best_estimator_.predict(X)]

    @available_if(_final_estimator_has("predict_proba", before_fit=True))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``.

        Every winner gives them: an SVC (which has only decision values) through a
        logistic calibration of its out-of-fold decision values, fitted after the
        search at no extra model fit (see ``automodel.calibration``). Missing only
        for an own family with neither ``predict_proba`` nor ``decision_function``;
        ``proba_note_`` then says why.
        """
        X = self._prepare(X)
        return self.best_estimator_.predict_proba(X)

    @available_if(_final_estimator_has("predict_proba", before_fit=True))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict_set(self, X: Any, coverage: float = 0.9) -> np.ndarray:
        """Conformal prediction sets: a boolean array (rows x ``classes_``), True for
        the classes in each row's set.

        A set holds the true class of a new row with probability at least
        ``coverage`` (over rows exchangeable with the training rows): split conformal
        on the out-of-fold probabilities of the returned model, LAC score
        (``automodel.conformal``). The most probable class is always in the set.
        ``classes_[row_mask]`` lists one row's labels.
        """
        conformal = self._conformal("predict_set")
        return conformal.sets(self.predict_proba(X), coverage)

    @available_if(_final_estimator_has("decision_function", before_fit=False))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision values of the winning estimator, when it has them."""
        X = self._prepare(X)
        return self.best_estimator_.decision_function(X)


class AutoModelRegressor(RegressorMixin, AutoModelEstimator):
    """Search several model families with hyperopt and refit the best Pipeline (numbers).

    ``score`` is R^2 (scikit-learn's ``RegressorMixin``), whatever ``scoring``
    the search used. ``oof_predictions_`` holds the winner's out-of-fold
    predictions of the training rows (NaN for rows in no test fold), which the
    report plots against the targets.
    """

    __doc__ = (__doc__ or "") + ESTIMATOR_DOC
    _task = "regression"

    def predict(self, X: Any) -> np.ndarray:
        """Predicted target values for ``X``."""
        X = self._prepare(X)
        return np.asarray(self.best_estimator_.predict(X), dtype=np.float64).ravel()

    def predict_interval(self, X: Any, coverage: float = 0.9) -> np.ndarray:
        """Conformal prediction intervals: an array (rows x 2) of lower and upper bounds.

        Each interval holds a new row's true value with probability at least
        ``coverage`` (over rows exchangeable with the training rows), from the
        out-of-fold residuals of the returned model (``interval_method_`` says how:
        CV+ for a bagged model, else split conformal, normalised by a difficulty
        model where that made intervals narrower; ``automodel.conformal``). Bounds
        are infinite when too few rows calibrate the coverage asked for.
        """
        conformal = self._conformal("predict_interval")
        return conformal.interval(self.best_estimator_, self._prepare(X), coverage)
