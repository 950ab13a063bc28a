from __future__ import annotations

import functools
import time

import numpy as np
import pytest
from hyperopt import hp

from automodel.search import InlineExecutor, best_loss, run_search

SPACE = {"x": hp.uniform("x", -5, 5), "kind": hp.choice("kind", ["a", "b"])}


def quadratic(config):
    return {"status": "ok", "loss": (config["x"] - 1.0) ** 2}


def test_runs_max_evals_trials_and_records_results():
    outcome = run_search(
        SPACE, InlineExecutor(quadratic), max_evals=15, rng=np.random.default_rng(0)
    )
    assert outcome.stop_reason == "max_evals"
    assert len(outcome.trials.trials) == 15
    assert all(doc["result"]["config"]["kind"] in ("a", "b") for doc in outcome.trials.trials)
    assert best_loss(outcome.trials) < 1.0


@pytest.mark.parametrize("algo", ["tpe", "rand", "anneal"])
def test_same_seed_same_suggestions(algo):
    def run(seed):
        out = run_search(
            SPACE,
            InlineExecutor(quadratic),
            algo=algo,
            max_evals=25,
            rng=np.random.default_rng(seed),
        )
        return [doc["result"]["config"] for doc in out.trials.trials]

    assert run(3) == run(3)
    assert run(3) != run(4)


NESTED = hp.choice(
    "family",
    [
        {"kind": "a", "x": hp.uniform("a.x", -5, 5)},
        {"kind": "b", "x": hp.loguniform("b.x", -3, 2), "k": hp.quniform("b.k", 1, 9, 1)},
    ],
)


def test_tpe_builds_its_posterior_once_with_the_same_suggestions(monkeypatch):
    from hyperopt import tpe

    from automodel import search

    def run(algo="tpe"):
        out = run_search(
            NESTED,
            InlineExecutor(quadratic),
            algo=algo,
            max_evals=35,
            rng=np.random.default_rng(7),
        )
        return [doc["result"]["config"] for doc in out.trials.trials]

    builds = []
    original = tpe.build_posterior_wrapper

    def counting(*args):
        builds.append(args)
        return original(*args)

    monkeypatch.setattr(tpe, "build_posterior_wrapper", counting)
    cached = run()
    assert len(builds) == 1  # 35 suggestions (10 random, then 25 TPE), one graph
    assert tpe.build_posterior_wrapper is counting  # hyperopt's function is put back
    settings = search.TPE()
    own = functools.partial(
        tpe.suggest, n_startup_jobs=settings.n_startup_trials, gamma=settings.gamma
    )
    assert run(own) == cached  # hyperopt's own TPE
    assert len(builds) == 1 + 35  # hyperopt builds it on every call, random ones included


def test_failed_trials_do_not_stop_the_search():
    def flaky(config):
        if config["kind"] == "a":
            return {"status": "fail", "reason": "error", "error": "boom"}
        return quadratic(config)

    outcome = run_search(SPACE, InlineExecutor(flaky), max_evals=20, rng=np.random.default_rng(1))
    statuses = [doc["result"]["status"] for doc in outcome.trials.trials]
    assert len(statuses) == 20
    assert "fail" in statuses and "ok" in statuses
    assert np.isfinite(best_loss(outcome.trials))


def test_resumes_up_to_a_new_max_evals_without_rerunning():
    calls = []

    def counted(config):
        calls.append(config)
        return quadratic(config)

    rng = np.random.default_rng(0)
    first = run_search(SPACE, InlineExecutor(counted), max_evals=5, rng=rng)
    second = run_search(SPACE, InlineExecutor(counted), max_evals=8, rng=rng, trials=first.trials)
    assert len(second.trials.trials) == 8
    assert len(calls) == 8


def test_early_stop_after_rounds_without_improvement():
    constant = lambda config: {"status": "ok", "loss": 1.0}  # noqa: E731
    outcome = run_search(
        SPACE,
        InlineExecutor(constant),
        max_evals=50,
        rng=np.random.default_rng(0),
        early_stop_rounds=4,
    )
    assert outcome.stop_reason == "early_stop"
    assert len(outcome.trials.trials) == 5  # the first sets the best, four more fail to beat it


def test_deadline_stops_starting_new_trials():
    def slow(config):
        time.sleep(0.05)
        return quadratic(config)

    outcome = run_search(
        SPACE,
        InlineExecutor(slow),
        max_evals=1000,
        rng=np.random.default_rng(0),
        deadline=time.monotonic() + 0.3,
    )
    assert outcome.stop_reason == "timeout"
    assert 1 <= len(outcome.trials.trials) < 1000


def test_interrupt_keeps_finished_trials_and_drops_the_one_in_flight():
    def interrupted_at_fourth(config, seen=[]):  # noqa: B006 - a counter for this test
        seen.append(1)
        if len(seen) == 4:
            raise KeyboardInterrupt
        return quadratic(config)

    outcome = run_search(
        SPACE, InlineExecutor(interrupted_at_fourth), max_evals=10, rng=np.random.default_rng(0)
    )
    assert outcome.stop_reason == "interrupted"
    assert len(outcome.trials.trials) == 3
    assert all(doc["result"]["status"] == "ok" for doc in outcome.trials.trials)


def test_points_to_evaluate_come_first_and_are_not_repeated_on_resume():
    points = [{"x": 1.0, "kind": 0}, {"x": -2.0, "kind": 1}]
    rng = np.random.default_rng(0)
    first = run_search(
        SPACE, InlineExecutor(quadratic), max_evals=1, rng=rng, points_to_evaluate=points
    )
    assert first.trials.trials[0]["result"]["config"] == {"x": 1.0, "kind": "a"}
    resumed = run_search(
        SPACE,
        InlineExecutor(quadratic),
        max_evals=4,
        rng=rng,
        trials=first.trials,
        points_to_evaluate=points,
    )
    configs = [doc["result"]["config"] for doc in resumed.trials.trials]
    assert configs[:2] == [{"x": 1.0, "kind": "a"}, {"x": -2.0, "kind": "b"}]
    assert {"x": 1.0, "kind": "a"} not in configs[2:]
