"""A Spark standalone cluster on this machine, for tests and benchmarks.

A master and ``workers`` workers of one core each, all bound to 127.0.0.1,
started with pyspark's own launcher (``bin/spark-class``), each in its own
process group so that stopping kills the JVM with every executor and Python
worker it started. Use it as a context manager::

    with StandaloneCluster(workers=2) as cluster:
        ...  # automodel fit data.csv --spark cluster.url
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["HOST", "StandaloneCluster"]

HOST = "127.0.0.1"


def _free_ports(n: int) -> list[int]:
    """``n`` distinct free ports (all held open while choosing, so none repeats: a
    worker's UI on the master UI's port would answer the master's JSON with HTML)."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(n)]
        for probe in probes:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in probes]


def stop(process: subprocess.Popen) -> None:
    """Kill ``process``'s whole group (started with ``start_new_session``) and reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], seconds: float, what: str, poll: float = 0.5) -> None:
    """Poll ``condition`` until true; fail after ``seconds``. OSError (nothing listens
    yet) and a JSON decoding error (a half-started web UI answers with something not
    JSON yet) count as not yet; the last of them is named in the TimeoutError."""
    end, last = time.monotonic() + seconds, None
    while time.monotonic() < end:
        try:
            if condition():
                return
        except (OSError, json.JSONDecodeError) as exc:
            last = exc
        time.sleep(poll)
    after = f" (last: {type(last).__name__}: {last})" if last else ""
    raise TimeoutError(f"timed out after {seconds} s waiting for {what}{after}")


class StandaloneCluster:
    """Master plus one-core workers; ``url`` is the master, ``env`` the clients' environment."""

    def __init__(self, workers: int = 2, memory: str = "2g", root: str | None = None) -> None:
        from pyspark.find_spark_home import _find_spark_home

        self.home = _find_spark_home()
        self.n_workers, self.memory = workers, memory
        self.root = Path(root or tempfile.mkdtemp(prefix="automodel-spark-"))
        self.env = {
            **os.environ,
            "SPARK_HOME": self.home,
            "SPARK_LOCAL_IP": HOST,
            "SPARK_LOG_DIR": str(self.root / "logs"),
            "PYSPARK_PYTHON": sys.executable,
        }
        port, ui_port, *self._worker_ui_ports = _free_ports(2 + workers)
        self.url, self.ui = f"spark://{HOST}:{port}", f"http://{HOST}:{ui_port}"
        self._ports = port, ui_port
        self.master: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def _launch(self, *args: str, log: str) -> subprocess.Popen:
        with open(self.root / log, "wb") as output:
            return subprocess.Popen(
                [str(Path(self.home) / "bin" / "spark-class"), *args],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
            )

    def state(self) -> dict[str, Any]:
        """The master's view (its web UI's JSON)."""
        with urllib.request.urlopen(f"{self.ui}/json/", timeout=5) as answer:
            return json.load(answer)

    def alive_workers(self) -> int:
        return sum(worker["state"] == "ALIVE" for worker in self.state()["workers"])

    def start(self, seconds: float = 90) -> StandaloneCluster:
        port, ui_port = self._ports
        self.master = self._launch(
            "org.apache.spark.deploy.master.Master",
            *("--host", HOST, "--port", str(port), "--webui-port", str(ui_port)),
            log="master.log",
        )
        for k in range(self.n_workers):
            self.workers.append(
                self._launch(
                    "org.apache.spark.deploy.worker.Worker",
                    self.url,
                    *("--host", HOST, "--cores", "1", "--memory", self.memory),
                    *("--webui-port", str(self._worker_ui_ports[k])),
                    *("--work-dir", str(self.root / f"w{k}")),
                    log=f"worker{k}.log",
                )
            )
        wanted = self.n_workers
        wait_until(lambda: self.alive_workers() == wanted, seconds, f"{wanted} workers")
        return self

    def stop(self) -> None:
        for process in [*reversed(self.workers), *([self.master] if self.master else [])]:
            stop(process)

    def __enter__(self) -> StandaloneCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
