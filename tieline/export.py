"""Write stored events out for other tools: JSON lines, CSV, Parquet partitioned by month, and
the column layouts of GDELT 2.0 and POLECAT (:mod:`tieline.layouts`), so tieline data can sit
beside those datasets.

CSV and tab-separated files go through :mod:`tieline.csvfile`, which neutralises text that a
spreadsheet would run as a formula. No value or path is formatted into SQL (issue 9).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import duckdb

from tieline.csvfile import write_csv
from tieline.errors import TielineError
from tieline.layouts import GDELT_COLUMNS, POLECAT_COLUMNS, write_gdelt, write_polecat  # noqa: F401
from tieline.lexicon import default_lexicon
from tieline.query.exports import flat_frame, records_in_window
from tieline.schema import record_columns
from tieline.states import cow_number
from tieline.store import Store, sql_string, store_error
from tieline.types import Member, Party

FORMATS = ("jsonl", "csv", "parquet", "gdelt", "polecat")
COLUMNS = ("event_id", "doc_id", "date", "date_precision", "event", "mode", "quad", "score", "cameo",
           "actor_country", "actor_type", "actor_name", "actor_abbrev", "recipient_country", "recipient_type",
           "recipient_name", "recipient_abbrev", "location_name", "location_country", "lat", "lon", "negated",
           "future", "hypothetical", "historical", "confidence", "contexts", "sectors", "trigger", "sentence", "rule",
           "corrected", "actor_country_then", "recipient_country_then", "actor_cow", "recipient_cow", "location_admin1",
           "location_admin1_code", "location_geonameid")
LIST_COLUMNS = ("contexts", "sectors")  # written as one cell, items joined with "|"
# Parquet carries the full record beside the flat columns (issue 12), so that a shard of
# `code --dask --format parquet` (tieline.distributed.shards) can be stored again as it was coded
PARQUET_COLUMNS = COLUMNS + ("record",)


def export_events(store: Store, path: str | Path, *, fmt: str, since: str | None = None,
                  until: str | None = None, min_confidence: float | None = None,
                  skipped: Counter[str] | None = None) -> int:
    """Write the stored events (dates within [since, until], confidence at least
    ``min_confidence``) to ``path``; returns how many rows. The records a layout cannot hold
    (gdelt, polecat: negated, undated) are counted by reason in ``skipped``.

    jsonl writes the full records; csv and parquet one row per event with flat columns (parquet
    as a folder of files partitioned by month).

    Raises:
        TielineError: an unknown format, or ``path`` cannot be written.
        StoreError: the database cannot be read.
    """
    if fmt not in FORMATS:
        raise TielineError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if "\x00" in str(path):
        raise TielineError(f"{str(path)!r}: a path cannot hold a NUL byte")
    target = Path(path)
    try:
        if fmt in ("gdelt", "polecat"):
            writer = write_gdelt if fmt == "gdelt" else write_polecat
            return writer(store, target, since=since, until=until, min_confidence=min_confidence, skipped=skipped)
        if fmt == "parquet":
            return _write_parquet(store, target, since=since, until=until, min_confidence=min_confidence)
        return _write_flat(store, target, fmt=fmt, since=since, until=until, min_confidence=min_confidence)
    except OSError as exc:
        raise TielineError(f"{target}: cannot write: {exc.strerror or exc}") from exc


def export_panel(store: Store, path: str | Path, *, by: str = "month", dyad: bool = False, counts: str = "quad",
                 since: str | None = None, until: str | None = None,
                 min_confidence: float | None = None) -> tuple[int, int]:
    """Write the panel of :func:`tieline.query.panel.panel` as CSV (country codes as text);
    returns its rows and the events left out for a date coarser than ``by``.

    Raises:
        TielineError: a bad period or kind of count, a panel too large, or ``path`` cannot be written.
    """
    from tieline.query.frames import Slice
    from tieline.query.panel import panel

    frame, left_out = panel(store, by=by, dyad=dyad, counts=counts, where=Slice(since, until),
                            min_confidence=min_confidence)
    target = Path(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            rows = write_csv(frame.itertuples(index=False, name=None), out, columns=list(frame.columns))
    except OSError as exc:
        raise TielineError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    return rows, left_out


def _write_flat(store: Store, target: Path, *, fmt: str, since: str | None, until: str | None,
                min_confidence: float | None = None) -> int:
    """JSON lines of the full records, or CSV of the flat columns. The query runs before the
    file is opened, so that a database that cannot be read leaves no empty file behind."""
    records = records_in_window(store, since, until, min_confidence)
    with target.open("w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            return write_events_csv(records, out)
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


def event_row(record: dict[str, Any]) -> list[Any]:
    """A record as one flat row of :data:`COLUMNS`: the first member of a compound party, lists
    joined with "|"."""
    actor, recipient = (party.first if party is not None else Member()
                        for party in (Party.from_json(record.get("actor")), Party.from_json(record.get("recipient"))))
    location = record.get("location") or {}
    lexicon = default_lexicon()
    flat = {**record, "location_name": location.get("name"), "location_country": location.get("country"),
            "lat": location.get("lat"), "lon": location.get("lon"), "location_admin1": location.get("admin1"),
            "location_admin1_code": location.get("admin1_code"), "location_geonameid": location.get("geonameid"),
            **{f"actor_{k}": getattr(actor, k) for k in ("country", "type", "name", "abbrev")},
            **{f"recipient_{k}": getattr(recipient, k) for k in ("country", "type", "name", "abbrev")},
            "corrected": bool(record.get("corrected")),
            **{f"{role}_country_then": member.country_then for role, member in (("actor", actor), ("recipient", recipient))},
            **{f"{role}_cow": cow_number(member, lexicon) or None
               for role, member in (("actor", actor), ("recipient", recipient))}}
    return [("|".join(flat.get(c) or ()) if c in LIST_COLUMNS else flat.get(c)) for c in COLUMNS]


def write_events_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Records as CSV of :data:`COLUMNS`: the one layout of events in CSV, for ``export``, ``events
    --format csv`` and the web's ``/events.csv``; returns how many rows."""
    return write_csv((event_row(r) for r in records), out, columns=COLUMNS, lineterminator="\n")


