"""An honest expected score: the search's selection bias removed by the bootstrap.

``best_score_`` is the best of many cross-validated scores on the same folds, so it
is optimistic: the winner won partly by luck on those rows. Bootstrap bias-corrected
CV (BBC-CV, Tsamardinos et al. 2018) estimates the score of the *procedure* instead:
draw the out-of-fold rows with replacement, choose the winner on the drawn rows as
the search did (the best trial, then, where an ensemble was returned, the greedy
ensemble from it), and score that choice on the rows not drawn. The drop from the
choice's score on the rows it was made on (``apparent``) to the rounds' mean left-out
score (``bootstrap``) is the selection's optimism; a round chooses on about 63.2% of
the distinct rows, so it overstates the optimism of a choice made on all of them, and
0.632 times the drop (Efron's .632 weight) is taken off the returned model's
out-of-fold score. The weight was chosen on held-out benchmark seeds
(``benchmarks/expected_study.py``): the full drop left the estimate 0.4 (classification)
to 2.3 (regression) points below the test score. No model is fit here: it reads the
trials' out-of-fold predictions. The fold models behind those predictions trained on
fewer rows than the returned model, which is refit on all of them; the finishing step
adds that refit's learning-curve gain (:mod:`automodel.learning_curve`,
:meth:`Expected.add_gain`) where a regressor is refit (on classification tables the
gain overshot the test score, so it is not added there).

Large tables: the rounds draw from a seeded sample of at most :data:`MAX_ROWS`
covered rows, and the correction they measure (the sample's apparent score minus
its bootstrap score) is taken off the returned model's out-of-fold score on all
rows. Scorers without a fast path (see :mod:`automodel.selection`) take
:data:`SLOW_ROUNDS` rounds and keep the ensemble as one fixed candidate.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from automodel.conformal import covered_rows
from automodel.selection import has_fast_path, oof_score, select

__all__ = ["MAX_ROWS", "ROUNDS", "WEIGHT", "Expected", "combine", "expected_score"]

#: Bootstrap rounds (fast scorers), and for other scorers.
ROUNDS = 50
SLOW_ROUNDS = 20
#: Rounds run even past the time budget's end.
MIN_ROUNDS = 5
#: Covered rows the rounds draw from at most (a seeded sample).
MAX_ROWS = 3000
#: The share of the measured optimism taken off (Efron's .632 weight).
WEIGHT = 0.632


@dataclass
class Expected:
    """The expected score, the out-of-fold score it corrects, and how it was found:
    ``apparent`` (the choice made on all sampled rows, scored on them) minus
    ``bootstrap`` (the mean left-out score of the rounds' choices), times
    :data:`WEIGHT`, is the correction."""

    score: float
    oof_score: float
    rounds: int
    rows: int
    apparent: float = float("nan")
    bootstrap: float = float("nan")
    #: The refit's estimated gain and the out-of-fold score on half the training rows
    #: it comes from (:mod:`automodel.learning_curve`; NaN when not estimated).
    refit_gain: float = float("nan")
    half_score: float = float("nan")

    def add_gain(self, gain: float, half_score: float) -> None:
        """Add the refit's learning-curve gain (from ``half_score``) to the estimate."""
        self.refit_gain, self.half_score = gain, half_score
        self.score += gain

    def parts(self) -> dict[str, float]:
        """The figures as plain values (``expected_score_parts_``)."""
        names = ("oof_score", "apparent", "bootstrap", "rounds", "rows", "refit_gain", "half_score")
        return {k: float(getattr(self, k)) for k in names}


def _choose(
    pool: Mapping[int, np.ndarray],
    rows: np.ndarray,
    y: np.ndarray,
    scoring: Any,
    ensemble: Collection[int] | None,
    max_members: int | None,
) -> dict[int, int]:
    """The search's choice on ``rows``: the best trial, or the ensemble from it
    (weights by pool key)."""
    scores = {k: oof_score(p[rows], y[rows], scoring) for k, p in pool.items()}
    best = max(scores, key=lambda k: (scores[k], -list(pool).index(k)))
    if ensemble is None or best not in ensemble:
        return {best: 1}
    members = {k: pool[k][rows] for k in pool if k in ensemble}
    return select(members, y[rows], scoring, best, max_members=max_members).weights


def combine(
    pool: Mapping[int, np.ndarray], weights: Mapping[int, int], rows: np.ndarray | None = None
) -> Any:
    """The ``weights``-weighted mean of the trials' predictions in ``pool`` (on ``rows``,
    default all): what a chosen trial or ensemble predicts."""
    total = sum(weights.values())
    some = slice(None) if rows is None else rows
    return sum(pool[k][some].astype(np.float64) * w for k, w in weights.items()) / total


def _draw(rng: np.random.Generator, n_rows: int, labels: np.ndarray | None) -> np.ndarray:
    """Positions of one bootstrap sample of ``n_rows``: within each class for classes
    (the class mix of the search's stratified folds), else of all rows."""
    if labels is None:
        return rng.integers(0, n_rows, n_rows)
    parts = [
        rng.choice(np.flatnonzero(labels == c), np.sum(labels == c)) for c in np.unique(labels)
    ]
    return np.concatenate(parts)


def _left_out_score(predictions: Any, y: np.ndarray, scoring: Any, spread: float) -> float:
    """The score of the rows a round left out. R^2 divides by the variance of all sampled
    rows, not of the few left out (the same ranking, far less noise on small tables)."""
    if scoring == "r2" and spread > 0:
        return float(1.0 - np.mean((y - predictions) ** 2) / spread)
    return oof_score(predictions, y, scoring)


def expected_score(
    pool: Mapping[int, np.ndarray],
    returned: np.ndarray,
    y: np.ndarray,
    scoring: Any,
    seed: int,
    ensemble: Collection[int] | None = None,
    max_members: int | None = None,
    deadline: float | None = None,
) -> Expected | None:
    """BBC-CV over the trials' out-of-fold predictions ``pool`` (trial row -> values or
    probabilities, NaN for uncovered rows), for a search that returned a model with
    out-of-fold predictions ``returned``. ``ensemble``: the trial rows an ensemble
    could be chosen from (None: the search returned a single trial's model). Past
    ``deadline`` no round starts after the first :data:`MIN_ROUNDS`. None when no row
    is covered by every prediction or no round could be scored."""
    arrays = {k: np.asarray(p) for k, p in pool.items()}
    returned = np.asarray(returned)
    own = covered_rows(returned)
    whole = np.flatnonzero(own)  # the returned model's out-of-fold score reads these
    covered = own.copy()
    for p in arrays.values():
        covered &= covered_rows(p)
    rows = np.flatnonzero(covered)
    if len(rows) < 2 or not arrays:
        return None
    rng = np.random.default_rng(seed)
    if len(rows) > MAX_ROWS:
        rows = np.sort(rng.choice(rows, MAX_ROWS, replace=False))
    fast = has_fast_path(scoring)
    if not fast:
        ensemble = None
        arrays[-1] = np.asarray(returned)  # the returned model as one more candidate
    spread = float(np.var(y[rows])) if scoring == "r2" else 0.0
    classes = np.asarray(returned).ndim == 2
    boot = []
    for k in range(ROUNDS if fast else SLOW_ROUNDS):
        if k >= MIN_ROUNDS and deadline is not None and time.monotonic() > deadline:
            break
        drawn = _draw(rng, len(rows), y[rows] if classes else None)
        left = np.setdiff1d(np.arange(len(rows)), drawn)
        if len(left) == 0:
            continue
        weights = _choose(arrays, rows[drawn], y, scoring, ensemble, max_members)
        predictions = combine(arrays, weights, rows[left])
        try:  # a scorer may refuse left-out rows that miss a class (ROC AUC)
            score = _left_out_score(predictions, y[rows[left]], scoring, spread)
        except ValueError:
            continue
        if np.isfinite(score):
            boot.append(score)
    if not boot:
        return None
    chosen = _choose(arrays, rows, y, scoring, ensemble, max_members)
    apparent = oof_score(combine(arrays, chosen, rows), y[rows], scoring)
    full = oof_score(returned[whole], y[whole], scoring)
    bootstrap = float(np.mean(boot))
    score = full - WEIGHT * (apparent - bootstrap)
    return Expected(score, full, len(boot), len(rows), apparent, bootstrap)
