from __future__ import annotations

import time

import numpy as np
from hyperopt import hp

from automodel.executor import InlineExecutor
from automodel.search import SearchState, rounds_since_best, run_search
from automodel.suggest import TPE
from automodel.trial import Reason, TrialRecord, best_record
from tests._objectives import ok

SPACE = {"x": hp.uniform("x", -5, 5), "kind": hp.choice("kind", ["a", "b"])}


def quadratic(config):
    return ok((config["x"] - 1.0) ** 2)


def _state(seed=0):
    return SearchState(rng=np.random.default_rng(seed))


def test_runs_max_evals_trials_and_records_results():
    outcome = run_search(SPACE, InlineExecutor(quadratic), max_evals=15, state=_state())
    assert outcome.stop_reason == "max_evals"
    assert len(outcome.trials.trials) == len(outcome.records) == 15
    assert [r.tid for r in outcome.records] == [doc["tid"] for doc in outcome.trials.trials]
    assert all(r.config["kind"] in ("a", "b") for r in outcome.records)
    assert best_record(outcome.records).loss < 1.0
    # hyperopt sees the record's status and loss; trials_ readers see plain values.
    doc = outcome.trials.trials[0]["result"]
    assert doc["status"] == "ok" and doc["loss"] == outcome.records[0].loss


def test_same_seed_same_suggestions():
    def run(seed, algo):
        out = run_search(
            SPACE, InlineExecutor(quadratic), algo=algo, max_evals=25, state=_state(seed)
        )
        return [r.config for r in out.records]

    for algo in ("tpe", "rand", "anneal"):
        assert run(3, algo) == run(3, algo)
        assert run(3, algo) != run(4, algo)


def test_failed_trials_do_not_stop_the_search():
    def flaky(config):
        if config["kind"] == "a":
            return TrialRecord.failed(Reason.ERROR, "boom")
        return quadratic(config)

    outcome = run_search(SPACE, InlineExecutor(flaky), max_evals=20, state=_state(1))
    statuses = [r.outcome for r in outcome.records]
    assert len(statuses) == 20
    assert "error" in statuses and "ok" in statuses
    assert [doc["result"]["status"] for doc in outcome.trials.trials].count(
        "fail"
    ) == statuses.count("error")
    assert np.isfinite(best_record(outcome.records).loss)


def test_resumes_up_to_a_new_max_evals_without_rerunning():
    calls = []

    def counted(config):
        calls.append(config)
        return quadratic(config)

    state = _state()
    run_search(SPACE, InlineExecutor(counted), max_evals=5, state=state)
    second = run_search(SPACE, InlineExecutor(counted), max_evals=8, state=state)
    assert len(second.trials.trials) == len(second.records) == 8
    assert len(calls) == 8


def test_early_stop_after_rounds_without_improvement():
    outcome = run_search(
        SPACE, InlineExecutor(lambda config: ok(1.0)), max_evals=50, state=_state(),
        early_stop_rounds=4,
    )  # fmt: skip
    assert outcome.stop_reason == "early_stop"
    assert len(outcome.records) == 5  # the first sets the best, four more fail to beat it


def test_rounds_since_best_counts_failures_too():
    failed = TrialRecord.failed(Reason.ERROR, "boom")
    assert rounds_since_best([]) == 0
    assert rounds_since_best([failed, failed]) == 2
    assert rounds_since_best([ok(2.0), ok(1.0), failed, ok(1.5)]) == 2


def test_deadline_stops_starting_new_trials():
    def slow(config):
        time.sleep(0.05)
        return quadratic(config)

    end = time.monotonic() + 0.3
    outcome = run_search(
        SPACE, InlineExecutor(slow), max_evals=1000, state=_state(), deadline=lambda: end
    )
    assert outcome.stop_reason == "timeout"
    assert 1 <= len(outcome.records) < 1000


def test_interrupt_keeps_finished_trials_and_drops_the_one_in_flight():
    def interrupted_at_fourth(config, seen=[]):  # noqa: B006 - a counter for this test
        seen.append(1)
        if len(seen) == 4:
            raise KeyboardInterrupt
        return quadratic(config)

    outcome = run_search(SPACE, InlineExecutor(interrupted_at_fourth), max_evals=10, state=_state())
    assert outcome.stop_reason == "interrupted"
    assert len(outcome.trials.trials) == len(outcome.records) == 3
    assert all(r.ok for r in outcome.records)


