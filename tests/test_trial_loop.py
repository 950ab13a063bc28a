"""The trial bookkeeping (automodel/trial_loop.py): queued points across a resume,
what an ordered search's early stop counts."""

from __future__ import annotations

import numpy as np
from hyperopt import hp

from automodel.suggest import TPE, suggest_function
from automodel.trial import TrialRecord
from automodel.trial_loop import POINT_KEY, SearchState, TrialLoop

SPACE = {"x": hp.uniform("x", -5, 5)}
POINTS = [{"x": float(k)} for k in range(6)]


class _Held:
    """``slots`` trials at once that finish only when the test says so."""

    def __init__(self, slots):
        self.slots = slots
        self.sent = {}

    def submit(self, tid, config, time_limit):
        self.sent[tid] = config


def _loop(state, slots=6, ordered=False):
    loop = TrialLoop(SPACE, _Held(slots), suggest_function(TPE()), state, None, None)
    loop.prime(POINTS, None, ordered)
    return loop


def _finish(loop, tid):
    doc, config, _ = loop.running.pop(tid)
    loop._done(doc, TrialRecord.succeeded([config["x"] ** 2], [0.1], [0.01], config=config))


def test_a_resumed_search_runs_the_points_it_lost_not_the_next_ones():
    state = SearchState(rng=np.random.default_rng(0))
    loop = _loop(state)
    while loop.can_start(None):
        loop.start_one()
    assert [doc["misc"][POINT_KEY] for doc in state.trials.trials] == list(range(6))
    for tid in (0, 1, 3, 4, 5):  # point 2 is in flight when the process dies
        _finish(loop, tid)
    state.drop_unfinished()
    resumed = _loop(state)
    assert [index for index, _ in resumed.queue] == [2]
    resumed.start_one()
    assert state.trials.trials[-1]["misc"]["vals"]["x"] == [2.0]


def test_a_checkpoint_without_point_indexes_skips_as_many_points_as_it_has_trials():
    state = SearchState(rng=np.random.default_rng(0))
    loop = _loop(state)
    for _ in range(4):
        loop.start_one()
    for tid in range(4):
        _finish(loop, tid)
    for doc in state.trials.trials:
        del doc["misc"][POINT_KEY]
    assert [index for index, _ in _loop(state).queue] == [4, 5]


def test_an_ordered_early_stop_counts_the_seen_trials_once_they_are_all_done():
    state = SearchState(rng=np.random.default_rng(0))
    loop = _loop(state, slots=2, ordered=True)
    assert loop.counted() is None  # not while points are queued
    while len(state.trials.trials) < 8:  # two at a time, finishing in trial order
        if loop.can_start(None):
            loop.start_one()
        else:
            _finish(loop, min(loop.running))
    # 8 trials, 2 slots: the next suggestion sees trials 0..6; trial 6 still runs.
    assert 6 in loop.running and loop.counted() is None
    _finish(loop, 6)
    assert [r.config["x"] for r in loop.counted()][:6] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert len(loop.counted()) == 7
