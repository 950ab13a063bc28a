"""A million rows on one machine: time to a model, peak memory, test score, per system.

    python -m benchmarks.million --task classification --system automodel \\
        --records benchmarks/results/million.jsonl
    python -m benchmarks.million --task regression --system flaml --records ...

One system per command (run them one after another: memory is measured for this
process and its children, and nothing else should run beside it). The table is
generated with a known signal (:func:`make_table`: 27 numeric columns, a few with
missing values, 3 text columns of 5, 40 and 1,000 levels; a nonlinear target with
interactions, so that a linear model is not enough and trees must find the text
columns' effects), split 75 / 25 as every benchmark splits. Systems:

- ``automodel``: the default ``AutoModelClassifier`` / ``AutoModelRegressor`` with
  ``timeout`` (default 600 s) and ``n_jobs=2`` (screening on: the table is large);
- ``automodel-noscreen``: the same with ``screening=False``;
- ``automodel-large``: a candidate default for large tables (:func:`_large_families`);
- ``flaml``: FLAML's ``AutoML`` with ``time_budget`` = the same seconds, ``n_jobs=2``
  and its own choice of holdout or folds (it retrains the best after the budget);
  ``flaml-budget``: the same with ``retrain_full="budget"`` (the retrain inside it);
- ``lightgbm``: one LightGBM with its defaults; ``lightgbm-large``: 1,000 trees, 127
  leaves, learning rate 0.05 (a hand-tuned single model), both on 2 threads and the
  text columns as pandas categories; ``lightgbm-large-codes``: the same model on the
  text columns' ordinal codes; ``lightgbm-large-target``: the same model behind
  automodel's column step for tree families (codes, and the cross-fitted target
  encoding of the columns of more than 30 levels); ``lightgbm-shallow-target``: the
  same way, automodel's first LightGBM default point on large tables (1,500 trees of
  10 leaves, ``automodel.families.lightgbm.SHALLOW``).

A record holds wall time (fit and predict), peak RSS and PSS of the process tree
(GB), the test score, for automodel the trials by outcome and the rungs reached, for
FLAML its chosen learner and configuration.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automodel.families.lightgbm import SHALLOW
from automodel.screening import TIME_STOP
from benchmarks.perf_tools import MemorySampler
from benchmarks.protocol import holdout_split, score_test_part
from benchmarks.records import append_record

__all__ = ["SYSTEMS", "main", "make_table"]

LEVELS = (5, 40, 1_000)


def make_table(task: str, rows: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``rows`` x 30 columns with a known signal: ``x0..x26`` numeric (``x20..x22``
    with 2% missing), ``c0..c2`` text. Classification: the sign of the signal plus
    logistic noise (two classes); regression: the signal plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    numeric = rng.standard_normal((rows, 27)).astype(np.float64)
    numeric[:, 5] = 0.6 * numeric[:, 0] + 0.8 * numeric[:, 5]  # correlated columns
    codes = [rng.integers(0, n, rows) for n in LEVELS]
    effects = [rng.normal(0, 1.0, n) for n in LEVELS]
    x = numeric
    signal = (
        1.2 * x[:, 0]
        - 0.8 * x[:, 1] ** 2
        + np.sin(2 * x[:, 2])
        + 0.9 * x[:, 3] * x[:, 4]
        + 0.6 * np.abs(x[:, 6])
        + 0.5 * np.where(x[:, 7] > 0.5, x[:, 8], -x[:, 8])
        + sum(e[c] * w for e, c, w in zip(effects, codes, (0.8, 0.5, 0.3), strict=True))
    )
    signal -= signal.mean()
    frame = pd.DataFrame(x, columns=[f"x{k}" for k in range(27)])
    for k in (20, 21, 22):
        frame.loc[rng.random(rows) < 0.02, f"x{k}"] = np.nan
    for k, c in enumerate(codes):
        frame[f"c{k}"] = pd.Series(c).map(lambda v, k=k: f"l{k}_{v}")
    if task == "classification":
        y = (signal + rng.logistic(0, 0.6, rows) > 0).astype(np.int64)
    else:
        y = signal + rng.normal(0, 1.0, rows)
    return frame, y


def _categories(X: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in X.columns if X[c].dtype == object or str(X[c].dtype) == "str"]
    return X.astype({c: "category" for c in text})


def _automodel(task: str, seconds: float, seed: int, **params: Any) -> Any:
    from automodel import AutoModelClassifier, AutoModelRegressor

    kind = AutoModelClassifier if task == "classification" else AutoModelRegressor
    return kind(timeout=seconds, n_jobs=2, random_state=seed, max_evals=None, **params)


def _large_families(task: str) -> list[Any]:
    """A candidate default for large tables: no row-capped SVM or KNN (hopeless here, and
    KNN's predictions on the validation rows cost minutes), LightGBM in, forests on at
    most 200,000 rows. (From aff72dd LightGBM's default point on such a table is the
    large model, so this system no longer reproduces its records of 611db92.)"""
    from dataclasses import replace

    from automodel.families import REGISTRIES

    registry = REGISTRIES[task]
    linear = "logreg" if task == "classification" else "linear"
    capped = [replace(registry[n], max_rows=200_000) for n in ("forest", "extra_trees")]
    return [registry[linear], registry["xgboost"], registry["lightgbm"], *capped]


def _flaml(task: str, seconds: float, seed: int, **options: Any) -> Any:
    from flaml import AutoML

    class Flaml(AutoML):  # fit(X, y) with the budget, as the others
        def fit(self, X: Any, y: Any) -> Any:  # noqa: ANN401
            return super().fit(
                X_train=X, y_train=y, task=task, time_budget=seconds, n_jobs=2,
                seed=seed, verbose=0, **options,
            )  # fmt: skip

    return Flaml()


#: The single "well-chosen" LightGBM of the issue: 1,000 trees of 127 leaves.
LARGE_LIGHTGBM = {"n_estimators": 1_000, "num_leaves": 127, "learning_rate": 0.05}


def _codes(X: pd.DataFrame) -> pd.DataFrame:
    """Text columns as the codes of their sorted levels (missing: -1, read as missing)."""
    return X.apply(lambda c: c.cat.codes if isinstance(c.dtype, pd.CategoricalDtype) else c)


def _behind_column_step(task: str, model: Any) -> Any:
    """``model`` behind automodel's column step for tree families (``"ordinal"``)."""
    from sklearn.base import BaseEstimator
    from sklearn.pipeline import make_pipeline

    from automodel.schema import describe

    class Stepped(BaseEstimator):  # the step is built from the training table's columns
        def fit(self, X: pd.DataFrame, y: np.ndarray) -> Any:  # noqa: ANN401
            target = "binary" if task == "classification" else "continuous"
            step = describe(X).preprocessor("ordinal", target)
            self.pipeline_ = make_pipeline(step, model).fit(X, y)
            return self

        def predict(self, X: pd.DataFrame) -> np.ndarray:
            return self.pipeline_.predict(X)

    return Stepped()


def _lightgbm(task: str, seed: int, **params: Any) -> Any:
    import lightgbm

    kind = lightgbm.LGBMClassifier if task == "classification" else lightgbm.LGBMRegressor
    return kind(n_jobs=2, random_state=seed, verbose=-1, **params)


SYSTEMS = {
    "automodel": lambda task, s, seed: _automodel(task, s, seed),
    "automodel-noscreen": lambda task, s, seed: _automodel(task, s, seed, screening=False),
    "automodel-large": lambda task, s, seed: _automodel(
        task, s, seed, families=_large_families(task)
    ),
    "flaml": _flaml,
    "flaml-budget": lambda task, s, seed: _flaml(task, s, seed, retrain_full="budget"),
    "lightgbm": lambda task, s, seed: _lightgbm(task, seed),
    "lightgbm-large": lambda task, s, seed: _lightgbm(task, seed, **LARGE_LIGHTGBM),
    # The same model on the text columns' ordinal codes: what native categories add.
    "lightgbm-large-codes": lambda task, s, seed: _lightgbm(task, seed, **LARGE_LIGHTGBM),
    # ... and behind automodel's column step: the target encoding of the 1,000 levels.
    "lightgbm-large-target": lambda task, s, seed: _behind_column_step(
        task, _lightgbm(task, seed, **LARGE_LIGHTGBM)
    ),
    # automodel's first LightGBM default point on large tables, alone, the same way.
    "lightgbm-shallow-target": lambda task, s, seed: _behind_column_step(
        task, _lightgbm(task, seed, **SHALLOW)
    ),
}


def _limit(error: str) -> float:
    """The limit a timed-out trial's error names ("... time limit of 12.3 s")."""
    found = re.search(r"time limit of ([0-9.]+) s", error)
    return float(found.group(1)) if found else float("inf")


def _best_rows(table: Any, scores: pd.Series) -> dict[str, Any]:
    """Per family, the training rows its best trial stopped at ("all": every row)."""
    rows = pd.Series(table.get("screen_rows", np.full(len(scores), np.nan)), dtype=float)
    scored = scores.dropna()  # a family whose every trial failed has no best
    best = scored.groupby(pd.Series(table["family"])[scored.index]).idxmax()
    return {f: "all" if np.isnan(rows[i]) else int(rows[i]) for f, i in best.items()}


def _flaml_figures(model: Any) -> dict[str, Any]:
    """FLAML's chosen learner and its configuration (what automodel has to match)."""
    if getattr(model, "best_estimator", None) is None or not hasattr(model, "best_config"):
        return {}
    return {"flaml_learner": model.best_estimator, "flaml_config": dict(model.best_config)}


def _search_figures(model: Any) -> dict[str, Any]:
    """Trials by outcome and by the rung they stopped at (automodel only)."""
    if not hasattr(model, "trials_"):
        return {}
    results = model.trials_.results
    rungs = Counter(str(r.get("screen_rows") or "all") for r in results)
    table = model.cv_results_
    scores = pd.Series(table["mean_test_score"], dtype=float)
    # A timeout below the per-trial limit is the total budget's end, not the limit.
    limit = model.trial_timeout or float("inf")
    status = [
        "budget-end" if s == "timeout" and _limit(e) < limit else s
        for s, e in zip(table["status"], table["error"], strict=True)
    ]
    failed = [f"{f}:{s}" for f, s in zip(table["family"], status, strict=True)]
    return {
        "trials": len(results),
        "failed_by_family": dict(Counter(x for x in failed if not x.endswith(":ok"))),
        "best_by_family": scores.groupby(table["family"]).max().dropna().to_dict(),
        "outcomes": dict(Counter(r.get("reason", r["status"]) for r in results)),
        "stopped_at_rows": dict(rungs),
        "best_rows_by_family": _best_rows(table, scores),
        # Trials the time-aware rule kept from their next rung (screening.next_rung_seconds).
        "stopped_for_time": sum(
            any(w.startswith(TIME_STOP) for w in r.get("warnings", ())) for r in results
        ),
        "best_family": model.best_params_["family"],
        # The ensemble step: its members' families and weights, or why none was kept.
        "ensemble": _ensemble_figures(model),
        "search_time": model.search_time_,
        "refit_time": model.refit_time_,
    }


def _ensemble_figures(model: Any) -> dict[str, Any]:
    """The kept ensemble's members (family_trial -> weight) and their trials' fit
    seconds (what the refit was planned from), or the note saying why not."""
    members = getattr(model, "ensemble_members_", None)
    if members is None:
        return {}
    families = model.cv_results_["family"]
    names = [f"{families[i]}_{i}" for i in members]
    fits = model.cv_results_["mean_fit_time"]
    return {
        "members": dict(zip(names, model.ensemble_weights_, strict=True)),
        "trial_fit_seconds": {n: float(fits[i]) for n, i in zip(names, members, strict=True)},
        "note": model.ensemble_note_,
        "seconds": model.ensemble_time_,
    }


def _single_best_score(task: str, model: Any, X_test: Any, y_test: Any) -> dict[str, Any]:
    """With a kept ensemble, the test score of its best member alone (the paired
    comparison of the same run; not timed)."""
    if len(getattr(model, "ensemble_members_", ())) < 2:
        return {}
    predicted = np.asarray(model.best_single_estimator_.predict(X_test))
    if task == "classification":
        predicted = model.classes_[predicted.astype(int)]
    scores = score_test_part(task, np.asarray(y_test), predicted)
    return {f"single_best_{name}": value for name, value in scores.items()}


def run(task: str, system: str, rows: int, seconds: float, seed: int) -> dict[str, Any]:
    """One system's record on the generated table."""
    X, y = make_table(task, rows, seed)
    X_fit, X_test, y_fit, y_test = holdout_split(X, y, seed, task)
    if system.startswith(("lightgbm", "flaml")) and not system.endswith("-target"):
        X_fit, X_test = _categories(X_fit), _categories(X_test)
    if system.endswith("-codes"):  # one set of levels, so codes mean the same on both parts
        levels = {c: X_fit[c].cat.categories for c in X_fit.select_dtypes("category")}
        X_test = X_test.astype({c: pd.CategoricalDtype(v) for c, v in levels.items()})
        X_fit, X_test = _codes(X_fit), _codes(X_test)
    model = SYSTEMS[system](task, seconds, seed)
    with MemorySampler() as memory:
        start = time.perf_counter()
        model.fit(X_fit, y_fit)
        fitted = time.perf_counter() - start
        predicted = np.asarray(model.predict(X_test))
        wall = time.perf_counter() - start
    return {
        "task": task,
        "system": system,
        "rows": rows,
        "seed": seed,
        "budget_seconds": seconds,
        "fit_seconds": fitted,
        "wall_seconds": wall,
        "peak_rss_gb": None if memory.peak_rss is None else memory.peak_rss / 1024,
        "peak_pss_gb": None if memory.peak_pss is None else memory.peak_pss / 1024,
        **score_test_part(task, np.asarray(y_test), predicted),
        **_search_figures(model),
        **_flaml_figures(model),
        **_single_best_score(task, model, X_test, y_test),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.million")
    parser.add_argument("--task", choices=["classification", "regression"], required=True)
    parser.add_argument("--system", choices=sorted(SYSTEMS), required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--records", type=Path, required=True)
    args = parser.parse_args(argv)
    record = run(args.task, args.system, args.rows, args.seconds, args.seed)
    append_record(args.records, record)
    print(json.dumps(record, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
