"""automodel: pick the best scikit-learn model for a table with one hyperopt search."""

from automodel._version import __version__
from automodel.auto import fit
from automodel.errors import RefitWarning, SearchFailedError
from automodel.estimator import AutoModelClassifier, AutoModelRegressor
from automodel.families import DataInfo, Family
from automodel.payload import MainReferenceWarning
from automodel.persistence import ModelFileError, load, save
from automodel.suggest import TPE
from automodel.workers import WorkerStartError

__all__ = [
    "TPE",
    "AutoModelClassifier",
    "AutoModelRegressor",
    "DataInfo",
    "Family",
    "MainReferenceWarning",
    "ModelFileError",
    "RefitWarning",
    "SearchFailedError",
    "WorkerStartError",
    "__version__",
    "fit",
    "load",
    "save",
]
