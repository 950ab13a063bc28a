from __future__ import annotations

import pickle

import numpy as np
import pytest
from hyperopt import Trials

from automodel import checkpoint
from automodel.checkpoint import Checkpoint, CheckpointError
from automodel.trial import TrialRecord


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


def _version_1_file(path):
    """A checkpoint as automodel wrote format 1: result dicts in the trial documents."""
    from hyperopt.base import JOB_STATE_DONE

    trials = Trials()
    config = {"family": "tree", "scaler": "none", "params": {"max_depth": 3}}
    results = [
        {"status": "ok", "loss": -0.9, "scores": [0.9, 0.9], "fit_time": [0.1, 0.2],
         "score_time": [0.01, 0.01], "warnings": [], "n_warnings": 0, "duration": 0.4,
         "config": config, "oof": np.zeros(4, dtype=np.float32)},
        {"status": "fail", "reason": "timeout", "error": "stopped", "duration": 2.0,
         "config": config},
    ]  # fmt: skip
    for tid, result in enumerate(results):
        doc = {"state": JOB_STATE_DONE, "tid": tid, "spec": None, "result": result,
               "misc": {"tid": tid, "cmd": None, "idxs": {}, "vals": {}}, "exp_key": None,
               "owner": None, "version": 0, "book_time": None, "refresh_time": None}  # fmt: skip
        trials.insert_trial_doc(doc)
    trials.refresh()
    old = Checkpoint("abc", 3, trials, np.random.default_rng(0).bit_generator.state)
    del old.__dict__["records"]  # format 1 had no records
    with open(path, "wb") as stream:
        pickle.dump({"version": 1, "checkpoint": old}, stream)


def test_a_format_1_checkpoint_loads_as_records(tmp_path):
    path = tmp_path / "old.pkl"
    _version_1_file(path)
    back = checkpoint.read(path, "abc")
    ok, failed = back.records[0], back.records[1]
    assert ok.ok and ok.scores == (0.9, 0.9) and ok.loss == -0.9 and ok.oof is not None
    assert not failed.ok and failed.reason == "timeout" and failed.error == "stopped"
    assert back.trials.trials[0]["result"]["status"] == "ok"
    assert "oof" not in back.trials.trials[0]["result"]  # predictions live in the records


def test_another_format_is_refused_naming_its_version(tmp_path):
    path = tmp_path / "future.pkl"
    with open(path, "wb") as stream:
        pickle.dump({"version": 7, "checkpoint": _state()}, stream)
    with pytest.raises(CheckpointError, match="format version 7, this automodel writes 2"):
        checkpoint.read(path, "abc")


def test_records_survive_the_round_trip(tmp_path):
    path = tmp_path / "ck.pkl"
    record = TrialRecord.succeeded([0.8, 0.9], [0.1, 0.1], config={"family": "knn"}, tid=0)
    state = _state()
    state.records[0] = record.stamped(oof=np.ones(3, dtype=np.float32))
    checkpoint.write(path, state)
    back = checkpoint.read(path, "abc").records[0]
    assert (back.tid, back.config, back.scores, back.fit_time, back.loss) == (
        record.tid,
        record.config,
        record.scores,
        record.fit_time,
        record.loss,
    )
    assert np.array_equal(back.oof, np.ones(3))
