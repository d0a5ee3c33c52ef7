"""Searches and listings of stored events: a filter means the same in the command line, the web
app, its API and exports (a party matches any member of a compound party).

Every value is a bound parameter; column names never come from the caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from tieline.query.clusters import cluster_reports
from tieline.query.sql import date_window, with_document
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

    def where(self) -> tuple[str, list[object]]:
        """SQL condition on ``events e`` (joined with ``documents d`` when ``text`` is set), and
        its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        for role, value in (("actor", self.actor), ("recipient", self.recipient)):
            if value:
                clauses.append("e.event_id IN (SELECT event_id FROM event_parties WHERE role = ? "
                               "AND (country = ? OR upper(abbrev) = ?))")
                params += [role, value.upper(), value.upper()]
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
        if self.text:
            clauses.append("(contains(lower(e.sentence), ?) OR contains(lower(coalesce(d.title, '')), ?))")
            params += [self.text.lower(), self.text.lower()]
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
    """FROM and WHERE of the events a query matches; documents are joined only when the words
    are searched in their titles (the join is the costly part of a search)."""
    where, params = query.where()
    joined = "JOIN documents d ON d.id = e.doc_id " if query.text else ""
    return f"FROM events e {joined}WHERE {where}", params


def count_events(store: Store, query: EventQuery) -> int:
    matching, params = _matching(query)
    row = store.read(f"SELECT count(*) {matching}", params).fetchone()
    return int(row[0]) if row else 0


def search_events(store: Store, query: EventQuery, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Records (newest first) with their story's title, source and URL under ``document``."""
    matching, params = _matching(query)
    rows = store.read(f"""
        WITH page AS (SELECT e.event_id, e.doc_id, e.date, e.record {matching}
                      ORDER BY e.date DESC NULLS LAST, e.doc_id, e.event_id LIMIT ? OFFSET ?)
        SELECT page.record, d.title, d.source, d.url, d.date
        FROM page JOIN documents d ON d.id = page.doc_id
        ORDER BY page.date DESC NULLS LAST, page.doc_id, page.event_id""",
                             [*params, int(limit), int(offset)]).fetchall()
    return [with_document(record, title, source, url, published) for record, title, source, url, published in rows]


def get_event(store: Store, event_id: str) -> dict[str, Any] | None:
    """One record with its whole story (``document.text``) and its cluster's other reports."""
    row = store.read("""
        SELECT e.record, d.title, d.source, d.url, d.date, d.text
        FROM events e JOIN documents d ON d.id = e.doc_id WHERE e.event_id = ?""", [event_id]).fetchone()
    if row is None:
        return None
    item = with_document(*row[:5])
    item["document"]["text"] = row[5]
    item["cluster"] = None
    if store.has_table("clusters"):
        cluster = store.read("SELECT cluster_id FROM cluster_members WHERE event_id = ?", [event_id]).fetchone()
        if cluster:
            others = [r for r in cluster_reports(store, cluster[0]) if r["event_id"] != event_id]
            item["cluster"] = {"cluster_id": cluster[0], "other_reports": others}
    return item


def stats(store: Store) -> dict[str, Any]:
    """Sizes and spans of the store: documents, events, clusters, dates, events by quad class."""
    documents, events = store.counts()["documents"], store.counts()["events"]
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
    rows = store.read(f"""
        SELECT least(pa.country, pr.country) AS a, greatest(pa.country, pr.country) AS b,
               count(DISTINCT e.event_id) AS events,
               count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (1, 2)) AS cooperation,
               count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (3, 4)) AS conflict
        FROM events e
        JOIN event_parties pa ON pa.event_id = e.event_id AND pa.role = 'actor'
        JOIN event_parties pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
        WHERE NOT e.negated AND pa.country IS NOT NULL AND pr.country IS NOT NULL AND pa.country <> pr.country
          AND {window}
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
