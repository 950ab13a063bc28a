"""Reading a CSV table: the delimiter found from its header line, the target column split off.

A file that cannot be read fails with a message that says what is wrong and how to fix it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

__all__ = ["DELIMITERS", "read_table", "sniff_delimiter"]

#: Delimiters a CSV's header line is checked for, in order of preference.
DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: the one of :data:`DELIMITERS` it
    holds most often (a comma when it holds none: one column)."""
    counts = {sep: header.count(sep) for sep in DELIMITERS}
    best = max(DELIMITERS, key=lambda sep: counts[sep])  # ties: the earlier one
    return best if counts[best] else ","


def _header_line(source: Path) -> str:
    opener = gzip.open if source.suffix == ".gz" else open
    try:
        with opener(source, "rt", encoding="utf-8", errors="replace") as handle:
            return handle.readline()
    except (OSError, EOFError):
        return ""  # pandas says what is wrong with the file


def read_table(
    path: str, *, target: str | None = None, sep: str | None = None
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Read a CSV (``.gz`` allowed) with a header row.

    ``sep`` None: the delimiter is found from the header line (comma, semicolon, tab
    or bar; :func:`sniff_delimiter`). With ``target``, return ``(X, y)`` with the
    target column split off.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"No such file: {str(source)!r}; check the path.")
    if sep is None:
        sep = sniff_delimiter(_header_line(source))
    try:
        frame = pd.read_csv(source, sep=sep)
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"{str(source)!r} is empty; give a CSV with a header row and data rows."
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, EOFError) as exc:
        raise ValueError(
            f"{str(source)!r} could not be read as a CSV table ({type(exc).__name__}); "
            "give a comma-separated text file with a header row."
        ) from None
    if frame.shape[0] == 0:
        raise ValueError(f"{str(source)!r} has a header but no data rows; add rows to fit on.")
    if target is None:
        return frame
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns[:20]))
        raise ValueError(
            f"Target column {target!r} is not in {str(source)!r}; its columns are: {columns} "
            f"(read with delimiter {sep!r}). Pass one of them with --target, or give the "
            "delimiter with --sep."
        )
    return frame.drop(columns=[target]), frame[target]
