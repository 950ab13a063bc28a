"""A messy training table (gaps, text, categories, a constant, an empty and an ID column)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def messy_table(n=60, seed=0):
    """``(X, y)``: a DataFrame with every kind of column ``describe`` sorts, and yes/no labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n) + y,
            "with_gaps": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n), dtype="str"),
            "shape": pd.Series(rng.choice(["a", "b"], n), dtype="category"),
            "flag": rng.random(n) < 0.5,
            "text_gaps": pd.Series(
                np.where(rng.random(n) < 0.3, None, rng.choice(["x", "y"], n)), dtype=object
            ),
            "const": 1,
            "empty": np.nan,
            "row_id": [f"id-{i}" for i in range(n)],
        }
    )
    return frame, np.where(y == 1, "yes", "no")
