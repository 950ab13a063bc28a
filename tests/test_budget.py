"""automodel.budget: the seconds the search keeps for finishing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from automodel import budget, uncertainty
from automodel.refit import REFIT_SAFETY
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
    plan = REFIT_SAFETY * 10.0
    kept = budget.reserve(_problem(), records)
    # More than the plan: the steps between the search's end and the refit take time too.
    assert kept > plan + share
    assert kept == pytest.approx(plan * 1.05 + 0.5 + share)
    # An ensemble of the two best plans their refit (one core: one after the other).
    both = budget.reserve(_problem(ensemble_size=0), records)
    assert both == pytest.approx(REFIT_SAFETY * 30.0 * 1.05 + 0.5 + share)
    # Before any trial there is nothing to refit: no margin either.
    assert budget.reserve(_problem(), []) == pytest.approx(share)
