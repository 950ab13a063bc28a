"""Presets of the benchmark suite and the names of its systems (no heavy imports)."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FULL_DATASETS",
    "OPTIONAL_SYSTEMS",
    "PRESETS",
    "REGRESSION_DATASETS",
    "REGRESSION_SYSTEMS",
    "PEER_SYSTEMS",
    "STUDY_SETTINGS",
    "SYSTEM_ORDER",
    "Preset",
    "autogluon_python",
    "availability",
    "supports",
]

#: Studies: automodel (TPE) with these settings, every other one at its default. What a
#: family adds (the default families and these), and what trials at once cost
#: (``automodel-serial``: one at a time). In no preset: run them with ``--systems``.
STUDY_SETTINGS: dict[str, dict[str, object]] = {
    "automodel-lightgbm": {"families": ["default", "lightgbm"]},
    "automodel-catboost": {"families": ["default", "lightgbm", "catboost"]},
    "automodel-serial": {"n_jobs": 1},
}
#: Every system, in the order tables and plots show them.
SYSTEM_ORDER: tuple[str, ...] = (
    "automodel-tpe",
    "automodel-rand",
    "random-search",
    "optuna-tpe",
    "flaml",
    "rf-default",
    "autogluon",
    *STUDY_SETTINGS,
)
#: The full preset's systems: automodel as shipped and its peers (not the studies).
PEER_SYSTEMS: tuple[str, ...] = tuple(s for s in SYSTEM_ORDER if s not in STUDY_SETTINGS)
#: Peers that need a package automodel does not depend on (skipped when absent).
OPTIONAL_SYSTEMS: dict[str, str] = {
    "optuna-tpe": "optuna",
    "flaml": "flaml",
    "automodel-catboost": "catboost",
}
#: The environment variable naming the Python of AutoGluon's environment.
AUTOGLUON_PYTHON = "AUTOMODEL_AUTOGLUON_PYTHON"
#: Systems whose budget is the number of candidates (``max_evals``) and ``cv``.
CORE_SYSTEMS: tuple[str, ...] = ("automodel-tpe", "automodel-rand", "rf-default", "random-search")
#: Systems with a regression variant (``benchmarks/regression_systems.py``); the
#: others are skipped on regression tables.
REGRESSION_SYSTEMS: tuple[str, ...] = tuple(s for s in SYSTEM_ORDER if s != "optuna-tpe")

#: The full preset's tables: the 12 smallest PMLB tables of the shared README
#: (205-1728 rows), segmentation (2310 rows, 7 classes) and banana (5300 rows but only
#: 2 features), plus penguins, the one table with text columns and missing values.
#: spambase, churn, phoneme and everything larger are left out: 3 seeds x 50
#: five-fold trials of forests and XGBoost on them would take hours per table on 2 cores.
FULL_DATASETS: tuple[str, ...] = (
    "glass",
    "sonar",
    "heart_statlog",
    "ionosphere",
    "wdbc",
    "australian",
    "pima",
    "vehicle",
    "tic_tac_toe",
    "german",
    "yeast",
    "car",
    "segmentation",
    "banana",
    "penguins",
)

#: The regression tables of ``../shared/datasets/regression`` (its README), smallest
#: first: 209 (cpus) to 53,940 rows (diamonds); nine with text columns, ames with
#: missing cells.
REGRESSION_DATASETS: tuple[str, ...] = (
    "cpus",
    "hitters",
    "auto_mpg",
    "carseats",
    "cps1985",
    "concrete",
    "saratoga",
    "ames",
    "wage",
    "computers",
    "deliveries",
    "diamonds",
)


@dataclass(frozen=True)
class Preset:
    """A named set of datasets, seeds, systems and budgets.

    Every search system gets ``max_evals`` candidates scored by ``cv``-fold CV;
    each (system, dataset, seed) run is stopped after ``run_timeout`` seconds.
    FLAML, which has a time budget instead, gets the median wall time of
    automodel-tpe on the same dataset, or ``flaml_budget`` seconds before that is known.
    """

    name: str
    datasets: tuple[str, ...]
    seeds: int
    max_evals: int
    cv: int
    systems: tuple[str, ...]
    run_timeout: float
    flaml_budget: float


PRESETS: dict[str, Preset] = {
    "quick": Preset(
        name="quick",
        datasets=("iris", "penguins"),
        seeds=2,
        max_evals=5,
        cv=3,
        systems=CORE_SYSTEMS,
        run_timeout=120.0,
        flaml_budget=10.0,
    ),
    "full": Preset(
        name="full",
        datasets=FULL_DATASETS,
        seeds=3,
        max_evals=50,
        cv=5,
        systems=PEER_SYSTEMS,
        run_timeout=900.0,
        flaml_budget=60.0,
    ),
    # Regression tables go to their own results file (runner.DEFAULT_REGRESSION_RESULTS).
    "regression": Preset(
        name="regression",
        datasets=REGRESSION_DATASETS,
        seeds=5,
        max_evals=50,
        cv=5,
        systems=(
            "automodel-tpe",
            "automodel-rand",
            "random-search",
            "rf-default",
            "flaml",
            "autogluon",
        ),
        # diamonds: 40,000 search rows; RandomizedSearchCV scores 50 candidates x 5 folds.
        run_timeout=3600.0,
        flaml_budget=60.0,
    ),
    "regression-quick": Preset(
        name="regression-quick",
        datasets=("cpus", "hitters"),
        seeds=2,
        max_evals=5,
        cv=3,
        systems=("automodel-tpe", "automodel-rand", "random-search", "rf-default", "flaml"),
        run_timeout=120.0,
        flaml_budget=5.0,
    ),
}


def supports(system: str, task: str) -> bool:
    """Whether ``system`` has a variant for ``task`` ("classification" or "regression")."""
    return task != "regression" or system in REGRESSION_SYSTEMS


def autogluon_python() -> Path:
    """The interpreter of AutoGluon's own environment (``benchmarks/autogluon_peer.py``)."""
    named = os.environ.get(AUTOGLUON_PYTHON)
    repository = Path(__file__).resolve().parents[1]
    return Path(named) if named else repository / ".venv-autogluon" / "bin" / "python"


def availability(name: str) -> str | None:
    """None when system ``name`` can run here, else why not (a package is missing)."""
    if name == "autogluon" and not autogluon_python().exists():
        return (
            f"AutoGluon's interpreter {autogluon_python()} does not exist (run "
            f"benchmarks/setup_autogluon.sh, or set {AUTOGLUON_PYTHON})"
        )
    package = OPTIONAL_SYSTEMS.get(name)
    if package is not None and importlib.util.find_spec(package) is None:
        return f"the {package!r} package is not installed (pip install {package})"
    return None
