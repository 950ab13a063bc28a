"""Ways to build the ensemble, compared on the same searches (one search per table and seed).

    python -m benchmarks.ensemble_variants --datasets glass pima vehicle --seeds 3

Each (table, seed) runs one automodel search (50 trials by default) on the benchmark's
75% search part with a checkpoint, which holds the 20 best trials' out-of-fold
predictions and those of each family's 3 best. Every variant then builds its ensemble
from those same trials, refits it on the search part and is scored on the 25% test
part; the single best is the baseline. Paired per (table, seed), so the search's own
luck cancels out.

Variants: ``caruana`` (automodel's default: greedy selection under the search's
scorer), ``logloss`` (the same selection under log loss / squared error, a smooth
score), ``bagged`` (the selection on 10 random halves of the pool, weights summed),
``top5`` (equal weights on the 5 best distinct trials), ``diverse`` (caruana on a
pool that adds the FAMILY_POOL best trials of every family to the 20 best),
``families`` (caruana on the best trial of each family only), ``diverse_logloss``
(the log-loss selection on the diverse pool), ``single_bagged`` and ``caruana_bagged``
(the single best / the caruana ensemble with every member bagged as AutoGluon does:
instead of one refit on all rows, the member's k fold models, each fitted on its
fold's training rows as in the trial that produced the out-of-fold predictions, and
their predictions averaged), ``stacked`` (classification: a logistic regression fitted
on the out-of-fold class probabilities of each family's best trial, applied to those
members refit on all rows), ``stacked_bagged`` (the same stacker applied to the
members' fold-bagged probabilities, as the out-of-fold ones came from fold models).
"""

from __future__ import annotations

import argparse
import json
import pickle
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from automodel import AutoModelClassifier, AutoModelRegressor, data
from automodel.ensemble import build_voting, ensemble_pool
from automodel.evaluate import Objective
from automodel.families import resolve_families
from automodel.selection import ENSEMBLE_POOL, FAMILY_POOL, select
from automodel.tasks import TASKS
from benchmarks.datasets import DEFAULT_DATA_DIR, resolve_datasets
from benchmarks.metrics import TIE_MARGIN
from benchmarks.protocol import holdout_split, score_test_part

VARIANTS = (
    "single", "caruana", "logloss", "bagged", "top5", "diverse", "families", "diverse_logloss",
    "single_bagged", "caruana_bagged", "stacked", "stacked_bagged",
)  # fmt: skip

#: Variant -> (pool size, best trials per family) of its pool; others: the default pool.
POOLS = {
    "diverse": (ENSEMBLE_POOL, FAMILY_POOL),
    "families": (1, 1),
    "diverse_logloss": (ENSEMBLE_POOL, FAMILY_POOL),
    "stacked": (1, 1),
    "stacked_bagged": (1, 1),
}


def _objective(model: Any, X: Any, y: np.ndarray, task: Any) -> Objective:
    """The search's objective again: same checked data, folds and families."""
    X = data.check_features(X)
    y_fit, _ = task.check_target(y, X.shape[0])
    holdout = model.holdout_above is not None and len(y_fit) > model.holdout_above
    folds = task.folds(X, y_fit, model.cv, holdout, model.random_state)
    families = resolve_families(model.families, task.name)
    return Objective.build(
        X,
        y_fit,
        folds,
        scoring=model.scoring_,
        families={f.name: f for f in families},
        random_state=model.random_state,
        stratify=task.stratified,
    )


