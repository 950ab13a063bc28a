"""The first trials of a search: a portfolio learned offline, or each family's default.

A portfolio is a short ordered list of configurations across families that together
did best over the benchmark tables (greedy construction as in auto-sklearn 2.0 and
TabRepo; ``python -m benchmarks.portfolio build`` writes one). It is package data,
``automodel/portfolios/<task>.json``: ``{"candidates": [{"id", "family", "point"}]}``
with ``point`` a raw point of the family's space (labels -> values, ``hp.choice``
labels as option indices), as ``benchmarks.portfolio_pool`` draws them.

:func:`automodel.space.first_points` queues the portfolio's configurations of the searched families,
then the default of every searched family the portfolio does not name (so your own
families and a family added after the portfolio was built still start from their
default). Without a portfolio file for the task, it is the families' defaults, as
before portfolios existed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["load_portfolio"]


def load_portfolio(task: str, source: Any = None) -> list[dict[str, Any]]:
    """The portfolio's candidates for ``task`` (empty when none is shipped).

    ``source``: a directory (a ``pathlib.Path`` or an importlib resource) holding
    ``<task>.json``; by default the package's ``portfolios`` folder.
    """
    folder = resources.files("automodel") / "portfolios" if source is None else source
    path = folder / f"{task}.json"
    if not path.is_file():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["candidates"])
