"""The event store: one DuckDB file holding documents and their event records.

Writes are idempotent: a document already stored with the same id and text is skipped; one
stored with other text is replaced with its new events. Each batch of documents is written in
one transaction, so an interrupted ingest leaves every document either whole or absent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import duckdb
import pandas as pd

from tieline.about import __version__
from tieline.errors import StoreError
from tieline.types import CodedDocument, EventRecord

SCHEMA_VERSION = 3  # 2: event_parties, one row per member of a party; 3: clusters (tieline.dedup)
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS documents (
    id VARCHAR PRIMARY KEY, text_sha1 VARCHAR NOT NULL, date DATE, title VARCHAR, url VARCHAR,
    source VARCHAR, text VARCHAR NOT NULL, n_events INTEGER NOT NULL, coded_at TIMESTAMP NOT NULL,
    coder_version VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, event VARCHAR NOT NULL, mode VARCHAR,
    actor_country VARCHAR, actor_type VARCHAR, actor_name VARCHAR, actor_abbrev VARCHAR,
    recipient_country VARCHAR, recipient_type VARCHAR, recipient_name VARCHAR, recipient_abbrev VARCHAR,
    date VARCHAR, date_precision VARCHAR, location_name VARCHAR, location_country VARCHAR,
    lat DOUBLE, lon DOUBLE, negated BOOLEAN, future BOOLEAN, hypothetical BOOLEAN, historical BOOLEAN,
    cameo VARCHAR, quad INTEGER, score DOUBLE, confidence DOUBLE, contexts VARCHAR[], sectors VARCHAR[],
    sentence VARCHAR, trigger VARCHAR, rule VARCHAR, record JSON NOT NULL);
CREATE INDEX IF NOT EXISTS events_doc ON events (doc_id);
"""
PARTIES_SCHEMA = """
CREATE TABLE IF NOT EXISTS event_parties (
    event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, role VARCHAR NOT NULL, position INTEGER NOT NULL,
    country VARCHAR, type VARCHAR, name VARCHAR, abbrev VARCHAR, text VARCHAR);
CREATE INDEX IF NOT EXISTS event_parties_country ON event_parties (country);
"""
PARTIES_FROM_RECORDS = """
INSERT INTO event_parties
SELECT event_id, doc_id, role, position, p->>'country', p->>'type', p->>'name', p->>'abbrev', p->>'text'
FROM (
    SELECT event_id, doc_id, 'actor' AS role, generate_subscripts(parties, 1) AS position, unnest(parties) AS p
    FROM (SELECT event_id, doc_id, CASE WHEN json_type(record->'actor') = 'ARRAY'
                 THEN CAST(record->'actor' AS JSON[]) ELSE [record->'actor'] END AS parties FROM events)
    UNION ALL
    SELECT event_id, doc_id, 'recipient', generate_subscripts(parties, 1), unnest(parties)
    FROM (SELECT event_id, doc_id, CASE WHEN json_type(record->'recipient') = 'ARRAY'
                 THEN CAST(record->'recipient' AS JSON[]) ELSE [record->'recipient'] END AS parties FROM events
          WHERE json_type(record->'recipient') <> 'NULL')
)
"""
CLUSTER_SCHEMA = """
CREATE TABLE IF NOT EXISTS clusters (
    cluster_id VARCHAR NOT NULL, block VARCHAR NOT NULL, event VARCHAR NOT NULL, mode VARCHAR,
    actor_country VARCHAR, actor_name VARCHAR, recipient_country VARCHAR, recipient_name VARCHAR,
    date DATE, first_seen DATE, last_seen DATE, num_reports INTEGER NOT NULL, num_records INTEGER NOT NULL,
    num_sources INTEGER NOT NULL, location_name VARCHAR, location_country VARCHAR, quad INTEGER, score DOUBLE,
    negated BOOLEAN, sentence VARCHAR);
CREATE TABLE IF NOT EXISTS cluster_members (
    cluster_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, block VARCHAR NOT NULL);
CREATE INDEX IF NOT EXISTS cluster_members_event ON cluster_members (event_id);
CREATE INDEX IF NOT EXISTS cluster_members_doc ON cluster_members (doc_id);
CREATE INDEX IF NOT EXISTS clusters_block ON clusters (block);
-- not a primary key: DuckDB refuses to delete and re-insert a key in one transaction, which is
-- what rebuilding a block does; cluster ids are unique by construction (the seed's event id)
CREATE INDEX IF NOT EXISTS clusters_id ON clusters (cluster_id);
-- blocks whose clusters lost members to a replaced document, rebuilt by the next dedup run
CREATE TABLE IF NOT EXISTS dedup_dirty (block VARCHAR NOT NULL);
"""
DOCUMENT_COLUMNS = ("id", "text_sha1", "date", "title", "url", "source", "text", "n_events", "coded_at",
                    "coder_version")
