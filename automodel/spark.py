"""Distributed trials on Apache Spark through hyperopt's ``SparkTrials``.

The objective (which holds the training data) is broadcast once and loaded once
per Spark Python worker; each trial then ships only its decoded point. The
trials are copied into plain ``hyperopt.Trials`` afterwards, so the results
table, refit and save are the same as for a local search.

What the Spark backend does not do (``SparkTrials`` limits): no per-trial time
limit (``trial_timeout`` is not enforced), no checkpoint/resume, no
``points_to_evaluate``; the total ``timeout`` cancels running trials.
"""

from __future__ import annotations

import copy
import os
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any

import cloudpickle
import numpy as np
from hyperopt import Trials, fmin
from hyperopt.base import JOB_STATE_DONE

from automodel.search import (
    SearchOutcome,
    _quiet_hyperopt,
    point_trial,
    rounds_since_best,
    suggest_function,
)

__all__ = ["spark_search", "spark_session"]

#: Objectives already unpickled in this Python worker, by search key.
_LOADED: dict[str, Any] = {}


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ImportError(
            "backend='spark' needs pyspark: install it with pip install 'automodel[spark]' "
            "(and Java 17 for a local Spark)."
        ) from None


def spark_session(master: str | None = None, parallelism: int | None = None) -> Any:
    """The active Spark session, or a new one on ``master`` (default ``local[N]``).

    Spark's Python workers must run this same interpreter, so ``PYSPARK_PYTHON``
    defaults to ``sys.executable``.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName("automodel")
    builder = builder.master(master or f"local[{parallelism or '*'}]")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    return builder.getOrCreate()


class _PointsFirst:
    """A suggestion function that returns given raw points first, then asks ``algo``."""

    def __init__(self, points: list[dict[str, Any]], algo: Any) -> None:
        self.points = points
        self.algo = algo

    def __call__(
        self, new_ids: list[int], domain: Any, trials: Any, seed: int
    ) -> list[dict[str, Any]]:
        done = len(trials.trials)
        docs = []
        for i, tid in enumerate(new_ids):
            if done + i >= len(self.points):
                return docs + self.algo(new_ids[i:], domain, trials, seed)
            docs.append(point_trial(tid, self.points[done + i], domain))
        return docs


class _TrialFunction:
    """The function SparkTrials runs per trial: load the broadcast objective, evaluate."""

    def __init__(self, broadcast: Any) -> None:
        self.broadcast = broadcast
        self.key = uuid.uuid4().hex  # one per search: names the cached objective

    def __call__(self, config: dict[str, Any]) -> dict[str, Any]:
        key = self.key
        if key not in _LOADED:
            _LOADED.clear()  # one search's data at a time in a reused worker
            _LOADED[key] = cloudpickle.loads(self.broadcast.value)
        result = _LOADED[key](config)
        result["config"] = config
        return result


class _EarlyStop:
    """fmin's ``early_stop_fn``: the local loop's rule (:func:`rounds_since_best`)."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.fired = False

    def __call__(self, trials: Trials, *state: Any) -> tuple[bool, list[Any]]:
        self.fired = rounds_since_best(trials) >= self.rounds
        return self.fired, []


def spark_search(
    space: Any,
    objective: Any,
    *,
    algo: Any,
    max_evals: int | None,
    rng: np.random.Generator,
    parallelism: int | None = None,
    timeout: float | None = None,
    early_stop_rounds: int | None = None,
    session: Any = None,
    points_to_evaluate: Sequence[dict[str, Any]] = (),
) -> SearchOutcome:
    """Run the search with ``SparkTrials``; return plain Trials like the local loop.

    ``SparkTrials`` ignores fmin's ``points_to_evaluate``, so the points (e.g. the
    families' defaults) are handed out by the suggestion function itself, first.
    """
    _require_pyspark()
    from hyperopt import SparkTrials

    start = time.monotonic()
    spark = session if session is not None else spark_session(parallelism=parallelism)
    payload = spark.sparkContext.broadcast(cloudpickle.dumps(objective))
    spark_trials = SparkTrials(
        parallelism=parallelism,
        timeout=None if timeout is None else max(1, int(timeout)),
        spark_session=spark,
    )
    early_stop = None if early_stop_rounds is None else _EarlyStop(early_stop_rounds)
    interrupted = False
    with _quiet_hyperopt():
        try:
            fmin(
                _TrialFunction(payload),
                space,
                algo=_PointsFirst(list(points_to_evaluate), suggest_function(algo)),
                max_evals=max_evals,
                trials=spark_trials,
                rstate=rng,
                early_stop_fn=early_stop,
                show_progressbar=False,
            )
        except KeyboardInterrupt:
            interrupted = True
    payload.unpersist()
    trials = Trials()
    docs = [
        copy.deepcopy(doc)
        for doc in spark_trials.trials
        if doc["state"] == JOB_STATE_DONE and "config" in doc["result"]
    ]
    trials.insert_trial_docs(docs)
    trials.refresh()
    reason = "max_evals"
    if interrupted:
        reason = "interrupted"
    elif spark_trials.fmin_cancelled_reason == "fmin run timeout":
        reason = "timeout"
    elif early_stop is not None and early_stop.fired:
        reason = "early_stop"
    return SearchOutcome(trials, reason, time.monotonic() - start)
