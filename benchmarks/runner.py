"""Run systems x datasets x seeds, one child process per run, appending JSON lines.

Each (system, dataset, seed) run happens in its own process (``forkserver``
start method, with the heavy imports preloaded once), in its own process group,
so a run that overruns ``run_timeout`` is killed together with anything it
started and recorded with status "timeout". The parent is the only writer of
the results file: one JSON object per line, appended and flushed as each run
ends, so an interrupted suite resumes where it stopped.

Protocol of one run (``benchmarks/protocol.py``): the table is split once per seed
into 75% search / 25% test (``train_test_split(random_state=seed)``, stratified for
classification), the same split for every system; the system is fitted on the
search part (labels encoded 0..n-1, or the regression target as floats) and scored
on the test part (accuracy, or R^2 and RMSE). ``wall_time`` is the fit (search and
refit) plus the prediction of the test part. Regression tables' runs have their own
default results file (:data:`DEFAULT_REGRESSION_RESULTS`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import statistics
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.datasets import REPO_ROOT, DatasetSpec
from benchmarks.presets import Preset, supports
from benchmarks.protocol import TEST_SIZE, Task, execute, holdout_split
from benchmarks.records import (
    append_record,
    completed_keys,
    provenance,
    read_records,
    record_key,
)

__all__ = [
    "DEFAULT_REGRESSION_RESULTS",
    "DEFAULT_RESULTS",
    "TEST_SIZE",
    "SuiteConfig",
    "Task",
    "completed_keys",
    "default_results",
    "describe_config",
    "execute",
    "holdout_split",
    "provenance",
    "read_records",
    "run_suite",
]

DEFAULT_RESULTS = REPO_ROOT / "benchmarks" / "results" / "results.jsonl"
#: Where regression runs go by default: never into the classification records.
DEFAULT_REGRESSION_RESULTS = REPO_ROOT / "benchmarks" / "results" / "regression.jsonl"
#: Seconds between checks of running children for a result or an overrun.
POLL = 0.2
#: Modules the forkserver imports once for all runs.
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "sklearn.ensemble",
    "sklearn.model_selection",
    "sklearn.neighbors",
    "sklearn.svm",
    "xgboost",
    "hyperopt",
)


# -- one run (in the child process; the protocol is in benchmarks/protocol.py) ----


def _child_main(conn: Any, task: Task) -> None:
    """Entry of a run's process: its own process group, one thread, quiet warnings."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    warnings.simplefilter("ignore")
    try:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            result = execute(task)
        conn.send(("ok", result))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        conn.send(("error", {"message": text, "traceback": traceback.format_exc()[-4000:]}))
    finally:
        conn.close()


def _kill_group(process: Any) -> None:
    """Kill what is left of a run's process group (workers it may have started)."""
    if process.pid is not None and hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _kill(process: Any) -> None:
    """Kill a run's process and its process group (whatever it started)."""
    _kill_group(process)
    process.kill()
    process.join(5)


@dataclass
class _Running:
    task: Task
    process: Any
    conn: Any
    started: float


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Imported once in the server, so each run starts fast. Only third-party
        # modules: a broken automodel must fail one run, not the server.
        ctx.set_forkserver_preload(list(PRELOAD))
        return ctx
    return multiprocessing.get_context("spawn")


# -- the suite ----------------------------------------------------------------------


@dataclass
class SuiteConfig:
    """What ``run`` was asked to do (a preset with the command line's overrides)."""

    preset: Preset
    datasets: Sequence[DatasetSpec]
    systems: Sequence[str]
    seeds: Sequence[int]
    results: Path
    run_timeout: float
    jobs: int = 1
    command: str = ""


