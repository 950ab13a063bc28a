"""Same seed, same results: record a fixed set of searches, or compare against a record.

A reshape of the code must not change what a seeded search returns. This runs a fixed
set of small serial searches (classification and regression tables, two seeds, the
default families and "all"), and writes or checks each one's ``best_params_``,
``best_score_``, every trial's mean CV score and the test predictions::

    python -m benchmarks.same_results record --out benchmarks/results/same_results.json
    python -m benchmarks.same_results compare benchmarks/results/same_results.json

``compare`` prints one line per search and exits 1 when any differs. It uses only the
public API, so one record serves every code version.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

import automodel
from benchmarks.datasets import DEFAULT_DATA_DIR, resolve_datasets

#: (table, families, max_evals): 14 trials pass the defaults (6), TPE's random
#: start (10 in all) and reach TPE's own suggestions.
CASES: tuple[tuple[str, str, int], ...] = (
    ("iris", "default", 14),
    ("penguins", "default", 14),
    ("car", "default", 14),
    ("penguins", "all", 16),
    ("cpus", "default", 14),
    ("hitters", "default", 14),
    ("hitters", "all", 16),
)
SEEDS = (0, 1)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def run_case(table: str, families: str, max_evals: int, seed: int) -> dict[str, Any]:
    """One seeded serial search on a 75/25 split: what it returned."""
    spec = resolve_datasets([table], DEFAULT_DATA_DIR)[0]
    X, y = spec.load()
    stratify = y if spec.task == "classification" else None
    X_train, X_test, y_train, _ = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=stratify
    )
    model = automodel.fit(
        X_train,
        y_train,
        task=spec.task,
        families=families,
        max_evals=max_evals,
        cv=3,
        random_state=seed,
        n_jobs=1,
        trial_timeout=None,
    )
    predictions = model.predict(X_test)
    return {
        "key": f"{table}/{families}/{seed}",
        "best_params": _plain(model.best_params_),
        "best_score": float(model.best_score_),
        "trial_scores": [
            None if s != s else float(s) for s in model.cv_results_["mean_test_score"]
        ],
        "predictions": [_plain(p) for p in np.asarray(predictions).tolist()],
    }


def record(out: Path) -> int:
    records = [run_case(*case, seed) for case in CASES for seed in SEEDS]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(records, indent=1) + "\n")
    print(f"{len(records)} searches recorded in {out}")
    return 0


def _largest_gap(old: list[Any], new: list[Any]) -> float | None:
    """The largest absolute difference of two lists of numbers (None: not comparable)."""
    try:
        a = np.array([np.nan if v is None else v for v in old], dtype=float)
        b = np.array([np.nan if v is None else v for v in new], dtype=float)
    except (TypeError, ValueError):
        return None
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return None
    return float(np.nanmax(np.abs(a - b), initial=0.0))


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs, each with the largest gap where the values are numbers: a gap of
    1e-16 is the last bit of a float (another machine or BLAS), not another search."""
    found = []
    for name in ("best_params", "trial_scores", "predictions"):
        if old[name] != new[name]:
            gap = _largest_gap(old[name], new[name]) if name != "best_params" else None
            found.append(name if gap is None else f"{name} (largest gap {gap:.1e})")
    if not np.isclose(old["best_score"], new["best_score"], rtol=0, atol=1e-12):
        found.append("best_score")
    return found


def compare(path: Path) -> int:
    old = {r["key"]: r for r in json.loads(path.read_text())}
    failed = 0
    for case in CASES:
        for seed in SEEDS:
            new = run_case(*case, seed)
            differences = _differences(old[new["key"]], new)
            failed += bool(differences)
            verdict = "differs: " + ", ".join(differences) if differences else "same"
            print(f"{new['key']:<24} best {new['best_score']:.6f}  {verdict}", flush=True)
    print(f"{len(old) - failed} of {len(old)} searches give the recorded results")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.same_results")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("record").add_argument("--out", type=Path, required=True)
    commands.add_parser("compare").add_argument("record", type=Path)
    args = parser.parse_args(argv)
    return record(args.out) if args.command == "record" else compare(args.record)


if __name__ == "__main__":
    sys.exit(main())
