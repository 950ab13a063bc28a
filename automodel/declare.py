"""The records a setting is declared with: :class:`Setting`, its CLI :class:`Flag`, and
the flags' value types.

The declarations themselves are :data:`automodel.settings.SETTINGS`; ``cli_options.py``
turns their flags into argparse options and the parsed values into parameters.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, make_dataclass
from typing import Any

from automodel.families import Family

__all__ = [
    "Flag",
    "Setting",
    "ensemble_arg",
    "families_arg",
    "positive_float",
    "screening_arg",
    "seconds_or_none",
    "settings_class",
]


@dataclass(frozen=True)
class Flag:
    """How ``automodel fit`` spells a setting.

    The flag takes a value (``type`` parses it, ``metavar`` names it in the help), one
    of the words of ``choices`` (word -> the parameter's value) or, with ``switch``
    (the parameter's values without and with the flag), none. ``default`` is the
    flag's own default when it differs from the setting's (``...``: the same);
    ``to_param(value, args)`` turns a parsed value (``args``: all of them) into the
    parameter's value.
    """

    name: str
    help: str
    type: Callable[[str], Any] | None = None
    choices: Mapping[str, Any] | None = None
    metavar: str | None = None
    default: Any = ...
    switch: tuple[Any, Any] | None = None
    to_param: Callable[[Any, argparse.Namespace], Any] | None = None

    @property
    def dest(self) -> str:
        """The attribute argparse stores the value in: ``--n-jobs`` -> ``n_jobs``."""
        return self.name.lstrip("-").replace("-", "_")

    def param(self, value: Any, args: argparse.Namespace) -> Any:
        """The parameter's value for the flag's parsed ``value``."""
        if self.switch is not None:
            return self.switch[bool(value)]
        if self.choices is not None:
            return self.choices[value]
        return value if self.to_param is None else self.to_param(value, args)


@dataclass(frozen=True)
class Setting:
    """One parameter of the estimators: its scikit-learn constraints (as in
    ``_parameter_constraints``), numpydoc type and text (one paragraph) for the
    docstring's Parameters section, and its ``automodel fit`` flag (None: no flag)."""

    name: str
    default: Any
    constraints: tuple[Any, ...]
    type_doc: str
    doc: str
    cli: Flag | None = None


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def seconds_or_none(text: str) -> float | None:
    return None if text.lower() == "none" else positive_float(text)


def ensemble_arg(text: str) -> str | int | bool | None:
    named: dict[str, str | bool | None] = {"auto": "auto", "on": True, "none": None}
    if text in named:
        return named[text]
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"expected auto, on, none or an integer >= 2, got {text!r}"
        )
    return value


def screening_arg(text: str) -> str | int | bool:
    """``auto``, ``off`` or the first rung's rows (an integer >= 1)."""
    if text in ("auto", "off"):
        return "auto" if text == "auto" else False
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError(f"expected auto, off or a number of rows, got {text!r}")


def families_arg(text: str) -> list[Any]:
    """Names, presets and ``module:attribute`` import paths of ``Family`` records."""
    items: list[Any] = []
    for token in (t.strip() for t in text.split(",")):
        if ":" not in token:
            items.append(token)
            continue
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # as `python -m` does: modules of this folder
        module_name, _, attribute = token.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise ValueError(
                f"--families {token!r}: cannot import {attribute!r} from {module_name!r} "
                f"({type(exc).__name__}: {exc}); the module must be importable from the current "
                "folder or the Python path."
            ) from exc
        if not isinstance(found, Family):
            raise ValueError(
                f"--families {token!r} is a {type(found).__name__}, not an automodel.Family."
            )
        items.append(found)
    return items


def settings_class(settings: Sequence[Setting], module: str) -> type:
    """The frozen dataclass of ``settings`` (one field per setting, its default), made
    in ``module`` (so that its instances pickle)."""
    return make_dataclass(
        "Settings",
        [(s.name, Any, field(default=s.default)) for s in settings],
        namespace={
            "__module__": module,
            "__doc__": "The parameters of a search (the estimator's ``get_params()``).",
        },
        frozen=True,
    )