def default_results(datasets: Sequence[DatasetSpec]) -> Path:
    """The default results file of a run over ``datasets``: one per task.

    Raises ``ValueError`` for a mix of classification and regression tables (they
    need an explicit results file).
    """
    tasks = {spec.task for spec in datasets}
    if tasks == {"regression"}:
        return DEFAULT_REGRESSION_RESULTS
    if "regression" in tasks:
        raise ValueError(
            "these tables mix classification and regression: run them apart, or pass "
            f"--results FILE (the defaults are {DEFAULT_RESULTS} and "
            f"{DEFAULT_REGRESSION_RESULTS})"
        )
    return DEFAULT_RESULTS


def _flaml_budget(
    records: Sequence[dict[str, Any]], dataset: str, max_evals: int, cv: int, fallback: float
) -> tuple[float, str]:
    """Median wall time of automodel-tpe on ``dataset`` (same budget), else ``fallback``."""
    times = [
        r["wall_time"]
        for r in records
        if r.get("status") == "ok"
        and record_key(r)[:2] == ("automodel-tpe", dataset)
        and record_key(r)[3:] == (max_evals, cv)
    ]
    if times:
        return round(statistics.median(times), 1), f"median automodel-tpe wall time ({len(times)})"
    return fallback, "fixed (no automodel-tpe result yet)"


def _record(
    task: Task,
    config: SuiteConfig,
    shape: dict[str, int],
    outcome: dict[str, Any],
    common: dict[str, Any],
) -> dict[str, Any]:
    budget = {"max_evals": task.max_evals, "cv": task.cv, "run_timeout": config.run_timeout}
    if task.time_budget is not None:
        budget["time_budget"] = task.time_budget
    budget.update(task.budget_notes)
    regression = task.dataset.task == "regression"
    scores = ("test_r2", "test_rmse") if regression else ("test_accuracy",)
    record: dict[str, Any] = {
        "system": task.system,
        "dataset": task.dataset.name,
        "seed": task.seed,
        "task": task.dataset.task,
        **shape,
        "n_train": None,
        "n_test": None,
        **dict.fromkeys(scores),
        "cv_score": None,
        "wall_time": None,
        "n_evals": None,
        "n_failures": None,
        "status": outcome["status"],
        "message": outcome.get("message"),
        "details": {},
    }
    record.update({k: v for k, v in outcome.items() if k in record and k != "status"})
    record.update(
        {
            "preset": config.preset.name,
            "budget": budget,
            **common,
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": config.command,
        }
    )
    return record


def _describe(outcome: dict[str, Any]) -> str:
    if outcome["status"] == "ok":
        cv = outcome.get("cv_score")
        evals = outcome.get("n_evals")
        failures = outcome.get("n_failures")
        if "test_r2" in outcome:
            test = f"test R2 {outcome['test_r2']:.4f} RMSE {outcome['test_rmse']:.4g}"
        else:
            test = f"test {outcome['test_accuracy']:.4f}"
        return (
            f"ok  {test}"
            + (f"  cv {cv:.4f}" if cv is not None else "")
            + (f"  {evals} evals" if evals is not None else "")
            + (f" ({failures} failed)" if failures else "")
            + f"  {outcome['wall_time']:.1f} s"
        )
    return f"{outcome['status']}: {outcome.get('message')}"


