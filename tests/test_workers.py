from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hyperopt import hp
from sklearn.model_selection import StratifiedKFold

from automodel.data import check_features
from automodel.evaluate import Objective
from automodel.executor import InlineExecutor
from automodel.search import SearchState, run_search
from automodel.target import check_class_target
from automodel.workers import LOAD_FAILURES, ProcessExecutor, WorkerStartError
from tests._objectives import (
    DiesOnLoad,
    ParallelSleeper,
    behaving,
    ok,
    sleepy,
    unpicklable_result,
)

TREE = {"family": "tree", "scaler": "none", "params": {"max_depth": 3}}
COMPARED = ("status", "loss", "scores", "warnings", "n_warnings")


def _objective(X, y):
    return Objective.build(X, y, StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))


def _run(executor, config, time_limit=None, tid=0):
    executor.submit(tid, config, time_limit)
    [(done_tid, result)] = executor.wait(None)
    assert done_tid == tid
    return result


def _workers_alive():
    """This process's live worker children (other tests may leave joblib's pool)."""
    return [p for p in multiprocessing.active_children() if p.name == "automodel-worker"]


@pytest.fixture(params=["forkserver", "fork"])
def executor(request):
    """Workers from the forkserver (the default), or forked from this process (what a
    Spark Python worker uses): both run, stop and replace trials the same way."""
    with ProcessExecutor(behaving, start_method=request.param) as ex:
        yield ex


def test_same_result_as_inline_on_iris(iris):
    objective = _objective(*iris)
    inline = _run(InlineExecutor(objective), TREE)
    with ProcessExecutor(objective) as ex:
        result = _run(ex, TREE)
    assert result.status == "ok"
    assert {k: getattr(result, k) for k in COMPARED} == {k: getattr(inline, k) for k in COMPARED}
    assert isinstance(result.started_at, float) and result.started_at > 0


def test_same_result_as_inline_on_a_dataframe_with_categories(penguins):
    # The objective is memory-mapped read-only in the worker; a DataFrame must cope.
    X = check_features(penguins.drop(columns="species"))
    y, _ = check_class_target(penguins["species"], len(X))
    objective = _objective(X, y)
    config = {"family": "knn", "scaler": "standard", "params": {"n_neighbors": 7}}
    inline = _run(InlineExecutor(objective), config)
    with ProcessExecutor(objective) as ex:
        result = _run(ex, config)
    assert result.status == inline.status == "ok"
    assert {k: getattr(result, k) for k in COMPARED} == {k: getattr(inline, k) for k in COMPARED}


def test_a_trial_past_its_limit_times_out_and_the_next_one_runs(executor):
    hung = _run(executor, {"kind": "hang"}, time_limit=0.5, tid=1)
    assert hung.status == "fail"
    assert hung.reason == "timeout"
    assert hung.error == "trial stopped after its time limit of 0.5 s"
    assert hung.duration >= 0.5
    assert hung.started_at > 0
    after = _run(executor, {"kind": "ok", "x": 1.0}, time_limit=0.5, tid=2)
    assert after.ok and after.loss == 0.0 and after.started_at > 0


def test_a_dying_worker_is_reported_and_replaced(executor):
    crashed = _run(executor, {"kind": "crash"}, tid=1)
    assert crashed.status == "fail"
    assert crashed.reason == "crashed"
    assert crashed.error == "worker process died (exit code 3)"
    assert _run(executor, {"kind": "ok"}, tid=2).status == "ok"


def test_workers_that_die_while_loading_stop_the_search_with_a_clear_error():
    space = {"x": hp.uniform("x", 0, 1)}
    with (
        ProcessExecutor(DiesOnLoad(), slots=1) as executor,
        pytest.raises(WorkerStartError, match="died while loading") as caught,
    ):
        run_search(space, executor, max_evals=20, state=SearchState(rng=np.random.default_rng(0)))
    assert f"{LOAD_FAILURES} worker processes" in str(caught.value)
    assert "exit code 3" in str(caught.value)
    assert "n_jobs=1, trial_timeout=None" in str(caught.value)


