"""The fit, stage by stage: prepare the problem, run the search loop, finish the model.

:func:`prepare` (``problem.py``) checks the input; :func:`run` hands the problem's
objective to the settings' executor and runs the loop (``search.py``) with its
observers (checkpoint, memory bound, progress, tracking), keeping the finishing
stage's reserve out of the time budget, then hands the records to the finishing
stage (``finish.py``). The loop and the finishing stage do not know each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from automodel.backends import executor_for
from automodel.budget import reserve
from automodel.finish import OPTIONAL_ATTRIBUTES, SearchResult, finish
from automodel.problem import Problem, prepare
from automodel.screening import screening_for
from automodel.search import Observer, SearchState, run_search
from automodel.threads import one_thread
from automodel.trial_hook import TrialHook

__all__ = ["OPTIONAL_ATTRIBUTES", "SearchResult", "prepare", "run"]


def _state(problem: Problem) -> SearchState:
    """A new search's state, or the resumed checkpoint's."""
    resumed = problem.resumed
    rng = np.random.default_rng(problem.seed)
    if resumed is None:
        return SearchState(rng=rng)
    rng.bit_generator.state = resumed.rng_state
    return SearchState(resumed.trials, dict(resumed.records), rng)


def _deadline(problem: Problem, state: SearchState) -> Callable[[], float] | None:
    end = problem.deadline
    if end is None:
        return None
    # Keep time for finishing (the refit of the current best, its ensemble or bagging).
    return lambda: end - reserve(problem, state.finished())


def run(problem: Problem, observers: Sequence[Observer] = ()) -> SearchResult:
    """Search ``problem``'s space, calling ``observers`` after each trial, then finish."""
    settings = problem.settings
    state = _state(problem)
    hook = TrialHook(problem, observers)
    hook.open_progress(len(state.trials.trials))
    executor = executor_for(settings, problem.objective)
    try:
        # Estimators stay single-threaded in the search (OpenMP/BLAS too): n_jobs shares cores.
        with one_thread():
            outcome = run_search(
                problem.space,
                executor,
                algo=settings.algo,
                max_evals=settings.max_evals,
                state=state,
                deadline=_deadline(problem, state),
                trial_timeout=settings.trial_timeout,
                early_stop_rounds=settings.early_stop_rounds,
                on_trial=hook,
                points_to_evaluate=problem.points,
                unscreened_points=problem.unscreened_points,
                screening=screening_for(settings.screening, problem.holdout, problem.train_rows),
                # Local parallel trials reproduce; Spark's many slots keep every one busy.
                ordered=settings.backend == "local",
            )
    finally:
        executor.close()
        hook.close()
    result = finish(problem, hook.bounded(outcome.records), outcome.stop_reason, outcome.elapsed)
    # Out-of-fold predictions live in the checkpoint, not in the fitted model.
    result.records = [r.without_predictions() for r in result.records]
    result.trials = outcome.trials
    return result
