"""The family record and the registry (automodel.families, its _base): what a family
declares, one declaration's records per task, presets and resolving the option."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from hyperopt import hp, space_eval
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

import automodel.families
from automodel.families import (
    DEFAULT_FAMILIES,
    FAMILIES,
    LARGE_ROWS,
    PRESETS,
    REGISTRIES,
    REGISTRY,
    DataInfo,
    Family,
    resolve_families,
)
from automodel.families._base import SCALED, PerTask, by_task
from automodel.space import build_space, default_points

INFO = DataInfo(n_rows=150, n_features=4, n_classes=3, cv=5)


def test_fold_rows_is_the_smallest_training_fold():
    assert DataInfo(n_rows=10, n_features=1, n_classes=2, cv=3).fold_rows == 6
    assert INFO.fold_rows == 120


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_label_is_prefixed_by_its_family(name):
    from hyperopt.base import Domain

    family = REGISTRY[name]
    labels = Domain(lambda p: 0, family.space(INFO)).params
    assert labels, name
    assert all(label.startswith(f"{name}.") for label in labels), labels


def test_scale_is_searched_only_for_scale_sensitive_families():
    scaled = {"knn", "svm", "logreg", "mlp", "torch_mlp"}
    assert {n for n, f in REGISTRY.items() if f.scale} == scaled


def test_a_family_of_a_missing_extra_names_what_to_install():
    needy = Family(
        "needy", KNeighborsClassifier, lambda info: {}, requires=("no_such_module_4711",)
    )
    with pytest.raises(
        ImportError,
        match="needs no_such_module_4711, which is not installed: pip install no_such_module_4711",
    ):
        resolve_families(["knn", needy])
    custom = Family(
        "needy",
        KNeighborsClassifier,
        lambda info: {},
        requires=("no_such_module_4711",),
        install="conda install x",
    )
    with pytest.raises(ImportError, match="conda install x"):
        resolve_families([custom])


def test_resolve_defaults_and_restriction():
    assert [f.name for f in resolve_families(None)] == list(DEFAULT_FAMILIES)
    assert [f.name for f in resolve_families(["svm", "knn"])] == ["svm", "knn"]
    assert [f.name for f in resolve_families("tree")] == ["tree"]
    assert [f.name for f in resolve_families(["tree", "tree"])] == ["tree"]


def test_unknown_family_lists_the_valid_names():
    valid = (
        "catboost, extra_trees, forest, hgb, knn, lightgbm, logreg, mlp, svm, torch_mlp, tree, "
        "xgboost"
    )
    with pytest.raises(ValueError, match=rf"Unknown family 'svn'.*{valid}"):
        resolve_families(["svn"])


def test_empty_family_list_is_an_error():
    with pytest.raises(ValueError, match="`families` is empty"):
        resolve_families([])


def test_a_custom_family_is_one_record():
    mine = Family(
        "myknn",
        KNeighborsClassifier,
        lambda info: {"n_neighbors": hp.choice("myknn.n_neighbors", [3, 5])},
        scale=True,
    )
    assert resolve_families(["tree", mine]) == [REGISTRY["tree"], mine]
    assert mine.label("n_neighbors") == "myknn.n_neighbors"


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_presets_of_each_task(task):
    assert [f.name for f in resolve_families("classic", task)] == ["knn", "svm", "tree", "forest"]
    optional = {"torch_mlp", "catboost"}  # an extra's family is never in a preset
    assert {f.name for f in resolve_families("all", task)} == set(REGISTRIES[task]) - optional
    defaults = [f.name for f in resolve_families(None, task)]
    assert defaults[1:] == ["forest", "xgboost", "svm", "extra_trees", "knn"]
    assert defaults[0] == ("logreg" if task == "classification" else "linear")
    assert all(f.serves(task) for f in resolve_families("all", task))


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_large_table_searches_the_large_preset_unless_families_are_named(task):
    linear = "logreg" if task == "classification" else "linear"
    large = ["lightgbm", linear, "xgboost", "forest", "extra_trees"]
    assert [f.name for f in resolve_families(None, task, rows=LARGE_ROWS)] == large
    assert [f.name for f in resolve_families("large", task)] == large
    below = [f.name for f in resolve_families(None, task, rows=LARGE_ROWS - 1)]
    assert "svm" in below and "lightgbm" not in below
    named = [f.name for f in resolve_families("default", task, rows=10 * LARGE_ROWS)]
    assert "svm" in named and "knn" in named  # named presets are kept on any table
    # Forests train on a row sample on any table (SVM and KNN keep their own caps).
    caps = {f.name: f.max_rows for f in resolve_families("all", task)}
    assert caps["forest"] == caps["extra_trees"] == 200_000 and caps["xgboost"] is None


@pytest.mark.parametrize("name", sorted(REGISTRIES["regression"]))
def test_every_regression_label_is_prefixed_by_its_family(name):
    from hyperopt.base import Domain

    family = REGISTRIES["regression"][name]
    labels = Domain(lambda p: 0, family.space(INFO)).params
    assert labels and all(label.startswith(f"{name}.") for label in labels), labels


def test_a_family_says_which_task_it_serves():
    from sklearn.linear_model import Ridge

    space = lambda info: {}  # noqa: E731
    assert Family("r", Ridge, space).tasks == ("regression",)
    assert Family("c", KNeighborsClassifier, space).tasks == ("classification",)
    both = Family("b", lambda **kw: Ridge(), space, tasks=("classification", "regression"))
    assert both.serves("classification") and both.serves("regression")
    with pytest.raises(ValueError, match=r"cannot tell whether.*tasks="):
        Family("x", lambda **kw: object(), space)
    with pytest.raises(ValueError, match=r"tasks must be"):
        Family("y", Ridge, space, tasks=("ranking",))


def test_a_family_of_the_other_task_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'linear' is a regression family.*logreg"):
        resolve_families(["linear"], "classification")
    mine = Family("mine", KNeighborsClassifier, lambda info: {})
    with pytest.raises(ValueError, match=r"'mine' serves classification.*regression search"):
        resolve_families([mine], "regression")


def test_a_space_sees_the_width_after_encoding():
    import pandas as pd
    from sklearn.linear_model import RidgeClassifier

    from automodel import AutoModelClassifier, Family
    from tests.conftest import PENGUINS

    seen = []

    def space(info):
        seen.append(info)
        return {"alpha": hp.loguniform("seen.alpha", -3, 3)}

    table = pd.read_csv(PENGUINS)
    X, y = table.drop(columns="species"), table["species"]
    family = Family("seen", RidgeClassifier, space)
    AutoModelClassifier(families=[family], max_evals=2, cv=3, trial_timeout=None).fit(X, y)
    info = seen[0]
    assert (info.n_rows, info.n_features) == X.shape
    # island (3 values) and sex (2 values and missing) become one column per value.
    assert info.n_encoded == 5 + 3 + 3


def test_by_task_writes_the_shared_arguments_once():
    def space(info):
        return {
            "n_neighbors": hp.choice("mine.n_neighbors", [3, 5]),
            "weights": PerTask(regression=hp.choice("mine.weights", ["uniform", "distance"])),
        }

    def default(info):
        return {"mine.n_neighbors": 0, "mine.weights": PerTask(regression=1)}

    records = by_task("mine", (KNeighborsClassifier, KNeighborsRegressor), space, default, **SCALED)
    classifier, regressor = records["classification"], records["regression"]
    assert (classifier.tasks, regressor.tasks) == (("classification",), ("regression",))
    assert classifier.name == regressor.name == "mine" and classifier.scale and regressor.scale
    assert (classifier.scale_target, regressor.scale_target) == (False, True)
    assert list(classifier.space(INFO)) == ["n_neighbors"]
    assert list(regressor.space(INFO)) == ["n_neighbors", "weights"]
    assert classifier.default(INFO) == {"mine.n_neighbors": 0}
    assert regressor.default(INFO) == {"mine.n_neighbors": 0, "mine.weights": 1}
    # A task's own arguments override the shared ones; None: the task is not served.
    own = by_task("mine", (KNeighborsClassifier, None), space, regression={"name": "x"})
    assert list(own) == ["classification"] and own["classification"].name == "mine"
    renamed = by_task("mine", (None, KNeighborsRegressor), space, regression={"name": "x"})
    assert renamed["regression"].name == "x" and renamed["regression"].default is None


def test_a_family_may_give_several_default_points_queued_in_order():
    def space(info):
        return {"n_neighbors": hp.choice("mine.n_neighbors", [3, 5, 7])}

    def default(info):
        return [{"mine.n_neighbors": 2}, {"mine.n_neighbors": PerTask(regression=1)}]

    records = by_task("mine", (KNeighborsClassifier, KNeighborsRegressor), space, default, **SCALED)
    assert records["classification"].default(INFO) == [{"mine.n_neighbors": 2}, {}]
    regressor = records["regression"]
    points = default_points([regressor], INFO)
    # Each point a raw point of the space, with the scaler a scaled family starts from.
    assert [p["mine.n_neighbors"] for p in points] == [2, 1]
    assert all(p["family"] == 0 and p["mine.scaler"] == points[0]["mine.scaler"] for p in points)
    space_of = build_space([regressor], INFO)
    assert [space_eval(space_of, p)["params"]["n_neighbors"] for p in points] == [7, 5]


def test_a_per_task_entry_can_differ_or_be_absent():
    def space(info):
        return {"a": 1, "b": PerTask(classification=2, regression=3), "c": PerTask(regression=4)}

    estimators = {"classification": KNeighborsClassifier, "regression": KNeighborsRegressor}
    records = by_task("x", tuple(estimators.values()), space)
    assert records["classification"].space(INFO) == {"a": 1, "b": 2}
    assert records["regression"].space(INFO) == {"a": 1, "b": 3, "c": 4}
    assert records["regression"].default is None


def test_the_registries_list_every_declaration_in_order():
    for task, registry in REGISTRIES.items():
        assert list(registry.values()) == [records[task] for records in FAMILIES]
    names = [
        "knn",
        "svm",
        "tree",
        "forest",
        "xgboost",
        "extra_trees",
        "logreg",
        "mlp",
        "hgb",
        "torch_mlp",
        "lightgbm",
        "catboost",
    ]
    assert list(REGISTRY) == names
    assert list(REGISTRIES["regression"]) == [*names[:6], "linear", *names[7:]]
    extras = ("torch_mlp", "catboost")
    assert PRESETS["regression"]["all"] == tuple(
        name for name in REGISTRIES["regression"] if name not in extras
    )


def test_every_family_module_is_registered():
    """A new family module whose records are not in FAMILIES would be silently unused."""
    declared = []
    for info in pkgutil.iter_modules(automodel.families.__path__):
        module = importlib.import_module(f"automodel.families.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, dict)
                and value
                and all(isinstance(f, Family) for f in value.values())
            ):
                declared.append(value)
    assert len(declared) == len(FAMILIES)
    assert all(any(records is f for f in FAMILIES) for records in declared)