def _live_group(pgid):
    """Processes of a process group that are not zombies (Linux /proc)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            live.append(int(stat.parent.name))
    return live


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_timeout_also_stops_the_joblib_processes_of_the_trial():
    with ProcessExecutor(ParallelSleeper(n_jobs=2)) as ex:
        assert _run(ex, {"sleep": 0.0}, tid=1).status == "ok"  # starts the joblib pool
        ex.submit(2, {"sleep": 60.0}, 0.5)
        [worker] = [w for w in ex._workers if w.tid == 2]
        pgid = worker.process.pid
        assert len(_live_group(pgid)) >= 3  # the worker and its two joblib processes
        [(_, result)] = ex.wait(None)
        assert result.reason == "timeout"
        for _ in range(100):  # SIGKILL is delivered at once, but exiting takes a moment
            if not _live_group(pgid):
                break
            time.sleep(0.05)
        assert _live_group(pgid) == []


def test_an_exception_becomes_an_error_result(executor):
    result = _run(executor, {"kind": "raise"})
    assert result.status == "fail"
    assert result.reason == "error"
    assert result.error == "ValueError: bad candidate"
    assert _run(executor, {"kind": "ok"}, tid=2).status == "ok"


def test_an_unpicklable_result_becomes_an_error_result():
    with ProcessExecutor(unpicklable_result) as ex:
        result = _run(ex, {})
    assert result.reason == "error"
    assert result.error.startswith("result could not be sent")


def test_two_slots_run_two_trials_at_once():
    with ProcessExecutor(sleepy, slots=2) as ex:
        ex.submit(1, {"sleep": 0.5}, None)
        ex.submit(2, {"sleep": 0.5}, None)
        with pytest.raises(RuntimeError, match="busy"):
            ex.submit(3, {}, None)
        results = {}
        while len(results) < 2:
            results.update(ex.wait(None))
    a, b = results[1], results[2]
    assert a.pid != b.pid
    assert a.started_at < b.started_at + b.duration
    assert b.started_at < a.started_at + a.duration


def test_wait_returns_nothing_when_its_timeout_passes_first(executor):
    executor.submit(1, {"kind": "hang"}, None)
    assert executor.wait(0.05) == []
    assert executor.cancel() == [1]
    assert executor.wait(None) == []


def test_cancel_stops_every_running_trial():
    with ProcessExecutor(behaving, slots=2) as ex:
        ex.submit(4, {"kind": "hang"}, None)
        ex.submit(7, {"kind": "hang"}, None)
        busy = [w.process.pid for w in ex._workers if w.tid is not None]
        assert sorted(ex.cancel()) == [4, 7]
        live = {p.pid for p in multiprocessing.active_children()}
        assert not live & set(busy)
        assert ex.wait(0) == []
        assert _run(ex, {"kind": "ok"}, tid=8).status == "ok"


def test_close_leaves_no_process_or_file_behind():
    ex = ProcessExecutor(behaving, slots=2)
    ex.submit(1, {"kind": "hang"}, None)
    tmpdir = ex._tmpdir
    assert os.path.isdir(tmpdir)
    ex.close()
    ex.close()
    assert _workers_alive() == []
    assert not os.path.exists(tmpdir)
    with pytest.raises(RuntimeError, match="closed"):
        ex.submit(2, {"kind": "ok"}, None)


def test_run_search_with_hanging_trials_records_the_others():
    space = {"kind": hp.choice("kind", ["ok", "hang"]), "x": hp.uniform("x", -5, 5)}
    with ProcessExecutor(behaving, slots=2) as ex:
        outcome = run_search(
            space,
            ex,
            algo="rand",
            max_evals=8,
            state=SearchState(rng=np.random.default_rng(0)),
            trial_timeout=0.5,
        )
    results = outcome.records
    assert outcome.stop_reason == "max_evals"
    assert len(results) == 8
    for result in results:
        expected = "ok" if result.config["kind"] == "ok" else "fail"
        assert result.status == expected
    assert {r.reason for r in results if r.status == "fail"} == {"timeout"}
    assert sum(r.status == "ok" for r in results) >= 2


def test_an_objective_plain_pickle_refuses_goes_by_cloudpickle():
    offset = 2.0
    with ProcessExecutor(lambda config: ok(config["x"] + offset)) as ex:
        assert _run(ex, {"x": 1.0}).loss == 3.0


def test_an_unpicklable_objective_fails_at_once_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    lock = threading.Lock()
    with pytest.raises(TypeError, match="pickle"):
        ProcessExecutor(lambda config: ok(float(lock.locked())))
    assert list(tmp_path.iterdir()) == []
    assert _workers_alive() == []


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """Workers must not re-run the user's script (forkserver imports __main__ by default)."""
    import subprocess
    import sys

    script = tmp_path / "plain_script.py"
    script.write_text(
        "import automodel\n"
        "from sklearn.base import BaseEstimator, ClassifierMixin\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "class Mine(ClassifierMixin, BaseEstimator):  # defined in __main__\n"
        "    def fit(self, X, y):\n"
        "        self.tree_ = DecisionTreeClassifier(max_depth=2).fit(X, y)\n"
        "        self.classes_ = self.tree_.classes_\n"
        "        return self\n"
        "    def predict(self, X):\n"
        "        return self.tree_.predict(X)\n"
        "mine = automodel.Family('mine', Mine, lambda info: {})\n"
        "X, y = load_iris(return_X_y=True)\n"
        "model = automodel.fit(X, y, max_evals=2, cv=3, families=[mine], random_state=0)\n"
        "print('STATUS', model.cv_results_['status'])\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("STATUS") == 1
    assert "['ok', 'ok']" in done.stdout


def test_a_class_from_the_script_as_a_space_value_reaches_the_workers(tmp_path):
    """A value of the space (here a class, as a net's module is) defined in __main__."""
    import subprocess
    import sys

    script = tmp_path / "space_value_script.py"
    script.write_text(
        "from hyperopt import hp\n"
        "from sklearn.base import BaseEstimator, ClassifierMixin\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "import automodel\n"
        "class Depth2:  # defined in __main__, used as a value in the space\n"
        "    depth = 2\n"
        "class Mine(ClassifierMixin, BaseEstimator):\n"
        "    def __init__(self, kind=None):\n"
        "        self.kind = kind\n"
        "    def fit(self, X, y):\n"
        "        self.tree_ = DecisionTreeClassifier(max_depth=self.kind.depth).fit(X, y)\n"
        "        self.classes_ = self.tree_.classes_\n"
        "        return self\n"
        "    def predict(self, X):\n"
        "        return self.tree_.predict(X)\n"
        "space = lambda info: {'kind': hp.choice('mine.k', [Depth2])}\n"
        "mine = automodel.Family('mine', Mine, space)\n"
        "X, y = load_iris(return_X_y=True)\n"
        "model = automodel.fit(X, y, max_evals=2, cv=3, families=[mine], random_state=0,\n"
        "                      ensemble=None)\n"
        "print('STATUS', model.cv_results_['status'], model.cv_results_['error'])\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "STATUS ['ok', 'ok']" in done.stdout, done.stdout
