"""The search's inputs, checked and derived once: data, folds, space, objective, seed, resume.

:func:`prepare` runs every input check before anything is computed (so a bad table
fails at once, with its fix named), then derives what the search loop and the
finishing stage share: a :class:`Problem`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from automodel import checkpoint, data, schema
from automodel.evaluate import Objective
from automodel.families import DataInfo, Family, resolve_families
from automodel.settings import Settings
from automodel.space import build_space, first_points, unscreened
from automodel.tasks import TASKS, Task

__all__ = ["Problem", "prepare"]


@dataclass
class Problem:
    """What one search works on, derived from the settings, the task and the data.

    The folds and the objective follow from the rest (``__post_init__``).
    """

    settings: Settings
    task: Task
    X: Any
    y: np.ndarray
    classes: np.ndarray | None
    scoring: Any
    families: list[Family]
    columns: schema.Schema
    space: Any
    points: list[dict[str, Any]]
    seed: int
    #: Above ``holdout_above`` rows trials score one holdout split instead of folds.
    holdout: bool
    started: float
    fingerprint: str | None = None
    resumed: checkpoint.Checkpoint | None = None
    folds: list[tuple[np.ndarray, np.ndarray]] = field(init=False)
    objective: Objective = field(init=False)

    def __post_init__(self) -> None:
        settings, task = self.settings, self.task
        self.folds = task.folds(self.X, self.y, settings.cv, self.holdout, self.seed)
        self.objective = Objective.build(
            self.X,
            self.y,
            self.folds,
            scoring=self.scoring,
            families={family.name: family for family in self.families},
            random_state=self.seed,
            schema=self.columns,
            stratify=task.stratified,
            keep_predictions=True,  # the ensemble, intervals, sets, the expected score
            n_classes=0 if self.classes is None else len(self.classes),
        )

    @property
    def ensemble_size(self) -> int | None:
        """The ensemble's member cap (None: no ensemble step, 0: no cap): "auto" where it
        paid in the benchmarks (the task's rule)."""
        return self.task.ensemble_size(self.settings.ensemble, len(self.y), self.holdout)

    @property
    def bag(self) -> bool:
        """Whether the single best is bagged (the task's rule for "auto")."""
        return self.task.bags(self.settings.bagging, len(self.y), self.holdout)

    @property
    def train_rows(self) -> int:
        """Rows a trial trains on (a training fold, or the holdout's training part)."""
        return len(self.folds[0][0])

    @property
    def refit_scale(self) -> float:
        """All rows over a training fold's rows: how much longer a refit takes."""
        return len(self.X) / self.train_rows

    @property
    def unscreened_points(self) -> frozenset[int]:
        """Indices of the first points that skip screening's rungs (:func:`unscreened`)."""
        return unscreened(self.families, self.points)

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
    if settings.n_jobs == 0:
        raise ValueError(
            "n_jobs=0 runs no trial: use None or 1 (trials one at a time), a number of "
            "worker processes, or -1 (one per core)."
        )
    if settings.parallelism is not None and settings.backend != "spark":
        warnings.warn(
            f"parallelism={settings.parallelism} is for backend='spark' and is ignored here; "
            "use n_jobs for trials at once on this machine.",
            UserWarning,
            stacklevel=4,
        )
    if settings.backend == "spark" and settings.n_jobs not in (None, 1, -1):
        warnings.warn(
            f"n_jobs={settings.n_jobs} is for backend='local'; on Spark, parallelism sets "
            "the trials at once (each trial runs on one core).",
            UserWarning,
            stacklevel=4,
        )


def _resume(
    settings: Settings, task: Task, X: Any, y: np.ndarray, space: Any, scoring: Any, points: Any
) -> Any:
    """The fingerprint of this search and its checkpoint, when there is one to resume
    (the first points are in it: another shipped portfolio is another search)."""
    seed_part = settings.random_state if isinstance(settings.random_state, Integral) else None
    parts = (X, y, str(space), settings.cv, settings.holdout_above, scoring, str(settings.algo))
    if settings.screening != "auto":  # the default leaves older checkpoints' fingerprints
        parts = (*parts, settings.screening)
    fingerprint = checkpoint.fingerprint(*parts, seed_part, task.name, repr(points))
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
    families = resolve_families(settings.families, task.name, len(y_fit))
    columns = schema.describe(X)
    n_classes = 0 if classes is None else len(classes)
    width = schema.encoded_width(columns, X)
    info = DataInfo(X.shape[0], X.shape[1], n_classes, settings.cv, n_encoded=width)
    space = build_space(families, info)
    points = first_points(families, info, task.name) if settings.defaults_first else []
    fingerprint, resumed = None, None
    if settings.checkpoint is not None:  # hashing the table is only worth it then
        fingerprint, resumed = _resume(settings, task, X, y_fit, space, scoring, points)
    seed = resumed.seed if resumed is not None else _seed(settings.random_state)
    holdout = settings.holdout_above is not None and len(y_fit) > settings.holdout_above
    return Problem(
        settings,
        task,
        X,
        y_fit,
        classes,
        scoring,
        families,
        columns,
        space,
        points,
        seed,
        holdout,
        started,
        fingerprint,
        resumed,
    )
