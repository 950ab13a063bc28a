"""What a saved model carries (automodel/portable.py): pinned requirements and versions."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError

import pytest

from automodel import portable


def _only(installed: dict[str, str]):
    def version(name: str) -> str:
        if name not in installed:
            raise PackageNotFoundError(name)
        return installed[name]

    return version


@pytest.mark.parametrize("distribution", ["xgboost-cpu", "xgboost"])
def test_xgboost_is_pinned_by_the_build_installed(distribution, monkeypatch):
    monkeypatch.setattr(
        portable, "version", _only({distribution: "3.2.0", "numpy": "2.4.6", "automodel": "0.1"})
    )
    assert portable.requirements() == ["automodel==0.1", f"{distribution}==3.2.0", "numpy==2.4.6"]
    found = portable.versions()
    assert (found["xgboost"], found["catboost"], found["numpy"]) == ("3.2.0", None, "2.4.6")


def test_the_cpu_build_is_preferred_when_both_are_installed(monkeypatch):
    monkeypatch.setattr(portable, "version", _only({"xgboost-cpu": "3.2.0", "xgboost": "3.1.0"}))
    assert portable.requirements() == ["xgboost-cpu==3.2.0"]
