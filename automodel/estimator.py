"""``AutoModelClassifier``, the scikit-learn estimator, and the one-call ``fit``."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from automodel import checkpoint, data
from automodel.ensemble import beats, pick_members, try_ensemble
from automodel.evaluate import Objective
from automodel.families import DataInfo, Family, resolve_families
from automodel.results import cv_results, leaderboard
from automodel.search import InlineExecutor, SearchOutcome, Trials, best_loss, run_search
from automodel.space import build_space, default_points

__all__ = [
    "AutoModelClassifier",
    "RefitWarning",
    "SearchFailedError",
    "SearchInterruptedWarning",
    "fit",
]

#: The refit reserve is this many times a fold fit of the best trial, scaled to all rows.
REFIT_SAFETY = 1.5


class SearchFailedError(RuntimeError):
    """Every trial of the search failed, so there is no model to return."""


class SearchInterruptedWarning(UserWarning):
    """The search was cut short (Ctrl-C); the best trial so far was refit."""


def _refit_reserve(trials: Trials, scale: float) -> float:
    """Seconds to keep for refitting the current best trial on all rows."""
    ok = [r for r in trials.results if r.get("status") == "ok"]
    if not ok:
        return 0.0
    best = min(ok, key=lambda r: r["loss"])
    return REFIT_SAFETY * scale * max(best["fit_time"])


class RefitWarning(UserWarning):
    """The best trial failed to refit on all rows and the next best was used."""


def _failure_summary(table: dict[str, Any], stop_reason: str, timeout: float | None) -> str:
    budget_advice = (
        f"No trial finished within timeout={timeout} s: give a larger timeout, or faster "
        "families (e.g. families=['logreg', 'tree'])."
    )
    if not table["status"]:
        if stop_reason == "timeout":
            return budget_advice
        return "The search was interrupted before any trial finished; there is no model to refit."
    reasons = pd.Series(table["status"]).value_counts().to_dict()
    first = next((e for e in table["error"] if e), "no error message")
    counts = ", ".join(f"{n} {reason}" for reason, n in reasons.items())
    advice = "Check the data, or restrict `families` to ones that suit it."
    if stop_reason == "timeout" and set(reasons) == {"timeout"}:
        advice = budget_advice
    return f"All {len(table['status'])} trials failed ({counts}); first failure: {first}. {advice}"


def _final_estimator_has(method: str, before_fit: bool):  # noqa: ANN202 - for available_if
    """``method`` exists when the winner has it; before fit, ``before_fit`` decides."""

    def check(self: AutoModelClassifier) -> bool:
        if not hasattr(self, "best_estimator_"):
            return before_fit
        return hasattr(self.best_estimator_, method)

    return check


class AutoModelClassifier(ClassifierMixin, BaseEstimator):
    """Search several model families with hyperopt and refit the best Pipeline.

    Parameters
    ----------
    max_evals : int, default=50
        Number of trials (candidate pipelines scored by cross-validation).
    cv : int, default=5
        Number of stratified, shuffled folds used to score each trial.
    algo : {"tpe", "rand", "anneal"}, default="tpe"
        hyperopt's suggestion algorithm.
    scoring : str or callable, default="accuracy"
        A scikit-learn scorer name (accuracy, balanced_accuracy, f1_macro,
        roc_auc, roc_auc_ovr, neg_log_loss, ...) or a scorer callable
        ``scorer(estimator, X, y)`` (e.g. from ``make_scorer``); the search
        minimises minus its mean over the folds.
    families : None, str or list of (str or Family), default=None
        Families to search; None means the default set
        (``automodel.families.DEFAULT_FAMILIES``).
    random_state : int, RandomState instance or None, default=None
        Seeds the suggestions, the CV split and every estimator: the same seed
        and ``max_evals`` give the same ``cv_results_`` and ``best_params_``.
    n_jobs : int or None, default=None
        Total number of cores automodel may use (-1: all). Each estimator itself
        stays single-threaded so trials do not fight over cores.
    timeout : float or None, default=None
        Seconds for the whole ``fit``, final refit included: time is kept for
        refitting the current best, no trial starts after the search's share has
        passed, and trials still running then are stopped.
    trial_timeout : float or None, default=300
        Seconds one trial may take. Trials run in worker processes that are
        stopped for real when they overrun; the trial is recorded as failed
        ("timeout") and the search goes on. None runs trials in this process,
        without a limit (least overhead).
    early_stop_rounds : int or None, default=None
        Stop after this many trials without improving the best score.
    defaults_first : bool, default=True
        Evaluate each family's well-known default (e.g. a 100-tree random forest,
        an RBF SVM with C=1) first, before the algorithm suggests, so that a
        small budget already returns a strong model.
    holdout_above : int or None, default=20000
        Tables with more rows than this score each trial on one stratified
        80/20 holdout split instead of ``cv`` folds (``cv_results_`` then has
        one split column). None: always ``cv`` folds.
    ensemble : int or None, default=None
        Combine the ``ensemble`` best distinct pipelines by voting (soft when
        all have ``predict_proba``, else hard), score the ensemble on the same
        folds, and keep it as ``best_estimator_`` (a ``VotingClassifier``) only
        when its CV score beats the single best. ``ensemble_score_`` and
        ``ensemble_members_`` (rows of ``cv_results_``) report what was tried.
    checkpoint : str, path or None, default=None
        File where the trials are saved after every trial. Fitting again with
        the same file, data and settings continues the search up to
        ``max_evals`` without rerunning finished trials; a checkpoint of another
        search is refused.
    backend : {"local", "spark"}, default="local"
        "spark" runs trials through hyperopt's ``SparkTrials`` on the active
        Spark session (or a new ``local[parallelism]`` one); needs the
        ``automodel[spark]`` extra. No per-trial time limit or checkpoint there.
    parallelism : int or None, default=None
        Trials run at once on Spark (None: Spark's default parallelism).
    verbose : int, default=0
        0: silent; 1: a progress bar.

    Attributes
    ----------
    best_estimator_ : sklearn.pipeline.Pipeline
        The winning pipeline, refit on all rows. It predicts class *indices*
        0..n_classes-1; ``classes_[best_estimator_.predict(X)]`` gives labels
        (``predict`` of this estimator does that for you).
    best_params_ : dict
        ``family``, ``scaler`` and the family's decoded hyperparameters.
    best_score_ : float
        Mean CV score of the winner under ``scoring``.
    best_index_ : int
        Row of the winner in ``cv_results_``.
    cv_results_ : dict of arrays
        One row per trial (scikit-learn's layout plus ``family``,
        ``preprocessing``, ``status``, ``error`` and ``duration``).
    trials_ : hyperopt.Trials
        The raw trials of the search.
    classes_ : ndarray
        The class labels, in the order of ``predict_proba``'s columns.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame whose column names are all strings.
    stop_reason_ : str
        Why the search ended: "max_evals", "timeout", "early_stop", "interrupted".
    search_time_ : float
        Seconds spent in the search (without the final refit).
    refit_time_ : float
        Seconds spent refitting the winner on all rows.
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "max_evals": [Interval(Integral, 1, None, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "algo": [StrOptions({"tpe", "rand", "anneal"})],
        "scoring": [StrOptions(set(get_scorer_names())), callable],
        "families": [None, str, list, tuple, Family],
        "random_state": ["random_state"],
        "n_jobs": [None, Integral],
        "timeout": [None, Interval(Real, 0, None, closed="neither")],
        "trial_timeout": [None, Interval(Real, 0, None, closed="neither")],
        "checkpoint": [None, str, os.PathLike],
        "defaults_first": ["boolean"],
        "holdout_above": [None, Interval(Integral, 1, None, closed="left")],
        "ensemble": [None, Interval(Integral, 2, None, closed="left")],
        "backend": [StrOptions({"local", "spark"})],
        "parallelism": [None, Interval(Integral, 1, None, closed="left")],
        "early_stop_rounds": [None, Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        max_evals: int = 50,
        cv: int = 5,
        algo: str = "tpe",
        scoring: str | Callable[..., float] = "accuracy",
        families: Any = None,
        random_state: Any = None,
        n_jobs: int | None = None,
        timeout: float | None = None,
        trial_timeout: float | None = 300,
        early_stop_rounds: int | None = None,
        defaults_first: bool = True,
        holdout_above: int | None = 20_000,
        ensemble: int | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        backend: str = "local",
        parallelism: int | None = None,
        verbose: int = 0,
    ) -> None:
        self.max_evals = max_evals
        self.cv = cv
        self.algo = algo
        self.scoring = scoring
        self.families = families
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.timeout = timeout
        self.trial_timeout = trial_timeout
        self.early_stop_rounds = early_stop_rounds
        self.defaults_first = defaults_first
        self.holdout_above = holdout_above
        self.ensemble = ensemble
        self.checkpoint = checkpoint
        self.backend = backend
        self.parallelism = parallelism
        self.verbose = verbose

    def __sklearn_tags__(self):  # noqa: ANN204 - sklearn's Tags type
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # -- fit -------------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> AutoModelClassifier:
        """Search the space on ``(X, y)`` and refit the best pipeline on all rows."""
        started = time.monotonic()
        self._validate_params()
        X = data.check_features(X)
        codes, classes = data.check_target(y, n_rows=X.shape[0])
        data.check_cv_classes(codes, classes, self.cv)
        families = resolve_families(self.families)
        schema = data.describe(X)
        info = DataInfo(X.shape[0], X.shape[1], len(classes), self.cv)
        space = build_space(families, info)
        points = default_points(families, info) if self.defaults_first else []
        # The fingerprint hashes the whole table: only worth it when there is a checkpoint.
        fingerprint = None if self.checkpoint is None else self._fingerprint(X, codes, space)
        resumed = None if fingerprint is None else checkpoint.read(self.checkpoint, fingerprint)
        seed = resumed.seed if resumed is not None else self._seed()
        folds = self._folds(X, codes, seed)
        objective = Objective.build(
            X,
            codes,
            folds,
            scoring=self.scoring,
            families={family.name: family for family in families},
            random_state=seed,
            schema=schema,
        )
        outcome = self._search(
            space,
            points,
            objective,
            seed,
            resumed,
            fingerprint,
            started,
            refit_scale=len(X) / len(folds[0][0]),
        )
        self.trials_ = outcome.trials
        self.cv_results_ = cv_results([doc["result"] for doc in outcome.trials.trials], len(folds))
        self.stop_reason_ = outcome.stop_reason
        self.search_time_ = outcome.elapsed
        if outcome.stop_reason == "interrupted":
            warnings.warn(
                f"Search interrupted after {len(outcome.trials.trials)} finished trial(s); "
                "refitting the best found so far.",
                SearchInterruptedWarning,
                stacklevel=2,
            )
        refit_start = time.monotonic()
        self._refit(objective, X, codes)
        self.refit_time_ = time.monotonic() - refit_start
        if self.ensemble is not None:
            self._ensemble(objective, X, codes, started)
        self._remember_input(X, y, classes)
        return self

    def _ensemble(self, objective: Objective, X: Any, codes: np.ndarray, started: float) -> None:
        """Score a voting ensemble of the best trials; keep it only if it beats the best."""
        self.ensemble_members_: list[int] = []
        self.ensemble_score_ = float("nan")
        table = self.cv_results_
        members = pick_members(table, self.ensemble, len(codes), objective)
        if self.timeout is not None:
            # Scoring costs the members' fold fits again, then one refit of each.
            needed = sum(
                REFIT_SAFETY * 2 * np.sum(self.trials_.trials[i]["result"]["fit_time"])
                for i in members
            )
            if time.monotonic() + needed > started + self.timeout:
                warnings.warn(
                    "Not enough of the time budget is left to score an ensemble; "
                    "keeping the single best pipeline.",
                    UserWarning,
                    stacklevel=3,
                )
                return
        configs = [doc["result"]["config"] for doc in self.trials_.trials]
        found = try_ensemble(objective, configs, members)
        if found is None:
            return
        self.ensemble_members_ = found.members
        if found.result["status"] == "ok":
            self.ensemble_score_ = float(np.mean(found.result["scores"]))
        if beats(found.result, self.best_score_):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.best_estimator_ = found.estimator.fit(X, codes)

    def _folds(self, X: Any, codes: np.ndarray, seed: int) -> list[Any]:
        """Stratified k-fold splits, or one stratified 80/20 holdout on a large table."""
        if self.holdout_above is not None and len(codes) > self.holdout_above:
            splitter: Any = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
        else:
            splitter = StratifiedKFold(self.cv, shuffle=True, random_state=seed)
        return list(splitter.split(X, codes))

    def _remember_input(self, X: Any, y: Any, classes: np.ndarray) -> None:
        self.classes_ = classes
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

    def _fingerprint(self, X: Any, codes: np.ndarray, space: Any) -> str:
        seed = self.random_state if isinstance(self.random_state, Integral) else None
        return checkpoint.fingerprint(
            X, codes, str(space), self.cv, self.holdout_above, self.scoring, self.algo, seed
        )

    def _spark_search(
        self,
        space: Any,
        objective: Objective,
        seed: int,
        started: float,
        points: list[dict[str, Any]],
    ) -> SearchOutcome:
        from automodel.spark import spark_search

        if self.checkpoint is not None:
            raise ValueError(
                "checkpoint is not supported with backend='spark' (SparkTrials cannot resume); "
                "drop checkpoint or use backend='local'."
            )
        remaining = None if self.timeout is None else self.timeout - (time.monotonic() - started)
        return spark_search(
            space,
            replace(objective, n_jobs=1),
            algo=self.algo,
            max_evals=self.max_evals,
            rng=np.random.default_rng(seed),
            parallelism=self.parallelism,
            timeout=remaining,
            early_stop_rounds=self.early_stop_rounds,
            points_to_evaluate=points,
        )

    def _executor(self, objective: Objective) -> Any:
        """Trials in this process (folds in parallel), or in worker processes (one per core)."""
        cores = effective_n_jobs(self.n_jobs)
        if self.trial_timeout is None:
            return InlineExecutor(replace(objective, n_jobs=cores))
        from automodel.workers import ProcessExecutor  # worker processes: only when needed

        return ProcessExecutor(replace(objective, n_jobs=1), slots=cores)

    def _search(
        self,
        space: Any,
        points: list[dict[str, Any]],
        objective: Objective,
        seed: int,
        resumed: Any,
        fingerprint: str | None,
        started: float,
        refit_scale: float,
    ) -> SearchOutcome:
        """Run the search loop with this estimator's budgets, progress and checkpoint."""
        if self.backend == "spark":
            return self._spark_search(space, objective, seed, started, points)
        trials = resumed.trials if resumed is not None else Trials()
        rng = np.random.default_rng(seed)
        if resumed is not None:
            rng.bit_generator.state = resumed.rng_state
        progress = None
        if self.verbose:
            from tqdm.auto import tqdm

            progress = tqdm(
                total=self.max_evals, initial=len(trials.trials), desc="automodel", unit="trial"
            )

        def on_trial(doc: dict[str, Any]) -> None:
            if self.checkpoint is not None:
                state = checkpoint.Checkpoint(fingerprint, seed, trials, rng.bit_generator.state)
                checkpoint.write(self.checkpoint, state)
            if progress is not None:
                best = best_loss(trials)
                progress.update(1)
                progress.set_postfix_str(f"best {-best:.4f}" if np.isfinite(best) else "")

        def deadline() -> float:
            # Keep time for the final refit of the current best (a fold fit, scaled to all rows).
            return started + self.timeout - _refit_reserve(trials, refit_scale)

        executor = self._executor(objective)
        # Estimators stay single-threaded in the search (OpenMP/BLAS too): n_jobs shares cores.
        limits = threadpool_limits(limits=1)
        try:
            return run_search(
                space,
                executor,
                algo=self.algo,
                max_evals=self.max_evals,
                rng=rng,
                trials=trials,
                deadline=None if self.timeout is None else deadline,
                trial_timeout=self.trial_timeout,
                early_stop_rounds=self.early_stop_rounds,
                on_trial=on_trial,
                points_to_evaluate=points,
            )
        finally:
            limits.restore_original_limits()
            if hasattr(executor, "close"):
                executor.close()
            if progress is not None:
                progress.close()

    def _refit(self, objective: Objective, X: Any, codes: np.ndarray) -> None:
        """Refit the best trial on all rows; on failure fall back to the next best."""
        table = self.cv_results_
        ok = [i for i, status in enumerate(table["status"]) if status == "ok"]
        if not ok:
            raise SearchFailedError(_failure_summary(table, self.stop_reason_, self.timeout))
        errors = []
        for index in sorted(ok, key=lambda i: (table["rank_test_score"][i], i)):
            config = self.trials_.trials[index]["result"]["config"]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    pipeline = objective.fit_all(config)
            except Exception as exc:  # noqa: BLE001 - fall back to the next best
                errors.append(f"trial {index}: {type(exc).__name__}: {exc}")
                warnings.warn(
                    f"Refitting trial {index} on all rows failed ({type(exc).__name__}: {exc}); "
                    "falling back to the next best trial.",
                    RefitWarning,
                    stacklevel=3,
                )
                continue
            self.best_index_ = index
            self.best_params_ = table["params"][index]
            self.best_score_ = float(table["mean_test_score"][index])
            self.best_estimator_ = pipeline
            return
        raise SearchFailedError(
            "Every successful trial failed to refit on all rows: " + "; ".join(errors[:3])
        )

    def _seed(self) -> int:
        if isinstance(self.random_state, Integral):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    # -- predict ---------------------------------------------------------------

    def _prepare(self, X: Any) -> Any:
        check_is_fitted(self, "best_estimator_")
        return data.align_features(
            X,
            columns=self._columns,
            n_features=self.n_features_in_,
            target_name=self.target_name_,
            estimator_name=type(self).__name__,
        )

    def predict(self, X: Any) -> np.ndarray:
        """Class labels for ``X`` (in the labels ``y`` had at fit)."""
        X = self._prepare(X)
        return self.classes_[self.best_estimator_.predict(X)]

    @available_if(_final_estimator_has("predict_proba", before_fit=True))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``.

        Only available when the winning estimator has ``predict_proba`` (an SVC
        winner does not: automodel does not fit ``SVC(probability=True)``).
        """
        X = self._prepare(X)
        return self.best_estimator_.predict_proba(X)

    @available_if(_final_estimator_has("predict_proba", before_fit=True))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_final_estimator_has("decision_function", before_fit=False))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision values of the winning estimator, when it has them."""
        X = self._prepare(X)
        return self.best_estimator_.decision_function(X)

    # -- convenience -------------------------------------------------------------

    def leaderboard(self, top: int | None = None) -> pd.DataFrame:
        """The trials as a DataFrame, best first."""
        check_is_fitted(self, "cv_results_")
        return leaderboard(self.cv_results_, top)

    def report(self, out_dir: str | os.PathLike[str], fmt: str = "md") -> Any:
        """Write a Markdown (``fmt="md"``) or HTML report of the search with PNG plots.

        Returns the path of the report file; see :func:`automodel.report.write_report`.
        """
        from automodel.report import write_report

        return write_report(self, out_dir, fmt)

    def __getstate__(self) -> dict[str, Any]:
        # Trials hold hyperopt objects; a pickled model must load without them.
        state = super().__getstate__()
        state.pop("trials_", None)
        return state


def fit(X: Any, y: Any, **params: Any) -> AutoModelClassifier:
    """Search for the best model of ``(X, y)`` and return the fitted estimator.

    ``params`` are :class:`AutoModelClassifier`'s parameters, e.g.
    ``automodel.fit(X, y, max_evals=30, random_state=0)``.
    """
    return AutoModelClassifier(**params).fit(X, y)
