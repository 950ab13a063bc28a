from __future__ import annotations

import pytest
from hyperopt import hp
from hyperopt.pyll import stochastic
from sklearn.neighbors import KNeighborsClassifier

from automodel.families import (
    DEFAULT_FAMILIES,
    REGISTRIES,
    REGISTRY,
    DataInfo,
    Family,
    resolve_families,
)

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


def test_knn_neighbours_never_exceed_a_training_fold():
    tiny = DataInfo(n_rows=12, n_features=2, n_classes=2, cv=4)
    space = REGISTRY["knn"].space(tiny)
    draws = [
        stochastic.sample(space, rng=__import__("numpy").random.default_rng(s)) for s in range(200)
    ]
    assert max(d["n_neighbors"] for d in draws) <= tiny.fold_rows
    assert min(d["n_neighbors"] for d in draws) >= 1
    assert all(isinstance(d["n_neighbors"], int) for d in draws)


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
    valid = "extra_trees, forest, hgb, knn, logreg, mlp, svm, torch_mlp, tree, xgboost"
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
    optional = {"torch_mlp"}  # an extra's family is never in a preset
    assert {f.name for f in resolve_families("all", task)} == set(REGISTRIES[task]) - optional
    defaults = [f.name for f in resolve_families(None, task)]
    assert defaults[1:] == ["forest", "xgboost", "svm", "extra_trees", "knn"]
    assert defaults[0] == ("logreg" if task == "classification" else "linear")
    assert all(f.serves(task) for f in resolve_families("all", task))


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
