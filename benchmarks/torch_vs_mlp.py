"""The torch_mlp family against scikit-learn's MLP, each family searched alone.

    python -m benchmarks.torch_vs_mlp [--datasets pima vehicle ...] [--seeds 3]
        [--max-evals 30] [--jobs 2] [--out benchmarks/results/torch_vs_mlp.jsonl]

For each table and seed: the benchmark's 75/25 split, then one search of each family
alone (``families=[name]``, TPE, ``max_evals`` trials, ``ensemble=None``), scored on
the test part. Records (one JSON line per table, seed and family) are appended to
``--out`` and skipped when already there, so a stopped run resumes. The summary
prints, per table, the mean test score of each family and the median seconds per
trial (a trial's wall time in its worker), then the paired comparison over all
(table, seed) pairs: wins / ties (within 0.002) / losses of torch_mlp.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from automodel import AutoModelClassifier, AutoModelRegressor
from benchmarks.datasets import DEFAULT_DATA_DIR, resolve_datasets
from benchmarks.protocol import holdout_split, score_test_part

FAMILIES = ("mlp", "torch_mlp")
DATASETS = (
    "pima",
    "vehicle",
    "german",
    "wdbc",
    "segmentation",
    "concrete",
    "auto_mpg",
    "wage",
)
TIE = 0.002


def run_one(spec: Any, seed: int, family: str, max_evals: int, jobs: int) -> dict[str, Any]:
    """One search of ``family`` alone on ``spec``'s search part, scored on its test part."""
    X, y = spec.load()
    X_search, X_test, y_search, y_test = holdout_split(X, y, seed, spec.task)
    estimator = AutoModelRegressor if spec.task == "regression" else AutoModelClassifier
    model = estimator(
        families=[family], max_evals=max_evals, random_state=seed, n_jobs=jobs, ensemble=None
    )
    start = time.perf_counter()
    model.fit(X_search, y_search)
    seconds = time.perf_counter() - start
    scores = score_test_part(spec.task, np.asarray(y_test), model.predict(X_test))
    status = np.asarray(model.cv_results_["status"])
    return {
        "dataset": spec.name,
        "task": spec.task,
        "seed": seed,
        "family": family,
        "test_score": scores.get("test_accuracy", scores.get("test_r2")),
        "cv_score": float(model.best_score_),
        "seconds": seconds,
        "trial_seconds_median": float(np.median(model.cv_results_["duration"])),
        "trials": len(status),
        "failed": int((status != "ok").sum()),
    }


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def summary(records: list[dict[str, Any]]) -> str:
    """Per-table means and the paired comparison, as plain text."""
    by_key = {(r["dataset"], r["seed"], r["family"]): r for r in records}
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    lines = [
        f"{'table':14s} {'task':14s} {'mlp':>8s} {'torch':>8s} {'mlp s/trial':>12s} "
        f"{'torch s/trial':>14s} pairs"
    ]
    diffs: list[float] = []
    ratios: list[float] = []
    for name in datasets:
        pairs = [
            (by_key[(name, s, "mlp")], by_key[(name, s, "torch_mlp")])
            for s in sorted({r["seed"] for r in records if r["dataset"] == name})
            if (name, s, "mlp") in by_key and (name, s, "torch_mlp") in by_key
        ]
        if not pairs:
            continue
        mlp = np.array([a["test_score"] for a, _ in pairs])
        net = np.array([b["test_score"] for _, b in pairs])
        mlp_s = np.median([a["trial_seconds_median"] for a, _ in pairs])
        net_s = np.median([b["trial_seconds_median"] for _, b in pairs])
        diffs.extend(net - mlp)
        ratios.extend(b["trial_seconds_median"] / a["trial_seconds_median"] for a, b in pairs)
        lines.append(
            f"{name:14s} {pairs[0][0]['task']:14s} {mlp.mean():8.4f} {net.mean():8.4f} "
            f"{mlp_s:12.2f} {net_s:14.2f} {len(pairs)}"
        )
    if diffs:
        d = np.asarray(diffs)
        wins, ties = int((d > TIE).sum()), int((np.abs(d) <= TIE).sum())
        lines.append(
            f"torch_mlp minus mlp over {len(d)} (table, seed) pairs: mean {d.mean():+.4f} "
            f"(accuracy or R^2); wins / ties / losses {wins} / {ties} / {len(d) - wins - ties}; "
            f"median seconds per trial ratio torch/mlp {np.median(ratios):.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.torch_vs_mlp", description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-evals", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/torch_vs_mlp.jsonl"))
    args = parser.parse_args(argv)
    specs = resolve_datasets(args.datasets, DEFAULT_DATA_DIR)
    records = _read(args.out)
    done = {(r["dataset"], r["seed"], r["family"]) for r in records}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        for seed in range(args.seeds):
            for family in FAMILIES:
                if (spec.name, seed, family) in done:
                    continue
                record = run_one(spec, seed, family, args.max_evals, args.jobs)
                records.append(record)
                with args.out.open("a") as file:
                    file.write(json.dumps(record) + "\n")
                print(
                    f"{spec.name} seed {seed} {family}: test {record['test_score']:.4f} "
                    f"cv {record['cv_score']:.4f} {record['seconds']:.0f} s, "
                    f"{record['trial_seconds_median']:.2f} s/trial, {record['failed']} failed",
                    flush=True,
                )
    print(summary(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
