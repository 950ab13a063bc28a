"""The svm family (automodel.families.svm): SVC / SVR from one declaration, epsilon and
class weights each in its own task."""

from __future__ import annotations

import pytest
from sklearn.svm import SVC, SVR

from automodel.families import svm
from tests._families import INFO, TASKS, check_records, default_params, fits, labels

KERNEL = {
    "svm.C",
    "svm.kernel",
    "svm.rbf.gamma",
    "svm.poly.gamma",
    "svm.poly.degree",
    "svm.poly.coef0",
    "svm.sigmoid.gamma",
    "svm.sigmoid.coef0",
}


def test_one_declaration_serves_both_tasks():
    check_records(svm.SVM, classification=SVC, regression=SVR)
    for family in svm.SVM.values():
        assert family.max_rows == svm.MAX_ROWS == 10_000
        assert dict(family.fixed) == {"max_iter": 200_000} and family.scale
    assert not svm.SVM["classification"].scale_target and svm.SVM["regression"].scale_target


def test_each_task_searches_its_own_knobs_beside_the_kernels():
    assert labels(svm.SVM["classification"], "classification") == KERNEL | {"svm.class_weight"}
    assert labels(svm.SVM["regression"], "regression") == KERNEL | {"svm.epsilon"}


@pytest.mark.parametrize("task", TASKS)
def test_the_default_is_libsvms_rbf_at_gamma_scale(task):
    params = default_params(svm.SVM[task], task)
    gamma = 1.0 / INFO[task].n_features
    extra = {"class_weight": None} if task == "classification" else {"epsilon": 0.1}
    assert params == {"C": 1.0, "kernel": "rbf", "gamma": gamma, **extra}
    fits(svm.SVM[task], task)