def test_points_to_evaluate_come_first_and_are_not_repeated_on_resume():
    points = [{"x": 1.0, "kind": 0}, {"x": -2.0, "kind": 1}]
    state = _state()
    first = run_search(
        SPACE, InlineExecutor(quadratic), max_evals=1, state=state, points_to_evaluate=points
    )
    assert first.records[0].config == {"x": 1.0, "kind": "a"}
    resumed = run_search(
        SPACE, InlineExecutor(quadratic), max_evals=4, state=state, points_to_evaluate=points
    )
    configs = [r.config for r in resumed.records]
    assert configs[:2] == [{"x": 1.0, "kind": "a"}, {"x": -2.0, "kind": "b"}]
    assert {"x": 1.0, "kind": "a"} not in configs[2:]


def test_observers_see_each_finished_record_once():
    seen = []
    outcome = run_search(
        SPACE, InlineExecutor(quadratic), max_evals=6, state=_state(),
        on_trial=lambda record, state: seen.append((record.tid, len(state.finished()))),
    )  # fmt: skip
    assert seen == [(r.tid, k + 1) for k, r in enumerate(outcome.records)]


class _ShuffledExecutor:
    """``slots`` trials at once that finish in an order drawn from its own generator,
    as worker processes finish in whatever order their timing gives."""

    def __init__(self, objective, order_seed, slots=2):
        self.objective = objective
        self.slots = slots
        self.order = np.random.default_rng(order_seed)
        self.running = {}
        self.peak = 0
        self.first_wait = None  # trials in flight when the loop first waited

    def submit(self, tid, config, time_limit):
        self.running[tid] = self.objective(config)
        self.peak = max(self.peak, len(self.running))

    def wait(self, timeout):
        if self.first_wait is None:
            self.first_wait = len(self.running)
        tid = int(self.order.choice(sorted(self.running)))
        return [(tid, self.running.pop(tid))]

    def cancel(self):
        return []

    def close(self):
        pass


def _shuffled_configs(order_seed, ordered, slots=2, **options):
    executor = _ShuffledExecutor(quadratic, order_seed, slots)
    outcome = run_search(
        SPACE,
        executor,
        algo=TPE(n_startup_trials=4),
        max_evals=24,
        state=_state(7),
        ordered=ordered,
        **options,
    )
    return [r.config for r in outcome.records], executor


def test_an_ordered_parallel_search_does_not_depend_on_the_finishing_order():
    runs = [_shuffled_configs(order_seed, ordered=True) for order_seed in range(4)]
    assert all(configs == runs[0][0] for configs, _ in runs)
    assert all(executor.peak == 2 for _, executor in runs)  # still two at once
    # Without the order, TPE reads whichever trials finished first.
    free = [_shuffled_configs(order_seed, ordered=False)[0] for order_seed in range(4)]
    assert any(configs != free[0] for configs in free)


def test_an_ordered_early_stop_does_not_depend_on_the_finishing_order():
    points = [{"x": 1.0, "kind": 0}, {"x": 4.0, "kind": 1}, {"x": -4.0, "kind": 0}]
    options = {"early_stop_rounds": 5, "points_to_evaluate": points}
    runs = [_shuffled_configs(seed, True, 3, **options)[0] for seed in range(6)]
    assert all(configs == runs[0] for configs in runs)
    assert 8 <= len(runs[0]) < 24  # the first point is the best: it stopped early


def test_queued_points_fill_every_slot_of_an_ordered_search():
    # Six slots, three points: the first suggestion sees no result, so it waits for none.
    points = [{"x": 1.0, "kind": 0}, {"x": 4.0, "kind": 1}, {"x": -4.0, "kind": 0}]
    _, executor = _shuffled_configs(0, True, 6, points_to_evaluate=points)
    assert executor.first_wait == 6


def test_an_ordered_search_on_one_slot_is_the_serial_search():
    serial = run_search(
        SPACE,
        InlineExecutor(quadratic),
        algo=TPE(n_startup_trials=4),
        max_evals=24,
        state=_state(7),
    )
    configs, _ = _shuffled_configs(0, ordered=True, slots=1)
    assert configs == [r.config for r in serial.records]
