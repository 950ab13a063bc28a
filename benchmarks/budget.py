"""How well the total ``timeout`` holds: wall time of ``fit`` against its budget.

    python -m benchmarks.budget [--dataset spambase] [--timeouts 5 10 20] [--seeds 3]
        [--time-only]

For each budget and seed, fit ``AutoModelClassifier(timeout=T, max_evals=10**6)``
(default families, ensemble and bagging; the budget, not the trial count, ends the search;
``--time-only``: ``max_evals=None``, the time budget alone) and
print the whole ``fit`` wall time, the overshoot past ``T`` (negative: finished early),
the number of trials, the search and refit times and whether an ensemble was kept
or the single best bagged.
The overshoot is what the README quotes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from automodel import AutoModelClassifier
from automodel.results import single_best_note
from benchmarks.datasets import DEFAULT_DATA_DIR, available_datasets


def measure(
    dataset: str,
    timeouts: Sequence[float],
    seeds: int,
    n_jobs: int,
    ensemble: Any = "auto",
    max_evals: int | None = 10**6,
) -> list[dict]:
    """Fit once per (budget, seed); return one row of figures per fit."""
    X, y = available_datasets(DEFAULT_DATA_DIR)[dataset].load()
    rows = []
    for budget in timeouts:
        for seed in range(seeds):
            model = AutoModelClassifier(
                max_evals=max_evals,
                timeout=budget,
                random_state=seed,
                n_jobs=n_jobs,
                ensemble=ensemble,
            )
            start = time.monotonic()
            model.fit(X, y)
            wall = time.monotonic() - start
            rows.append(
                {
                    "budget": budget,
                    "seed": seed,
                    "wall": wall,
                    "overshoot": wall - budget,
                    "trials": len(model.cv_results_["params"]),
                    "search": model.search_time_,
                    "refit": model.refit_time_,
                    "winner": model.best_params_["family"],
                    "model": _model(model),
                }
            )
            print(
                f"budget {budget:6.1f} s  seed {seed}  wall {wall:7.2f} s  "
                f"overshoot {wall - budget:+6.2f} s  trials {rows[-1]['trials']:4d}  "
                f"refit {model.refit_time_:5.2f} s  winner {rows[-1]['winner']}  "
                f"model {rows[-1]['model']}",
                flush=True,
            )
    return rows


def _model(model: AutoModelClassifier) -> str:
    """ "ensemble of N", "bagged" or "single" (with the reasons the single best was kept)."""
    if np.isfinite(getattr(model, "ensemble_score_", np.nan)):
        return f"ensemble of {len(model.ensemble_members_)}"
    if getattr(model, "bagged_", False):
        return "bagged"
    note = single_best_note(model)
    return "single" + (f" ({note})" if note else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.budget", description=__doc__)
    parser.add_argument("--dataset", default="spambase", help="table name (default: spambase)")
    parser.add_argument("--timeouts", type=float, nargs="+", default=[5.0, 10.0, 20.0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument(
        "--ensemble", default="auto", help="automodel's ensemble: auto (default) or none"
    )
    parser.add_argument(
        "--time-only", action="store_true", help="max_evals=None: the time budget alone"
    )
    args = parser.parse_args(argv)
    ensemble = None if args.ensemble == "none" else args.ensemble
    max_evals = None if args.time_only else 10**6
    rows = measure(args.dataset, args.timeouts, args.seeds, args.n_jobs, ensemble, max_evals)
    over = np.array([r["overshoot"] for r in rows])
    print(
        f"\n{len(rows)} fits on {args.dataset}: overshoot median {np.median(over):+.2f} s, "
        f"max {over.max():+.2f} s (the fit, refit included, against its budget)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
