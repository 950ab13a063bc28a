"""The ``svm`` family (libsvm's SVC and SVR), for classification and regression."""

from __future__ import annotations

from typing import Any

from hyperopt import hp
from sklearn.svm import SVC, SVR

from automodel.families._base import SCALED, DataInfo, PerTask, by_task, class_weight, int_uniform
from automodel.families._base import log_uniform as _log

__all__ = ["MAX_ROWS", "SVM"]

#: libsvm's fit grows between quadratically and cubically in rows: past this many
#: training rows an SVM trial trains on a subsample (stratified for classes).
MAX_ROWS = 10_000


def _kernel() -> Any:
    """The kernel choice, each kernel with its own knobs."""
    return hp.choice(
        "svm.kernel",
        [
            {"kernel": "rbf", "gamma": _log("svm.rbf.gamma", 1e-4, 10.0)},
            {"kernel": "linear"},
            {
                "kernel": "poly",
                "gamma": _log("svm.poly.gamma", 1e-4, 10.0),
                "degree": int_uniform("svm.poly.degree", 2, 4),
                "coef0": hp.uniform("svm.poly.coef0", 0.0, 1.0),
            },
            {
                "kernel": "sigmoid",
                "gamma": _log("svm.sigmoid.gamma", 1e-4, 10.0),
                "coef0": hp.uniform("svm.sigmoid.coef0", -1.0, 1.0),
            },
        ],
    )


def _space(info: DataInfo) -> dict[str, Any]:
    return {
        "C": _log("svm.C", 1e-3, 1e3),
        # In units of the standardised target: 0.1 is a tenth of its standard deviation.
        "epsilon": PerTask(regression=_log("svm.epsilon", 1e-3, 1.0)),
        "kernel": _kernel(),
        "class_weight": class_weight("svm"),
    }


def _default(info: DataInfo) -> dict[str, Any]:
    # scikit-learn's gamma="scale" is 1 / n_features on standardised columns.
    gamma = min(10.0, max(1e-4, 1.0 / max(1, info.n_features)))
    return {
        "svm.C": 1.0,
        "svm.epsilon": PerTask(regression=0.1),
        "svm.kernel": 0,
        "svm.rbf.gamma": gamma,
        "svm.class_weight": PerTask(classification=0),
    }


#: max_iter bounds libsvm on badly scaled data, where it can run for minutes. SVR's
#: epsilon and penalty depend on the target's scale: it fits a standardised target.
SVM = by_task(
    "svm", (SVC, SVR), _space, _default, fixed={"max_iter": 200_000}, max_rows=MAX_ROWS, **SCALED
)
