from __future__ import annotations

import functools

import numpy as np
import pytest
from hyperopt import hp, tpe

from automodel.executor import InlineExecutor
from automodel.search import SearchState, run_search
from automodel.suggest import TPE, seen_trials, suggest_function
from tests._objectives import ok

NESTED = hp.choice(
    "family",
    [
        {"kind": "a", "x": hp.uniform("a.x", -5, 5)},
        {"kind": "b", "x": hp.loguniform("b.x", -3, 2), "k": hp.quniform("b.k", 1, 9, 1)},
    ],
)


def _configs(algo):
    state = SearchState(rng=np.random.default_rng(7))
    objective = InlineExecutor(lambda config: ok((config["x"] - 1.0) ** 2))
    return [
        r.config
        for r in run_search(NESTED, objective, algo=algo, max_evals=30, state=state).records
    ]


def test_tpe_is_hyperopts_tpe_with_automodels_settings():
    own = functools.partial(tpe.suggest, n_startup_jobs=10, gamma=0.25)
    assert _configs(TPE()) == _configs(own)
    assert _configs("tpe") == _configs(TPE())
    assert _configs(TPE(gamma=1.0)) != _configs(TPE())


def test_tpe_settings_are_checked():
    with pytest.raises(ValueError, match="n_startup_trials"):
        TPE(n_startup_trials=0)
    with pytest.raises(ValueError, match="gamma"):
        TPE(gamma=0)


def test_suggest_function_names_the_choices():
    assert callable(suggest_function("rand"))
    with pytest.raises(ValueError, match="'tpe', 'rand', 'anneal' or a callable"):
        suggest_function("grid")


def test_seen_trials_shows_only_the_first_results():
    state = SearchState(rng=np.random.default_rng(0))
    objective = InlineExecutor(lambda config: ok((config["x"] - 1.0) ** 2))
    trials = run_search(NESTED, objective, max_evals=5, state=state).trials
    view = seen_trials(trials, 3)
    assert [doc["tid"] for doc in view.trials] == [doc["tid"] for doc in trials.trials]
    assert [doc["result"]["status"] for doc in view.trials] == ["ok"] * 3 + ["new"] * 2
    assert [doc["result"]["status"] for doc in trials.trials] == ["ok"] * 5  # not changed
    assert seen_trials(trials, 5) is trials
