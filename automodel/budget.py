"""How much of the time budget the finishing stage needs, so the search can stop in time.

:func:`reserve` is the seconds the loop keeps out of the search's budget: the refit's
plan (:func:`automodel.refit.refit_reserve`), a margin, and the uncertainty step's
share (:func:`automodel.uncertainty.uncertainty_seconds`).
"""

from __future__ import annotations

from collections.abc import Sequence

from joblib import effective_n_jobs

from automodel.problem import Problem
from automodel.refit import refit_reserve
from automodel.trial import TrialRecord
from automodel.uncertainty import uncertainty_seconds

__all__ = [
    "ENSEMBLE_RESERVE_MEMBERS",
    "REFIT_SLACK",
    "reserve",
]

#: Trials planned in the search's refit reserve for an ensemble (with the best one).
ENSEMBLE_RESERVE_MEMBERS = 5

#: The reserve's margin over the refit's plan (a share of it, plus seconds) for what
#: runs between the search's end and the refit (closing the workers, the results table,
#: the ensemble selection): without it, a refit planned to the second no longer fits
#: when its check comes (seen on a million rows: a pair of members planned at
#: 226.6 s was refused, the search having stopped with about that much left).
REFIT_SLACK = (0.05, 0.5)


def reserve(problem: Problem, records: Sequence[TrialRecord]) -> float:
    """Seconds of the budget to keep for finishing, given the records so far."""
    size = problem.ensemble_size
    members = 0 if size is None else min(size or ENSEMBLE_RESERVE_MEMBERS, ENSEMBLE_RESERVE_MEMBERS)
    cores = effective_n_jobs(problem.settings.n_jobs)
    refit = refit_reserve(records, problem.refit_scale, members, cores, problem.bag)
    share, seconds = REFIT_SLACK
    slack = refit * share + seconds if refit else 0.0  # nothing to refit yet: no margin
    return refit + slack + uncertainty_seconds(len(problem.y))
