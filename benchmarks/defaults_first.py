"""What evaluating each family's default first buys: the best-so-far CV score early on.

    python -m benchmarks.defaults_first [--datasets glass sonar ...] [--seeds 3] [--max-evals 25]

For each dataset and seed, run the same search (``AutoModelClassifier``, TPE) with
``defaults_first=True`` and ``False`` and print the best mean CV accuracy found after
``--at`` trials (default 10 and 25), then the mean over all runs and the paired wins.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from automodel import AutoModelClassifier
from benchmarks.datasets import DEFAULT_DATA_DIR, available_datasets

DATASETS = ("glass", "sonar", "heart_statlog", "ionosphere", "wdbc", "pima", "vehicle", "german")


def best_so_far(scores: np.ndarray, at: int) -> float:
    """The best mean CV score among the first ``at`` trials (failed trials are NaN)."""
    head = scores[:at]
    return float(np.nanmax(head)) if np.isfinite(head).any() else float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.defaults_first", description=__doc__
    )
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-evals", type=int, default=25)
    parser.add_argument("--at", type=int, nargs="+", default=[10, 25])
    parser.add_argument("--cv", type=int, default=5)
    args = parser.parse_args(argv)
    tables = available_datasets(DEFAULT_DATA_DIR)
    gains: dict[int, list[float]] = {at: [] for at in args.at}
    print(f"{'dataset':14s} seed " + " ".join(f"off@{a:<3d} on@{a:<3d}" for a in args.at))
    for name in args.datasets:
        X, y = tables[name].load()
        for seed in range(args.seeds):
            curves = {}
            for first in (False, True):
                model = AutoModelClassifier(
                    max_evals=args.max_evals, cv=args.cv, random_state=seed, defaults_first=first
                ).fit(X, y)
                curves[first] = np.asarray(model.cv_results_["mean_test_score"], dtype=float)
            cells = []
            for at in args.at:
                off, on = best_so_far(curves[False], at), best_so_far(curves[True], at)
                gains[at].append(on - off)
                cells.append(f"{off:.4f} {on:.4f}")
            print(f"{name:14s} {seed:4d} " + "  ".join(cells), flush=True)
    for at, diff in gains.items():
        diff_array = np.asarray(diff)
        print(
            f"after {at} trials: defaults-first minus without, mean {100 * diff_array.mean():+.2f} "
            f"points; better in {(diff_array > 0).sum()}, equal in {(diff_array == 0).sum()}, "
            f"worse in {(diff_array < 0).sum()} of {len(diff_array)} runs"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
