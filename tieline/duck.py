"""DuckDB helpers every writer of the store shares: one-line errors that say what a failure likely
means, rolling back without hiding why, and quoting for the few statements that take no bound
parameter."""

from __future__ import annotations

import datetime as dt
import logging
import re

import duckdb

from tieline.errors import StoreError

log = logging.getLogger("tieline.store")

# What a DuckDB error most likely means, for the one line the user reads (issue 9).
DAMAGED_HINT = ("the database file is damaged or truncated; restore it from a backup, or rebuild it with "
                "`tieline ingest`")
DISK_FULL_HINT = "the disk is full; free some space and run the command again"
DAMAGE_SIGNS = ("Corrupt database file", "checksum", "Could not read enough bytes", "not a valid DuckDB database",
                "Failed to deserialize", "database has been invalidated")
DISK_FULL_SIGNS = ("No space left on device", "Disk quota exceeded", "File too large")


LOCK_HELD = re.compile(r"Could not set lock on file .*?\(PID (\d+)\)", re.S)


def store_error(path: str, action: str, exc: BaseException) -> StoreError:
    """A :class:`StoreError` for a DuckDB failure: ``PATH: ACTION: first line of the error (hint)``,
    one line, with what the failure likely means (a damaged file, a full disk) when DuckDB's
    message shows it."""
    text = str(exc)
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    hint = ""
    if (held := LOCK_HELD.search(text)) is not None:  # another process has the file open (issue 13)
        return StoreError(f"{path}: {action}: the database is in use by another process (pid {held.group(1)}, perhaps "
                          "`tieline serve` or another ingest); stop it or wait for it to end, or use another --db")
    if any(sign in text for sign in DISK_FULL_SIGNS):
        hint = f" ({DISK_FULL_HINT})"
    elif isinstance(exc, duckdb.SerializationException) or any(sign in text for sign in DAMAGE_SIGNS):
        hint = f" ({DAMAGED_HINT})"
    return StoreError(f"{path}: {action}: {first}{hint}")


def sql_string(value: str) -> str:
    """``value`` as an SQL string literal, for the few places DuckDB takes no bound parameter
    (``COPY ... TO`` in DuckDB before 1.5): quotes doubled, so the value cannot end the literal.
    A NUL byte, which no path or name holds, is refused."""
    if "\x00" in value:
        raise StoreError(f"{value!r}: a NUL byte cannot be part of an SQL string")
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier (a table or column name read from the catalogue)."""
    return '"' + name.replace('"', '""') + '"'


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)



def rollback(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Roll back after a failed write without hiding why it failed: when COMMIT itself fails (a
    full disk), DuckDB has already ended the transaction, and ROLLBACK's "no transaction is
    active" used to replace "No space left on device" (issue 9). The caller raises the first error."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as exc:
        log.debug("%s: rollback after a failed write: %s", path, exc)
