"""Does a log transform of a positive, skewed target pay? Paired per (table, seed).

    python -m benchmarks.log_target [--datasets cpus hitters ...] [--seeds 3] [--max-evals 30]

For each positive-target regression table and seed: the benchmark's 75/25 split, one
search on the target as it is and one on ``log(y)`` (predictions mapped back with
``exp``; the same seed, so the same folds and the same first points), both scored by
R^2 on the test part in the target's own units. This measures the best case for
searching the log transform as a choice: if fitting on the log alone does not win,
a search that may also pick it cannot win by much either. Prints per run, then the
paired wins / ties (within 0.002) / losses of the log target.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from scipy.stats import skew

from automodel import AutoModelRegressor
from benchmarks.datasets import DEFAULT_DATA_DIR, resolve_datasets
from benchmarks.protocol import holdout_split, score_test_part

#: Positive targets (prices, salaries, counts, performance): the usual log candidates.
DATASETS = ("cpus", "hitters", "cps1985", "saratoga", "ames", "wage", "computers")
TIE = 0.002


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.log_target", description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-evals", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    diffs: list[float] = []
    print(f"{'table':12s} seed skew   {'R2 y':>8s} {'R2 log':>8s}")
    for spec in resolve_datasets(args.datasets, DEFAULT_DATA_DIR):
        X, y = spec.load()
        y = np.asarray(y, dtype=float)
        if (y <= 0).any():
            print(f"{spec.name}: target not positive, skipped")
            continue
        for seed in range(args.seeds):
            X_fit, X_test, y_fit, y_test = holdout_split(X, y, seed, "regression")
            scores = []
            for transform in (False, True):
                model = AutoModelRegressor(
                    max_evals=args.max_evals, random_state=seed, n_jobs=args.jobs
                ).fit(X_fit, np.log(y_fit) if transform else y_fit)
                predicted = model.predict(X_test)
                predicted = np.exp(predicted) if transform else predicted
                scores.append(score_test_part("regression", y_test, predicted)["test_r2"])
            diffs.append(scores[1] - scores[0])
            print(
                f"{spec.name:12s} {seed:4d} {skew(y):5.2f} {scores[0]:8.4f} {scores[1]:8.4f}",
                flush=True,
            )
    if diffs:
        d = np.asarray(diffs)
        wins, ties = int((d > TIE).sum()), int((np.abs(d) <= TIE).sum())
        print(
            f"log target minus plain over {len(d)} (table, seed) pairs: mean R^2 {d.mean():+.4f}; "
            f"wins / ties / losses {wins} / {ties} / {len(d) - wins - ties}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
