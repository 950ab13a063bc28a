"""Follow the training table through ``fit``: which automodel modules it passes, in order.

A profiler on the main thread records every call into an automodel function that
receives the table (the same object, or a frame of the same shape) or the target;
consecutive calls in one module are one stop. It prints the stops and how many of
them return to a module already passed (issue 27's measure)::

    python -m benchmarks.data_path
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

import automodel
from benchmarks.datasets import DEFAULT_DATA_DIR, resolve_datasets


def _carries(value: Any, shapes: set[tuple[int, ...]]) -> bool:
    shape = getattr(value, "shape", None)
    return shape is not None and tuple(shape) in shapes


def trace_fit(X: Any, y: Any, **params: Any) -> list[str]:
    """The automodel modules the table passes through in ``automodel.fit``, as stops."""
    shapes = {tuple(np.shape(X)), tuple(np.shape(y))}
    stops: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("automodel") or module == "automodel":
            return
        code = frame.f_code
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        carries = any(_carries(frame.f_locals.get(name), shapes) for name in names)
        if carries and (not stops or stops[-1] != module):
            stops.append(module)

    sys.setprofile(profile)
    try:
        automodel.fit(X, y, **params)
    finally:
        sys.setprofile(None)
    return stops


def main() -> int:
    X, y = resolve_datasets(["penguins"], DEFAULT_DATA_DIR)[0].load()
    stops = trace_fit(X, y, max_evals=8, cv=3, random_state=0, trial_timeout=None, n_jobs=1)
    seen: set[str] = set()
    returns = []
    for stop in stops:
        if stop in seen:
            returns.append(stop)
        seen.add(stop)
    print(" -> ".join(s.removeprefix("automodel.") for s in stops))
    print(
        f"{len(stops)} stops in {len(seen)} modules; {len(returns)} returns to a module "
        f"already passed: {', '.join(r.removeprefix('automodel.') for r in returns)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
