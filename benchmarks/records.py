"""The results file (JSON lines, one record per run) and the provenance each record carries."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks.datasets import REPO_ROOT

__all__ = ["append_record", "completed_keys", "provenance", "read_records", "record_key"]


# -- results file -------------------------------------------------------------------


def read_records(path: str | Path, say: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Every record of a JSON-lines results file (unreadable lines are reported and skipped)."""
    source = Path(path)
    if not source.is_file():
        return []
    records = []
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                say(f"{source}:{number}: skipping a line that is not JSON ({exc.msg})")
                continue
            if isinstance(record, dict):
                records.append(record)
    return records


def record_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """(system, dataset, seed, max_evals, cv) of a record."""
    budget = record.get("budget") or {}
    return (
        record.get("system"),
        record.get("dataset"),
        record.get("seed"),
        budget.get("max_evals"),
        budget.get("cv"),
    )


def completed_keys(records: Iterable[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Keys of the runs already finished with status "ok"."""
    return {record_key(r) for r in records if r.get("status") == "ok"}


def merge_records(
    base: Iterable[dict[str, Any]], newer: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``base`` with each record replaced by the ``newer`` one of the same
    :func:`record_key` (in place), and the newer records of other keys appended."""
    replacing = {record_key(r): r for r in newer}
    merged = [replacing.pop(record_key(r), r) for r in base]
    return merged + list(replacing.values())


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append one record as a JSON line, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=_json_default) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return str(value)


# -- provenance ---------------------------------------------------------------------


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def provenance() -> dict[str, Any]:
    """automodel version, git commit (and whether the tree had changes) and the machine."""
    try:
        automodel_version: str | None = version("automodel")
    except PackageNotFoundError:
        automodel_version = None
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "automodel_version": automodel_version,
        "git_commit": commit or None,
        "git_dirty": None if dirty is None or not commit else bool(dirty),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
    }
