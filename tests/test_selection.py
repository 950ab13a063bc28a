"""Greedy ensemble selection on out-of-fold predictions."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import get_scorer

from automodel.selection import _FAST, oof_score, select

RNG = np.random.default_rng(0)
N = 200
Y = RNG.normal(size=N)
FOLD = np.arange(N) % 4
NOISE = RNG.normal(size=N)


def test_two_complementary_regressors_beat_either_alone():
    pool = {
        3: (Y + NOISE).astype(np.float32),  # best alone: errors +e
        5: (Y - NOISE).astype(np.float32),  # errors -e: the mean is exact
        8: (Y + 3 * NOISE).astype(np.float32),
    }
    alone = {k: oof_score(p, Y, "r2", FOLD) for k, p in pool.items()}
    found = select(pool, Y, "r2", start=3, fold=FOLD)
    assert found.members == [3, 5]
    assert found.weights == {3: 1, 5: 1}
    assert found.score > max(alone.values()) + 0.1
    assert found.score == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(found.predictions, Y, atol=1e-5)


def test_two_complementary_classifiers_beat_either_alone():
    y = np.arange(N) % 2
    first = np.arange(N) < N // 2

    def member(right_on: np.ndarray) -> np.ndarray:
        # Sure and right on its rows, barely wrong on the others.
        p_true = np.where(right_on, 0.9, 0.45)
        proba = np.empty((N, 2), dtype=np.float32)
        proba[np.arange(N), y] = p_true
        proba[np.arange(N), 1 - y] = 1 - p_true
        return proba

    pool = {0: member(first), 1: member(~first)}
    assert oof_score(pool[0], y, "accuracy", FOLD) == 0.5
    found = select(pool, y, "accuracy", start=0, fold=FOLD)
    assert found.weights == {0: 1, 1: 1}
    assert found.score == 1.0


def test_the_best_alone_stays_when_nothing_helps():
    pool = {0: Y.astype(np.float32), 1: (Y + NOISE).astype(np.float32)}
    found = select(pool, Y, "r2", start=0, fold=FOLD)
    assert found.weights == {0: 1}
    assert found.score == pytest.approx(1.0)


def test_weights_grow_with_replacement_and_the_cap_holds():
    pool = {k: (Y + RNG.normal(size=N)).astype(np.float32) for k in range(6)}
    found = select(pool, Y, "neg_mean_squared_error", start=0, fold=FOLD, rounds=15)
    assert sum(found.weights.values()) <= 15 and len(found.members) >= 3
    capped = select(pool, Y, "neg_mean_squared_error", start=0, fold=FOLD, max_members=2)
    assert len(capped.members) == 2 and capped.members[0] == 0
    assert capped.score <= found.score


def test_only_rows_every_member_predicts_are_scored():
    holdout = np.arange(N) >= 150  # a holdout split: the other rows have no prediction
    pool = {}
    for k, sign in enumerate((1, -1)):
        values = np.full(N, np.nan, dtype=np.float32)
        values[holdout] = Y[holdout] + sign * NOISE[holdout]
        pool[k] = values
    found = select(pool, Y, "r2", start=0)
    assert found.weights == {0: 1, 1: 1}
    assert np.isnan(found.predictions[~holdout]).all()
    np.testing.assert_allclose(found.predictions[holdout], Y[holdout], atol=1e-5)


def test_no_round_starts_after_the_deadline():
    pool = {0: (Y + NOISE).astype(np.float32), 1: (Y - NOISE).astype(np.float32)}
    found = select(pool, Y, "r2", start=0, fold=FOLD, deadline=time.monotonic() - 1)
    assert found.weights == {0: 1}


@pytest.mark.parametrize("name", sorted(_FAST))
def test_fast_scorers_match_scikit_learn(name):
    classes = name in {"accuracy", "balanced_accuracy", "neg_log_loss"}
    if classes:
        y = RNG.integers(0, 3, N)
        predictions = RNG.dirichlet([1.0, 1.0, 1.0], N)
    else:
        y, predictions = Y, Y + NOISE
    fast = oof_score(predictions, y, name, FOLD)
    # A scorer callable takes scikit-learn's own path.
    slow = oof_score(predictions, y, get_scorer(name), FOLD)
    assert fast == pytest.approx(slow, rel=1e-9, abs=1e-12)
