"""automodel.budget: the seconds the search keeps for finishing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from automodel import budget, uncertainty
from automodel.refit import plan_seconds
from automodel.trial import Status, TrialRecord


def _problem(ensemble_size=None, rows=400, deadline=None):
    return SimpleNamespace(
        ensemble_size=ensemble_size,
        settings=SimpleNamespace(n_jobs=1),
        refit_scale=1.0,
        train_rows=rows,
        bag=False,
        y=np.zeros(rows),
        deadline=deadline,
    )


def _record(loss, fit):
    config = {"family": "forest", "scaler": "none", "params": {}}
    return TrialRecord(Status.OK, config=config, loss=loss, fit_time=(fit,), oof=np.zeros(4))


def test_the_reserve_holds_the_refit_plan_with_room_to_start_it():
    records = [_record(0.1, 10.0), _record(0.2, 20.0)]
    share = uncertainty.uncertainty_seconds(400)
    plan = plan_seconds(10.0)
    kept = budget.reserve(_problem(), records)
    # More than the plan: the steps between the search's end and the refit take time too.
    assert kept > plan + share
    assert kept == pytest.approx(plan * 1.05 + 0.5 + share)
    # An ensemble of the two best plans their refit (one core: one after the other).
    both = budget.reserve(_problem(ensemble_size=0), records)
    assert both == pytest.approx((plan_seconds(10.0) + plan_seconds(20.0)) * 1.05 + 0.5 + share)
    # Before any trial there is nothing to refit: no margin either.
    assert budget.reserve(_problem(), []) == pytest.approx(share)


def test_a_long_refit_is_planned_with_a_smaller_share_of_margin():
    # Timing noise is a larger share of a short fit: 1.5x for a second's fit, while a
    # long one keeps at most 3 s over 1.2x (not 1.5x: on a million rows that kept about
    # 70 s of the budget from the search for nothing).
    assert plan_seconds(1.0) == pytest.approx(1.5)
    assert plan_seconds(10.0) == pytest.approx(15.0)
    assert plan_seconds(150.0) == pytest.approx(183.0)
    assert plan_seconds(0.0) == 0.0


def test_a_best_stopped_on_a_rung_is_planned_from_its_own_fit_not_extrapolated():
    # It is refit on its rung's share of all rows (Objective.fit_all), so the plan is
    # its fit scaled as any other's; extrapolated to all rows it once ended a search
    # 44 s into a 240 s budget (a 17.5 s fit on 15,000 of 240,000 rows: 445 s).
    stopped = _record(0.1, 17.5).stamped(screen_rows=15_000)
    problem = _problem(rows=240_000)
    assert budget.reserve(problem, [stopped]) == pytest.approx(
        budget.reserve(problem, [_record(0.1, 17.5)])
    )
    assert budget.reserve(problem, [stopped]) < 40.0
