"""The systems the benchmark compares, each fitted on the search part of a split.

Every system is a function ``fit(X, y, seed, budget) -> Fitted``: ``X`` is the
search part (a DataFrame), ``y`` its labels encoded 0..n-1 (the regression
variants, in ``regression_systems.py``, take the target as floats). ``Fitted`` holds a
``predict`` callable, the system's own CV score of its choice, the number of
candidates it evaluated and how many of them failed.

The baselines share one plain scikit-learn column step (:func:`column_step`):
median imputation for numbers; most-frequent imputation then one-hot (for KNN
and SVM) or ordinal codes (for trees) for text columns. Every estimator is
single-threaded, as automodel's are, so wall times compare.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC
from xgboost import XGBClassifier

from automodel.families import DEFAULT_FAMILIES
from benchmarks import autogluon_peer
from benchmarks.presets import STUDY_SETTINGS, SYSTEM_ORDER
from benchmarks.system_parts import (
    SCALERS,
    SVC_MAX_ITER,
    Budget,
    Fitted,
    LogUniformInt,
    OneOf,
    column_step,
    knn_high,
    make_scaler,
    xgboost_distributions,
)

__all__ = ["SYSTEMS", "Budget", "Fitted", "LogUniformInt", "OneOf", "column_step"]


def _folds(cv: int, seed: int) -> StratifiedKFold:
    return StratifiedKFold(cv, shuffle=True, random_state=seed)


def _xgb(seed: int, **params: Any) -> XGBClassifier:
    return XGBClassifier(tree_method="hist", verbosity=0, n_jobs=1, random_state=seed, **params)


# -- the systems ------------------------------------------------------------------


def _automodel(
    algo: str, task: str = "classification", **settings: Any
) -> Callable[[pd.DataFrame, np.ndarray, int, Budget], Fitted]:
    """automodel with ``algo`` (and ``settings``), every other option at its default
    (``AutoModelRegressor`` for ``task="regression"``)."""

    def fit(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
        from automodel import AutoModelClassifier, AutoModelRegressor

        estimator = AutoModelRegressor if task == "regression" else AutoModelClassifier
        model = estimator(
            max_evals=budget.max_evals,
            cv=budget.cv,
            algo=algo,
            random_state=seed,
            **settings,
        ).fit(X, y)
        status = list(model.cv_results_["status"])
        single = getattr(model, "best_single_estimator_", None)
        variants = {}
        if single is not None and single is not model.best_estimator_:
            variants["single"] = _single_predict(model, single)
        return Fitted(
            predict=model.predict,
            variants=variants,
            cv_score=float(model.best_score_),
            n_evals=len(status),
            n_failures=sum(s != "ok" for s in status),
            details={
                "best_family": model.best_params_.get("family"),
                "stop_reason": getattr(model, "stop_reason_", None),
                "n_jobs": model.n_jobs,
                "search_time": getattr(model, "search_time_", None),
                "refit_time": getattr(model, "refit_time_", None),
                "ensemble_time": getattr(model, "ensemble_time_", None),
                "ensemble_members": getattr(model, "ensemble_members_", None),
                "ensemble_weights": getattr(model, "ensemble_weights_", None),
                "ensemble_score": _finite(getattr(model, "ensemble_score_", None)),
                "bagged": getattr(model, "bagged_", None),
            },
        )

    return fit


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _single_predict(model: Any, single: BaseEstimator) -> Callable[[Any], np.ndarray]:
    """Predict with the search's single best pipeline, as the model would without ensemble."""

    def predict(X: Any) -> np.ndarray:
        values = single.predict(model._prepare(X))
        return model.classes_[values] if hasattr(model, "classes_") else np.asarray(values)

    return predict


