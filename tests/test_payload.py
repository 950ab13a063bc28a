"""The model inside a model file (automodel/payload.py): loads elsewhere, or says why not."""

from __future__ import annotations

import os
import pickle
import sys
import warnings

import pytest

from automodel import payload
from automodel.payload import MainReferenceWarning, ModelFileError, dump, loads


def _script_class(monkeypatch):
    """A class ``Net`` as a script run with ``python script.py`` defines it (``__main__``)."""

    class Net:
        pass

    Net.__module__, Net.__qualname__ = "__main__", "Net"
    monkeypatch.setattr(sys.modules["__main__"], "Net", Net, raising=False)
    return Net


class _PicklesByName:
    """Pickles an inner class with plain pickle, as skorch does its torch module."""

    def __init__(self, inner):
        self.blob = pickle.dumps(inner)

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.inner = pickle.loads(state["blob"])


def test_a_script_class_travels_by_value_and_loads_without_the_script(monkeypatch):
    net = _script_class(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MainReferenceWarning)
        data = dump({"net": net})
    monkeypatch.delattr(sys.modules["__main__"], "Net")
    assert loads(data, "m.joblib")["net"].__name__ == "Net"


def test_a_script_class_saved_by_name_is_named_at_save_and_at_load(monkeypatch):
    net = _script_class(monkeypatch)
    with pytest.warns(MainReferenceWarning, match="Can't get attribute 'Net'.*into a module"):
        data = dump({"net": _PicklesByName(net)})
    assert loads(data, "m.joblib")["net"].inner is net  # beside the script: it loads
    monkeypatch.delattr(sys.modules["__main__"], "Net")
    with pytest.raises(ModelFileError, match="'m.joblib' refers to a class of the script"):
        loads(data, "m.joblib")


def test_a_missing_module_is_named(monkeypatch):
    data = pickle.dumps(pickle.loads, protocol=0)  # any global; then its module goes missing
    data = data.replace(b"cpickle\n", b"cnomod\n")
    with pytest.raises(ModelFileError, match="needs the module 'nomod', which is not installed"):
        loads(data, "m.joblib")


def test_the_keras_backend_is_set_before_loading_or_a_mismatch_named(monkeypatch):
    monkeypatch.setattr(payload, "keras_backend", lambda found=None: None)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert loads(pickle.dumps(1), "m.joblib", backend="torch") == 1
    assert os.environ["KERAS_BACKEND"] == "torch"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(ModelFileError, match="saved with the 'torch' backend.*KERAS_BACKEND=torch"):
        loads(pickle.dumps(1), "m.joblib", backend="torch")
