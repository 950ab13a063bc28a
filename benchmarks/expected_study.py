"""Which expected-score estimator is honest? Keep what the estimate reads, compare offline.

    python -m benchmarks.expected_study collect --task regression --seeds 5 \\
        --out /tmp/expected_pools
    python -m benchmarks.expected_study compare /tmp/expected_pools --dev-seeds 3 4

``collect`` runs the uncertainty benchmark's fit (:func:`benchmarks.uncertainty.run_one`:
the same split, settings and record) and keeps, per (table, seed), the inputs of
:func:`automodel.expected.expected_score` (the trials' out-of-fold predictions, the
returned model's, the target, the scorer, the ensemble's candidates) next to the
record, in one pickle. ``compare`` then scores several estimators on those inputs
against the test score, so a change of estimator is measured without refitting: the
estimate is a function of those inputs and the seed. Choose on the ``--dev-seeds``,
report on the others.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from automodel import expected as expected_module
from automodel.conformal import covered_rows
from automodel.selection import oof_score
from benchmarks.datasets import DEFAULT_DATA_DIR, DEFAULT_REGRESSION_DIR, resolve_datasets
from benchmarks.presets import REGRESSION_DATASETS
from benchmarks.uncertainty import run_one

__all__ = ["ESTIMATORS", "main"]

#: The classification tables of the uncertainty benchmark's records.
CLASSIFICATION = (
    "glass", "sonar", "heart_statlog", "penguins", "ionosphere", "wdbc", "australian",
    "pima", "vehicle", "tic_tac_toe", "german", "yeast", "car", "segmentation", "banana",
)  # fmt: skip


def _collect_one(spec: Any, seed: int, path: Path) -> None:
    kept: dict[str, Any] = {}
    real = expected_module.expected_score

    def spy(pool, returned, y, scoring, seed, ensemble=None, max_members=None, deadline=None):
        kept.update(
            pool={k: np.asarray(v) for k, v in pool.items()},
            returned=np.asarray(returned),
            y=np.asarray(y),
            scoring=scoring,
            seed=seed,
            ensemble=None if ensemble is None else sorted(ensemble),
            max_members=max_members,
        )
        return real(pool, returned, y, scoring, seed, ensemble, max_members, deadline)

    with mock.patch("automodel.uncertainty.expected_score", spy):
        record = run_one(spec, seed)
    path.write_bytes(pickle.dumps({"record": record, "inputs": kept}))
    print(f"{spec.name} seed={seed}: test {record['test_score']:.4f}", flush=True)


def collect(task: str, seeds: int, out: Path, names: Sequence[str] | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    names = list(names or (REGRESSION_DATASETS if task == "regression" else CLASSIFICATION))
    specs = resolve_datasets(names, DEFAULT_DATA_DIR, regression_dir=DEFAULT_REGRESSION_DIR)
    for seed in range(seeds):
        for spec in specs:
            path = out / f"{task}-{spec.name}-{seed}.pkl"
            if not path.exists():
                _collect_one(spec, seed, path)


def _bbc(inputs: dict[str, Any]) -> Any:
    args = {k: inputs[k] for k in ("pool", "returned", "y", "scoring", "seed")}
    return expected_module.expected_score(
        **args, ensemble=inputs["ensemble"], max_members=inputs["max_members"]
    )


def _returned_oof(inputs: dict[str, Any]) -> float:
    returned = inputs["returned"]
    rows = covered_rows(returned)
    return oof_score(returned[rows], inputs["y"][rows], inputs["scoring"])


def _from_parts(weight: float) -> Callable[[dict[str, Any]], float]:
    """The returned model's OOF score less ``weight`` x (apparent - bootstrap)."""

    def estimate(inputs: dict[str, Any]) -> float:
        found = _bbc(inputs)
        return found.oof_score - weight * (found.apparent - found.bootstrap)

    return estimate


