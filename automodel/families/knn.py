"""The ``knn`` family (k nearest neighbours), for classification and regression."""

from __future__ import annotations

from typing import Any

from hyperopt import hp
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from automodel.families._base import SCALED, DataInfo, by_task, log_int

__all__ = ["KNN", "MAX_ROWS"]

#: Neighbour searches cost rows x rows at predict time: past this many training rows
#: a trial trains on a subsample (stratified for classes), as the SVMs, at a higher cap.
MAX_ROWS = 20_000


def _space(info: DataInfo) -> dict[str, Any]:
    # Neighbours on a log scale, at most the rows of a training fold, capped at 50.
    high = max(2, min(50, info.fold_rows))
    return {
        "n_neighbors": log_int("knn.n_neighbors", 1, high),
        "weights": hp.choice("knn.weights", ["uniform", "distance"]),
        "p": hp.choice("knn.p", [1, 2]),
    }


def _default(info: DataInfo) -> dict[str, Any]:
    return {"knn.n_neighbors": min(5, info.fold_rows), "knn.weights": 0, "knn.p": 1}


#: Neighbours are counted in target units in regression: fitted on a standardised target.
KNN = by_task(
    "knn",
    (KNeighborsClassifier, KNeighborsRegressor),
    _space,
    _default,
    threads="n_jobs",
    max_rows=MAX_ROWS,
    **SCALED,
)
