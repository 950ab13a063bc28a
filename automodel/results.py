"""Trials -> one results table (scikit-learn's ``cv_results_`` layout) and a leaderboard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from automodel.calibration import DecisionCalibrated, TemperatureScaled
from automodel.leaderboard import Leaderboard
from automodel.space import decode
from automodel.trial import TrialRecord

__all__ = [
    "cv_results",
    "expected_line",
    "gain_note",
    "leaderboard",
    "model_line",
    "single_best_note",
    "trial_params",
]

#: Leaderboard columns, in display order.
LEADERBOARD_COLUMNS = [
    "rank_test_score",
    "family",
    "preprocessing",
    "mean_test_score",
    "std_test_score",
    "mean_fit_time",
    "status",
    "params",
]


def trial_params(config: dict[str, Any]) -> dict[str, Any]:
    """The flat parameter dict of a decoded point: family, scaler, then its params."""
    candidate = decode(config)
    return {"family": candidate.family, "scaler": candidate.scaler, **candidate.params}


def _rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best; ties share the lowest rank; failed trials (NaN) rank last."""
    # Rounded so that means equal up to float noise share a rank.
    filled = np.where(np.isnan(scores), -np.inf, np.round(scores, 10))
    order = np.sort(filled)[::-1]
    return (np.searchsorted(-order, -filled, side="left") + 1).astype(np.int32)


def cv_results(records: Sequence[TrialRecord], n_splits: int) -> dict[str, Any]:
    """Columns of equal length, one row per finished trial, in trial order.

    Parameters a trial's family lacks are masked in its ``param_*`` column, as
    scikit-learn does for a list of parameter grids. A screened search adds
    ``screen_rows``: the training rows of the rung a trial stopped at (NaN: all).
    """
    n = len(records)
    params = [trial_params(r.config) for r in records]
    ok = np.array([r.ok for r in records], dtype=bool)
    table: dict[str, Any] = {}
    splits = np.full((n, n_splits), np.nan)
    fit_times = np.full((n, n_splits), np.nan)
    score_times = np.full((n, n_splits), np.nan)
    for i, record in enumerate(records):
        if ok[i]:
            splits[i] = record.scores
            fit_times[i] = record.fit_time
            score_times[i] = record.score_time
    with np.errstate(invalid="ignore"):
        mean = np.where(ok, splits.mean(axis=1), np.nan)
        std = np.where(ok, splits.std(axis=1), np.nan)
    table["mean_fit_time"] = fit_times.mean(axis=1)
    table["std_fit_time"] = fit_times.std(axis=1)
    table["mean_score_time"] = score_times.mean(axis=1)
    table["std_score_time"] = score_times.std(axis=1)
    names = list(dict.fromkeys(key for p in params for key in p))
    for name in names:
        column = np.ma.MaskedArray(np.empty(n, dtype=object), mask=True)
        for i, p in enumerate(params):
            if name in p:
                column[i] = p[name]
        table[f"param_{name}"] = column
    table["params"] = params
    for k in range(n_splits):
        table[f"split{k}_test_score"] = splits[:, k]
    table["mean_test_score"] = mean
    table["std_test_score"] = std
    table["rank_test_score"] = _rank(mean)
    table["family"] = [p["family"] for p in params]
    table["preprocessing"] = [p["scaler"] for p in params]
    table["status"] = [r.outcome for r in records]
    table["error"] = [r.error for r in records]
    table["duration"] = np.array([r.duration for r in records], dtype=float)
    if any(r.rung_losses or r.screen_rows for r in records):  # screening: rows at the stop
        rows = [np.nan if r.screen_rows is None else r.screen_rows for r in records]
        table["screen_rows"] = np.array(rows, dtype=float)
    return table


