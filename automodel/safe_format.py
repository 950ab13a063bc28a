"""The model in a format that loads without running code: skops, with automodel's
list of trusted types.

skops (``skops.io``) writes an object as a tree of plain values and type names, and
loads it without unpickling: a type it does not know is refused unless the caller
trusts it by name. automodel trusts, by name and never by the file's word:

- classes that follow scikit-learn's estimator API (subclasses of
  ``sklearn.base.BaseEstimator``) defined in scikit-learn, XGBoost, LightGBM or
  automodel; skops builds them without calling their ``__init__``;
- scikit-learn's distance metrics, and the fitted parts listed in
  :data:`TRUSTED_PARTS` (tree structures, boosters, optimiser states, the column
  step's functions).

A type is resolved only after its module's top package is one of those libraries,
so reading a file never imports a module it names elsewhere. Everything the default
families fit uses these types alone; a model with any other type (an own network, a
class of the user's script, CatBoost) is saved as a pickle instead, which
:mod:`automodel.persistence` loads only with ``trusted=True``.
"""

from __future__ import annotations

import importlib
import zipfile
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.metrics import DistanceMetric

__all__ = ["TRUSTED_PARTS", "dumps", "loads", "untrusted_types"]

#: The top packages whose estimator classes are trusted.
TRUSTED_PACKAGES = ("sklearn", "xgboost", "lightgbm", "automodel")

#: Fitted parts of the trusted estimators that are not estimators themselves.
TRUSTED_PARTS = frozenset(
    {
        "collections.OrderedDict",
        "numpy.dtype",
        "sklearn.utils._bunch.Bunch",
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
        "xgboost.core.Booster",
        "lightgbm.basic.Booster",
        "automodel.suggest.TPE",
        "automodel.conformal.RegressionConformal",
        "automodel.conformal.ClassConformal",
        # The target encoder's folds (``schema``'s many-level columns).
        "sklearn.model_selection._split.KFold",
        # The column step's own functions (FunctionTransformer's func).
        "automodel.schema.as_text",
        "automodel.schema.as_category",
    }
)


def _trusted(name: str) -> bool:
    """Whether automodel trusts the type named ``name`` (``module.Class``)."""
    if name in TRUSTED_PARTS:
        return True
    module, _, attribute = name.rpartition(".")
    if module.split(".")[0] not in TRUSTED_PACKAGES:
        return False
    try:
        found = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        return False
    return isinstance(found, type) and issubclass(found, (BaseEstimator, DistanceMetric))


def _skops() -> Any:
    # Imported when a model is saved or loaded: skops imports torch when it is installed.
    import skops.io

    return skops.io


def untrusted_types(data: bytes) -> list[str]:
    """The types in skops ``data`` that automodel does not trust."""
    return [name for name in _skops().get_untrusted_types(data=data) if not _trusted(name)]


def dumps(model: Any) -> bytes | None:
    """``model`` as compressed skops bytes, or None when skops cannot write it or it
    holds a type automodel does not trust (then it is saved as a pickle)."""
    sio = _skops()
    try:
        data = sio.dumps(model, compression=zipfile.ZIP_DEFLATED)
    except Exception:  # noqa: BLE001 - skops refuses an unknown kind of object: pickle it
        return None
    return None if untrusted_types(data) else data


def loads(data: bytes, trust_all: bool = False) -> Any:
    """The model in skops ``data``; the types automodel trusts (and, with
    ``trust_all``, every other) are the only ones skops may build.

    Raises ``UntrustedTypesError`` naming the other types when ``trust_all`` is False.
    """
    sio = _skops()
    named = sio.get_untrusted_types(data=data)
    others = [name for name in named if not _trusted(name)]
    if others and not trust_all:
        raise UntrustedTypesError(others)
    return sio.loads(data, trusted=named)


class UntrustedTypesError(Exception):
    """A model holds types that automodel does not trust (``types``)."""

    def __init__(self, types: list[str]) -> None:
        super().__init__(", ".join(types))
        self.types = types
