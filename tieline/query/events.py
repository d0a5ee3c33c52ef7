"""Searches and listings of stored events: a filter means the same in the command line, the web
app, its API and exports (a party matches any member of a compound party).

Every value is a bound parameter; column names never come from the caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from tieline.query.clusters import cluster_reports
from tieline.query.sql import date_window, place_match, records_by_id
from tieline.schema import EVENT_COLUMNS, column_sql, record_columns
from tieline.store import Store


@dataclass(frozen=True)
class EventQuery:
    """Which events to return. Parties match any member of a compound party."""

    actor: str | None = None  # actor country (ISO3) or organisation abbreviation
    recipient: str | None = None
    event: str | None = None  # PLOVER event type
    quad: int | None = None  # 1 verbal cooperation ... 4 material conflict
    context: str | None = None  # PLOVER context, e.g. "economic"
    sector: str | None = None  # field of cooperation, e.g. "telecommunications"
    since: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    until: str | None = None
    text: str | None = None  # words in the evidence sentence or the story's title
    include_negated: bool = False
    min_confidence: float | None = None  # records at least this confident
    party: str | None = None  # either side: the actor or the recipient (issue 13)
    place: str | None = None  # where it happened: a country (ISO3) or a region (GeoNames key, IR.26)

    def where(self) -> tuple[str, list[object]]:
        """SQL condition on ``events e``, and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        # every member's country and upper-case abbreviation are in the event's party keys (issue 12)
        if self.actor:
            clauses.append("list_contains(e.actor_keys, ?)")
            params.append(self.actor.upper())
        if self.recipient:
            clauses.append("list_contains(e.recipient_keys, ?)")
            params.append(self.recipient.upper())
        if self.party:
            clauses.append("(list_contains(e.actor_keys, ?) OR list_contains(e.recipient_keys, ?))")
            params += [self.party.upper(), self.party.upper()]
        if self.place:
            place, place_params = place_match("e.", self.place)
            clauses.append(place)
            params += place_params
        if self.event:
            clauses.append("e.event = ?")
            params.append(self.event.upper())
        if self.quad is not None:
            clauses.append("e.quad = ?")
            params.append(int(self.quad))
        if self.context:
            clauses.append("list_contains(e.contexts, ?)")
            params.append(self.context.lower())
        if self.sector:
            clauses.append("list_contains(e.sectors, ?)")
            params.append(self.sector.lower())
        window, window_params = date_window("e.date", self.since, self.until)
        clauses.append(window)
        params += window_params
        text = self.text.lower() if self.text else None
        if text and "\x00" not in text:  # issue 12: the stored lower-case sentence and title (tieline.schema)
            clauses.append("contains(e.search_text, ?)")
            params.append(text)
        elif text:
            clauses.append("(contains(lower(e.sentence), ?) OR e.doc_id IN "
                           "(SELECT id FROM documents WHERE contains(lower(coalesce(title, '')), ?)))")
            params += [text, text]
        if not self.include_negated:
            clauses.append("NOT e.negated")
        if self.min_confidence is not None:
            clauses.append("e.confidence >= ?")
            params.append(float(self.min_confidence))
        return " AND ".join(clauses), params

    def as_params(self) -> dict[str, str]:
        """The non-empty filters, as query-string parameters."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, "", False):
                out[f.name] = "true" if value is True else str(value)
        return out


def _matching(query: EventQuery) -> tuple[str, list[object]]:
    """FROM and WHERE of the events a query matches."""
    where, params = query.where()
    return f"FROM events e WHERE {where}", params


def count_events(store: Store, query: EventQuery) -> int:
    matching, params = _matching(query)
    row = store.read(f"SELECT count(*) {matching}", params).fetchone()
    return int(row[0]) if row else 0


def search_events(store: Store, query: EventQuery, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Records (newest first) with their story's title, source and URL under ``document``."""
    matching, params = _matching(query)
    # the page's ids first, then its records and documents by id: reading every matching
    # record to keep fifty was most of a search's time on millions of events (issue 12)
    page = store.read(f"SELECT e.event_id {matching} ORDER BY e.date DESC NULLS LAST, e.doc_id, e.event_id "
                      "LIMIT ? OFFSET ?", [*params, int(limit), int(offset)]).fetchall()
    return records_by_id(store, [event_id for (event_id,) in page])


