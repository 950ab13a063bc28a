"""What happens on the driver after each finished trial, for either backend.

Tracking (MLflow), the out-of-fold memory bound, the checkpoint file and the
progress bar: the local loop calls the hook from its own thread, the Spark path
from SparkTrials' dispatcher thread (never both at once).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from hyperopt import Trials

from automodel import checkpoint
from automodel.ensemble import keep_best_predictions
from automodel.results import trial_params
from automodel.search import best_loss

__all__ = ["TrialHook"]


class TrialHook:
    """What happens on the driver after each finished trial, for either backend:
    tracking, the out-of-fold memory bound, the checkpoint, the progress bar."""

    def __init__(
        self,
        settings: Any,
        objective: Any,
        seed: int,
        fingerprint: str | None,
        keep: tuple[int, int],
        tracker: Any,
        started: float,
    ) -> None:
        self.settings, self.objective, self.seed = settings, objective, seed
        self.fingerprint, self.keep, self.tracker = fingerprint, keep, tracker
        self.started = started
        self.progress: Any = None

    def open_progress(self, initial: int) -> None:
        settings = self.settings
        if not settings.verbose:
            return
        from tqdm.auto import tqdm

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

    def __call__(self, doc: dict[str, Any], trials: Trials, rng: np.random.Generator) -> None:
        settings, progress = self.settings, self.progress
        if self.tracker is not None:
            result = doc["result"]
            self.tracker.trial(doc["tid"], result, trial_params(result["config"]))
        if self.objective.keep_predictions:
            keep_best_predictions(trials, *self.keep)
        if settings.checkpoint is not None:
            state = checkpoint.Checkpoint(
                self.fingerprint, self.seed, trials, rng.bit_generator.state
            )
            checkpoint.write(settings.checkpoint, state)
        if progress is not None:
            best = best_loss(trials)
            if settings.max_evals is None:
                elapsed = round(time.monotonic() - self.started)
                progress.update(min(progress.total, elapsed) - progress.n)
            else:
                progress.update(1)
            progress.set_postfix_str(f"best {-best:.4f}" if np.isfinite(best) else "")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