def leaderboard(
    table: dict[str, Any],
    top: int | None = None,
    ensemble: tuple[Sequence[int], Sequence[int], float] | None = None,
) -> pd.DataFrame:
    """The results table as a DataFrame sorted best first (plain values only).

    With ``ensemble`` = (member rows, weights, out-of-fold score) a first row
    (family "ensemble", rank 0, no trial number) stands for the ensemble, and the
    ``weight`` column gives each trial's weight in it.
    """
    frame = pd.DataFrame({c: list(table[c]) for c in LEADERBOARD_COLUMNS})
    frame.insert(0, "trial", pd.array(np.arange(len(frame)), dtype="Int64"))
    frame = frame.sort_values(["rank_test_score", "trial"], kind="stable")
    if ensemble is not None:
        members, weights, score = ensemble
        pairs = list(zip(members, weights, strict=True))
        frame.insert(len(frame.columns) - 1, "weight", 0)
        for member, weight in pairs:
            frame.loc[frame["trial"] == member, "weight"] = weight
        row = {
            "trial": pd.NA,
            "rank_test_score": 0,
            "family": "ensemble",
            "preprocessing": "",
            "mean_test_score": score,
            "std_test_score": np.nan,
            "mean_fit_time": float(frame.loc[frame["weight"] > 0, "mean_fit_time"].sum()),
            "status": "ok",
            "weight": int(sum(weights)),
            "params": {"members": _members(table["family"], pairs)},
        }
        frame = pd.concat([pd.DataFrame([row]).astype({"trial": "Int64"}), frame])
        frame = frame.reset_index(drop=True)
    return Leaderboard(frame.head(top) if top is not None else frame)


def _members(family: Sequence[str], pairs: Any) -> str:
    """An ensemble's members by family (``family``: each trial's), trial and weight:
    ``forest #12 x3, knn #4 x1``."""
    return ", ".join(f"{family[m]} #{m} x{w}" for m, w in pairs)


def _calibration(best: Any) -> str:
    """How the returned model's probabilities are calibrated ("" when they are its own)."""
    if isinstance(best, DecisionCalibrated):
        return "; probabilities calibrated on its out-of-fold decision values"
    if isinstance(best, TemperatureScaled):
        return f"; probabilities temperature-scaled (T = {best.temperature_:.2f}, out of fold)"
    return ""


def model_line(model: Any) -> str:
    """What a fitted model predicts with, in one line: the ensemble (members by family
    and weight), the bagged single best, or the single best (and why no ensemble)."""
    scoring = model.scoring_ if isinstance(model.scoring_, str) else "score"
    proba = _calibration(model.best_estimator_)
    if np.isfinite(getattr(model, "ensemble_score_", np.nan)):
        pairs = zip(model.ensemble_members_, model.ensemble_weights_, strict=True)
        members = _members(model.cv_results_["family"], pairs)
        return (
            f"ensemble of {members}; out-of-fold {scoring} {model.ensemble_score_:.4f} "
            f"(optimistic: weights chosen on those predictions){proba}"
        )
    if getattr(model, "bagged_", False):
        how = "voting" if isinstance(model.best_estimator_, DecisionCalibrated) else "averaged"
        return f"the single best pipeline, bagged ({model.cv} fold models {how}){proba}"
    note = single_best_note(model)
    return "the single best pipeline" + (f" ({note})" if note else "") + proba


def expected_line(model: Any) -> str:
    """The expected score on new rows (``expected_score_``) next to ``best_score_``."""
    scoring = model.scoring_ if isinstance(model.scoring_, str) else "score"
    expected = getattr(model, "expected_score_", float("nan"))
    if not np.isfinite(expected):
        return f"expected {scoring} on new rows: not estimated (no out-of-fold predictions)"
    return (
        f"expected {scoring} on new rows: {expected:.4f} (the CV score {model.best_score_:.4f} "
        "is the best of many on the same folds; the expected one removes that luck by "
        f"bootstrap, BBC-CV{gain_note(model)})"
    )


def gain_note(model: Any) -> str:
    """``", plus ... the refit on all rows gains"`` when the expected score holds the
    refit's learning-curve gain (:mod:`automodel.learning_curve`), else ``""``."""
    gain = getattr(model, "expected_score_parts_", {}).get("refit_gain", float("nan"))
    if not np.isfinite(gain):
        return ""
    return f", plus {gain:+.4f} that the refit on all rows gains"


def single_best_note(model: Any) -> str:
    """Why a fitted model kept its refit single best: the ensemble step's and the
    bagging's notes joined ("" when neither left one)."""
    notes = [getattr(model, name, "") for name in ("ensemble_note_", "bagging_note_")]
    return "; ".join(n for n in notes if n)
