"""The expected score (BBC-CV): it removes the selection's luck, and only that."""

from __future__ import annotations

import time

import numpy as np
import pytest

from automodel.expected import MIN_ROUNDS, ROUNDS, WEIGHT, expected_score
from automodel.selection import oof_score


def _noise_pool(n_rows, n_trials, seed):
    """Trials that guess classes at random: any winner among them is luck."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n_rows)
    pool = {k: rng.dirichlet([1, 1], size=n_rows) for k in range(n_trials)}
    return y, pool


def test_selection_luck_is_removed():
    y, pool = _noise_pool(300, 40, 0)
    scores = {k: oof_score(p, y, "accuracy") for k, p in pool.items()}
    best = max(scores, key=scores.get)
    assert scores[best] > 0.54  # the best of 40 coin flips looks good
    found = expected_score(pool, pool[best], y, "accuracy", seed=0)
    assert found.oof_score == scores[best]
    assert abs(found.score - 0.5) < 0.03  # what it really is
    assert found.rounds == ROUNDS and found.rows == 300
    parts = found.parts()
    optimism = parts["apparent"] - parts["bootstrap"]
    assert found.score == pytest.approx(parts["oof_score"] - WEIGHT * optimism)


def test_a_clear_winner_keeps_its_score():
    rng = np.random.default_rng(1)
    y, pool = _noise_pool(400, 10, 1)
    good = np.eye(2)[y] * 0.8 + 0.1
    flip = rng.random(400) < 0.1  # 90% right
    good[flip] = good[flip][:, ::-1]
    pool[99] = good
    found = expected_score(pool, good, y, "accuracy", seed=0)
    assert abs(found.score - oof_score(good, y, "accuracy")) < 0.01


def test_an_ensemble_is_chosen_again_in_every_round():
    rng = np.random.default_rng(2)
    truth = rng.normal(size=500)
    y = truth + rng.normal(size=500)
    pool = {k: (truth + rng.normal(size=500)).astype(np.float32) for k in range(8)}
    mean = np.mean(list(pool.values()), axis=0)
    alone = expected_score(pool, pool[0], y, "r2", seed=0)
    mixed = expected_score(pool, mean, y, "r2", seed=0, ensemble=set(pool), max_members=None)
    assert mixed.score > alone.score + 0.05  # averaging noisy members pays, and is seen


def test_rows_no_prediction_covers_are_left_out():
    y, pool = _noise_pool(200, 5, 3)
    pool[0][:50] = np.nan
    found = expected_score(pool, pool[1], y, "accuracy", seed=0)
    assert found.rows == 150


def test_a_deadline_cuts_the_rounds_short():
    y, pool = _noise_pool(200, 5, 4)
    found = expected_score(pool, pool[0], y, "accuracy", seed=0, deadline=time.monotonic() - 1)
    assert found.rounds == MIN_ROUNDS


def test_other_scorers_take_fewer_rounds_and_still_correct():
    y, pool = _noise_pool(300, 30, 5)
    scoring = "f1_macro"  # no numpy path: scikit-learn's scorer
    scores = {k: oof_score(p, y, scoring) for k, p in pool.items()}
    best = max(scores, key=scores.get)
    found = expected_score(pool, pool[best], y, scoring, seed=0)
    assert found.rounds < ROUNDS and found.score < scores[best] - 0.02


def test_same_seed_same_estimate():
    y, pool = _noise_pool(200, 10, 6)
    first = expected_score(pool, pool[0], y, "accuracy", seed=3)
    assert first == expected_score(pool, pool[0], y, "accuracy", seed=3)


def test_a_scorer_that_needs_every_class_in_the_left_out_rows_does_not_fail():
    rng = np.random.default_rng(7)
    y = np.r_[np.zeros(25, int), np.ones(30, int), np.full(5, 2)]
    pool = {k: rng.dirichlet(np.ones(3), size=60) for k in range(3)}
    found = expected_score(pool, pool[0], y, "roc_auc_ovr", seed=0)
    assert found is None or np.isfinite(found.score)


def test_bootstrap_rows_keep_the_class_mix():
    from automodel.expected import _draw

    labels = np.r_[np.zeros(90, int), np.ones(10, int)]
    drawn = _draw(np.random.default_rng(0), 100, labels)
    assert np.sum(labels[drawn] == 1) == 10 and len(drawn) == 100
