from __future__ import annotations

import numpy as np
import pytest
from hyperopt import space_eval
from hyperopt.base import Domain
from hyperopt.pyll import stochastic
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

from automodel.families import REGISTRIES, REGISTRY, DataInfo, resolve_families
from automodel.schema import ENCODINGS, describe
from automodel.space import Candidate, build_space, decode, make_pipeline
from tests.conftest import skip_unless_installed

INFO = DataInfo(n_rows=150, n_features=4, n_classes=3, cv=5)


def _preprocessors(X):
    schema = describe(X)
    return {enc: schema.preprocessor(enc) for enc in ENCODINGS}


def test_space_has_one_branch_per_family_and_unique_labels():
    space = build_space(resolve_families("all"), INFO)
    labels = Domain(lambda p: 0, space).params  # raises DuplicateLabel on a clash
    assert "family" in labels
    assert "svm.scaler" in labels and "knn.scaler" in labels
    assert "tree.scaler" not in labels


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_family_decodes_into_a_pipeline_that_fits(name, iris):
    X, y = iris
    skip_unless_installed(REGISTRY[name])
    space = build_space([REGISTRY[name]], INFO)
    rng = np.random.default_rng(0)
    for _ in range(5):
        candidate = decode(stochastic.sample(space, rng=rng))
        assert candidate.family == name
        pipeline = make_pipeline(candidate, _preprocessors(X), random_state=0)
        assert isinstance(pipeline, Pipeline)
        assert [step for step, _ in pipeline.steps] == ["prep", "scale", "model"]
        pipeline.fit(X, y)
        assert pipeline.predict(X).shape == (len(y),)


def test_conditional_kernel_parameters_are_flattened():
    candidate = decode(
        {
            "family": "svm",
            "scaler": "standard",
            "params": {"C": 1.0, "kernel": {"kernel": "poly", "degree": 3, "gamma": 0.1}},
        }
    )
    assert candidate == Candidate(
        "svm", "standard", {"C": 1.0, "kernel": "poly", "degree": 3, "gamma": 0.1}
    )


def test_space_eval_of_a_point_gives_plain_values_not_indices():
    space = build_space([REGISTRY["svm"]], INFO)
    point = {"family": 0, "svm.scaler": 3, "svm.C": 2.0, "svm.kernel": 1, "svm.class_weight": 1}
    config = space_eval(space, point)
    assert decode(config) == Candidate(
        "svm", "normalize", {"C": 2.0, "kernel": "linear", "class_weight": "balanced"}
    )


def test_scaler_choice_becomes_the_scale_step(iris):
    X, _ = iris
    pipe = make_pipeline(Candidate("knn", "standard", {"n_neighbors": 3}), _preprocessors(X))
    assert isinstance(pipe.named_steps["scale"], StandardScaler)
    pipe = make_pipeline(Candidate("knn", "normalize", {"n_neighbors": 3}), _preprocessors(X))
    assert isinstance(pipe.named_steps["scale"], Normalizer)
    pipe = make_pipeline(Candidate("tree", "none", {}), _preprocessors(X))
    assert pipe.named_steps["scale"] == "passthrough"


def test_estimators_are_seeded_and_single_threaded(iris):
    X, _ = iris
    forest = make_pipeline(Candidate("forest", "none", {}), _preprocessors(X), random_state=7)
    assert forest.named_steps["model"].random_state == 7
    assert forest.named_steps["model"].n_jobs == 1
    xgb = make_pipeline(Candidate("xgboost", "none", {}), _preprocessors(X), random_state=7)
    assert xgb.named_steps["model"].n_jobs == 1


def test_each_pipeline_is_a_fresh_object(iris):
    X, _ = iris
    prep = _preprocessors(X)
    a = make_pipeline(Candidate("tree", "none", {}), prep)
    b = make_pipeline(Candidate("tree", "none", {}), prep)
    assert a.named_steps["prep"] is not b.named_steps["prep"]
    assert a.named_steps["model"] is not b.named_steps["model"]


EXPECTED_DEFAULTS = {
    "knn": {"n_neighbors": 5, "weights": "uniform", "p": 2},
    "svm": {"C": 1.0, "kernel": "rbf", "gamma": 0.25, "class_weight": None},
    "tree": {"max_depth": None, "min_samples_leaf": 1, "max_features": None},
    "forest": {"n_estimators": 100, "max_features": "sqrt", "bootstrap": True},
    "extra_trees": {"n_estimators": 100, "max_features": "sqrt", "bootstrap": False},
    "xgboost": {"n_estimators": 100, "learning_rate": 0.3, "max_depth": 6},
    "logreg": {"C": 1.0, "l1_ratio": 0.0},
    "mlp": {"hidden_layer_sizes": (100,), "solver": "adam", "alpha": 1e-4},
    "hgb": {"learning_rate": 0.1, "max_iter": 100, "max_leaf_nodes": 31},
    "lightgbm": {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31},
}


