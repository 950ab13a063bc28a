"""Shared checks of the family-module tests: a module's records for both tasks, a
space drawn into pipelines that fit a tiny table, a default point decoded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from hyperopt import space_eval
from hyperopt.base import Domain
from hyperopt.pyll import stochastic

from automodel.families import REGISTRIES, DataInfo, Family
from automodel.schema import ENCODINGS, describe
from automodel.space import build_space, decode, default_points, make_estimator, make_pipeline

TASKS = ("classification", "regression")
#: A tiny table's shape: 60 rows, 4 columns, 3 classes or a numeric target.
INFO = {task: DataInfo(60, 4, 3 if task == "classification" else 0, cv=3) for task in TASKS}


def tiny(task: str) -> tuple[np.ndarray, np.ndarray]:
    """60 rows, 4 columns: three classes, or a target far from unit scale."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    if task == "classification":
        return X, np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])
    return X, 1000 + 300 * X[:, 0] - 200 * X[:, 1] + rng.normal(size=60)


def check_records(records: Mapping[str, Family], **estimators: type) -> None:
    """``records`` serve exactly the tasks of ``estimators`` (task -> the estimator's
    class), are the registry's records, and build those estimators."""
    assert set(records) == set(estimators)
    for task, kind in estimators.items():
        family = records[task]
        assert family.tasks == (task,)
        assert REGISTRIES[task][family.name] is family
        built = make_estimator(family, {}, random_state=0)
        inner = built.regressor if family.scale_target else built
        assert isinstance(inner, kind), (task, type(inner))


def labels(family: Family, task: str) -> set[str]:
    """The hyperopt labels of the family's space for ``task``'s tiny table."""
    return set(Domain(lambda p: 0, family.space(INFO[task])).params)


def classification_only(records: Mapping[str, Family]) -> tuple[set[str], int]:
    """The labels only the classification record searches, and how many the regression
    record searches."""
    classes = labels(records["classification"], "classification")
    regression = labels(records["regression"], "regression")
    return classes - regression, len(regression)


def fits(family: Family, task: str, draws: int = 3) -> None:
    """``draws`` points of the family's space become pipelines that fit the tiny table."""
    X, y = tiny(task)
    schema = describe(X)
    preprocessors = {enc: schema.preprocessor(enc) for enc in ENCODINGS}
    space = build_space([family], INFO[task])
    rng = np.random.default_rng(0)
    for _ in range(draws):
        candidate = decode(stochastic.sample(space, rng=rng))
        pipeline = make_pipeline(candidate, preprocessors, {family.name: family}, random_state=0)
        assert pipeline.fit(X, y).predict(X).shape == y.shape


def default_params(family: Family, task: str, info: DataInfo | None = None) -> dict[str, Any]:
    """The family's default point for ``task`` (on a table of ``info``, by default the
    tiny one), decoded into its hyperparameters."""
    (params,) = all_default_params(family, task, info)
    return params


def all_default_params(
    family: Family, task: str, info: DataInfo | None = None
) -> list[dict[str, Any]]:
    """Every default point of the family for ``task``, in order, decoded."""
    info = INFO[task] if info is None else info
    space = build_space([family], info)
    return [decode(space_eval(space, point)).params for point in default_points([family], info)]
