"""The one CSV writer: every CSV or tab-separated file tieline writes (``export`` csv, gdelt and
polecat, ``events --format csv``, the analysis commands' ``--format csv``, the web's
``/events.csv``) goes through here.

Text is quoted and numbers are not, so that a code such as CAMEO's ``040`` or a COW number is
read back as text by tools that tell the two apart by quotes (issue 13): ``"040"``, ``2.5``.

Text from the news can start like a spreadsheet formula (``=HYPERLINK(...)``, ``+``, ``-``,
``@``, a tab or a carriage return), and spreadsheets run such cells. As OWASP recommends for
CSV injection, such a cell is written with a single quote before it (issue 9). Only text is
changed: numbers, and text that is a plain number ("-3.7000" as GDELT writes a longitude), are
data and are written as they are.

Example::

    write_csv([["=1+1", -5.0]], sys.stdout, columns=["sentence", "score"])
    # sentence,score
    # "'=1+1",-5.0
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will not run it: text starting with ``= + - @``, a tab or a
    carriage return gets a leading ``'``; anything else (numbers, None, text that is a plain
    number) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(rows: Iterable[Sequence[Any]], out: IO[str], *, columns: Sequence[str] | None = None,
              delimiter: str = ",", lineterminator: str = "\r\n", quote: bool = True) -> int:
    """Write ``rows`` (sequences of cells) to ``out``, each text cell through :func:`safe_cell`,
    after a header of ``columns`` when given; returns the number of rows (without the header).

    Text cells are quoted, numbers are not (an empty cell, None, is written as ``""``); the
    header is quoted only where a name needs it.
    ``quote=False`` writes no quotes at all, escaping delimiters and line breaks inside a cell
    with a backslash, as GDELT's files do.
    """
    options: dict[str, Any] = {"delimiter": delimiter, "lineterminator": lineterminator,
                               "quoting": csv.QUOTE_NONNUMERIC}
    if not quote:
        options.update(quoting=csv.QUOTE_NONE, escapechar="\\")
    writer = csv.writer(out, **options)
    if columns is not None:  # names, quoted only where they need it
        header = {**options, "quoting": csv.QUOTE_MINIMAL} if quote else options
        csv.writer(out, **header).writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        n += 1
    return n


def _joined(value: Any) -> Any:
    """A list cell (a partner's fields) as one text, its items joined with "|" as the events'
    CSV joins contexts; anything else as it is."""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return "|".join(str(v) for v in value)
    return value


def write_frame_csv(frame: Any, out: IO[str]) -> int:
    """Write a pandas DataFrame as CSV with a header, its text cells through :func:`safe_cell`
    and its list cells joined with "|" (numeric columns are left to pandas); returns the number
    of rows."""
    import pandas as pd

    frame = frame.copy()
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            frame[name] = frame[name].map(lambda v: safe_cell(_joined(v)))
    csv.writer(out, lineterminator="\n").writerow([str(c) for c in frame.columns])
    frame.to_csv(out, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC)
    return len(frame)