def test_default_points_decode_to_the_well_known_defaults():
    from automodel.space import default_points

    families = resolve_families("all")
    space = build_space(families, INFO)
    points = default_points(families, INFO)
    assert len(points) == len(families) == len(EXPECTED_DEFAULTS)
    for point in points:
        # Every active label is given: space_eval would fail on a missing one.
        candidate = decode(space_eval(space, point))
        expected = EXPECTED_DEFAULTS[candidate.family]
        assert {k: candidate.params[k] for k in expected} == expected, candidate.family
        scaled = REGISTRY[candidate.family].scale
        assert candidate.scaler == ("standard" if scaled else "none")


# -- regression ----------------------------------------------------------------------

REGRESSION = REGISTRIES["regression"]
REGRESSION_INFO = DataInfo(n_rows=150, n_features=4, n_classes=0, cv=5)


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_every_regression_family_decodes_into_a_pipeline_that_fits(name, iris):
    X, _ = iris
    y = X[:, 0] * 10 + np.random.default_rng(0).normal(size=len(X))
    skip_unless_installed(REGRESSION[name])
    space = build_space([REGRESSION[name]], REGRESSION_INFO)
    rng = np.random.default_rng(0)
    for _ in range(5):
        candidate = decode(stochastic.sample(space, rng=rng))
        assert candidate.family == name
        pipeline = make_pipeline(candidate, _preprocessors(X), REGRESSION, random_state=0)
        pipeline.fit(X, y)
        predictions = pipeline.predict(X)
        assert predictions.shape == (len(y),) and np.isfinite(predictions).all()


def test_target_scale_sensitive_families_get_a_standardised_target(iris):
    X, _ = iris
    for name, family in REGRESSION.items():
        candidate = decode(stochastic.sample(build_space([family], REGRESSION_INFO)))
        model = make_pipeline(candidate, _preprocessors(X), REGRESSION).named_steps["model"]
        wrapped = isinstance(model, TransformedTargetRegressor)
        assert wrapped == (name in {"svm", "knn", "linear", "mlp", "torch_mlp"}), name
        if wrapped:
            assert isinstance(model.transformer, StandardScaler)


REGRESSION_DEFAULTS = {
    "knn": {"n_neighbors": 5, "weights": "uniform", "p": 2},
    "svm": {"C": 1.0, "epsilon": 0.1, "kernel": "rbf", "gamma": 0.25},
    "tree": {"max_depth": None, "min_samples_leaf": 1, "max_features": None},
    "forest": {"n_estimators": 100, "max_features": 1.0, "bootstrap": True},
    "extra_trees": {"n_estimators": 100, "max_features": 1.0, "bootstrap": False},
    "xgboost": {"n_estimators": 100, "learning_rate": 0.3, "max_depth": 6},
    "linear": {"penalty": "l2", "alpha": 1.0},
    "mlp": {"hidden_layer_sizes": (100,), "solver": "adam", "alpha": 1e-4},
    "hgb": {"learning_rate": 0.1, "max_iter": 100, "max_leaf_nodes": 31},
    "lightgbm": {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31},
}


def test_regression_default_points_decode_to_scikit_learns_defaults():
    from automodel.space import default_points

    families = resolve_families("all", "regression")
    space = build_space(families, REGRESSION_INFO)
    points = default_points(families, REGRESSION_INFO)
    assert len(points) == len(families) == len(REGRESSION_DEFAULTS)
    for point in points:
        candidate = decode(space_eval(space, point))
        expected = REGRESSION_DEFAULTS[candidate.family]
        assert {k: candidate.params[k] for k in expected} == expected, candidate.family


class _SeedParam(ClassifierMixin, BaseEstimator):
    """An estimator whose seed parameter is not called random_state."""

    def __init__(self, seed=None, alpha=1.0):
        self.seed = seed
        self.alpha = alpha


