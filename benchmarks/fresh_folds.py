"""How much of a search's CV gain is real: rescore each winner on fresh folds.

    python -m benchmarks.fresh_folds [--datasets glass sonar ...] [--seeds 5 6 7]
                                     [--algos tpe rand] [--max-evals 50]
                                     [--tpe-gamma 0.25]

The best mean CV score of a search is biased upwards: of many candidates scored on
the same folds, the winner is partly the one whose folds happened to suit it. For
each dataset and seed this splits the table as the benchmark does (75% search, 25%
test, stratified), runs ``AutoModelClassifier`` once per algorithm on the search
part, and scores the winning pipeline twice more: by CV on a *fresh* set of folds
(another shuffle of the same rows) and on the test part. Then, paired per
(dataset, seed), it prints how far the first algorithm is ahead of each other one
on the search's own CV, on the fresh folds and on the test part. A lead on the
search's CV that is gone on the fresh folds was selection noise, not a better model.

The default seeds (5, 6, 7) are not those of the committed benchmark (0-4).
``--tpe-gamma`` searches with ``algo=automodel.TPE(gamma=G)`` wherever an
algorithm is "tpe", to check whether a less greedy TPE chooses better models.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import LabelEncoder

from automodel import TPE, AutoModelClassifier
from automodel.data import check_features
from benchmarks.datasets import DEFAULT_DATA_DIR, DatasetSpec, resolve_datasets
from benchmarks.presets import FULL_DATASETS
from benchmarks.runner import holdout_split
from benchmarks.summary import TIE_MARGIN

__all__ = ["Scored", "fresh_score", "main", "paired", "score_search"]

#: Added to the seed for the fresh folds' shuffle.
FRESH_OFFSET = 7919


@dataclass(frozen=True)
class Scored:
    """One search's winner, scored three ways (accuracies in [0, 1])."""

    cv: float  # mean over the search's own folds (what the search maximised)
    fresh: float  # mean over a fresh shuffle of the same rows
    test: float  # on the held-out test part
    family: str


def fresh_score(
    model: AutoModelClassifier, X: pd.DataFrame, y: np.ndarray, cv: int, seed: int
) -> float:
    """Mean CV accuracy of ``model``'s winning pipeline on folds it was not chosen on."""
    folds = StratifiedKFold(cv, shuffle=True, random_state=seed + FRESH_OFFSET)
    codes = np.searchsorted(model.classes_, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_val_score(clone(model.best_estimator_), check_features(X), codes, cv=folds)
    return float(np.mean(scores))


def score_search(
    X: pd.DataFrame, y: np.ndarray, seed: int, algo: Any, max_evals: int, cv: int
) -> Scored:
    """Split as the benchmark does, search, and score the winner three ways.

    ``algo`` is anything ``AutoModelClassifier(algo=...)`` takes, e.g. a ``TPE`` instance.
    """
    X_search, X_test, y_search, y_test = holdout_split(X, y, seed)
    model = AutoModelClassifier(max_evals=max_evals, cv=cv, algo=algo, random_state=seed)
    model.fit(X_search, y_search)
    return Scored(
        cv=float(model.best_score_),
        fresh=fresh_score(model, X_search, y_search, cv, seed),
        test=float(np.mean(model.predict(X_test) == y_test)),
        family=str(model.best_params_["family"]),
    )


def paired(results: dict[str, list[Scored]], reference: str) -> pd.DataFrame:
    """Mean lead (points) of ``reference`` over each other algorithm, and test wins/ties/losses."""
    rows = []
    for algo, scored in results.items():
        if algo == reference:
            continue
        row: dict[str, object] = {"against": algo}
        for measure in ("cv", "fresh", "test"):
            diff = 100 * np.array(
                [
                    getattr(a, measure) - getattr(b, measure)
                    for a, b in zip(results[reference], scored, strict=True)
                ]
            )
            row[f"{measure} lead"] = round(float(diff.mean()), 2)
            if measure == "test":
                margin = 100 * TIE_MARGIN
                wins, losses = (diff >= margin).sum(), (diff <= -margin).sum()
                row["test w/t/l"] = f"{wins}/{len(diff) - wins - losses}/{losses}"
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fresh_folds", description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=list(FULL_DATASETS[:12]))
    parser.add_argument("--seeds", type=int, nargs="+", default=[5, 6, 7])
    parser.add_argument("--algos", nargs="+", default=["tpe", "rand"])
    parser.add_argument("--max-evals", type=int, default=50)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR))
    parser.add_argument(
        "--tpe-gamma",
        type=float,
        default=TPE().gamma,
        help="TPE's gamma: the best ceil(gamma * sqrt(n)) of n trials model the good ones "
        "(default: %(default)s, hyperopt's)",
    )
    args = parser.parse_args(argv)
    if args.max_evals < 1 or args.cv < 2:
        parser.error(f"need --max-evals >= 1 and --cv >= 2, got {args.max_evals} and {args.cv}")
    if not 0 < args.tpe_gamma <= 1:
        parser.error(f"need 0 < --tpe-gamma <= 1, got {args.tpe_gamma}")
    try:
        tables = resolve_datasets(args.datasets, args.data_dir)
    except ValueError as exc:
        parser.error(str(exc))
    _compare(tables, args, TPE(gamma=args.tpe_gamma))
    return 0


def _compare(tables: Sequence[DatasetSpec], args: argparse.Namespace, tpe: TPE) -> None:
    """Search each table and seed with each algorithm ("tpe" is ``tpe``); print the rows,
    means and leads."""
    print(f"TPE gamma {tpe.gamma}, start-up trials {tpe.n_startup_trials}", flush=True)
    results: dict[str, list[Scored]] = {algo: [] for algo in args.algos}
    header = " ".join(f"{algo + ' cv/fresh/test':>24s}" for algo in args.algos)
    print(f"{'dataset':14s} seed {header}", flush=True)
    for spec in tables:
        X, labels = spec.load()
        y = LabelEncoder().fit_transform(labels)
        for seed in args.seeds:
            cells = []
            for algo in args.algos:
                chosen = tpe if algo == "tpe" else algo
                scored = score_search(X, y, seed, chosen, args.max_evals, args.cv)
                results[algo].append(scored)
                cells.append(f"{scored.cv:.4f}/{scored.fresh:.4f}/{scored.test:.4f}".rjust(24))
            print(f"{spec.name:14s} {seed:4d} " + " ".join(cells), flush=True)
    means = pd.DataFrame(
        {
            algo: [100 * np.mean([getattr(s, m) for s in scored]) for m in ("cv", "fresh", "test")]
            for algo, scored in results.items()
        },
        index=["cv", "fresh", "test"],
    ).round(2)
    print(f"\nmean accuracy (%) over {len(results[args.algos[0]])} runs:\n{means.to_string()}")
    if len(args.algos) > 1:
        leads = paired(results, args.algos[0]).to_string(index=False)
        print(f"\n{args.algos[0]} ahead of (points):\n{leads}")


if __name__ == "__main__":
    raise SystemExit(main())
