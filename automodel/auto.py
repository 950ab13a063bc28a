"""The one call: ``automodel.fit(X, y)`` picks the task from the target and fits its estimator."""

from __future__ import annotations

import logging
from typing import Any

from automodel.estimator import AutoModelClassifier, AutoModelEstimator, AutoModelRegressor
from automodel.target import MAX_AUTO_CLASSES, detect_task
from automodel.tasks import TASKS

__all__ = ["AUTO_RULE", "TASK_CHOICES", "choose_task", "fit"]

logger = logging.getLogger("automodel")

#: What ``task`` may be.
TASK_CHOICES = ("auto", *TASKS)
#: The rule of ``task="auto"`` in one line (see :func:`automodel.target.detect_task`).
AUTO_RULE = (
    "text, bool and category targets and whole numbers with at most "
    f"{MAX_AUTO_CLASSES} distinct values (2 rows each) are classes, other numbers a "
    "regression target"
)

_ESTIMATORS: dict[str, type[AutoModelEstimator]] = {
    "classification": AutoModelClassifier,
    "regression": AutoModelRegressor,
}


def choose_task(y: Any, task: str = "auto") -> tuple[str, str]:
    """``(name, reason)``: the task :func:`fit` picks for ``y`` and ``task``, and why."""
    if task == "auto":
        name, reason = detect_task(y)
        return name, f"task='auto' chose {name}: {reason}"
    if task in _ESTIMATORS:
        return task, f"task={task!r} was given"
    raise ValueError(f"task must be 'auto', 'classification' or 'regression', got {task!r}.")


def fit(X: Any, y: Any, task: str = "auto", **params: Any) -> AutoModelEstimator:
    """Search for the best model of ``(X, y)`` and return the fitted estimator.

    ``task`` is "auto" (the rule of :func:`automodel.target.detect_task`, logged on
    the "automodel" logger), "classification" or "regression" (see
    :func:`choose_task`); the result is an :class:`AutoModelClassifier` or
    :class:`AutoModelRegressor`. ``params`` are their parameters, e.g.
    ``automodel.fit(X, y, max_evals=30, random_state=0)``.
    """
    name, reason = choose_task(y, task)
    if task == "auto":
        logger.info("%s.", reason)
    model = _ESTIMATORS[name](**params).fit(X, y)
    model.task_reason_ = reason
    return model