def test_a_family_says_how_the_seed_reaches_its_estimator():
    from automodel import Family
    from automodel.space import make_estimator

    by_name = Family("seeded", _SeedParam, lambda info: {}, seed="seed")
    assert make_estimator(by_name, {"alpha": 2.0}, 7).get_params() == {"seed": 7, "alpha": 2.0}
    unseeded = Family("plain", _SeedParam, lambda info: {})
    assert make_estimator(unseeded, {}, 7).seed is None  # no random_state: nothing to set

    def hook(estimator, seed):
        return estimator.set_params(seed=seed * 10)

    by_hook = Family("hooked", _SeedParam, lambda info: {}, seed=hook)
    assert make_estimator(by_hook, {}, 7).seed == 70


class _Float32Only(ClassifierMixin, BaseEstimator):
    """Refuses input that is not float32 (as a torch net does)."""

    def fit(self, X, y):
        assert X.dtype == np.float32, X.dtype
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        assert X.dtype == np.float32, X.dtype
        return np.full(len(X), self.classes_[0])


def test_a_family_puts_its_own_steps_in_front_of_its_model(iris):
    from sklearn.preprocessing import FunctionTransformer

    from automodel import Family

    cast = FunctionTransformer(lambda X: np.asarray(X, dtype=np.float32))
    family = Family("f32", _Float32Only, lambda info: {}, steps=[("float32", cast)])
    X, y = iris
    preprocessors = {"onehot": describe(X).preprocessor("onehot")}
    pipeline = make_pipeline(Candidate("f32", "none", {}), preprocessors, {"f32": family})
    assert [name for name, _ in pipeline.steps] == ["prep", "scale", "float32", "model"]
    assert pipeline.named_steps["float32"] is not cast  # a clone per pipeline
    assert pipeline.fit(X, y).predict(X).shape == (len(y),)
    with pytest.raises(ValueError, match="step names must be distinct and not prep"):
        Family("bad", _Float32Only, lambda info: {}, steps=[("model", cast)])


# -- the first points: a learned portfolio, then the defaults it leaves out -----------


def _portfolio():
    """Two knn points and one forest point, as ``benchmarks.portfolio build`` writes."""
    knn = {"knn.weights": 1, "knn.p": 0, "knn.scaler": 1}
    forest = {"forest.n_estimators": 50, "forest.criterion": 0, "forest.max_depth": 0}
    forest |= {"forest.max_features": 0, "forest.min_samples_leaf": 3, "forest.bootstrap": 0}
    return [
        {"id": "knn/3", "family": "knn", "point": {"knn.n_neighbors": 11.0, **knn}},
        {"id": "forest/2", "family": "forest", "point": {**forest, "forest.class_weight": 0}},
        {"id": "knn/7", "family": "knn", "point": {"knn.n_neighbors": 3.0, **knn}},
        {"id": "catboost/1", "family": "not_searched", "point": {}},
    ]


def test_first_points_queue_the_portfolio_then_the_defaults_it_leaves_out():
    from automodel.space import default_points, first_points

    families = resolve_families(["logreg", "knn", "forest"])
    points = first_points(families, INFO, "classification", _portfolio())
    space = build_space(families, INFO)
    decoded = [decode(space_eval(space, p)) for p in points]
    assert [c.family for c in decoded] == ["knn", "forest", "knn", "logreg"]
    assert decoded[0].params["n_neighbors"] == 11 and decoded[2].params["n_neighbors"] == 3
    assert decoded[1].params["min_samples_leaf"] == 3
    assert decoded[3].params["C"] == 1.0  # logreg: not in the portfolio, its default
    assert first_points(families, INFO, "classification", []) == default_points(families, INFO)


def test_a_portfolio_is_read_from_its_task_file(tmp_path):
    from automodel.portfolio import load_portfolio

    assert load_portfolio("classification", tmp_path) == []
    written = '{"candidates": [{"id": "a", "family": "knn", "point": {}}]}'
    (tmp_path / "classification.json").write_text(written)
    assert load_portfolio("classification", tmp_path)[0]["id"] == "a"


def test_a_search_evaluates_the_portfolio_first(iris, monkeypatch):
    import automodel.space
    from automodel import AutoModelClassifier

    monkeypatch.setattr(automodel.space, "load_portfolio", lambda task: _portfolio())
    model = AutoModelClassifier(max_evals=4, families=["knn", "forest"], cv=3, random_state=0)
    model.fit(*iris)
    params = model.cv_results_["params"]
    assert [p["family"] for p in params[:3]] == ["knn", "forest", "knn"]
    assert params[0]["n_neighbors"] == 11 and params[2]["n_neighbors"] == 3