def fit_rf_default(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
    """A default random forest; its CV score from ``budget.cv`` stratified folds."""
    pipeline = Pipeline(
        [("prep", column_step(X, "ordinal")), ("model", RandomForestClassifier(random_state=seed))]
    )
    scores = cross_val_score(pipeline, X, y, cv=_folds(budget.cv, seed))
    pipeline.fit(X, y)
    return Fitted(pipeline.predict, float(np.mean(scores)), 1, 0, {"best_family": "forest"})


def _forest_distributions(model: BaseEstimator, max_features: Any) -> dict[str, Any]:
    """Random forest and extra trees: the same distributions, as in automodel."""
    return {
        "model": [model],
        "model__n_estimators": LogUniformInt(10, 500),
        "model__criterion": ["gini", "entropy"],
        "model__max_depth": OneOf([None, randint(2, 31)]),
        "model__max_features": max_features,
        "model__min_samples_leaf": LogUniformInt(1, 20),
        "model__bootstrap": [True, False],
        "model__class_weight": [None, "balanced"],
    }


def random_search_space(X: pd.DataFrame, cv: int, seed: int) -> list[dict[str, Any]]:
    """One param-distribution dict per family of automodel's default set.

    RandomizedSearchCV picks a dict uniformly per candidate, as ``hp.choice``
    picks a family. Log-uniform where automodel is (C, gamma, learning_rate,
    reg_*, min_child_weight; counts through :class:`LogUniformInt`).
    Logistic regression draws its penalty (L2, L1 or elastic net) as automodel does,
    but fits all three with saga, where automodel fits L2 with lbfgs.
    """
    onehot, ordinal = column_step(X, "onehot"), column_step(X, "ordinal")
    scalers = [make_scaler(name) for name in SCALERS]
    max_features = OneOf(["sqrt", "log2", uniform(0.1, 0.9)])
    return [
        {
            "prep": [onehot],
            "scale": scalers,
            "model": [LogisticRegression(max_iter=1000, solver="saga")],
            "model__C": loguniform(1e-4, 1e3),
            "model__l1_ratio": OneOf([0.0, 1.0, uniform(0.05, 0.9)]),
            "model__class_weight": [None, "balanced"],
        },
        {"prep": [ordinal], "scale": ["passthrough"]}
        | _forest_distributions(RandomForestClassifier(random_state=seed, n_jobs=1), max_features),
        xgboost_distributions(ordinal, _xgb(seed)),
        {
            "prep": [onehot],
            "scale": scalers,
            "model": [SVC(max_iter=SVC_MAX_ITER, random_state=seed)],
            "model__C": loguniform(1e-3, 1e3),
            "model__kernel": ["rbf", "linear", "poly", "sigmoid"],
            "model__gamma": loguniform(1e-4, 10.0),
            "model__degree": randint(2, 5),
            "model__coef0": uniform(-1.0, 2.0),
            "model__class_weight": [None, "balanced"],
        },
        {"prep": [ordinal], "scale": ["passthrough"]}
        | _forest_distributions(ExtraTreesClassifier(random_state=seed, n_jobs=1), max_features),
        {
            "prep": [onehot],
            "scale": scalers,
            "model": [KNeighborsClassifier()],
            "model__n_neighbors": LogUniformInt(1, knn_high(len(X), cv)),
            "model__weights": ["uniform", "distance"],
            "model__p": [1, 2],
        },
    ]


_FAMILY_OF = {
    KNeighborsClassifier: "knn",
    SVC: "svm",
    RandomForestClassifier: "forest",
    ExtraTreesClassifier: "extra_trees",
    LogisticRegression: "logreg",
    XGBClassifier: "xgboost",
}


def _family(estimator: BaseEstimator) -> str:
    return _FAMILY_OF.get(type(estimator), type(estimator).__name__)


def fit_random_search(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
    """scikit-learn's RandomizedSearchCV over the default six families, ``max_evals`` candidates."""
    pipeline = Pipeline(
        [("prep", "passthrough"), ("scale", "passthrough"), ("model", KNeighborsClassifier())]
    )
    search = RandomizedSearchCV(
        pipeline,
        random_search_space(X, budget.cv, seed),
        n_iter=budget.max_evals,
        cv=_folds(budget.cv, seed),
        error_score=np.nan,
        random_state=seed,
    ).fit(X, y)
    means = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    return Fitted(
        predict=search.predict,
        cv_score=float(search.best_score_),
        n_evals=len(means),
        n_failures=int(np.isnan(means).sum()),
        details={"best_family": _family(search.best_estimator_.named_steps["model"])},
    )


def _optuna_pipeline(trial: Any, X: pd.DataFrame, cv: int, seed: int) -> Pipeline:
    """automodel's space written with Optuna's define-by-run suggestions."""
    family = trial.suggest_categorical("family", list(DEFAULT_FAMILIES))
    scaler = "none"
    if family in ("knn", "svm", "logreg"):
        scaler = trial.suggest_categorical(f"{family}.scaler", list(SCALERS))
    if family == "knn":
        model: Any = KNeighborsClassifier(
            n_neighbors=trial.suggest_int("knn.n_neighbors", 1, knn_high(len(X), cv), log=True),
            weights=trial.suggest_categorical("knn.weights", ["uniform", "distance"]),
            p=trial.suggest_categorical("knn.p", [1, 2]),
        )
    elif family == "svm":
        kernel = trial.suggest_categorical("svm.kernel", ["rbf", "linear", "poly", "sigmoid"])
        params: dict[str, Any] = {"C": trial.suggest_float("svm.C", 1e-3, 1e3, log=True)}
        if kernel != "linear":
            params["gamma"] = trial.suggest_float(f"svm.{kernel}.gamma", 1e-4, 10.0, log=True)
        if kernel == "poly":
            params["degree"] = trial.suggest_int("svm.poly.degree", 2, 4)
            params["coef0"] = trial.suggest_float("svm.poly.coef0", 0.0, 1.0)
        if kernel == "sigmoid":
            params["coef0"] = trial.suggest_float("svm.sigmoid.coef0", -1.0, 1.0)
        params["class_weight"] = trial.suggest_categorical("svm.class_weight", [None, "balanced"])
        model = SVC(kernel=kernel, max_iter=SVC_MAX_ITER, random_state=seed, **params)
    elif family == "logreg":
        penalty = trial.suggest_categorical("logreg.penalty", ["l2", "l1", "elasticnet"])
        l1_ratio = {"l2": 0.0, "l1": 1.0}.get(penalty)
        if l1_ratio is None:
            l1_ratio = trial.suggest_float("logreg.l1_ratio", 0.05, 0.95)
        model = LogisticRegression(
            C=trial.suggest_float("logreg.C", 1e-4, 1e3, log=True),
            l1_ratio=l1_ratio,
            solver="lbfgs" if penalty == "l2" else "saga",
            class_weight=trial.suggest_categorical("logreg.class_weight", [None, "balanced"]),
            max_iter=1000,
        )
    elif family in ("forest", "extra_trees"):
        depth = trial.suggest_categorical(f"{family}.depth_limited", [False, True])
        fraction = trial.suggest_categorical(f"{family}.max_features", ["sqrt", "log2", "frac"])
        forest = RandomForestClassifier if family == "forest" else ExtraTreesClassifier
        model = forest(
            n_estimators=trial.suggest_int(f"{family}.n_estimators", 10, 500, log=True),
            criterion=trial.suggest_categorical(f"{family}.criterion", ["gini", "entropy"]),
            max_depth=trial.suggest_int(f"{family}.max_depth", 2, 30) if depth else None,
            max_features=(
                trial.suggest_float(f"{family}.max_features_fraction", 0.1, 1.0)
                if fraction == "frac"
                else fraction
            ),
            min_samples_leaf=trial.suggest_int(f"{family}.min_samples_leaf", 1, 20, log=True),
            bootstrap=trial.suggest_categorical(f"{family}.bootstrap", [True, False]),
            class_weight=trial.suggest_categorical(f"{family}.class_weight", [None, "balanced"]),
            random_state=seed,
            n_jobs=1,
        )
    else:
        model = _xgb(
            seed,
            n_estimators=trial.suggest_int("xgboost.n_estimators", 20, 500, log=True),
            learning_rate=trial.suggest_float("xgboost.learning_rate", 0.01, 0.5, log=True),
            max_depth=trial.suggest_int("xgboost.max_depth", 2, 10),
            subsample=trial.suggest_float("xgboost.subsample", 0.5, 1.0),
            colsample_bytree=trial.suggest_float("xgboost.colsample_bytree", 0.4, 1.0),
            min_child_weight=trial.suggest_float("xgboost.min_child_weight", 0.5, 20.0, log=True),
            reg_lambda=trial.suggest_float("xgboost.reg_lambda", 1e-3, 10.0, log=True),
            reg_alpha=trial.suggest_float("xgboost.reg_alpha", 1e-4, 1.0, log=True),
        )
    encoding = "onehot" if family in ("knn", "svm", "logreg") else "ordinal"
    return Pipeline(
        [("prep", column_step(X, encoding)), ("scale", make_scaler(scaler)), ("model", model)]
    )


def fit_optuna_tpe(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
    """Optuna's TPESampler(seed) over the default six families, ``max_evals`` trials."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folds = _folds(budget.cv, seed)

    def objective(trial: Any) -> float:
        pipeline = _optuna_pipeline(trial, X, budget.cv, seed)
        return float(np.mean(cross_val_score(pipeline, X, y, cv=folds, error_score="raise")))

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=budget.max_evals, catch=(Exception,))
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise RuntimeError(f"all {len(study.trials)} Optuna trials failed")
    best = study.best_trial
    pipeline = _optuna_pipeline(optuna.trial.FixedTrial(best.params), X, budget.cv, seed)
    pipeline.fit(X, y)
    return Fitted(
        predict=pipeline.predict,
        cv_score=float(best.value),
        n_evals=len(study.trials),
        n_failures=len(study.trials) - len(complete),
        details={"best_family": best.params["family"]},
    )


#: FLAML's default classification learners and the package each needs.
FLAML_LEARNERS: dict[str, str] = {
    "lgbm": "lightgbm",
    "rf": "sklearn",
    "catboost": "catboost",
    "xgboost": "xgboost",
    "extra_tree": "sklearn",
    "xgb_limitdepth": "xgboost",
    "lrl1": "sklearn",
}


def _flaml(
    task: str, metric: str, candidates: dict[str, str]
) -> Callable[[pd.DataFrame, np.ndarray, int, Budget], Fitted]:
    """FLAML's AutoML for ``task``, optimising ``metric``; the learners of ``candidates``
    whose package is installed."""

    def fit(X: pd.DataFrame, y: np.ndarray, seed: int, budget: Budget) -> Fitted:
        return _fit_flaml(X, y, seed, budget, task, metric, candidates)

    fit.__doc__ = f"FLAML's AutoML ({task}, metric {metric!r}) with the budget's time and folds."
    return fit


def _fit_flaml(
    X: pd.DataFrame,
    y: np.ndarray,
    seed: int,
    budget: Budget,
    task: str,
    metric: str,
    candidates: dict[str, str],
) -> Fitted:
    """FLAML's AutoML with ``budget.time_budget`` seconds and ``budget.cv``-fold CV.

    FLAML's default learners, without those whose package is not installed
    (FLAML would otherwise fail on a missing LightGBM). For "accuracy" and "r2"
    FLAML's loss is 1 - the score, so the CV score is 1 - its best loss.
    """
    from flaml import AutoML

    if budget.time_budget is None:
        raise ValueError("flaml needs a time budget")
    learners = [
        name
        for name, package in candidates.items()
        if importlib.util.find_spec(package) is not None
    ]
    automl = AutoML()
    automl.fit(
        X_train=X,
        y_train=y,
        task=task,
        metric=metric,
        time_budget=budget.time_budget,
        eval_method="cv",
        n_splits=budget.cv,
        estimator_list=learners,
        seed=seed,
        n_jobs=1,
        verbose=0,
    )
    # FLAML counts its trials per learner (a private attribute: None if it moves).
    per_learner = getattr(automl, "_iter_per_learner", None)
    return Fitted(
        predict=automl.predict,
        cv_score=1.0 - float(automl.best_loss),
        n_evals=int(sum(per_learner.values())) if isinstance(per_learner, dict) else None,
        n_failures=None,
        details={
            "best_family": automl.best_estimator,
            "time_budget": budget.time_budget,
            "learners": learners,
        },
    )


fit_flaml = _flaml("classification", "accuracy", FLAML_LEARNERS)

SYSTEMS: dict[str, Callable[[pd.DataFrame, np.ndarray, int, Budget], Fitted]] = {
    "automodel-tpe": _automodel("tpe"),
    "automodel-rand": _automodel("rand"),
    "random-search": fit_random_search,
    "optuna-tpe": fit_optuna_tpe,
    "flaml": fit_flaml,
    "rf-default": fit_rf_default,
    "autogluon": autogluon_peer.for_task("classification"),
    **{name: _automodel("tpe", **settings) for name, settings in STUDY_SETTINGS.items()},
}
if tuple(SYSTEMS) != SYSTEM_ORDER:  # pragma: no cover - a guard for whoever adds a system
    raise RuntimeError("benchmarks.presets.SYSTEM_ORDER must list every system of SYSTEMS")
