"""Search checkpoints: the trials so far, their records and the suggestion generator's state.

Written atomically after every finished trial (write a temporary file, then
rename), so a killed process loses at most the trials in flight. A checkpoint
remembers a fingerprint of the data, the folds and the search space, and is
refused for any other search.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
from hyperopt import Trials
from hyperopt.base import JOB_STATE_DONE

from automodel.trial import TrialRecord

__all__ = ["Checkpoint", "CheckpointError", "fingerprint", "read", "write"]

#: Bumped when the layout changes. Version 1 (trials whose results were plain dicts)
#: is read and converted; any other version is refused.
VERSION = 2


class CheckpointError(ValueError):
    """The checkpoint file cannot be used for this search."""


@dataclass
class Checkpoint:
    """What a resumed search needs: trials, their records, seed and the generator's state."""

    fingerprint: str
    seed: int
    trials: Trials
    rng_state: dict[str, Any]
    records: dict[int, TrialRecord] = field(default_factory=dict)

    def finished(self) -> list[TrialRecord]:
        """The finished trials' records, in trial order."""
        return [self.records[d["tid"]] for d in self.trials.trials if d["tid"] in self.records]


def _from_version_1(old: Any) -> Checkpoint:
    """A format-1 checkpoint (results as dicts in the trials) as a format-2 one."""
    records = {}
    for doc in old.trials.trials:
        if doc["state"] == JOB_STATE_DONE and "status" in doc.get("result", {}):
            records[doc["tid"]] = record = TrialRecord.from_result(doc["tid"], doc["result"])
            doc["result"] = record.result()
    old.trials.refresh()
    return Checkpoint(old.fingerprint, old.seed, old.trials, old.rng_state, records)


def fingerprint(*parts: Any) -> str:
    """A hash of everything that must match for a checkpoint to be reused."""
    return joblib.hash(parts)


def write(path: str | os.PathLike[str], checkpoint: Checkpoint) -> None:
    """Save ``checkpoint`` to ``path`` atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(
                {"version": VERSION, "checkpoint": checkpoint},
                stream,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def read(path: str | os.PathLike[str], expected: str) -> Checkpoint | None:
    """The checkpoint at ``path`` (None if there is no file yet).

    Raises :class:`CheckpointError` when the file is unreadable or belongs to
    another search (different data, folds, space or settings).
    """
    source = Path(path)
    if not source.exists():
        return None
    try:
        with source.open("rb") as stream:
            document = pickle.load(stream)
        checkpoint = document["checkpoint"]
        version = document["version"]
    except Exception as exc:  # noqa: BLE001 - any failure means an unusable file
        raise CheckpointError(
            f"Checkpoint {str(source)!r} cannot be read ({type(exc).__name__}: {exc}); "
            "delete it to start the search afresh."
        ) from None
    if version == 1:
        checkpoint = _from_version_1(checkpoint)
    elif version != VERSION:
        raise CheckpointError(
            f"Checkpoint {str(source)!r} has format version {version}, this automodel writes "
            f"{VERSION}; delete it to start the search afresh."
        )
    if checkpoint.fingerprint != expected:
        raise CheckpointError(
            f"Checkpoint {str(source)!r} belongs to a different search (other data, folds, "
            "families, scoring, algorithm, screening or seed); pass another checkpoint path, "
            "or delete the file to start afresh."
        )
    return checkpoint
