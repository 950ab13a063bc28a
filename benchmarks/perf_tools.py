"""What the performance commands share: loading a table, printing a table, timing a fit
and sampling its peak memory."""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.preprocessing import LabelEncoder

from automodel import AutoModelClassifier
from benchmarks.datasets import resolve_datasets

__all__ = ["MemorySampler", "busy_note", "load", "print_table", "searcher", "timed_fit"]

MB = 2**20


def load(name: str, data_dir: str) -> tuple[Any, np.ndarray]:
    """``(X, y)`` of a benchmark table, labels encoded 0..n-1."""
    specs = resolve_datasets([name], data_dir)
    if not specs:
        raise SystemExit(f"dataset {name!r} not available (see --data-dir)")
    X, labels = specs[0].load()
    return X, LabelEncoder().fit_transform(labels)


def busy_note() -> str:
    """A line on the machine's load, warning when other work holds a core."""
    load1, cores = os.getloadavg()[0], os.cpu_count() or 1
    busy = load1
    note = f"machine: {cores} cores, 1-min load average {load1:.2f}"
    try:
        import psutil

        busy = psutil.cpu_percent(interval=1.0) / 100 * cores
        note += f", {busy:.1f} cores busy in the last second before this run"
    except ImportError:
        pass
    if busy >= 0.7:
        note += f" -> about {round(busy)} core(s) taken by other work: absolute times are noisy"
    return note


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print ``rows`` under ``header`` as aligned plain text."""
    cells = [[str(c) for c in row] + [""] * (len(header) - len(row)) for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


class MemorySampler:
    """Peak RSS (and PSS) summed over this process and all its descendants.

    Sampled every ``interval`` seconds in a thread; ``None`` without psutil.
    RSS counts pages shared between processes (the libraries the forkserver
    preloaded) once per process; PSS splits them.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_rss: float | None = None
        self.peak_pss: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        try:
            import psutil  # noqa: F401
        except ImportError:
            return self
        self.peak_rss = self.peak_pss = 0.0
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()

    def _run(self) -> None:
        import psutil

        me, tree, tick = psutil.Process(), [], 0
        while True:
            if tick % 5 == 0:  # listing the tree scans /proc (~2 ms): every 0.5 s is enough
                tree = [me, *me.children(recursive=True)]
            rss = pss = 0
            tick += 1
            for proc in tree:
                try:
                    info = proc.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
            self.peak_rss = max(self.peak_rss or 0.0, rss / MB)
            self.peak_pss = max(self.peak_pss or 0.0, pss / MB)
            if self._stop.wait(self.interval):
                return

    def text(self) -> str:
        """``"RSS MB (PSS MB)"`` or a hint to install psutil."""
        if self.peak_rss is None:
            return "n/a (pip install psutil)"
        return f"{self.peak_rss:.0f} (PSS {self.peak_pss:.0f})"


def searcher(args: argparse.Namespace, **params: Any) -> AutoModelClassifier:
    """An ``AutoModelClassifier`` with the command's evaluations, folds, seed and families."""
    return AutoModelClassifier(
        max_evals=args.max_evals,
        cv=args.cv,
        random_state=args.seed,
        families=args.families,
        **params,
    )


def timed_fit(model: AutoModelClassifier, X: Any, y: Any) -> tuple[float, MemorySampler]:
    """Fit ``model``; return the wall seconds and the memory sampler."""
    with MemorySampler() as memory:
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start, memory