def _write_parquet(store: Store, target: Path, *, since: str | None, until: str | None,
                   min_confidence: float | None = None) -> int:
    """A folder of Parquet files partitioned by month (``month=2020-03``, ``month=undated``; an event
    dated only by its year in the partition of its January, its ``date_precision`` saying so): the
    flat columns and the record as JSON (:data:`PARQUET_COLUMNS`)."""
    frame = flat_frame(store, PARQUET_COLUMNS, since, until, min_confidence)
    # issue 9: the path was formatted into the SQL, so a name holding a quote ran what followed
    # it. COPY takes no bound parameter for its file before DuckDB 1.5 (and 1.5's is broken), so
    # the path is a literal whose quotes sql_string doubles; absolute, so that DuckDB writes into
    # the folder made here, reading neither "~" nor a URL scheme into the name.
    folder = target.resolve().as_posix()
    if "\\" in folder:  # DuckDB reads a backslash as a folder separator, and would write elsewhere
        raise TielineError(f"{target}: a Parquet export folder cannot have a backslash in its path")
    target.mkdir(parents=True, exist_ok=True)
    destination = sql_string(folder)
    columns = parquet_columns(store)
    store.con.register("export_frame", frame)
    try:
        store.con.execute(f"COPY (SELECT {columns}, month FROM export_frame) TO {destination} "
                          "(FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE)")
    except duckdb.Error as exc:
        raise store_error(str(target), "cannot write Parquet", exc) from exc
    finally:
        store.con.unregister("export_frame")
    return len(frame)


def parquet_columns(store: Store) -> str:
    """The SELECT list of :data:`PARQUET_COLUMNS`, each cast to its type in the store's events
    table, the record as text: a column holding only nulls would otherwise be written with the
    type NULL (issue 12: shards of a few stories must have the export's types)."""
    types = dict(store.read("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'events'").fetchall())
    types.update({name: kind for name, (kind, _) in record_columns().items()})
    return ", ".join(f"CAST({c} AS {'VARCHAR' if types[c] == 'JSON' else types[c]}) AS {c}" for c in PARQUET_COLUMNS)
