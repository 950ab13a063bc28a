"""The in-process executor: what the loop relies on from every executor."""

from __future__ import annotations

from automodel.executor import Executor, InlineExecutor
from tests._objectives import ok


def test_inline_runs_a_trial_when_it_is_submitted_and_hands_it_back_once():
    seen = []

    def objective(config):
        seen.append(config["x"])
        return ok(config["x"])

    executor: Executor = InlineExecutor(objective)
    assert executor.slots == 1
    executor.submit(3, {"x": 2.0}, time_limit=0.001)  # no limit in this process
    assert seen == [2.0]
    (tid, record), *rest = executor.wait(None)
    assert (tid, record.loss, rest) == (3, 2.0, [])
    assert executor.wait(0) == [] and executor.cancel() == []
    executor.close()
