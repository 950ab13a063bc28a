"""One record per task: everything that differs between classification and regression.

The search engine (``engine.py``) asks its :class:`Task` how to check the target,
how to split rows into folds, whether a row cap keeps class proportions, which
scorer is the default, which families exist, how to vote an ensemble and on which
tables ``"auto"`` ensembles or bags; no other module branches on the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit

from automodel import target
from automodel.families import LARGE_ROWS, PRESETS, REGISTRIES, Family

__all__ = ["CLASSIFICATION", "REGRESSION", "TASKS", "Task", "regression_scorer_names", "task_of"]

#: Fraction of the rows held out when one holdout split replaces the folds.
HOLDOUT_SIZE = 0.2

#: Classification tables under this many rows are small: ``"auto"`` bags their single
#: best (its fold models averaged) and builds a greedy ensemble only from this size on,
#: where the out-of-fold rows are enough to choose weights on (measured: README,
#: "Ensembles, measured").
SMALL_CLASSIFICATION_ROWS = 1000

#: The member cap of ``ensemble="auto"`` on a large holdout table (see
#: :meth:`Task.ensemble_size`): two members refit side by side on two cores.
LARGE_MEMBERS = 2

#: Words that mark a scikit-learn scorer name as a regression metric.
_REGRESSION_WORDS = ("r2", "explained_variance", "error", "deviance", "d2_")


def regression_scorer_names() -> set[str]:
    """scikit-learn's scorer names that score a regressor."""
    return {n for n in get_scorer_names() if any(word in n for word in _REGRESSION_WORDS)}


