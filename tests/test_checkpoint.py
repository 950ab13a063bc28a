from __future__ import annotations

import numpy as np
import pytest
from hyperopt import Trials

from automodel import checkpoint
from automodel.checkpoint import Checkpoint, CheckpointError


def _state():
    rng = np.random.default_rng(3)
    rng.integers(10, size=5)
    return Checkpoint("abc", 3, Trials(), rng.bit_generator.state)


def test_round_trip_restores_the_generator(tmp_path):
    path = tmp_path / "search.pkl"
    state = _state()
    checkpoint.write(path, state)
    back = checkpoint.read(path, "abc")
    assert back.seed == 3
    rng = np.random.default_rng()
    rng.bit_generator.state = back.rng_state
    original = np.random.default_rng()
    original.bit_generator.state = state.rng_state
    assert rng.integers(1000, size=3).tolist() == original.integers(1000, size=3).tolist()
    assert [p.name for p in tmp_path.iterdir()] == ["search.pkl"]


def test_no_file_means_a_fresh_search(tmp_path):
    assert checkpoint.read(tmp_path / "none.pkl", "abc") is None


def test_another_search_is_refused(tmp_path):
    path = tmp_path / "search.pkl"
    checkpoint.write(path, _state())
    with pytest.raises(CheckpointError, match="belongs to a different search.*delete"):
        checkpoint.read(path, "xyz")


def test_a_corrupt_file_is_refused(tmp_path):
    path = tmp_path / "search.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(CheckpointError, match="cannot be read.*delete it"):
        checkpoint.read(path, "abc")


def test_fingerprint_changes_with_the_data():
    X = np.arange(6.0).reshape(3, 2)
    assert checkpoint.fingerprint(X, 1) == checkpoint.fingerprint(X.copy(), 1)
    assert checkpoint.fingerprint(X, 1) != checkpoint.fingerprint(X + 1, 1)
