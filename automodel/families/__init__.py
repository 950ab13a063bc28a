"""Estimator families: one module per estimator kind, one registry for both tasks.

A family says which scikit-learn estimator to build, which hyperparameters to
search (a dict of hyperopt expressions, built from what is known about the
data), whether a scaling step is searched in front of it, and how categorical
columns should be encoded for it. Each family module declares its family once
for both tasks (``_base.by_task``: one :class:`Family` record per task it
serves). Adding a family is one new module and its line in ``FAMILIES`` (with
the module's name in the import above it); nothing else in automodel names a family.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from automodel.families import (
    boosting,
    catboost,
    knn,
    lightgbm,
    linear,
    mlp,
    svm,
    torch_mlp,
    trees,
)
from automodel.families._base import LARGE_ROWS, TASK_NAMES, DataInfo, Family

__all__ = [
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "LARGE_ROWS",
    "PRESETS",
    "REGISTRIES",
    "REGISTRY",
    "DataInfo",
    "Family",
    "resolve_families",
]

#: Every built-in family, each as its records by task, in the registries' order.
FAMILIES: tuple[Mapping[str, Family], ...] = (
    knn.KNN,
    svm.SVM,
    trees.TREE,
    trees.FOREST,
    boosting.XGBOOST,
    trees.EXTRA_TREES,
    linear.LINEAR,
    mlp.MLP,
    boosting.HGB,
    torch_mlp.TORCH_MLP,
    lightgbm.LIGHTGBM,
    catboost.CATBOOST,
)

#: The built-in families of each task, by name.
REGISTRIES: dict[str, dict[str, Family]] = {
    task: {records[task].name: records[task] for records in FAMILIES if task in records}
    for task in TASK_NAMES
}


def _names(families: Sequence[Mapping[str, Family]], task: str) -> tuple[str, ...]:
    return tuple(records[task].name for records in families)


#: The compact default space. Defaults are evaluated in this order: the cheapest strong
#: one first (so a tight time budget still returns a model), then the tree ensembles.
#: Decision trees are dominated by the forests, MLPs need more trials than a ~50-trial
#: budget gives, and HistGradientBoosting overlaps XGBoost: all three are in "all".
_DEFAULT = (linear.LINEAR, trees.FOREST, boosting.XGBOOST, svm.SVM, trees.EXTRA_TREES, knn.KNN)
#: The original design's four.
_CLASSIC = (knn.KNN, svm.SVM, trees.TREE, trees.FOREST)
#: The default on large tables (``families=None`` from :data:`LARGE_ROWS` rows): no SVM
#: or KNN (trained on row caps they cannot win there, and KNN's predictions on the
#: validation rows alone outrun the trial limit), LightGBM in and first: its default
#: points there are two large models (``lightgbm._default``), and evaluated first they
#: meet few rivals at each screening rung on their way to all the rows.
_LARGE = (lightgbm.LIGHTGBM, linear.LINEAR, boosting.XGBOOST, trees.FOREST, trees.EXTRA_TREES)

#: The presets of each task: "default", "all", "classic". None holds a family of an
#: optional extra (torch_mlp): it is used only when named.
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    task: {
        "default": _names(_DEFAULT, task),
        "all": tuple(name for name, family in REGISTRIES[task].items() if not family.requires),
        "classic": _names(_CLASSIC, task),
        "large": _names(_LARGE, task),
    }
    for task in TASK_NAMES
}
#: The classification registry and default set (the names of earlier versions).
REGISTRY = REGISTRIES["classification"]
DEFAULT_FAMILIES = PRESETS["classification"]["default"]


def _unknown(item: Any, task: str) -> ValueError:
    registry = REGISTRIES[task]
    for other in TASK_NAMES:
        if other != task and item in REGISTRIES[other]:
            return ValueError(
                f"Family {item!r} is a {other} family, but this is a {task} search. "
                f"{task.capitalize()} families: {', '.join(sorted(registry))}."
            )
    presets = " / ".join(repr(p) for p in PRESETS[task])
    close = difflib.get_close_matches(str(item), [*registry, *PRESETS[task]], n=1)
    guess = f"Did you mean {close[0]!r}? " if close else ""
    return ValueError(
        f"Unknown family {item!r} in `families`. {guess}Valid names: "
        f"{', '.join(sorted(registry))} (or {presets}, or an automodel.Family record)."
    )


def _check_serves(family: Family, task: str) -> Family:
    if not family.serves(task):
        served = " and ".join(family.tasks or ())
        raise ValueError(
            f"Family {family.name!r} serves {served}, but this is a {task} search; use a "
            f"{task} estimator, or give the record tasks=({task!r},) if it serves both."
        )
    return family


def resolve_families(
    families: Any, task: str = "classification", rows: int | None = None
) -> list[Family]:
    """Turn the user's ``families`` option into a list of family records for ``task``.

    ``None`` gives the default set, or the "large" set on a table of ``rows`` >=
    :data:`LARGE_ROWS`; ``"default"`` the default set, ``"all"`` every registered
    family, ``"classic"`` KNN / SVM / decision tree / random forest, ``"large"``
    LightGBM / linear / XGBoost / random forest / extra trees; otherwise each item is
    a family name, a preset name or a :class:`Family` that serves ``task``.
    """
    if task not in REGISTRIES:
        raise ValueError(f"task must be one of {TASK_NAMES}, got {task!r}.")
    registry, presets = REGISTRIES[task], PRESETS[task]
    if families is None:
        families = "large" if rows is not None and rows >= LARGE_ROWS else "default"
    if isinstance(families, str) and families in presets:
        return [registry[name] for name in presets[families]]
    if isinstance(families, (str, Family)):
        families = [families]
    resolved: list[Family] = []
    for item in families:
        if isinstance(item, Family):
            found = [_check_serves(item, task)]
        elif isinstance(item, str) and item in presets:
            found = resolve_families(item, task)
        elif isinstance(item, str) and item in registry:
            found = [registry[item]]
        else:
            raise _unknown(item, task)
        resolved.extend(f for f in found if f.name not in {r.name for r in resolved})
    if not resolved:
        raise ValueError("`families` is empty: name at least one family, or pass None.")
    for family in resolved:
        family.check_installed()
    return resolved
