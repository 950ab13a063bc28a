"""A real Spark standalone cluster: a master and two one-core workers on 127.0.0.1.

Started with pyspark's own launcher (``bin/spark-class``), stopped in every case
(each process group killed by id). The last test kills one worker mid-search.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import automodel
from tests.conftest import PENGUINS

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the cluster test runs on Linux")

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    url: str
    ui: str
    master: subprocess.Popen
    workers: list[subprocess.Popen]
    env: dict[str, str]

    def state(self) -> dict:
        with urllib.request.urlopen(f"{self.ui}/json/", timeout=5) as answer:
            return json.load(answer)

    def alive_workers(self) -> int:
        return sum(w["state"] == "ALIVE" for w in self.state()["workers"])


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the JVM and whatever it started
    process.wait(timeout=30)


def _wait(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from pyspark.find_spark_home import _find_spark_home

    home = _find_spark_home()
    spark_class = str(Path(home) / "bin" / "spark-class")
    root = tmp_path_factory.mktemp("spark")
    env = {
        **os.environ,
        "SPARK_HOME": home,
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOG_DIR": str(root / "logs"),
        "PYSPARK_PYTHON": sys.executable,
    }
    port, ui_port = _free_port(), _free_port()
    url, ui = f"spark://{HOST}:{port}", f"http://{HOST}:{ui_port}"
    started: list[subprocess.Popen] = []

    def launch(*args: str, log: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [spark_class, *args],
            env=env,
            stdout=open(root / log, "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one
        )
        started.append(process)
        return process

    try:
        master = launch(
            "org.apache.spark.deploy.master.Master",
            *("--host", HOST, "--port", str(port), "--webui-port", str(ui_port)),
            log="master.log",
        )
        workers = [
            launch(
                "org.apache.spark.deploy.worker.Worker",
                url,
                *("--host", HOST, "--cores", "1", "--memory", "2g"),
                *("--webui-port", str(_free_port()), "--work-dir", str(root / f"work{k}")),
                log=f"worker{k}.log",
            )
            for k in range(2)
        ]
        cluster = Cluster(url, ui, master, workers, env)
        _wait(lambda: cluster.alive_workers() == 2, 90, "two registered workers")
        yield cluster
    finally:
        for process in reversed(started):
            _stop(process)


def _fit_command(cluster: Cluster, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "automodel.cli", "fit", str(PENGUINS), "--target", "species",
        "--spark", cluster.url, "--parallelism", "2", "--cv", "3", "--out", str(out), *extra,
    ]  # fmt: skip


def test_cli_fits_on_a_standalone_cluster(cluster, tmp_path):
    out = tmp_path / "model.joblib"
    done = subprocess.run(
        _fit_command(cluster, out, "--max-evals", "4"),
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "family" in done.stdout and "logreg" in done.stdout  # the leaderboard
    model = automodel.load(out)
    assert len(model.cv_results_["params"]) == 4
    assert set(model.cv_results_["status"]) == {"ok"}
    apps = cluster.state()["completedapps"] + cluster.state()["activeapps"]
    assert any(app["name"] == "automodel" for app in apps)  # it really ran on the cluster


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
        _wait(checkpoint.exists, 150, "the first finished trial")
        assert driver.poll() is None  # the search is still running
        before = _finished_trials(checkpoint)
        os.killpg(cluster.workers[1].pid, signal.SIGKILL)  # the worker, its executor, its Pythons
        cluster.workers[1].wait(timeout=30)
        stdout, stderr = driver.communicate(timeout=240)
    finally:
        _stop(driver)
    assert driver.returncode == 0, stderr[-3000:]
    assert before < 8 and out.exists()
    summary = json.loads(stdout.strip().splitlines()[-1])
    # Spark re-ran the trial lost with the executor on the other one: all 8 finished.
    assert summary["status"] == ["ok"] * 8
    _wait(lambda: cluster.alive_workers() == 1, 120, "the master to see the worker gone")