def _weights(
    variant: str, pool: dict[int, np.ndarray], objective: Objective, start: int, seed: int
) -> dict[int, int]:
    fold = np.full(len(objective.y), -1)
    for k, (_, test) in enumerate(objective.folds):
        fold[test] = k
    y, scoring = objective.y, objective.scoring
    if variant in ("caruana", "diverse", "families"):
        return select(pool, y, scoring, start, fold).weights
    if variant in ("logloss", "diverse_logloss"):
        smooth = "neg_log_loss" if objective.n_classes else "neg_mean_squared_error"
        return select(pool, y, smooth, start, fold).weights
    if variant == "top5":
        return {k: 1 for k in list(pool)[:5]}
    if variant != "bagged":
        raise ValueError(f"no selection rule for variant {variant!r}")
    rng = np.random.default_rng(seed)
    total: dict[int, int] = {}
    keys = list(pool)
    for _ in range(10):
        half = sorted(rng.choice(len(keys), size=max(2, len(keys) // 2), replace=False))
        part = {keys[i]: pool[keys[i]] for i in half}
        first = next(iter(part))
        for k, w in select(part, y, scoring, first, fold).weights.items():
            total[k] = total.get(k, 0) + w
    return total


def fold_bagged(
    objective: Objective, configs: Sequence[Mapping[str, Any]], weights: Mapping[int, int], X: Any
) -> np.ndarray:
    """The weighted mean over members ``weights`` of their fold models' predictions of ``X``
    (class probabilities, or values): each member is fitted once per search fold, on the
    fold's training rows (row-capped as in its trial). A classifier without
    ``predict_proba`` adds a vote for the class it predicts."""
    total: np.ndarray | None = None
    for index, weight in weights.items():
        for train, _ in objective.folds:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = objective.fit_rows(configs[index], train)
            if objective.n_classes:
                part = np.zeros((X.shape[0], objective.n_classes))
                if hasattr(fitted, "predict_proba"):
                    part[:, fitted.classes_] = fitted.predict_proba(X)
                else:  # an SVC single best: its fold models vote
                    part[np.arange(X.shape[0]), fitted.predict(X)] = 1.0
            else:
                part = np.asarray(fitted.predict(X), dtype=np.float64)
            total = weight * part if total is None else total + weight * part
    assert total is not None
    return total / (sum(weights.values()) * len(objective.folds))


def stacked(
    objective: Objective, configs: Sequence[Mapping[str, Any]], pool: Mapping[int, np.ndarray],
    voting: type, X: Any, bagged: bool = False,
) -> np.ndarray:  # fmt: skip
    """Class indices of ``X`` predicted by a logistic regression stacked on the out-of-fold
    probabilities of the ``pool`` members, which are refit on all rows for ``X`` (or,
    ``bagged``, whose fold models' mean probabilities of ``X`` are used)."""
    if not objective.n_classes:
        raise ValueError("the stacked variant is for classification only")
    oof = np.hstack([pool[i] for i in pool])
    rows = np.isfinite(oof).all(axis=1)
    stacker = LogisticRegression(max_iter=2000).fit(oof[rows], objective.y[rows])
    if bagged:
        return stacker.predict(
            np.hstack([fold_bagged(objective, configs, {i: 1}, X) for i in pool])
        )
    members = build_voting(objective, configs, dict.fromkeys(pool, 1), voting)
    features = np.hstack([member.predict_proba(X) for member in members.estimators_])
    return stacker.predict(features)


def run_one(
    spec: Any, seed: int, max_evals: int, cv: int, variants: Sequence[str] = VARIANTS
) -> dict[str, float]:
    if {"stacked", "stacked_bagged"} & set(variants) and spec.task == "regression":
        raise ValueError(f"{spec.name}: the stacked variant is for classification only")
    X, raw = spec.load()
    task = TASKS[spec.task]
    y = np.asarray(raw, dtype=np.float64) if spec.task == "regression" else np.asarray(raw)
    X_search, X_test, y_search, y_test = holdout_split(X, y, seed, spec.task)
    kind = AutoModelRegressor if spec.task == "regression" else AutoModelClassifier
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.ckpt"
        model = kind(max_evals=max_evals, cv=cv, random_state=seed, checkpoint=path, ensemble=True)
        model.fit(X_search, y_search)
        records = pickle.loads(path.read_bytes())["checkpoint"].finished()
    objective = _objective(model, X_search, y_search, task)
    objective.n_classes = 0 if spec.task == "regression" else len(model.classes_)
    configs = [record.config for record in records]
    # automodel's own ensemble (the single best when it built none).
    own = {model.best_index_: 1}
    if np.isfinite(model.ensemble_score_):
        own = dict(zip(model.ensemble_members_, model.ensemble_weights_, strict=True))
    scores = {}
    X_test_prepared = model._prepare(X_test)
    for variant in dict.fromkeys(("single", *variants)):
        if variant in ("single_bagged", "caruana_bagged"):
            weights = own if variant == "caruana_bagged" else {model.best_index_: 1}
            mean = fold_bagged(objective, configs, weights, X_test_prepared)
            predicted = model.classes_[np.argmax(mean, axis=1)] if objective.n_classes else mean
        elif variant in ("stacked", "stacked_bagged"):
            pool = ensemble_pool(records, model.cv_results_, objective, *POOLS[variant])
            bag = variant == "stacked_bagged"
            index = stacked(objective, configs, pool, task.voting, X_test_prepared, bag)
            predicted = model.classes_[index]
        else:
            pool = ensemble_pool(records, model.cv_results_, objective, *POOLS.get(variant, ()))
            # As automodel: no ensemble without the best trial (e.g. an SVC best).
            if variant == "single" or len(pool) < 2 or model.best_index_ not in pool:
                estimator = model.best_single_estimator_
            else:
                weights = _weights(variant, pool, objective, model.best_index_, seed)
                estimator = build_voting(objective, configs, weights, task.voting)
                if variant == "caruana" and np.isfinite(model.ensemble_score_) and own != weights:
                    # the harness must rebuild automodel's own choice
                    raise RuntimeError(f"caruana weights {weights} differ from the model's {own}")
            predicted = estimator.predict(X_test_prepared)
            if spec.task != "regression":
                predicted = model.classes_[predicted]
        part = score_test_part(spec.task, y_test, np.asarray(predicted))
        scores[variant] = part["test_r2" if spec.task == "regression" else "test_accuracy"]
    return scores


def summary(rows: Sequence[Mapping[str, Any]]) -> str:
    """Each variant against the single best, paired per (table, seed), and its worst table."""
    present = [v for v in VARIANTS if all(v in r for r in rows)]
    table = np.array([[r[v] for v in present] for r in rows])
    names = [r["dataset"] for r in rows]
    lines = [f"{len(rows)} (table, seed) pairs; against the single best (ties under {TIE_MARGIN}):"]
    for k, variant in enumerate(present[1:], start=1):
        diff = table[:, k] - table[:, 0]
        wins, losses = int((diff >= TIE_MARGIN).sum()), int((diff <= -TIE_MARGIN).sum())
        by_table = {
            n: float(np.mean(diff[[i for i, m in enumerate(names) if m == n]])) for n in names
        }
        worst = min(by_table, key=by_table.__getitem__)
        lines.append(
            f"  {variant:15s} mean {table[:, k].mean():.4f} (single {table[:, 0].mean():.4f})  "
            f"W/T/L {wins}/{len(diff) - wins - losses}/{losses}  mean diff {diff.mean():+.4f}  "
            f"worst table {worst} {by_table[worst]:+.4f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ensemble_variants", description=__doc__
    )
    parser.add_argument("--datasets", nargs="+", default=[])
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds start here")
    parser.add_argument("--max-evals", type=int, default=50)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS),
        help="variants to build (default: all; the single best always)",
    )  # fmt: skip
    parser.add_argument("--records", help="JSON-lines file: one line per (table, seed) appended")
    parser.add_argument(
        "--summarize", nargs="+", metavar="RECORDS", help="only summarise these records files"
    )
    args = parser.parse_args(argv)
    if args.summarize:
        missing = [f for f in args.summarize if not Path(f).is_file()]
        if missing:
            parser.error(f"no such records file: {', '.join(missing)}")
        rows = [
            json.loads(line)
            for f in args.summarize
            for line in Path(f).read_text().splitlines()
            if line.strip()
        ]
        if not rows:
            parser.error("the records files hold no (table, seed) lines")
        print(summary(rows))
        return 0
    if not args.datasets:
        parser.error("--datasets is required (or --summarize)")
    rows = []
    for spec in resolve_datasets(args.datasets, args.data_dir):
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            scores = run_one(spec, seed, args.max_evals, args.cv, args.variants)
            row = {"dataset": spec.name, "seed": seed, **scores}
            rows.append(row)
            if args.records:
                with open(args.records, "a") as out:
                    out.write(json.dumps(row) + "\n")
            text = "  ".join(f"{v} {score:.4f}" for v, score in scores.items())
            print(f"{spec.name} seed={seed}: {text}", flush=True)
    print("\n" + summary(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
