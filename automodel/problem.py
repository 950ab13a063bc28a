"""The search's inputs, checked and derived once: data, folds, space, objective, seed, resume.

:func:`prepare` runs every input check before anything is computed (so a bad table
fails at once, with its fix named), then derives what the search loop and the
finishing stage share: a :class:`Problem`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from automodel import checkpoint, data
from automodel.evaluate import Objective
from automodel.families import DataInfo, Family, resolve_families
from automodel.settings import Settings
from automodel.space import build_space, default_points
from automodel.tasks import TASKS, Task

__all__ = ["Problem", "prepare"]


@dataclass
class Problem:
    """What one search works on, derived from the settings, the task and the data."""

    settings: Settings
    task: Task
    X: Any
    y: np.ndarray
    classes: np.ndarray | None
    scoring: Any
    families: list[Family]
    space: Any
    points: list[dict[str, Any]]
    folds: list[tuple[np.ndarray, np.ndarray]]
    seed: int
    objective: Objective
    #: The ensemble's member cap (None: no ensemble step, 0: no cap).
    ensemble_size: int | None
    bag: bool
    started: float
    fingerprint: str | None = None
    resumed: checkpoint.Checkpoint | None = None

    @property
    def refit_scale(self) -> float:
        """All rows over a training fold's rows: how much longer a refit takes."""
        return len(self.X) / len(self.folds[0][0])

    @property
    def deadline(self) -> float | None:
        """``time.monotonic()`` when the whole fit must be done (None: no budget)."""
        timeout = self.settings.timeout
        return None if timeout is None else self.started + timeout


def _seed(random_state: Any) -> int:
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _check_settings(settings: Settings) -> None:
    if settings.max_evals is None and settings.timeout is None:
        raise ValueError(
            "max_evals=None searches until the time budget ends, but there is no timeout: "
            "give timeout (seconds, e.g. timeout=60) or a number of trials (max_evals=50)."
        )
    if settings.parallelism is not None and settings.backend != "spark":
        warnings.warn(
            f"parallelism={settings.parallelism} is for backend='spark' and is ignored here; "
            "use n_jobs for trials at once on this machine.",
            UserWarning,
            stacklevel=4,
        )
    if settings.backend == "spark" and settings.n_jobs not in (None, 1):
        warnings.warn(
            f"n_jobs={settings.n_jobs} is for backend='local'; on Spark, parallelism sets "
            "the trials at once (each trial runs on one core).",
            UserWarning,
            stacklevel=4,
        )


def _resume(settings: Settings, task: Task, X: Any, y: np.ndarray, space: Any, scoring: Any) -> Any:
    """The fingerprint of this search and its checkpoint, when there is one to resume."""
    if settings.checkpoint is None:
        return None, None  # hashing the whole table is only worth it with a checkpoint
    seed_part = settings.random_state if isinstance(settings.random_state, Integral) else None
    parts = (X, y, str(space), settings.cv, settings.holdout_above, scoring, str(settings.algo))
    fingerprint = checkpoint.fingerprint(*parts, seed_part, task.name, settings.defaults_first)
    return fingerprint, checkpoint.read(settings.checkpoint, fingerprint)


def prepare(settings: Settings, task: Task | str, X: Any, y: Any) -> Problem:
    """Check the settings and the data for ``task`` (a Task or its name); derive space,
    folds and objective."""
    task = TASKS[task] if isinstance(task, str) else task
    started = time.monotonic()
    _check_settings(settings)
    X = data.check_features(X)
    y_fit, classes = task.check_target(y, X.shape[0])
    task.check_rows(y_fit, classes, settings.cv)
    scoring = task.scoring(settings.scoring)
    families = resolve_families(settings.families, task.name)
    schema = data.describe(X)
    n_classes = 0 if classes is None else len(classes)
    width = data.encoded_width(schema, X)
    info = DataInfo(X.shape[0], X.shape[1], n_classes, settings.cv, n_encoded=width)
    space = build_space(families, info)
    points = default_points(families, info) if settings.defaults_first else []
    fingerprint, resumed = _resume(settings, task, X, y_fit, space, scoring)
    seed = resumed.seed if resumed is not None else _seed(settings.random_state)
    holdout = settings.holdout_above is not None and len(y_fit) > settings.holdout_above
    # "auto" ensembles and bags where it paid in the benchmarks (the task's rule).
    ensemble_size = task.ensemble_size(settings.ensemble, len(y_fit), holdout)
    folds = task.folds(X, y_fit, settings.cv, holdout, seed)
    objective = Objective.build(
        X,
        y_fit,
        folds,
        scoring=scoring,
        families={family.name: family for family in families},
        random_state=seed,
        schema=schema,
        stratify=task.stratified,
        keep_predictions=task.keeps_predictions or ensemble_size is not None,
        n_classes=n_classes,
    )
    bag = task.bags(settings.bagging, len(y_fit), holdout)
    return Problem(
        settings,
        task,
        X,
        y_fit,
        classes,
        scoring,
        families,
        space,
        points,
        folds,
        seed,
        objective,
        ensemble_size,
        bag,
        started,
        fingerprint,
        resumed,
    )
