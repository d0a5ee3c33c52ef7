"""Searches and listings of stored events that the command line, the web app, its API and exports
share, so that a filter means the same everywhere (a party matches any member of a compound party).

Every value is a bound parameter; column names never come from the caller.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from tieline.store import Store


def date_window(column: str, since: str | None, until: str | None) -> tuple[str, list[object]]:
    """SQL condition and parameters keeping dates within [since, until]; dates may be YYYY,
    YYYY-MM or YYYY-MM-DD, and ``until`` includes every date it is a prefix of. ``column`` is a
    column name written in the caller's code, never input; the dates are bound parameters."""
    return (f"(? IS NULL OR {column} >= ?) AND (? IS NULL OR substr({column}, 1, length(?)) <= ?)",
            [since, since, until, until, until])


def record_window(alias: str, since: str | None, until: str | None,
                  min_confidence: float | None = None) -> tuple[str, list[object]]:
    """SQL condition and parameters keeping event records dated within [since, until] whose
    confidence is at least ``min_confidence`` (any when None). ``alias`` is the events table's
    alias written in the caller's code ("" or "e."), never input."""
    window, params = date_window(f"{alias}date", since, until)
    floor, floor_params = confidence_floor(f"{alias}confidence", min_confidence)
    return f"{window} AND {floor}", [*params, *floor_params]


def confidence_floor(column: str, minimum: float | None) -> tuple[str, list[object]]:
    """SQL condition keeping rows whose ``column`` (written in the caller's code) is at least
    ``minimum``; any row when it is None."""
    return f"(? IS NULL OR {column} >= ?)", [minimum, minimum]



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


# ---- clusters --------------------------------------------------------------------------------
def list_clusters(store: Store, *, actor: str | None = None, recipient: str | None = None, event: str | None = None,
             since: str | None = None, until: str | None = None, min_reports: int = 1,
             include_negated: bool = False, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Clusters (one per real-world event), most reported first, then by date."""
    store.require_clusters()
    where, params = _cluster_filters(actor, recipient, event, "CAST(date AS VARCHAR)", since, until, include_negated)
    sql = (f"SELECT * EXCLUDE (block) FROM clusters WHERE num_reports >= ? AND {where} "
           "ORDER BY num_reports DESC, num_sources DESC, date, cluster_id")
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = store.read(sql, [min_reports, *params])
    names = [c[0] for c in cursor.description]
    for row in cursor.fetchall():
        yield dict(zip(names, row))

def cluster_counts(store: Store) -> tuple[int, int]:
    """How many clusters, and how many of them more than one document reported."""
    store.require_clusters()
    row = store.read("SELECT count(*), count(*) FILTER (WHERE num_reports > 1) FROM clusters").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)

def cluster_reports(store: Store, cluster_id: str) -> list[dict[str, Any]]:
    """The report-level records of one cluster, with their documents' source, title and URL."""
    store.require_clusters()
    rows = store.read("""
        SELECT e.record, d.title, d.source, d.url, d.date
        FROM cluster_members m JOIN events e ON e.event_id = m.event_id JOIN documents d ON d.id = m.doc_id
        WHERE m.cluster_id = ? ORDER BY d.date NULLS LAST, m.doc_id, m.event_id""", [cluster_id]).fetchall()
    return [with_document(*row) for row in rows]

def clusters_by_record(store: Store) -> dict[tuple[str, str, str, str], str]:
    """{(doc_id, event, actor country, recipient country): cluster id} for every affirmed
    record. Where several of a document's records share the key, the one dated nearest the
    publication date stands for the story (an older event told as background does not)."""
    store.require_clusters()
    rows = store.read("""
        SELECT e.doc_id, e.event, coalesce(e.actor_country, ''), coalesce(e.recipient_country, ''), m.cluster_id
        FROM events e JOIN cluster_members m USING (event_id) JOIN documents d ON d.id = e.doc_id
        WHERE NOT e.negated
        ORDER BY e.doc_id, abs(datediff('day', TRY_CAST(e.date AS DATE), d.date)) NULLS LAST, e.event_id""").fetchall()
    out: dict[tuple[str, str, str, str], str] = {}
    for doc_id, event, actor, recipient, cluster_id in rows:
        out.setdefault((doc_id, event, actor, recipient), cluster_id)
    return out


def with_document(record: str, title: str | None, source: str | None, url: str | None,
                  published: dt.date | None) -> dict[str, Any]:
    """A stored record with its story's title, source, URL and date under ``document``."""
    item = json.loads(record)
    item["document"] = {"title": title, "source": source, "url": url,
                        "date": published.isoformat() if published else None}
    return item


def _cluster_filters(actor: str | None, recipient: str | None, event: str | None, date_column: str,
                   since: str | None, until: str | None, include_negated: bool) -> tuple[str, list[object]]:
    """The SQL condition (and parameters) of a cluster listing: its first actor and recipient
    country, type, date window, and negation."""
    where: list[str] = []
    params: list[object] = []
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
