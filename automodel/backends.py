"""Which executor runs a search's trials: this process, worker processes, or Spark."""

from __future__ import annotations

from dataclasses import replace

from joblib import effective_n_jobs

from automodel.evaluate import Objective
from automodel.executor import Executor, InlineExecutor
from automodel.settings import Settings
from automodel.spark import SparkExecutor
from automodel.workers import ProcessExecutor

__all__ = ["executor_for"]


def executor_for(settings: Settings, objective: Objective) -> Executor:
    """The executor of ``settings.backend``.

    Local trials with ``trial_timeout=None`` run in this process (the folds of a
    trial in parallel on ``n_jobs`` cores); with a limit, in worker processes (one
    trial per core, each single-threaded) that are killed at the limit. On Spark each
    trial is a Spark job, ``parallelism`` at once.
    """
    if settings.backend == "spark":
        return SparkExecutor(
            replace(objective, n_jobs=1),
            parallelism=settings.parallelism,
            trial_timeout=settings.trial_timeout,
        )
    cores = effective_n_jobs(settings.n_jobs)
    if settings.trial_timeout is None:
        return InlineExecutor(replace(objective, n_jobs=cores))
    return ProcessExecutor(replace(objective, n_jobs=1), slots=cores)
