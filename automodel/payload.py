"""The model inside a model file: pickled so that it loads in another process, or says why not.

:func:`dump` pickles with cloudpickle, so a class or function of the user's script
(``__main__``) travels by value. Objects that pickle themselves by plain pickle (a
skorch net's torch module, a Keras model) still refer to such a class by name, and
the file then loads only where the script's class exists: :func:`dump` finds this by
unpickling the bytes once with an empty ``__main__`` and warns, naming the class and
the fix. The Keras backend in use is recorded, and :func:`loads` sets it before it
unpickles (Keras reads ``KERAS_BACKEND`` once, when imported). A class or module that
cannot be found at load is a :class:`ModelFileError` that names it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import types
import warnings
from collections.abc import Iterator
from typing import Any

import cloudpickle

__all__ = ["MainReferenceWarning", "ModelFileError", "dump", "keras_backend", "loads"]


class ModelFileError(ValueError):
    """The file is not a readable automodel model file."""


class MainReferenceWarning(UserWarning):
    """The saved model refers to a class of the running script by name."""


@contextlib.contextmanager
def _empty_main() -> Iterator[None]:
    """``__main__`` as an empty module, as in a fresh ``python -c`` process."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _main_reference(payload: bytes) -> str | None:
    """The error of loading ``payload`` without the script's names, or None if it loads."""
    if b"__main__" not in payload:  # the common case costs nothing
        return None
    with _empty_main(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pickle.loads(payload)
        except AttributeError as exc:
            return str(exc)
    return None


def keras_backend(payload: bytes | None = None) -> str | None:
    """The backend of Keras when this process has imported it (and ``payload``, if
    given, refers to Keras), else None."""
    keras = sys.modules.get("keras")
    config = getattr(keras, "config", None)
    if config is None or (payload is not None and b"keras" not in payload):
        return None
    return config.backend()


def dump(model: Any) -> bytes:
    """The pickled model; warns when it will load only beside the script that saved it."""
    payload = cloudpickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    problem = _main_reference(payload)
    if problem is not None:
        warnings.warn(
            f"This model loads only in a process that defines what your script defines "
            f"({problem.replace(' (built-in)', '')}): a class of the script you ran "
            "(__main__) is saved by name inside the model. To load the file anywhere, move "
            "the class into a module (e.g. nets.py beside the script) and import it from "
            "there before fitting.",
            MainReferenceWarning,
            stacklevel=3,
        )
    return payload


def loads(payload: bytes, source: str, backend: str | None = None) -> Any:
    """Unpickle a model file's payload, with Keras's backend set to ``backend``."""
    if backend is not None:
        _set_keras_backend(backend, source)
    try:
        return pickle.loads(payload)
    except ModuleNotFoundError as exc:
        raise ModelFileError(
            f"{source!r} needs the module {exc.name!r}, which is not installed here "
            f"(install the package that provides it, e.g. pip install {exc.name})."
        ) from None
    except AttributeError as exc:
        if repr(sys.modules["__main__"]) not in str(exc):
            raise  # not a missing class of the script: a bug, with its traceback
        raise ModelFileError(
            f"{source!r} refers to a class of the script that saved it, which this process "
            f"does not define ({exc}). Import or define that class in __main__ before "
            "loading, or refit with the class in a module."
        ) from None


def _set_keras_backend(backend: str, source: str) -> None:
    current = keras_backend() or os.environ.get("KERAS_BACKEND")
    if current is None:
        os.environ["KERAS_BACKEND"] = backend
    elif current != backend:
        raise ModelFileError(
            f"{source!r} holds a Keras model saved with the {backend!r} backend, but Keras "
            f"runs on {current!r} here; load it in a process with KERAS_BACKEND={backend} "
            "set before Keras is imported."
        )