def _halves(inputs: dict[str, Any], repeats: int = 25) -> float:
    """Selection optimism measured on half the rows (choose on one half, score on the
    other; no duplicated rows), scaled to all rows by 1/sqrt(2) (the optimism of a
    maximum of noisy means shrinks as 1/sqrt(rows)), taken off the returned OOF score."""
    pool = {k: np.asarray(v) for k, v in inputs["pool"].items()}
    y, scoring = inputs["y"], inputs["scoring"]
    covered = covered_rows(inputs["returned"])
    for p in pool.values():
        covered &= covered_rows(p)
    rows = np.flatnonzero(covered)
    rng = np.random.default_rng(inputs["seed"])
    spread = float(np.var(y[rows])) if scoring == "r2" else 0.0
    gaps = []
    for _ in range(repeats):
        order = rng.permutation(rows)
        for a, b in ((order[::2], order[1::2]), (order[1::2], order[::2])):
            weights = expected_module._choose(
                pool, a, y, scoring, inputs["ensemble"], inputs["max_members"]
            )
            try:
                seen = expected_module._left_out_score(
                    expected_module.combine(pool, weights, a), y[a], scoring, spread
                )
                unseen = expected_module._left_out_score(
                    expected_module.combine(pool, weights, b), y[b], scoring, spread
                )
            except ValueError:
                continue
            gaps.append(seen - unseen)
    return _returned_oof(inputs) - float(np.mean(gaps)) / np.sqrt(2)


def _plus_gain(
    estimator: Callable[[dict[str, Any]], float], share: float = 1.0
) -> Callable[[dict[str, Any]], float]:
    """``estimator`` plus ``share`` x the refit's learning-curve gain the run recorded
    (``refit_gain``, :mod:`automodel.learning_curve`; none for bagged models)."""

    def estimate(inputs: dict[str, Any]) -> float:
        gain = inputs.get("refit_gain", float("nan"))
        return estimator(inputs) + (share * gain if np.isfinite(gain) else 0.0)

    return estimate


ESTIMATORS: dict[str, Callable[[dict[str, Any]], float]] = {
    "current": lambda inputs: _bbc(inputs).score,
    "returned OOF": _returned_oof,
    "BBC (full drop)": _from_parts(1.0),
    "BBC x 0.632": _from_parts(0.632),
    "BBC x sqrt(0.632)": _from_parts(0.632**0.5),
    "BBC x 0.5": _from_parts(0.5),
    "halves / sqrt(2)": _halves,
    "BBC x 0.632 + gain": _plus_gain(_from_parts(0.632)),
    "BBC x 0.632 + gain/2": _plus_gain(_from_parts(0.632), 0.5),
    "BBC (full) + gain": _plus_gain(_from_parts(1.0)),
    "returned OOF + gain": _plus_gain(_returned_oof),
}


def _inputs(run: dict[str, Any]) -> dict[str, Any]:
    """What an estimator reads: the kept inputs and the recorded refit gain."""
    parts = run["record"].get("expected_parts") or {}
    return {**run["inputs"], "refit_gain": parts.get("refit_gain", float("nan"))}


def compare(folder: Path, dev_seeds: Sequence[int]) -> None:
    runs = [pickle.loads(p.read_bytes()) for p in sorted(folder.glob("*.pkl"))]
    runs = [r for r in runs if r["inputs"]]
    for task in ("regression", "classification"):
        for label, keep in (("dev", True), ("report", False)):
            chosen = [r for r in runs if r["record"]["task"] == task]
            chosen = [r for r in chosen if (r["record"]["seed"] in dev_seeds) == keep]
            if not chosen:
                continue
            print(f"\n{task}, {label} seeds: {len(chosen)} runs; mean (estimate - test), points")
            small = np.array([r["record"]["n_rows"] < 1000 for r in chosen])
            for name, estimator in ESTIMATORS.items():
                gaps = 100 * np.array(
                    [estimator(_inputs(r)) - r["record"]["test_score"] for r in chosen]
                )
                se = gaps.std(ddof=1) / np.sqrt(len(gaps)) if len(gaps) > 1 else np.nan
                parts = [f"{gaps.mean():+.2f} (se {se:.2f})"]
                for tag, mask in (("<1000 rows", small), (">=1000", ~small)):
                    if mask.any():
                        parts.append(f"{tag} {gaps[mask].mean():+.2f}")
                print(f"  {name:20s} " + "  ".join(parts))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.expected_study")
    commands = parser.add_subparsers(dest="command", required=True)
    first = commands.add_parser("collect")
    first.add_argument("--task", choices=["regression", "classification"], required=True)
    first.add_argument("--seeds", type=int, default=5)
    first.add_argument("--datasets", nargs="+", default=None)
    first.add_argument("--out", type=Path, required=True)
    second = commands.add_parser("compare")
    second.add_argument("folder", type=Path)
    second.add_argument("--dev-seeds", type=int, nargs="+", default=[3, 4])
    args = parser.parse_args(argv)
    if args.command == "collect":
        collect(args.task, args.seeds, args.out, args.datasets)
    else:
        compare(args.folder, args.dev_seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
