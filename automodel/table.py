"""Reading a CSV table: its delimiter and decimal mark found from its first lines, the
target column split off.

A semicolon CSV with decimal commas (``5,1;3,5``, usual in much of Europe) is read as
numbers, not text. A file that cannot be read fails with a message that says what is
wrong and how to fix it.
"""

from __future__ import annotations

import difflib
import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = [
    "DELIMITERS",
    "CsvFormat",
    "read_table",
    "sniff_decimal",
    "sniff_delimiter",
    "sniff_format",
]

#: Lines read to find the decimal mark.
SNIFF_LINES = 50
_COMMA_NUMBER = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DOT_NUMBER = re.compile(r"^[-+]?\d*\.\d+$")
_COMMA_THOUSAND = re.compile(r"^[-+]?\d{1,3},\d{3}$")
_DOTTED_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")

#: Delimiters a CSV's header line is checked for, in order of preference.
DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: the one of :data:`DELIMITERS` it
    holds most often (a comma when it holds none: one column)."""
    counts = {sep: header.count(sep) for sep in DELIMITERS}
    best = max(DELIMITERS, key=lambda sep: counts[sep])  # ties: the earlier one
    return best if counts[best] else ","


def _fields(lines: Sequence[str], sep: str) -> list[str]:
    """Every field of ``lines``, unquoted."""
    return [field.strip().strip('"') for line in lines for field in line.split(sep)]


def sniff_decimal(lines: Sequence[str], sep: str) -> str:
    """The decimal mark of data ``lines``: a comma when numbers like ``5,1`` outnumber
    numbers like ``5.1`` (never with a comma delimiter), else a dot."""
    if sep == ",":
        return "."
    fields = _fields(lines, sep)
    # "1,234" may be a thousand written with a comma: it is no evidence either way.
    commas = sum(
        bool(_COMMA_NUMBER.match(field)) and not _COMMA_THOUSAND.match(field) for field in fields
    )
    dots = sum(bool(_DOT_NUMBER.match(field)) for field in fields)
    return "," if commas and commas >= dots else "."


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV is written: its delimiter, decimal mark and thousands separator."""

    sep: str
    decimal: str = "."
    thousands: str | None = None

    def describe(self) -> str:
        """One line for the user: what the table was read with."""
        text = f"delimiter {self.sep!r}, decimal mark {self.decimal!r}"
        return text + (f", thousands separator {self.thousands!r}" if self.thousands else "")


def sniff_format(path: str | Path, sep: str | None = None, decimal: str | None = None) -> CsvFormat:
    """The format of the CSV at ``path``: ``sep`` and ``decimal`` where given, else found
    from its first lines (:func:`sniff_delimiter`, :func:`sniff_decimal`)."""
    lines = _head_lines(Path(path))
    sep = sep or sniff_delimiter(lines[0] if lines else "")
    decimal = decimal or sniff_decimal(lines[1:], sep)
    thousands = None
    if decimal == ",":
        fields = _fields(lines[1:], sep)
        thousands = "." if any(_DOTTED_THOUSANDS.match(f) for f in fields) else None
    return CsvFormat(sep, decimal, thousands)


def _head_lines(source: Path) -> list[str]:
    opener = gzip.open if source.suffix == ".gz" else open
    lines: list[str] = []
    try:
        with opener(source, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                lines.append(line.rstrip("\r\n"))
                if len(lines) > SNIFF_LINES:
                    break
    except (OSError, EOFError):
        pass  # pandas says what is wrong with the file
    return lines


def read_table(
    path: str,
    *,
    target: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Read a CSV (``.gz`` allowed) with a header row.

    ``sep`` None: the delimiter is found from the header line (comma, semicolon, tab
    or bar); ``decimal`` None: the decimal mark from the first lines (a comma or a
    dot; :func:`sniff_format`). With ``target``, return ``(X, y)`` with the target
    column split off.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"No such file: {str(source)!r}; check the path.")
    found = sniff_format(source, sep, decimal)
    sep = found.sep
    try:
        frame = pd.read_csv(source, sep=sep, decimal=found.decimal, thousands=found.thousands)
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
        close = difflib.get_close_matches(target, [str(c) for c in frame.columns], n=1)
        guess = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Target column {target!r} is not in {str(source)!r}.{guess} Its columns are: "
            f"{columns} (read with delimiter {sep!r}). Pass one of them with --target, or give the "
            "delimiter with --sep."
        )
    return frame.drop(columns=[target]), frame[target]
