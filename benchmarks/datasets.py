"""The benchmark's tables: scikit-learn's bundled sets, the repository's
``datasets/`` folder and the PMLB tables of a data directory (classification), and
the regression tables of another (``../shared/datasets/regression``).

A :class:`DatasetSpec` is a small picklable description that knows its task; the
table itself is read by :meth:`DatasetSpec.load`, in the process that needs it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_DATA_DIR",
    "DEFAULT_REGRESSION_DIR",
    "DatasetSpec",
    "REPO_ROOT",
    "available_datasets",
    "resolve_datasets",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/datasets/pmlb`` relative to the repository root.
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "datasets" / "pmlb"
#: ``../shared/datasets/regression`` relative to the repository root.
DEFAULT_REGRESSION_DIR = REPO_ROOT.parent / "shared" / "datasets" / "regression"
EMBEDDED_DIR = REPO_ROOT / "datasets"
SKLEARN_DATASETS = ("iris", "wine", "breast_cancer", "digits")
#: Group names accepted by ``--datasets`` besides single table names ("all": every
#: classification table; "regression": every regression table).
GROUPS = ("sklearn", "embedded", "pmlb", "all", "regression")
TASKS = ("classification", "regression")


@dataclass(frozen=True)
class DatasetSpec:
    """Where one table comes from and its task.

    ``source`` is "sklearn", "embedded" or "pmlb" (classification tables) or
    "regression" (a folder of regression tables); ``task`` is "classification"
    or "regression".
    """

    name: str
    source: str
    path: str | None = None
    target: str | None = None
    task: str = "classification"

    def load(self) -> tuple[pd.DataFrame, np.ndarray]:
        """``(X, y)``: the features as a DataFrame and the raw class labels (or, for a
        regression table, the target as floats)."""
        if self.source == "sklearn":
            from sklearn import datasets

            bunch = getattr(datasets, f"load_{self.name}")(as_frame=True)
            X = bunch.data
            X.columns = [str(c) for c in X.columns]
            return X, np.asarray(bunch.target)
        if self.path is None or self.target is None:
            raise ValueError(f"dataset {self.name!r} has no file or target column")
        sep = "\t" if ".tsv" in Path(self.path).suffixes else ","
        frame = pd.read_csv(self.path, sep=sep)
        if self.target not in frame.columns:
            raise ValueError(f"{self.path}: no target column {self.target!r}")
        y = frame[self.target]
        if self.task == "regression":
            return frame.drop(columns=[self.target]), y.to_numpy(dtype=np.float64)
        return frame.drop(columns=[self.target]), y.to_numpy()

    def shape(self) -> dict[str, int]:
        """``n_rows``, ``n_features`` and (classification) ``n_classes`` of the whole table."""
        X, y = self.load()
        if self.task == "regression":
            return {"n_rows": int(X.shape[0]), "n_features": int(X.shape[1])}
        return {
            "n_rows": int(X.shape[0]),
            "n_features": int(X.shape[1]),
            "n_classes": int(pd.Series(y).nunique()),
        }


def _embedded() -> dict[str, DatasetSpec]:
    manifest = EMBEDDED_DIR / "manifest.csv"
    found: dict[str, DatasetSpec] = {}
    if not manifest.is_file():
        return found
    with manifest.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = Path(row["file"]).name.split(".")[0]
            found[name] = DatasetSpec(
                name, "embedded", str(EMBEDDED_DIR / row["file"]), row["target"]
            )
    return found


def _folder(data_dir: Path, source: str, task: str) -> dict[str, DatasetSpec]:
    """The ``NAME/NAME.tsv.gz`` tables of a folder (target column ``target``)."""
    found: dict[str, DatasetSpec] = {}
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir()):
        table = folder / f"{folder.name}.tsv.gz"
        if table.is_file():
            found[folder.name] = DatasetSpec(folder.name, source, str(table), "target", task)
    return found


def _is_dir(path: str | Path | None) -> bool:
    return path is not None and Path(path).is_dir()


def available_datasets(
    data_dir: str | Path | None, regression_dir: str | Path | None = DEFAULT_REGRESSION_DIR
) -> dict[str, DatasetSpec]:
    """Every known table by name (PMLB ones only when ``data_dir`` exists, regression
    ones only when ``regression_dir`` exists)."""
    found = {name: DatasetSpec(name, "sklearn") for name in SKLEARN_DATASETS}
    found.update(_embedded())
    if _is_dir(data_dir):
        found.update(_folder(Path(data_dir), "pmlb", "classification"))
    if _is_dir(regression_dir):
        found.update(_folder(Path(regression_dir), "regression", "regression"))
    return found


def resolve_datasets(
    names: Sequence[str],
    data_dir: str | Path | None,
    say: Callable[[str], None] = print,
    regression_dir: str | Path | None = DEFAULT_REGRESSION_DIR,
) -> list[DatasetSpec]:
    """The specs of ``names`` (table names or the groups sklearn, embedded, pmlb, all,
    regression).

    A missing ``data_dir`` skips its PMLB tables with a message (any name not
    known otherwise is taken for a PMLB table then); a missing ``regression_dir``
    skips the regression tables (the regression preset's names, and the group);
    an unknown name with the data directories present raises ``ValueError``
    listing the valid ones.
    """
    from benchmarks.presets import REGRESSION_DATASETS

    have_dir, have_regression = _is_dir(data_dir), _is_dir(regression_dir)
    known = available_datasets(data_dir, regression_dir)
    chosen: list[DatasetSpec] = []
    skipped: list[str] = []
    skipped_regression: list[str] = []
    for name in names:
        if name == "regression":
            chosen.extend(spec for spec in known.values() if spec.task == "regression")
            if not have_regression:
                skipped_regression.append("the regression tables")
        elif name in GROUPS:
            group = [
                spec
                for spec in known.values()
                if spec.task == "classification" and (name == "all" or spec.source == name)
            ]
            if name in ("pmlb", "all") and not have_dir:
                skipped.append("the PMLB tables")
            chosen.extend(group)
        elif name in known:
            chosen.append(known[name])
        elif name in REGRESSION_DATASETS and not have_regression:
            skipped_regression.append(name)
        elif not have_dir:
            skipped.append(name)
        else:
            valid = ", ".join(sorted(known))
            raise ValueError(
                f"Unknown dataset {name!r}. Valid names: {valid} (or a group: {', '.join(GROUPS)})."
            )
    if skipped:
        say(
            f"PMLB data directory {str(data_dir)!r} not found: skipping {', '.join(skipped)}. "
            "Pass --data-dir DIR (a folder of NAME/NAME.tsv.gz tables)."
        )
    if skipped_regression:
        say(
            f"Regression data directory {str(regression_dir)!r} not found: skipping "
            f"{', '.join(skipped_regression)}. Pass --regression-dir DIR (a folder of "
            "NAME/NAME.tsv.gz tables with a column named target)."
        )
    unique = list({spec.name: spec for spec in chosen}.values())
    return unique
