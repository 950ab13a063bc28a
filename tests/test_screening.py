"""Low-fidelity screening: rungs, the promotion rule, and searches that screen."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hyperopt import hp
from sklearn.datasets import make_classification

from automodel import AutoModelClassifier
from automodel.checkpoint import CheckpointError
from automodel.executor import InlineExecutor
from automodel.screening import (
    GROWTH,
    ROWS_KEY,
    Screening,
    next_rung_seconds,
    pop_rows,
    rungs,
    screening_for,
)
from automodel.search import SearchState, run_search
from automodel.trial import Status, TrialRecord
from automodel.workers import ProcessExecutor
from tests._objectives import rung_aware

SPACE = {"x": hp.uniform("x", 0, 1)}


def _state(seed=0):
    return SearchState(rng=np.random.default_rng(seed))


def test_rungs_grow_by_four_up_to_all_rows():
    assert rungs(800_000, 12_500) == (12_500, 50_000, 200_000, 800_000)
    assert rungs(100_000, 12_500) == (25_000, 100_000)
    assert rungs(40_000, 12_500) == (40_000,)  # a first rung would be under 12,500


def test_screening_is_on_only_on_a_large_holdout():
    assert screening_for("auto", True, 800_000).rows == (12_500, 50_000, 200_000, 800_000)
    assert screening_for(True, True, 60_000).rows == (15_000, 60_000)
    assert screening_for("auto", True, 40_000) is None  # too few rows for two rungs
    assert screening_for("auto", False, 800_000) is None  # folds, not a holdout
    assert screening_for(False, True, 800_000) is None
    assert screening_for(None, True, 800_000) is None
    assert screening_for(500, True, 2_400).rows == (600, 2_400)


def test_the_best_quarter_at_a_rung_goes_on():
    screen = Screening((100, 400, 1_600))
    # The first trial at a rung always goes on (nothing to compare with yet).
    assert screen.promotes(0, 5.0)
    assert not screen.promotes(0, 6.0)  # 2 seen: only the best 1 goes on
    assert not screen.promotes(0, 7.0)
    assert screen.promotes(0, 1.0)  # the best of 4
    for loss in (2.0, 3.0, 4.0, 4.5):  # 8 seen: the best 2 go on
        screen.promotes(0, loss)
    assert screen.promotes(0, 1.5)  # second best of 9
    assert not screen.promotes(0, 2.5)
    assert not screen.promotes(2, 0.0)  # the last rung: nowhere to go


def test_an_unscreened_point_trains_on_all_rows_from_the_start():
    # Two queued points; the second skips the rungs (its first fit is on all rows).
    outcome = run_search(
        SPACE, InlineExecutor(rung_aware), max_evals=4, state=_state(),
        points_to_evaluate=_points([0.5, 0.9]), unscreened_points={1},
        screening=Screening((100, 400, 1_600)),
    )  # fmt: skip
    by_x = {round(r.config["x"], 2): r for r in outcome.records}
    assert by_x[0.9].screen_rows is None and by_x[0.9].rung_losses == (pytest.approx(0.6),)
    assert len(by_x[0.5].rung_losses) == 3  # the first (best so far) went through the rungs
    assert all(len(r.rung_losses) >= 1 for r in outcome.records)


def test_a_resumed_screening_puts_each_loss_at_its_rung():
    ok, fail = Status.OK, Status.FAIL
    screen = Screening((100, 400, 1_600))
    screen.restore([
        TrialRecord(ok, loss=0.1, rung_losses=(0.9, 0.5, 0.1)),  # through every rung
        TrialRecord(ok, loss=0.2, rung_losses=(0.2,)),  # skipped the rungs: all rows
        TrialRecord(ok, loss=0.8, screen_rows=400, rung_losses=(0.9, 0.8)),  # stopped
        TrialRecord(fail, rung_losses=(0.7,)),  # failed on the second rung
    ])  # fmt: skip
    assert screen.seen == [[0.9, 0.9, 0.7], [0.5, 0.8], [0.1, 0.2]]


def test_the_rung_travels_in_the_config_and_is_taken_off():
    screen = Screening((100, 400))
    sent = screen.config(7, {"x": 0.5})
    assert sent == {"x": 0.5, ROWS_KEY: 100}
    assert pop_rows(sent) == ({"x": 0.5}, 100)
    assert pop_rows({"x": 0.5}) == ({"x": 0.5}, None)


def _points(xs):
    return [{"x": float(x)} for x in xs]


def test_a_search_promotes_the_configurations_known_to_be_best():
    # Loss |x - 0.3| + 100 / rows: the rung ranks configurations as all rows do.
    xs = [0.9, 0.5, 0.32, 0.8, 0.7, 0.28, 0.95, 0.6, 0.31, 0.1, 0.85, 0.75]
    screen = Screening((100, 400, 1_600))
    outcome = run_search(
        SPACE,
        InlineExecutor(rung_aware),
        max_evals=len(xs),
        state=_state(),
        points_to_evaluate=_points(xs),
        screening=screen,
    )
    records = {round(r.config["x"], 2): r for r in outcome.records}
    assert len(records) == len(xs)
    full = {x for x, r in records.items() if r.screen_rows is None}
    # The nearest configurations reached all rows; the worst were pruned on the first rung.
    assert {0.31, 0.32} <= full
    assert all(records[x].screen_rows == 100 for x in (0.95, 0.85, 0.8))
    # Most never cost a full fit (early arrivals go on: little to compare them with).
    assert len(full) < len(xs) / 2
    best = min(outcome.records, key=lambda r: r.loss)
    assert round(best.config["x"], 2) == 0.31 and best.screen_rows is None
    # A trial at all rows went through every rung, its losses recorded on the way.
    assert len(records[0.31].rung_losses) == 3
    assert records[0.31].rung_losses[0] > records[0.31].rung_losses[-1]
    doc = outcome.trials.trials[records[0.95].tid]["result"]  # what hyperopt reads
    assert doc["screen_rows"] == 100 and doc["loss"] == records[0.95].loss


def test_screening_resumes_from_the_rungs_it_saw():
    state = _state(2)
    first = run_search(
        SPACE, InlineExecutor(rung_aware), max_evals=8, state=state,
        screening=Screening((100, 400, 1_600)),
    )  # fmt: skip
    screen = Screening((100, 400, 1_600))
    resumed = run_search(
        SPACE, InlineExecutor(rung_aware), max_evals=14, state=state, screening=screen
    )
    assert len(first.records) == 8 and len(resumed.records) == 14
    assert resumed.records[:8] == first.records
    assert len(screen.seen[0]) == 14  # the 8 earlier trials' first-rung losses restored


def test_the_per_trial_limit_still_stops_a_trial_at_all_rows():
    # At all rows the trial sleeps past its limit: a failed trial, the search goes on.
    space = {"x": hp.uniform("x", 0, 1), "sleep_full": 30}
    executor = ProcessExecutor(rung_aware, slots=1)
    try:
        outcome = run_search(
            space,
            executor,
            max_evals=3,
            state=_state(),
            trial_timeout=2,
            screening=Screening((100, 400)),
        )
    finally:
        executor.close()
    assert len(outcome.records) == 3
    promoted = [r for r in outcome.records if not r.ok]
    assert promoted and all(r.outcome == "timeout" for r in promoted)
    assert all(len(r.rung_losses) == 1 for r in promoted)  # its first rung is kept
    assert any(r.ok and r.screen_rows == 100 for r in outcome.records)


def test_a_trial_whose_next_rung_would_outlast_its_time_stops_where_it_is():
    record = TrialRecord(Status.OK, loss=1.0, fit_time=(2.0,), score_time=(0.5,))
    assert next_rung_seconds(record) == GROWTH * 2.0 + 0.5
    screen = Screening((100, 400, 1_600))
    kept, going_on = screen.finished(1, record, seconds=next_rung_seconds(record) - 0.1)
    assert not going_on and kept.screen_rows == 100 and kept.rung_losses == (1.0,)
    assert "stopped before the rung of 400 rows" in kept.warnings[0]
    kept, going_on = screen.finished(2, record, seconds=next_rung_seconds(record) + 0.1)
    assert going_on and kept.warnings == ()  # the best so far, and time enough: goes on


def test_a_search_never_sends_a_rung_past_the_per_trial_limit():
    # A rung's fits take 1 ms a row: 100 rows 0.1 s, 400 rows 0.4 s, all 1,600 rows
    # would take about 6 x 0.4 s, past the 1.5 s limit; at all rows a trial sleeps 30 s.
    space = {"x": hp.uniform("x", 0, 1), "seconds_per_row": 0.001, "sleep_full": 30}
    outcome = run_search(
        space,
        InlineExecutor(rung_aware),
        max_evals=8,
        state=_state(),
        trial_timeout=1.5,
        screening=Screening((100, 400, 1_600)),
    )
    assert len(outcome.records) == 8 and all(r.ok for r in outcome.records)
    stopped = [r for r in outcome.records if r.screen_rows == 400]
    assert stopped and all("stopped before the rung of 1600" in r.warnings[0] for r in stopped)
    assert all(r.screen_rows is not None for r in outcome.records)


def test_the_total_budget_ends_the_rungs_too():
    space = {"x": hp.uniform("x", 0, 1), "sleep_full": 0.4}
    start = time.monotonic()
    end = start + 2.0
    outcome = run_search(
        space,
        InlineExecutor(rung_aware),
        max_evals=None,
        state=_state(),
        deadline=lambda: end,
        screening=Screening((100, 400, 1_600)),
    )
    assert outcome.stop_reason == "timeout"
    assert outcome.records and all(r.ok for r in outcome.records)
    assert all(len(r.rung_losses) >= 1 for r in outcome.records)


@pytest.fixture(scope="module")
def large_table():
    X, y = make_classification(n_samples=3_000, n_features=8, n_informative=5, random_state=0)
    return X, y


def test_an_estimator_screens_on_its_holdout(large_table):
    params = dict(
        max_evals=12, holdout_above=1_000, families=["tree", "logreg"], random_state=0,
        trial_timeout=None, screening=500,
    )  # fmt: skip
    model = AutoModelClassifier(**params).fit(*large_table)
    rows = [doc["result"].get("screen_rows") for doc in model.trials_.trials]
    assert 600 in rows and None in rows  # some trials stopped at the 600-row rung
    best = model.trials_.trials[model.best_index_]["result"]
    assert best.get("screen_rows") is None  # the best trained on all rows
    assert model.score(*large_table) > 0.8
    stopped = model.cv_results_["screen_rows"]
    assert np.isnan(stopped[model.best_index_]) and (stopped == 600).any()
    plain = AutoModelClassifier(**{**params, "screening": False}).fit(*large_table)
    assert all("screen_rows" not in d["result"] for d in plain.trials_.trials)


def test_an_estimator_trains_lightgbms_defaults_on_all_rows_at_once(large_table):
    model = AutoModelClassifier(
        max_evals=2, holdout_above=1_000, families=["logreg", "lightgbm"], random_state=0,
        trial_timeout=None, screening=500,
    ).fit(*large_table)  # fmt: skip
    logreg, lgbm = (doc["result"] for doc in model.trials_.trials)
    assert len(logreg["rung_losses"]) == 2  # 600 rows, then all 2,400
    assert len(lgbm["rung_losses"]) == 1 and lgbm.get("screen_rows") is None


def test_a_checkpoint_resumes_only_with_the_same_screening(large_table, tmp_path):
    path = tmp_path / "search.ckpt"
    params = dict(
        holdout_above=1_000, families=["tree"], random_state=0, trial_timeout=None,
        screening=500, checkpoint=path,
    )  # fmt: skip
    first = AutoModelClassifier(max_evals=4, **params).fit(*large_table)
    more = AutoModelClassifier(max_evals=6, **params).fit(*large_table)
    times = [d["book_time"] for d in more.trials_.trials]
    assert times[:4] == [d["book_time"] for d in first.trials_.trials]  # not rerun
    assert len(times) == 6
    other = AutoModelClassifier(max_evals=6, **{**params, "screening": False})
    with pytest.raises(CheckpointError, match="screening"):  # another search: refused
        other.fit(*large_table)