def search_page(store: Store, query: EventQuery, *, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many events a query matches, and one page of them as :func:`search_events` gives it.
    A search for words reads the events once (issue 12: a count and then a page read millions of
    sentences twice); other filters are cheaper counted and paged apart than kept in memory."""
    if not query.text:
        return count_events(store, query), search_events(store, query, limit=limit, offset=offset)
    matching, params = _matching(query)
    rows = store.read(f"""
        WITH matches AS MATERIALIZED (SELECT e.event_id, e.date, e.doc_id {matching})
        SELECT (SELECT count(*) FROM matches) AS total, page.event_id
        FROM (SELECT 1) AS one LEFT JOIN (
            SELECT event_id, date, doc_id FROM matches
            ORDER BY date DESC NULLS LAST, doc_id, event_id LIMIT ? OFFSET ?) AS page ON true
        ORDER BY page.date DESC NULLS LAST, page.doc_id, page.event_id""", [*params, int(limit), int(offset)]).fetchall()
    total = int(rows[0][0]) if rows else 0
    return total, records_by_id(store, [event_id for _, event_id in rows if event_id is not None])


def flat_events(store: Store, query: EventQuery, columns: Sequence[str], *, lists: Sequence[str] = (),
                limit: int = 50) -> list[tuple[Any, ...]]:
    """The flat ``columns`` of the events a query matches, newest first (the order of
    :func:`search_events`), each of ``lists`` joined with "|": a CSV's rows read from the columns
    without parsing each record (issue 12). The columns are the store's (first member of a
    compound party), named in the caller's code.

    Raises:
        ValueError: a column the events table does not have.
    """
    unknown = [c for c in columns if c not in EVENT_COLUMNS and c not in record_columns()]
    if unknown:
        raise ValueError(f"not columns of the events table: {unknown}")
    matching, params = _matching(query)
    selected = ", ".join(f"coalesce(array_to_string(e.{c}, '|'), '')" if c in lists else column_sql(c, "e.")
                         for c in columns)
    # a stored table's rows are fetched by row id, which costs nothing to compare; the views that
    # stand in for the table (an older file, Parquet files) have none, and match event ids instead
    key = "rowid" if _is_table(store, "events") else "event_id"
    rows = store.read(f"""
        WITH page AS (SELECT e.{key} AS k, e.date AS d, e.doc_id AS di, e.event_id AS ei {matching}
                      ORDER BY e.date DESC NULLS LAST, e.doc_id, e.event_id LIMIT ?)
        SELECT {selected} FROM page JOIN events e ON e.{key} = page.k
        ORDER BY page.d DESC NULLS LAST, page.di, page.ei""", [*params, int(limit)]).fetchall()
    return [tuple(row) for row in rows]


def _is_table(store: Store, name: str) -> bool:
    """Whether ``name`` is a stored table of the store's database (not a view standing in for one)."""
    row = store.read("SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary "
                     "AND database_name = current_database()) > 0 AND (SELECT count(*) FROM duckdb_views() "
                     "WHERE view_name = ? AND temporary) = 0", [name, name]).fetchone()
    return bool(row and row[0])


def get_event(store: Store, event_id: str) -> dict[str, Any] | None:
    """One record with its whole story (``document.text``) and its cluster's other reports."""
    found = records_by_id(store, [event_id])
    if not found:
        return None
    item = found[0]
    row = store.read("SELECT text FROM documents WHERE id = ?", [item["doc_id"]]).fetchone()
    item["document"]["text"] = row[0] if row else None
    item["cluster"] = None
    if store.has_table("clusters"):
        cluster = store.read("SELECT cluster_id FROM cluster_members WHERE event_id = ?", [event_id]).fetchone()
        if cluster:
            others = [r for r in cluster_reports(store, cluster[0]) if r["event_id"] != event_id]
            item["cluster"] = {"cluster_id": cluster[0], "other_reports": others}
    return item


def stats(store: Store) -> dict[str, Any]:
    """Sizes and spans of the store: documents, events, clusters, dates, events by quad class."""
    counts = store.counts()
    documents, events = counts["documents"], counts["events"]
    first, last = store.read(
        "SELECT min(date), max(date) FROM events WHERE date IS NOT NULL AND NOT negated").fetchone() or (None, None)
    by_quad = dict(store.read(
        "SELECT quad, count(*) FROM events WHERE NOT negated GROUP BY quad ORDER BY quad").fetchall())
    by_type = dict(store.read(
        "SELECT event, count(*) FROM events WHERE NOT negated GROUP BY event ORDER BY count(*) DESC").fetchall())
    clusters = None
    if store.has_table("clusters"):
        row = store.read("SELECT count(*) FROM clusters").fetchone()
        clusters = int(row[0]) if row else 0
    return {"documents": documents, "events": events, "clusters": clusters, "first_date": first, "last_date": last,
            "events_by_quad": {str(k): v for k, v in by_quad.items()}, "events_by_type": by_type}


def top_dyads(store: Store, *, limit: int = 10, since: str | None = None) -> list[dict[str, Any]]:
    """The most active pairs of countries (either direction), with their cooperation share."""
    window, params = date_window("e.date", since, None)
    # event_pairs flags one row per event and pair of countries (issue 12)
    rows = store.read(f"""
        SELECT least(e.actor_country, e.recipient_country) AS a, greatest(e.actor_country, e.recipient_country) AS b,
               count(*) FILTER (WHERE e.first_dyad) AS events,
               count(*) FILTER (WHERE e.first_dyad AND e.quad IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE e.first_dyad AND e.quad IN (3, 4)) AS conflict
        FROM event_pairs e
        WHERE e.actor_country IS NOT NULL AND e.recipient_country IS NOT NULL
          AND e.actor_country <> e.recipient_country AND {window}
        GROUP BY ALL ORDER BY events DESC, a, b LIMIT ?""", [*params, int(limit)]).fetchall()
    return [{"a": a, "b": b, "events": n, "cooperation": coop, "conflict": conf} for a, b, n, coop, conf in rows]


def frame_records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as plain dicts for JSON and templates: arrays as lists, NaN as None."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if hasattr(value, "tolist"):
                value = value.tolist()
            elif isinstance(value, float) and value != value:
                value = None
            clean[key] = value
        out.append(clean)
    return out


def countries_with_events(store: Store) -> list[str]:
    """The country codes that take part in some stored event."""
    rows = store.read("SELECT DISTINCT country FROM event_parties WHERE country IS NOT NULL").fetchall()
    return [code for (code,) in rows]


def all_events(store: Store, query: EventQuery | None = None, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The records a query matches (every one without a query), oldest first: the order of the
    command line's listings and of exports."""
    matching, params = _matching(query or EventQuery())
    sql = f"SELECT e.record {matching} ORDER BY e.date NULLS LAST, e.doc_id, e.event_id"
    if limit:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    for (record,) in store.read(sql, params).fetchall():
        yield json.loads(record)
