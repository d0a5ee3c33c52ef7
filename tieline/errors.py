"""tieline's one error tree.

    TielineError                 every error tieline raises on purpose
    ├── InputError               a document source cannot be read (path, line)
    ├── LexiconError             a data table is malformed (table, row)
    ├── ModelError               no spaCy English model, or the learned event model, can be loaded
    ├── StoreError               the database cannot be opened or written
    ├── QueryError               a query names a party nobody knows
    └── ClusterError             a Dask cluster cannot be reached, or a partition cannot be coded on it

Library code raises these (wrapping third-party exceptions with ``from``); the CLI prints
one line and picks the exit status.
"""

from __future__ import annotations


class TielineError(Exception):
    """Base class of every error tieline raises on purpose."""


class InputError(TielineError):
    """A document source cannot be read at all."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = path or ""
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class LexiconError(TielineError):
    """A data table (built-in or user dictionary) has a bad row."""

    def __init__(self, message: str, *, table: str, row: int | None = None) -> None:
        self.table = table
        self.row = row
        where = table if row is None else f"{table} row {row}"
        super().__init__(f"{where}: {message}")


class ModelError(TielineError):
    """No usable spaCy English model is installed, or the learned event model is missing or damaged."""


class StoreError(TielineError):
    """The event database cannot be opened, upgraded or written."""


class QueryError(TielineError):
    """A query names a country or organisation that neither the tables nor the database know
    (issue 13); the message suggests the nearest ones."""


class CorrectionError(TielineError):
    """A correction names no stored event, gives no reason, or sets a value the tables do not
    know (issue 13)."""


class ClusterError(TielineError):
    """Dask is not installed, its scheduler cannot be reached, or a partition could not be coded
    on its workers (issue 12)."""