def run_suite(config: SuiteConfig, say: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Run every pending (system, dataset, seed) of ``config``; return the new records."""
    records = read_records(config.results, say)
    done = completed_keys(records)
    shapes = {spec.name: spec.shape() for spec in config.datasets}
    preset = config.preset
    # FLAML's time budget comes from automodel-tpe's wall times: its runs go last.
    first = [s for s in config.systems if s != "flaml"]
    last = [s for s in config.systems if s == "flaml"]
    tasks = [
        Task(system, spec, seed, preset.max_evals, preset.cv)
        for systems in (first, last)
        for spec in config.datasets
        for seed in config.seeds
        for system in systems
        if supports(system, spec.task)
    ]
    for task_name in sorted({spec.task for spec in config.datasets}):
        unsupported = [s for s in config.systems if not supports(s, task_name)]
        if unsupported:
            say(f"Skipping {', '.join(unsupported)} on {task_name} tables: no {task_name} variant.")
    pending = [t for t in tasks if t.key not in done]
    skipped = len(tasks) - len(pending)
    if skipped:
        say(f"Skipping {skipped} run(s) already in {config.results} with status ok.")
    if not pending:
        say("Nothing to run.")
        return []
    common = provenance()
    ctx = _context()
    new: list[dict[str, Any]] = []
    running: list[_Running] = []
    total = len(pending)
    queue = list(pending)

    def finish(item: _Running, outcome: dict[str, Any]) -> None:
        record = _record(item.task, config, shapes[item.task.dataset.name], outcome, common)
        append_record(config.results, record)
        records.append(record)
        new.append(record)
        task = item.task
        say(
            f"[{len(new)}/{total}] {task.system} {task.dataset.name} seed={task.seed}: "
            + _describe(outcome)
        )

    def start(task: Task) -> None:
        if task.system == "flaml":
            seconds, source = _flaml_budget(
                records, task.dataset.name, task.max_evals, task.cv, preset.flaml_budget
            )
            task = replace(task, time_budget=seconds, budget_notes={"time_budget_source": source})
        receive, send = ctx.Pipe(duplex=False)
        # Not a daemon: automodel may start worker processes of its own.
        process = ctx.Process(target=_child_main, args=(send, task), daemon=False)
        item = _Running(task, process, receive, time.monotonic())
        try:
            process.start()
        except (OSError, EOFError) as exc:
            send.close()
            receive.close()
            finish(item, {"status": "error", "message": f"could not start the run: {exc!r}"})
            return
        send.close()
        running.append(item)

    try:
        while queue or running:
            while queue and len(running) < max(1, config.jobs):
                start(queue.pop(0))
            ready = multiprocessing.connection.wait([r.conn for r in running], timeout=POLL)
            for item in [r for r in running if r.conn in ready]:
                running.remove(item)
                try:
                    kind, payload = item.conn.recv()
                except (EOFError, OSError):
                    item.process.join(5)
                    kind, payload = (
                        "error",
                        {"message": f"the run's process died (exit code {item.process.exitcode})"},
                    )
                item.conn.close()
                item.process.join(5)
                # A run is over once it has answered: nothing it started may linger.
                if item.process.is_alive():
                    _kill(item.process)
                else:
                    _kill_group(item.process)
                if kind == "ok":
                    finish(item, {"status": "ok", **payload})
                else:
                    details = {"traceback": payload.get("traceback")}
                    finish(
                        item, {"status": "error", "message": payload["message"], "details": details}
                    )
            now = time.monotonic()
            for item in [r for r in running if now - r.started > config.run_timeout]:
                running.remove(item)
                _kill(item.process)
                item.conn.close()
                finish(
                    item,
                    {
                        "status": "timeout",
                        "message": f"stopped after {config.run_timeout:g} s (--run-timeout)",
                        "wall_time": round(now - item.started, 3),
                    },
                )
    except KeyboardInterrupt:
        for item in running:
            _kill(item.process)
        say(f"Interrupted: {len(new)} run(s) recorded; run again to resume.")
        raise
    return new


def describe_config(config: SuiteConfig) -> str:
    """One paragraph saying what will run."""
    preset = config.preset
    return (
        f"Preset {preset.name}: {len(config.systems)} system(s) x {len(config.datasets)} "
        f"dataset(s) x {len(config.seeds)} seed(s); max_evals={preset.max_evals}, "
        f"cv={preset.cv}, run timeout {config.run_timeout:g} s, {config.jobs} run(s) at a "
        f"time; results -> {config.results}\n"
        f"  systems: {', '.join(config.systems)}\n"
        f"  datasets: {', '.join(spec.name for spec in config.datasets)}"
    )
