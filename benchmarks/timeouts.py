"""How late a trial past its time limit is stopped, and what a worker process costs.

Run from the repository root::

    python -m benchmarks.timeouts

1. Overshoot: trials that hang far past a 0.5 s limit alternate with quick real
   trials (a tree scored by 3-fold CV on a 5000 x 20 table) through
   :class:`~automodel.workers.ProcessExecutor`. For each timeout it prints the delay
   from the moment the limit was reached to the moment the next trial's objective
   started in a worker (``started_at``), then p50 / p95 / max. Target: p95 < 2 s.
2. Overhead: the median of (wall time per trial - objective time) for a trivial
   objective, ProcessExecutor versus InlineExecutor.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold

from automodel.evaluate import Objective
from automodel.executor import InlineExecutor
from automodel.trial import Status, TrialRecord
from automodel.workers import ProcessExecutor

LIMIT = 0.5
HANGS = 24
OVERHEAD_TRIALS = 200
QUICK = {"family": "tree", "scaler": "none", "params": {"max_depth": 3}}


@dataclass
class Hanging:
    """A real objective, except that ``{"hang": True}`` sleeps for an hour."""

    inner: Objective

    def __call__(self, config: Mapping[str, Any]) -> TrialRecord:
        if config.get("hang"):
            time.sleep(3600)
        return self.inner(config)


def trivial(config: Mapping[str, Any]) -> TrialRecord:
    """Next to no work; reports its own duration."""
    start = time.perf_counter()
    return TrialRecord(Status.OK, loss=0.0, duration=time.perf_counter() - start)


def real_objective() -> Objective:
    X, y = make_classification(n_samples=5000, n_features=20, n_informative=8, random_state=0)
    return Objective.build(X, y, StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))


def run_one(executor: Any, tid: int, config: Mapping[str, Any], limit: float | None) -> TrialRecord:
    executor.submit(tid, config, limit)
    [(done, result)] = executor.wait(None)
    assert done == tid
    return result


def overshoot() -> list[float]:
    """Delay (s) from each timeout's limit to the start of the next trial."""
    start = time.perf_counter()
    with ProcessExecutor(Hanging(real_objective())) as executor:
        print(f"ProcessExecutor ready in {time.perf_counter() - start:.2f} s (incl. forkserver)")
        run_one(executor, 0, QUICK, None)  # the first worker has loaded the objective
        delays = []
        for i in range(HANGS):
            hung = run_one(executor, 2 * i + 1, {"hang": True}, LIMIT)
            assert hung.reason == "timeout", hung
            quick = run_one(executor, 2 * i + 2, QUICK, LIMIT * 20)
            assert quick.status == "ok", quick
            delay = quick.started_at - (hung.started_at + LIMIT)
            delays.append(delay)
            print(
                f"  timeout {i + 1:2d}: next trial started {1000 * delay:7.1f} ms after the limit"
            )
    return delays


def overhead(executor: Any) -> float:
    """Median seconds per trial beyond the objective's own time."""
    run_one(executor, -1, {}, None)  # warm up
    extra = []
    for tid in range(OVERHEAD_TRIALS):
        start = time.perf_counter()
        result = run_one(executor, tid, {}, None)
        extra.append(time.perf_counter() - start - result.duration)
    return float(np.median(extra))


def main() -> None:
    print(f"Overshoot: {HANGS} trials hanging past a {LIMIT} s limit, alternating with quick ones")
    delays = np.array(overshoot())
    p50, p95 = np.percentile(delays, [50, 95])
    print(
        f"overshoot p50 {1000 * p50:.1f} ms, p95 {1000 * p95:.1f} ms, "
        f"max {1000 * delays.max():.1f} ms (target p95 < 2000 ms)"
    )
    print(f"\nOverhead per trial, trivial objective, median of {OVERHEAD_TRIALS} trials")
    inline = overhead(InlineExecutor(trivial))
    with ProcessExecutor(trivial) as executor:
        process = overhead(executor)
    print(f"  InlineExecutor   {1e3 * inline:8.3f} ms")
    print(f"  ProcessExecutor  {1e3 * process:8.3f} ms")


if __name__ == "__main__":
    main()