PARTY_COLUMNS = ("event_id", "doc_id", "role", "position", "country", "type", "name", "abbrev", "text")
EVENT_COLUMNS = ("event_id", "doc_id", "event", "mode", "actor_country", "actor_type", "actor_name", "actor_abbrev",
                 "recipient_country", "recipient_type", "recipient_name", "recipient_abbrev", "date",
                 "date_precision", "location_name", "location_country", "lat", "lon", "negated", "future",
                 "hypothetical", "historical", "cameo", "quad", "score", "confidence", "contexts", "sectors",
                 "sentence", "trigger", "rule", "record")


@dataclass
class IngestSummary:
    """What an ingest did."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    events: int = 0


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def date_window(column: str, since: str | None, until: str | None) -> tuple[str, list[object]]:
    """SQL condition and parameters keeping dates within [since, until]; dates may be YYYY,
    YYYY-MM or YYYY-MM-DD, and ``until`` includes every date it is a prefix of."""
    return (f"(? IS NULL OR {column} >= ?) AND (? IS NULL OR substr({column}, 1, length(?)) <= ?)",
            [since, since, until, until, until])


def event_day(event_date: str | None, published: dt.date | None) -> dt.date | None:
    """The day an event happened: its own date when day-precise, else the publication date when
    that falls inside the event's coarser date, else None (too vague to cluster or to put on a calendar)."""
    if event_date and len(event_date) == 10:
        try:
            return dt.date.fromisoformat(event_date)
        except ValueError:
            return None
    if published is not None and (not event_date or published.isoformat().startswith(event_date)):
        return published
    return None


def with_document(record: str, title: str | None, source: str | None, url: str | None,
                  published: dt.date | None) -> dict[str, Any]:
    """A stored record with its story's title, source, URL and date under ``document``."""
    item = json.loads(record)
    item["document"] = {"title": title, "source": source, "url": url,
                        "date": published.isoformat() if published else None}
    return item


def _party_filters(actor: str | None, recipient: str | None, event: str | None, date_column: str,
                   since: str | None, until: str | None, include_negated: bool) -> tuple[str, list[object]]:
    """The SQL condition (and parameters) shared by event and cluster listings: first actor and
    recipient country, type, date window, and negation."""
    where, params = [], []
    for column, value in (("actor_country", actor), ("recipient_country", recipient), ("event", event)):
        if value:
            where.append(f"{column} = ?")
            params.append(value.upper())
    window, window_params = date_window(date_column, since, until)
    where.append(window)
    params.extend(window_params)
    if not include_negated:
        where.append("NOT coalesce(negated, false)")
    return " AND ".join(where), params


def first_party(party: dict[str, Any] | list[dict[str, Any]] | None) -> dict[str, Any]:
    """The first member of a party (a compound party is a list); its columns index the event."""
    if isinstance(party, list):
        return party[0] if party else {}
    return party or {}


def _party_rows(record: EventRecord) -> list[tuple[Any, ...]]:
    rows = []
    for role, party in (("actor", record.actor), ("recipient", record.recipient)):
        if party is None:
            continue
        for position, p in enumerate(party if isinstance(party, list) else [party], 1):
            rows.append((record.event_id, record.doc_id, role, position, p.get("country"), p.get("type"),
                         p.get("name"), p.get("abbrev"), p.get("text")))
    return rows


def _event_row(record: EventRecord) -> tuple[Any, ...]:
    d = record.to_dict()
    actor = first_party(d["actor"])
    recipient = first_party(d["recipient"])
    location = d["location"] or {}
    return (d["event_id"], d["doc_id"], d["event"], d["mode"], actor.get("country"), actor.get("type"),
            actor.get("name"), actor.get("abbrev"), recipient.get("country"), recipient.get("type"),
            recipient.get("name"), recipient.get("abbrev"), d["date"], d["date_precision"], location.get("name"),
            location.get("country"), location.get("lat"), location.get("lon"), d["negated"], d["future"],
            d["hypothetical"], d["historical"], d["cameo"], d["quad"], d["score"], d["confidence"],
            d["contexts"], d["sectors"], d["sentence"], d["trigger"], d["rule"], json.dumps(d, ensure_ascii=False))


