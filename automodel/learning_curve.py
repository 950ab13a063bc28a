"""What the refit on all rows gains over the fold models: a learning-curve term.

The out-of-fold score reads models trained on each fold's training rows (4/5 of the
table with 5 folds); the returned model is refit on all of them, and on a small table
those extra rows are worth more than the selection's optimism costs. This step fits
the returned model's trials once more on half of each training fold (a seeded
subsample, stratified for classes, through the screening key that caps a trial's
rows) and scores the combination the returned model makes of them on the same test
rows. On a learning curve straight in log(rows), the drop from halving the rows
measures the slope, and the gain from ``train`` to all ``n`` rows is

    gain = (score(train) - score(train / 2)) * log(n / train) / log(2).

The finishing step adds the gain to a regressor's expected score (``expected_score_``;
on classification tables it overshot the test score: ``benchmarks/expected_study.py``). No gain
is estimated for bagged fold models (they are not refit), a family whose row
cap binds (its refit trains on no more rows), a trial without out-of-fold
predictions or stopped by screening, or when the fits would end past the deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from automodel.conformal import covered_rows
from automodel.expected import combine
from automodel.screening import ROWS_KEY
from automodel.selection import oof_score
from automodel.space import decode
from automodel.trial import TrialRecord

__all__ = ["RefitGain", "refit_gain"]

#: A half-rows run takes about this share of its trial's time (fits grow with rows).
HALF_COST = 0.6


@dataclass(frozen=True)
class RefitGain:
    """The estimated ``gain`` of the refit, from the out-of-fold score of the fold
    models (``full``) and of the same trials fitted on half the rows (``half``)."""

    gain: float
    full: float
    half: float


def refit_gain(
    objective: Any,
    records: Sequence[TrialRecord],
    weights: Mapping[int, int],
    deadline: float | None = None,
) -> RefitGain | None:
    """The gain of refitting the trials ``weights`` (trial row -> weight; one trial, or
    an ensemble's members) of a search whose ``objective`` scored ``records``; None
    when it cannot be estimated (see the module's notes)."""
    train = float(np.mean([len(fold_train) for fold_train, _ in objective.folds]))
    n_rows = len(objective.y)
    half = int(train // 2)
    if half < 2 or n_rows <= train:
        return None
    cost = HALF_COST * sum(records[k].duration for k in weights)
    if deadline is not None and (not math.isfinite(cost) or time.monotonic() + cost > deadline):
        return None
    full: dict[int, np.ndarray] = {}
    halved: dict[int, np.ndarray] = {}
    for k in weights:
        record = records[k]
        cap = objective.families[decode(record.config).family].max_rows
        screened = record.screen_rows is not None  # stopped on a rung of fewer rows
        if record.oof is None or screened or (cap is not None and cap < train):
            return None
        again = objective({**record.config, ROWS_KEY: half})
        if again.oof is None:
            return None
        full[k], halved[k] = np.asarray(record.oof), np.asarray(again.oof)
    whole, low = combine(full, weights), combine(halved, weights)
    rows = np.flatnonzero(covered_rows(whole) & covered_rows(low))
    y = objective.y[rows]
    full_score = oof_score(whole[rows], y, objective.scoring)
    half_score = oof_score(low[rows], y, objective.scoring)
    gain = (full_score - half_score) * math.log(n_rows / train) / math.log(2)
    return RefitGain(gain, full_score, half_score)
