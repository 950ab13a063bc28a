"""What happens on the driver after each finished trial, whichever executor ran it.

The out-of-fold memory bound, the checkpoint file, the progress bar, then the
caller's observers (MLflow tracking), in the loop's thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from automodel import checkpoint
from automodel.ensemble import keep_best_predictions
from automodel.problem import Problem
from automodel.search import Observer, SearchState
from automodel.selection import ENSEMBLE_POOL, FAMILY_POOL
from automodel.trial import TrialRecord, best_record

__all__ = ["BOOTSTRAP_POOL", "TrialHook"]

#: Trials whose out-of-fold predictions a search without an ensemble step keeps (the
#: best ones): the expected score's bootstrap chooses among them.
BOOTSTRAP_POOL = 10


class TrialHook:
    """The loop's observer: memory bound, checkpoint, progress bar, other observers."""

    def __init__(self, problem: Problem, observers: Sequence[Observer] = ()) -> None:
        self.problem = problem
        self.settings = problem.settings
        self.observers = list(observers)
        # Out-of-fold predictions kept: with an ensemble step the pool's and each
        # family's best (the ensemble, benchmarks/ensemble_variants); without one the
        # best BOOTSTRAP_POOL (the expected score's bootstrap chooses among them).
        none = problem.ensemble_size is None
        self.keep = (BOOTSTRAP_POOL, 0) if none else (ENSEMBLE_POOL, FAMILY_POOL)
        self.progress: Any = None

    def bounded(self, records: list[TrialRecord]) -> list[TrialRecord]:
        """``records`` with the out-of-fold predictions past the memory bound dropped."""
        return keep_best_predictions(records, *self.keep)

    def open_progress(self, initial: int) -> None:
        settings = self.settings
        if not settings.verbose:
            return
        from tqdm.auto import tqdm  # only with a progress bar: it imports slowly

        if settings.max_evals is None:  # a time budget alone: the bar shows seconds
            self.progress = tqdm(
                total=round(settings.timeout),
                desc="automodel",
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n}/{total} s [{elapsed}{postfix}]",
            )
        else:
            self.progress = tqdm(
                total=settings.max_evals, initial=initial, desc="automodel", unit="trial"
            )

    def __call__(self, record: TrialRecord, state: SearchState) -> None:
        if self.problem.objective.keep_predictions:
            state.records = {r.tid: r for r in self.bounded(state.finished())}
        if self.settings.checkpoint is not None:
            saved = checkpoint.Checkpoint(
                self.problem.fingerprint,
                self.problem.seed,
                state.trials,
                state.rng.bit_generator.state,
                state.records,
            )
            checkpoint.write(self.settings.checkpoint, saved)
        if self.progress is not None:
            self._advance(best_record(state.finished()))
        for observer in self.observers:
            observer(record, state)

    def _advance(self, best: TrialRecord | None) -> None:
        progress = self.progress
        if self.settings.max_evals is None:
            elapsed = round(time.monotonic() - self.problem.started)
            progress.update(min(progress.total, elapsed) - progress.n)
        else:
            progress.update(1)
        progress.set_postfix_str("" if best is None else f"best {-best.loss:.4f}")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
