"""Each setting is declared once (automodel/settings.py); everything that spells it again
(the estimators' signature and constraints, their docstring, the CLI, the README) must
agree with the declaration."""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

import pytest
from sklearn.utils._param_validation import InvalidParameterError

from automodel import AutoModelClassifier, AutoModelRegressor
from automodel._docs import show_default
from automodel.cli import _parser
from automodel.cli_options import setting_params
from automodel.estimator import AutoModelEstimator
from automodel.settings import SETTINGS, Settings

README = Path(__file__).resolve().parents[1] / "README.md"
ESTIMATORS = [AutoModelClassifier, AutoModelRegressor]
#: ``automodel fit`` options that are not settings of the estimators.
CLI_ONLY = {
    "-h",
    "--help",
    "--sep",
    "--decimal",
    "--target",
    "--task",
    "--out",
    "--top",
    "--report",
}


def test_the_signature_is_the_declarations():
    for kind in [AutoModelEstimator, *ESTIMATORS]:
        params = list(inspect.signature(kind.__init__).parameters.values())[1:]
        assert [(p.name, p.default, p.kind) for p in params] == [
            (s.name, s.default, inspect.Parameter.KEYWORD_ONLY) for s in SETTINGS
        ]
    model = AutoModelClassifier(cv=3, verbose=1)
    assert model.get_params() == {s.name: s.default for s in SETTINGS} | {"cv": 3, "verbose": 1}
    assert Settings(**model.get_params()) == Settings(cv=3, verbose=1)  # what fit hands on


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_the_constraints_are_the_declarations(kind):
    assert kind._parameter_constraints == {s.name: list(s.constraints) for s in SETTINGS}
    kind()._validate_params()  # every default meets its own constraints


@pytest.mark.parametrize(
    "name, value",
    [
        ("max_evals", 0),
        ("cv", 1),
        ("algo", "grid"),
        ("scoring", "no_such_scorer"),
        ("families", 3),
        ("timeout", 0),
        ("trial_timeout", -1),
        ("holdout_above", 0),
        ("screening", 0),
        ("screening", 2.5),
        ("ensemble", 1),
        ("bagging", "sometimes"),
        ("backend", "dask"),
        ("parallelism", 0),
        ("mlflow_logging", "yes"),
    ],
)
def test_a_value_outside_the_constraints_is_refused(name, value):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        AutoModelRegressor(**{name: value})._validate_params()


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_the_docstring_documents_each_setting(kind):
    section = kind.__doc__.split("Parameters\n    ----------\n")[1].split("Attributes\n")[0]
    heads = re.findall(r"^    (\w+) : (.+), default=(.+)$", section, flags=re.MULTILINE)
    assert heads == [(s.name, s.type_doc, show_default(s.default)) for s in SETTINGS]
    words = " ".join(section.split())
    for setting in SETTINGS:
        assert " ".join(setting.doc.split()) in words, setting.name


def _fit_options() -> dict[str, argparse.Action]:
    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {name: a for a in commands.choices["fit"]._actions for name in a.option_strings}


def test_each_declared_flag_is_an_option_of_fit():
    options = _fit_options()
    flagged = [s for s in SETTINGS if s.cli is not None]
    assert set(options) - CLI_ONLY == {s.cli.name for s in flagged}
    for setting in flagged:
        flag, action = setting.cli, options[setting.cli.name]
        assert action.help == flag.help
        if flag.switch is not None:
            assert isinstance(action, argparse._StoreTrueAction)
            continue
        default = setting.default if flag.default is ... else flag.default
        assert (action.default, action.type, action.metavar) == (default, flag.type, flag.metavar)
        assert action.choices == (None if flag.choices is None else list(flag.choices))


def _params(*argv: str) -> dict:
    return setting_params(_parser().parse_args(["fit", "t.csv", "--target", "y", *argv]))


def test_flags_become_the_parameters():
    assert _params() == {
        "max_evals": 50,
        "cv": 5,
        "algo": "tpe",
        "scoring": None,
        "families": None,
        "random_state": None,
        "n_jobs": -1,
        "timeout": None,
        "trial_timeout": 300,
        "early_stop_rounds": None,
        "screening": "auto",
        "ensemble": "auto",
        "bagging": "auto",
        "checkpoint": None,
        "backend": "local",
        "parallelism": None,
        "mlflow_logging": None,
        "verbose": 1,  # the CLI shows a progress bar unless --quiet
    }
    AutoModelClassifier(**_params())._validate_params()
    assert _params("--timeout", "5")["max_evals"] is None  # as many trials as the time allows
    assert _params("--timeout", "5", "--max-evals", "7")["max_evals"] == 7
    given = _params("--seed", "3", "--spark", "local[2]", "--mlflow", "--quiet", "--bagging", "on")
    assert given["random_state"] == 3 and given["backend"] == "spark"
    assert given["mlflow_logging"] is True and given["verbose"] == 0 and given["bagging"] is True
    assert _params("--bagging", "off", "--ensemble", "3")["bagging"] is False
    assert _params("--ensemble", "3", "--trial-timeout", "none")["ensemble"] == 3
    assert _params("--families", "tree, knn")["families"] == ["tree", "knn"]
    assert _params("--screening", "off")["screening"] is False
    assert _params("--screening", "2000")["screening"] == 2000
    with pytest.raises(SystemExit):
        _params("--screening", "0")


def _options_table() -> list[list[str]]:
    """The rows of the README's "### Options" table, as lists of cells."""
    lines = README.read_text().split("\n### Options\n", 1)[1].strip().splitlines()
    rows = []
    for line in lines[2:]:  # after the header and the |---| line
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    assert lines[0].replace(" ", "").startswith("|parameter|CLI|default|")
    return rows


def _readme_default(value: object) -> str:
    return f"`{show_default(value)}`" if isinstance(value, str) else show_default(value)


def test_the_readme_options_table_has_one_row_per_setting():
    rows = {}
    for parameter, cli, default, *_ in _options_table():
        name = re.match(r"`(\w+)`", parameter).group(1)
        assert name not in rows, f"two rows for {name}"
        rows[name] = (re.findall(r"--[a-z][a-z-]*", cli), default)
    assert list(rows) == ["task", *(s.name for s in SETTINGS)]
    assert rows["task"] == (["--task"], '`"auto"`')
    for setting in SETTINGS:
        flags, default = rows[setting.name]
        assert flags == ([] if setting.cli is None else [setting.cli.name]), setting.name
        shown = _readme_default(setting.default)  # a note in parentheses may follow
        assert default == shown or default.startswith(f"{shown} ("), setting.name
