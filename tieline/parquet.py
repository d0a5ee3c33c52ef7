"""Analysis over a folder of Parquet files, without loading them into a database (issue 12).

:func:`open_parquet` gives a read-only :class:`~tieline.store.Store` whose tables are views over
the files, so every read of :mod:`tieline.query` (and so :mod:`tieline.analysis` and the
analysis commands) runs on them unchanged. Two layouts are read:

* what ``tieline export --format parquet`` writes: ``DIR/month=YYYY-MM/*.parquet``, one row per
  record with the export's flat columns and the record as JSON;
* the shards of ``tieline code --dask ... --format parquet -o DIR``: ``DIR/events/part-*.parquet``
  (the same columns) beside ``DIR/documents/part-*.parquet`` (the stories); a shard counts once
  its documents file is there.

The parties of the records (every member of a compound party) and what schema 4 derives from
them (:mod:`tieline.schema`: party keys, ``event_pairs``) are computed once, in memory, when the
folder is opened; the events and documents stay in the files. Files written without the record
(by an older tieline) give each party its first member only, from the flat columns. Without a
documents folder, documents are known by their ids alone (no text, title or date). The files hold
no clusters: each event is a cluster of its own, of one report.

Example::

    from tieline.parquet import open_store
    from tieline.analysis import partners
    with open_store("shards/") as store:
        print(partners(store, "IRN").head())
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tieline.errors import StoreError
from tieline.schema import (
    EVENT_COLUMNS,
    EVENT_DAY,
    PARTIES_SELECT,
    SCHEMA_VERSION,
    keys_select,
    pairs_select,
    search_text,
)
from tieline.store import Store, sql_string, store_error

SHARD_EVENTS, SHARD_DOCUMENTS = "events", "documents"
GLOB_CHARACTERS = set("*?[]{}\\")  # DuckDB would read these in a file name as a pattern or a separator

# A record as JSON from the flat columns, for files written without it: one member per party.
RECORD_FROM_COLUMNS = """json_object(
    'doc_id', doc_id, 'event_id', event_id, 'event', event, 'mode', mode, 'contexts', contexts, 'sectors', sectors,
    'actor', json_object('text', NULL, 'name', actor_name, 'country', actor_country, 'type', actor_type,
                         'abbrev', actor_abbrev),
    'recipient', CASE WHEN coalesce(recipient_country, recipient_name, recipient_abbrev, recipient_type) IS NOT NULL
                 THEN json_object('text', NULL, 'name', recipient_name, 'country', recipient_country,
                                  'type', recipient_type, 'abbrev', recipient_abbrev) END,
    'date', date, 'date_precision', date_precision,
    'location', CASE WHEN coalesce(location_name, location_country) IS NOT NULL
                THEN json_object('name', location_name, 'country', location_country, 'lat', lat, 'lon', lon) END,
    'negated', negated, 'future', future, 'hypothetical', hypothetical, 'historical', historical, 'cameo', cameo,
    'quad', quad, 'score', score, 'sentence', sentence, 'trigger', trigger, 'spans', json_object(), 'rule', rule,
    'confidence', confidence)"""


def open_store(source: str | Path) -> Store:
    """A read-only store: the database file ``source``, or the Parquet files of the folder ``source``.

    Raises:
        StoreError: the file or the folder cannot be read.
    """
    if Path(source).is_dir():
        return open_parquet(source)
    return Store(source, read_only=True)


def open_parquet(folder: str | Path) -> Store:
    """A read-only store over the Parquet files of ``folder`` (see the module docstring).

    Raises:
        StoreError: the folder holds no events file, or a file cannot be read.
    """
    root = Path(folder)
    events, documents = parquet_files(root)
    if not events:
        raise StoreError(f"{root}: no Parquet files of events (from `tieline export --format parquet`, or the "
                         "shards of `tieline code --dask ... --format parquet`)")
    con = duckdb.connect(":memory:")
    try:
        _create_views(con, events, documents)
    except duckdb.Error as exc:
        con.close()
        raise store_error(str(root), "cannot read the Parquet files", exc) from exc
    return Store.over(con, str(root))


def parquet_files(root: Path) -> tuple[list[Path], list[Path]]:
    """The events files and the documents files of a folder (none for an export)."""
    events_dir, documents_dir = root / SHARD_EVENTS, root / SHARD_DOCUMENTS
    if events_dir.is_dir() and documents_dir.is_dir():
        names = sorted(p.name for p in documents_dir.glob("part-*.parquet"))
        names = [n for n in names if (events_dir / n).is_file()]
        return [events_dir / n for n in names], [documents_dir / n for n in names]
    files = sorted(p for p in root.rglob("*.parquet") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    return files, []


def _files_sql(files: list[Path]) -> str:
    """``read_parquet`` of these files, their paths as quoted literals (a view takes no parameter)."""
    paths = [p.resolve().as_posix() for p in files]
    for path in paths:
        if GLOB_CHARACTERS & set(path):
            raise StoreError(f"{path}: a Parquet file's path cannot hold any of {''.join(sorted(GLOB_CHARACTERS))}")
    listed = ", ".join(sql_string(path) for path in paths)
    return f"read_parquet([{listed}], union_by_name = true, hive_partitioning = false)"


def _create_views(con: duckdb.DuckDBPyConnection, events: list[Path], documents: list[Path]) -> None:
    con.execute(f"CREATE VIEW event_files AS SELECT * FROM {_files_sql(events)}")
    columns = {row[0] for row in con.execute("DESCRIBE event_files").fetchall()}
    missing = [c for c in EVENT_COLUMNS if c != "record" and c not in columns]
    if missing:
        raise StoreError(f"the Parquet files lack the columns {', '.join(missing)}: not written by tieline")
    record = f"coalesce(record, {RECORD_FROM_COLUMNS})" if "record" in columns else RECORD_FROM_COLUMNS
    flat = ", ".join(c for c in EVENT_COLUMNS if c != "record")
    con.execute(f"CREATE VIEW event_rows AS SELECT {flat}, CAST({record} AS JSON) AS record FROM event_files")
    # computed once: every query of a frame reads them, and the parties come out of each record's JSON
    con.execute(f"CREATE TABLE event_parties AS {PARTIES_SELECT.format(events='event_rows')}")
    con.execute(f"CREATE TABLE event_keys AS {keys_select('event_parties')}")
    if documents:
        con.execute(f"""CREATE VIEW documents AS SELECT id, text_sha1, CAST(date AS DATE) AS date, title, url, source,
                        text, n_events, CAST(NULL AS TIMESTAMP) AS coded_at, coder_version FROM {_files_sql(documents)}""")
    else:
        con.execute("""CREATE VIEW documents AS SELECT doc_id AS id, CAST(NULL AS VARCHAR) AS text_sha1,
                       CAST(NULL AS DATE) AS date, CAST(NULL AS VARCHAR) AS title, CAST(NULL AS VARCHAR) AS url,
                       CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS text, CAST(count(*) AS INTEGER) AS n_events,
                       CAST(NULL AS TIMESTAMP) AS coded_at, CAST(NULL AS VARCHAR) AS coder_version
                       FROM event_files GROUP BY doc_id""")
    con.execute(f"""CREATE VIEW events AS SELECT r.*, coalesce(k.actor_keys, []) AS actor_keys,
                    coalesce(k.recipient_keys, []) AS recipient_keys, {search_text("r.sentence", "d.title")} AS search_text
                    FROM event_rows r LEFT JOIN event_keys k USING (event_id) LEFT JOIN documents d ON d.id = r.doc_id""")
    con.execute(f"CREATE TABLE event_pairs AS {pairs_select('events', 'event_parties')}")
    # no clusters in the files: each event is one, of one report
    con.execute(f"""CREATE VIEW cluster_members AS SELECT e.event_id AS cluster_id, e.event_id, e.doc_id,
                    'single|' || e.event_id AS block, {EVENT_DAY} AS day
                    FROM events e LEFT JOIN documents d ON d.id = e.doc_id""")
    con.execute(f"""CREATE VIEW clusters AS
        SELECT e.event_id AS cluster_id, 'single|' || e.event_id AS block, e.event, e.mode, e.actor_country,
               e.actor_name, e.recipient_country, e.recipient_name, {EVENT_DAY} AS date,
               coalesce(d.date, TRY_CAST(e.date AS DATE)) AS first_seen, coalesce(d.date, TRY_CAST(e.date AS DATE)) AS last_seen,
               1 AS num_reports, 1 AS num_records, 1 AS num_sources, e.location_name, e.location_country, e.quad,
               e.score, e.negated, e.sentence
        FROM events e LEFT JOIN documents d ON d.id = e.doc_id""")
    con.execute("CREATE TABLE meta AS SELECT 'schema_version' AS key, ? AS value", [str(SCHEMA_VERSION)])
