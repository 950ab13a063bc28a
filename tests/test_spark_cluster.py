"""A real Spark standalone cluster: a master and two one-core workers on 127.0.0.1.

Started with pyspark's own launcher (``bin/spark-class``), stopped in every case
(each process group killed by id). The search's driver builds its session with
``automodel.spark.spark_session(url)``, as ``automodel fit --spark URL`` does (the CLI's
Spark path itself is tested on ``local[2]`` in test_spark.py), and one worker is killed
mid-search.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.spark_cluster import StandaloneCluster, stop, wait_until
from tests.conftest import PENGUINS

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the cluster test runs on Linux")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[StandaloneCluster]:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    with StandaloneCluster(workers=2, root=str(tmp_path_factory.mktemp("spark"))) as cluster:
        yield cluster


DRIVER = textwrap.dedent(
    """
    import json, sys, time
    import pandas as pd
    from hyperopt import hp
    from sklearn.tree import DecisionTreeClassifier
    import automodel

    class SlowTree(DecisionTreeClassifier):  # defined here: travels to executors by value
        def fit(self, X, y, **kwargs):
            time.sleep(0.5)
            return super().fit(X, y, **kwargs)

    slow = automodel.Family(
        "slow", SlowTree, lambda info: {"max_depth": hp.choice("slow.max_depth", [2, 3, 4])},
        encoding="ordinal",
    )
    url, table, checkpoint, out = sys.argv[1:5]
    frame = pd.read_csv(table)
    model = automodel.AutoModelClassifier(
        families=[slow], max_evals=8, cv=2, backend="spark", parallelism=2, trial_timeout=None,
        checkpoint=checkpoint, random_state=0, ensemble=None, verbose=False,
    )
    from automodel.spark import spark_session
    spark_session(url)
    model.fit(frame.drop(columns="species"), frame["species"])
    automodel.save(model, out)
    print(json.dumps({"status": list(model.cv_results_["status"])}))
    """
)


def _finished_trials(path: Path) -> int:
    with path.open("rb") as stream:
        return len(pickle.load(stream)["checkpoint"].trials.trials)


def test_a_worker_killed_mid_search_loses_no_finished_trial(cluster, tmp_path):
    script, checkpoint, out = tmp_path / "driver.py", tmp_path / "ck.pkl", tmp_path / "m.joblib"
    script.write_text(DRIVER)
    driver = subprocess.Popen(
        [sys.executable, str(script), cluster.url, str(PENGUINS), str(checkpoint), str(out)],
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until(checkpoint.exists, 150, "the first finished trial")
        assert driver.poll() is None  # the search is still running
        before = _finished_trials(checkpoint)
        os.killpg(cluster.workers[1].pid, signal.SIGKILL)  # the worker, its executor, its Pythons
        cluster.workers[1].wait(timeout=30)
        stdout, stderr = driver.communicate(timeout=240)
    finally:
        stop(driver)
    assert driver.returncode == 0, stderr[-3000:]
    assert before < 8 and out.exists()
    summary = json.loads(stdout.strip().splitlines()[-1])
    # Spark re-ran the trial lost with the executor on the other one: all 8 finished.
    assert summary["status"] == ["ok"] * 8
    apps = cluster.state()["completedapps"] + cluster.state()["activeapps"]
    assert any(app["name"] == "automodel" for app in apps)  # it really ran on the cluster
    wait_until(lambda: cluster.alive_workers() == 1, 120, "the master to see the worker gone")


def test_waiting_reads_a_half_started_web_ui_as_not_yet():
    not_json = json.JSONDecodeError("Expecting value", "<html>", 0)
    answers = iter([OSError("refused"), not_json, False, True])

    def condition() -> bool:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    wait_until(condition, 30, "the master", poll=0.01)
    assert next(answers, None) is None  # returned at the first True
    with pytest.raises(TimeoutError, match="the master"):
        wait_until(lambda: False, 0.05, "the master", poll=0.01)
    with pytest.raises(KeyError):  # a bug in the condition is not waited out
        wait_until(lambda: {}["workers"], 30, "the master", poll=0.01)