@dataclass(frozen=True)
class Task:
    """What a search needs to know about its task.

    Parameters
    ----------
    name : "classification" or "regression".
    default_scoring : the scorer used when ``scoring=None``.
    check_target : ``(y, n_rows) -> (y for the search, classes or None)``; raises a
        ValueError that names the fix.
    check_rows : ``(y, classes, cv) -> None``; raises when there are too few rows
        (per class) for ``cv`` folds.
    stratified : folds and row caps keep the class proportions.
    voting : the scikit-learn class of a voting ensemble.
    keeps_predictions : the fitted model keeps its out-of-fold predictions as
        ``oof_predictions_`` (for the report's predicted-vs-actual plots); every
        trial keeps them either way.
    ensemble_from : ``ensemble="auto"`` builds an ensemble on tables of at least this
        many rows (0: any). Measured, paired on the same searches: averaging pays for
        regression on every size, a class vote only from about 1,000 rows (README,
        "Ensembles, measured").
    bag_below : ``bagging="auto"`` bags the single best on tables of fewer rows than
        this (0: never); it paid for classification on small tables only.
    class_codes : ``(labels, classes) -> indices into classes`` for a target of class
        labels (a label not in ``classes`` is refused); None for a target of numbers.
    """

    name: str
    default_scoring: str
    check_target: Callable[[Any, int], tuple[np.ndarray, np.ndarray | None]]
    check_rows: Callable[[np.ndarray, Any, int], None]
    stratified: bool
    voting: type
    keeps_predictions: bool
    ensemble_from: int
    bag_below: int
    class_codes: Callable[[Any, np.ndarray], np.ndarray] | None = None

    @property
    def registry(self) -> dict[str, Family]:
        """The built-in families of this task."""
        return REGISTRIES[self.name]

    @property
    def presets(self) -> dict[str, tuple[str, ...]]:
        """The family presets of this task ("default", "all", "classic")."""
        return PRESETS[self.name]

    def auto_ensembles(self, n_rows: int) -> bool:
        """Whether ``ensemble="auto"`` builds an ensemble on a table of ``n_rows`` rows."""
        return n_rows >= self.ensemble_from

    def auto_bags(self, n_rows: int) -> bool:
        """Whether ``bagging="auto"`` bags the single best on a table of ``n_rows`` rows."""
        return n_rows < self.bag_below

    def ensemble_size(self, ensemble: Any, n_rows: int, holdout: bool) -> int | None:
        """The ensemble step's cap on distinct members for the ``ensemble`` setting: None
        for no ensemble, 0 for no cap. ``"auto"`` ensembles where the task does
        (:meth:`auto_ensembles`); on a holdout split (above ``holdout_above`` rows) only
        from :data:`~automodel.families.LARGE_ROWS` rows, and of at most
        :data:`LARGE_MEMBERS` (on diamonds, 53,940 rows, a free-size ensemble gained
        nothing on test at twice the peak memory; on a million rows the best two,
        refit side by side, cost the single best's refit time); True always does."""
        if ensemble is None or ensemble is False:
            return None
        if ensemble == "auto":
            if holdout:
                return LARGE_MEMBERS if n_rows >= LARGE_ROWS else None
            return 0 if self.auto_ensembles(n_rows) else None
        return 0 if ensemble is True else int(ensemble)

    def bags(self, bagging: Any, n_rows: int, holdout: bool) -> bool:
        """Whether to bag the single best for the ``bagging`` setting: True / False as
        given, ``"auto"`` where the task does (:meth:`auto_bags`). One holdout split has
        one fold model, trained on fewer rows than the refit: never bagged."""
        if holdout:
            return False
        return self.auto_bags(n_rows) if bagging == "auto" else bool(bagging)

    def fitted_target(self, y: Any, n_rows: int, classes: np.ndarray | None) -> np.ndarray:
        """``y`` checked, in the terms of a model fitted with ``classes`` (its
        ``classes_``): class labels as indices into them, numbers as float64."""
        checked, _ = self.check_target(y, n_rows)
        return checked if self.class_codes is None else self.class_codes(y, classes)

    def scoring(self, scoring: Any) -> Any:
        """The scorer to use: the default for None; a scorer name of the other task is refused."""
        if scoring is None:
            return self.default_scoring
        if isinstance(scoring, str):
            is_regression = scoring in regression_scorer_names()
            if is_regression != (self.name == "regression"):
                other = "regression" if is_regression else "classification"
                suggestion = "r2" if self.name == "regression" else "accuracy"
                raise ValueError(
                    f"scoring={scoring!r} is a {other} metric, but this is a {self.name} "
                    f"search; use a {self.name} scorer such as {suggestion!r}, or "
                    f"task={other!r} if the target is meant for {other}."
                )
        return scoring

    def folds(
        self, X: Any, y: np.ndarray, cv: int, holdout: bool, seed: int
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Shuffled, seeded ``cv``-fold splits, or one 80/20 holdout split."""
        splitter: Any
        if holdout:
            kind = StratifiedShuffleSplit if self.stratified else ShuffleSplit
            splitter = kind(n_splits=1, test_size=HOLDOUT_SIZE, random_state=seed)
        else:
            kind = StratifiedKFold if self.stratified else KFold
            splitter = kind(cv, shuffle=True, random_state=seed)
        return list(splitter.split(X, y))


CLASSIFICATION = Task(
    name="classification",
    default_scoring="accuracy",
    check_target=target.check_class_target,
    check_rows=target.check_cv_classes,
    stratified=True,
    voting=VotingClassifier,
    keeps_predictions=False,
    ensemble_from=SMALL_CLASSIFICATION_ROWS,
    bag_below=SMALL_CLASSIFICATION_ROWS,
    class_codes=target.class_codes,
)

REGRESSION = Task(
    name="regression",
    default_scoring="r2",
    check_target=target.check_regression_target,
    check_rows=target.check_regression_rows,
    stratified=False,
    voting=VotingRegressor,
    keeps_predictions=True,
    ensemble_from=0,
    bag_below=0,
)

#: The tasks by name.
TASKS: dict[str, Task] = {task.name: task for task in (CLASSIFICATION, REGRESSION)}


def task_of(model: Any) -> Task:
    """The task of a fitted model (``task_``); a model saved before it was kept is a classifier."""
    return TASKS[getattr(model, "task_", CLASSIFICATION.name)]