class Store:
    """An open event database.

    Args:
        path: the DuckDB file (created when missing).
        read_only: open without the right to write.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from exc
        if not read_only:
            self._migrate()
        else:
            self._check_version()

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> Store:
        """A view of this store on its own cursor, for one thread (web requests); close it after use."""
        view = object.__new__(Store)
        view.path, view.con = self.path, self.con.cursor()
        return view

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_version(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException as exc:
            raise StoreError(f"{self.path}: not a tieline database (run `tieline ingest` to create one)") from exc
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer tieline (schema {row[0] if row else '?'}); upgrade tieline")

    def _migrate(self) -> None:
        """Create the tables, or upgrade a database written by an older tieline, in place."""
        try:
            self.con.execute(SCHEMA)
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row is not None else None
            if version is not None and version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: made by a newer tieline (schema {version}); upgrade tieline")
            fresh = not self.con.execute("SELECT count(*) FROM information_schema.tables "
                                         "WHERE table_name = 'event_parties'").fetchone()[0]
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute(PARTIES_SCHEMA)
            if fresh and version is not None and version < 2:
                self.con.execute(PARTIES_FROM_RECORDS)  # schema 1 -> 2: parties from the stored records
            self.con.execute(CLUSTER_SCHEMA)  # schema 2 -> 3: empty; the next dedup run clusters every event
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            try:
                self.con.execute("ROLLBACK")
            except duckdb.TransactionException:
                pass  # the failure came before the transaction began
            raise StoreError(f"{self.path}: cannot set up or upgrade the database: {exc}") from exc

    def stored_sha1(self, doc_ids: list[str]) -> dict[str, str]:
        if not doc_ids:
            return {}
        rows = self.con.execute("SELECT id, text_sha1 FROM documents WHERE id IN (SELECT unnest(?))", [doc_ids]).fetchall()
        return dict(rows)

    def unseen(self, items: Iterable[Any], summary: IngestSummary, *, batch_size: int = 500) -> Iterator[Any]:
        """The documents not yet stored with the same text (problems pass through), so that a
        re-run codes only what is new; the skipped ones are counted as unchanged in ``summary``."""
        batch: list[Any] = []

        def flush() -> Iterator[Any]:
            docs = [d for d in batch if hasattr(d, "text")]
            known = self.stored_sha1([d.id for d in docs])
            for item in batch:
                if hasattr(item, "text") and known.get(item.id) == text_sha1(item.text):
                    summary.unchanged += 1
                    continue
                yield item

        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from flush()
                batch = []
        yield from flush()

    def write(self, coded: Iterable[CodedDocument], *, batch_size: int = 200,
              summary: IngestSummary | None = None) -> IngestSummary:
        """Store coded documents and their events; see the module docstring for idempotence.
        Each batch of ``batch_size`` documents is one transaction."""
        summary = summary if summary is not None else IngestSummary()
        batch: list[CodedDocument] = []
        for item in coded:
            batch.append(item)
            if len(batch) >= batch_size:
                self._write_batch(batch, summary)
                batch = []
        if batch:
            self._write_batch(batch, summary)
        return summary

    def _write_batch(self, batch: list[CodedDocument], summary: IngestSummary) -> None:
        known = self.stored_sha1([c.document.id for c in batch])
        docs, events, replaced = [], [], []
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        seen_in_batch: set[str] = set()
        written: set[str] = set()
        for c in batch:
            d = c.document
            sha = text_sha1(d.text)
            if known.get(d.id) == sha or d.id in seen_in_batch:
                summary.unchanged += 1
                continue
            seen_in_batch.add(d.id)
            if d.id in known:
                replaced.append(d.id)
                summary.replaced += 1
            else:
                summary.added += 1
            docs.append((d.id, sha, d.date, d.title, d.url, d.source, d.text, len(c.records), now, __version__))
            written.add(d.id)
            events.extend(_event_row(r) for r in c.records)
        if not docs:
            return
        summary.events += len(events)
        try:
            self.con.execute("BEGIN TRANSACTION")
            if replaced:
                self.con.execute("INSERT INTO dedup_dirty SELECT DISTINCT block FROM cluster_members "
                                 "WHERE doc_id IN (SELECT unnest(?))", [replaced])
                self.con.execute("DELETE FROM cluster_members WHERE doc_id IN (SELECT unnest(?))", [replaced])
                self.con.execute("DELETE FROM events WHERE doc_id IN (SELECT unnest(?))", [replaced])
                self.con.execute("DELETE FROM documents WHERE id IN (SELECT unnest(?))", [replaced])
            self._insert("documents", DOCUMENT_COLUMNS, docs)
            if replaced:
                self.con.execute("DELETE FROM event_parties WHERE doc_id IN (SELECT unnest(?))", [replaced])
            if events:
                self._insert("events", EVENT_COLUMNS, events)
                parties = [row for c in batch for r in c.records for row in _party_rows(r)
                           if c.document.id in written]
                if parties:
                    self._insert("event_parties", PARTY_COLUMNS, parties)
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            raise StoreError(f"{self.path}: write failed: {exc}") from exc

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows in one statement: DuckDB reads a whole DataFrame far faster than it runs
        one INSERT per row. Object columns keep None as NULL (a float column would make it NaN)."""
        frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
        self.con.register("tieline_rows", frame)
        try:
            names = ", ".join(columns)
            self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM tieline_rows")
        finally:
            self.con.unregister("tieline_rows")

    def events(self, *, actor: str | None = None, recipient: str | None = None, event: str | None = None,
               since: str | None = None, until: str | None = None, include_negated: bool = False,
               limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Stored event records (as dicts), filtered, ordered by date and document."""
        where, params = _party_filters(actor, recipient, event, "date", since, until, include_negated)
        sql = f"SELECT record FROM events WHERE {where}"
        sql += " ORDER BY date NULLS LAST, doc_id, event_id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        for (record,) in self.con.execute(sql, params).fetchall():
            yield json.loads(record)

    def has_table(self, name: str) -> bool:
        row = self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
        return bool(row and row[0])

    def _require_clusters(self) -> None:
        if not self.has_table("clusters"):
            raise StoreError(f"{self.path}: made by an older tieline without clusters; "
                             f"run `tieline dedup --db {self.path}` to upgrade it and build them")

    def clusters(self, *, actor: str | None = None, recipient: str | None = None, event: str | None = None,
                 since: str | None = None, until: str | None = None, min_reports: int = 1,
                 include_negated: bool = False, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Clusters (one per real-world event), most reported first, then by date."""
        self._require_clusters()
        where, params = _party_filters(actor, recipient, event, "CAST(date AS VARCHAR)", since, until, include_negated)
        sql = (f"SELECT * EXCLUDE (block) FROM clusters WHERE num_reports >= ? AND {where} "
               "ORDER BY num_reports DESC, num_sources DESC, date, cluster_id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        cursor = self.con.execute(sql, [min_reports, *params])
        names = [c[0] for c in cursor.description]
        for row in cursor.fetchall():
            yield dict(zip(names, row))

    def cluster_reports(self, cluster_id: str) -> list[dict[str, Any]]:
        """The report-level records of one cluster, with their documents' source, title and URL."""
        self._require_clusters()
        rows = self.con.execute("""
            SELECT e.record, d.title, d.source, d.url, d.date
            FROM cluster_members m JOIN events e ON e.event_id = m.event_id JOIN documents d ON d.id = m.doc_id
            WHERE m.cluster_id = ? ORDER BY d.date NULLS LAST, m.doc_id, m.event_id""", [cluster_id]).fetchall()
        return [with_document(*row) for row in rows]

    def clusters_by_record(self) -> dict[tuple[str, str, str, str], str]:
        """{(doc_id, event, actor country, recipient country): cluster id} for every affirmed
        record. Where several of a document's records share the key, the one dated nearest the
        publication date stands for the story (an older event told as background does not)."""
        self._require_clusters()
        rows = self.con.execute("""
            SELECT e.doc_id, e.event, coalesce(e.actor_country, ''), coalesce(e.recipient_country, ''), m.cluster_id
            FROM events e JOIN cluster_members m USING (event_id) JOIN documents d ON d.id = e.doc_id
            WHERE NOT e.negated
            ORDER BY e.doc_id, abs(datediff('day', TRY_CAST(e.date AS DATE), d.date)) NULLS LAST, e.event_id""").fetchall()
        out: dict[tuple[str, str, str, str], str] = {}
        for doc_id, event, actor, recipient, cluster_id in rows:
            out.setdefault((doc_id, event, actor, recipient), cluster_id)
        return out

    def counts(self) -> dict[str, int]:
        docs = self.con.execute("SELECT count(*) FROM documents").fetchone()
        events = self.con.execute("SELECT count(*) FROM events").fetchone()
        return {"documents": docs[0] if docs else 0, "events": events[0] if events else 0}
