"""The pieces of SQL every read shares: date windows, confidence floors, and a stored record
with its story's details. Column names come from the caller's code, never from input; values are
bound parameters."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tieline.store import Store

INDEX_LOOKUPS = 500  # ids looked up one by one in an index; more are matched by reading the column


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


def place_match(alias: str, place: str) -> tuple[str, list[object]]:
    """SQL condition keeping the events (the events table's ``alias``, "" or "e.", written in the
    caller's code) that happened at ``place``: a country's ISO3 code, or a region's GeoNames key
    (IR.26), which only the record holds."""
    column = "location_country" if "." not in place else "record->'location'->>'admin1_code'"
    return f"{alias}{column} = ?", [place.upper()]


def with_document(record: str, title: str | None, source: str | None, url: str | None,
                  published: dt.date | None) -> dict[str, Any]:
    """A stored record with its story's title, source, URL and date under ``document``."""
    item = json.loads(record)
    item["document"] = {"title": title, "source": source, "url": url,
                        "date": published.isoformat() if published else None}
    return item


def records_by_id(store: Store, event_ids: list[str]) -> list[dict[str, Any]]:
    """The records of these events, in this order, with their story's title, source, URL and date
    under ``document``."""
    if not event_ids:
        return []
    events, params = _keyed("event_id", event_ids)
    rows = store.read(f"SELECT event_id, doc_id, record FROM events WHERE {events}", params).fetchall()
    documents, params = _keyed("id", sorted({doc_id for _, doc_id, _ in rows}))
    stories = {row[0]: row[1:] for row in store.read(
        f"SELECT id, title, source, url, date FROM documents WHERE {documents}", params).fetchall()}
    found = {event_id: (doc_id, record) for event_id, doc_id, record in rows}
    return [with_document(found[i][1], *stories.get(found[i][0], (None, None, None, None)))
            for i in event_ids if i in found]


def _keyed(column: str, keys: list[str]) -> tuple[str, list[object]]:
    """SQL condition keeping rows whose ``column`` (written in this module) is one of ``keys``.
    Up to INDEX_LOOKUPS keys, each is its own bound parameter, so that DuckDB looks them up in
    the column's index; a list parameter would make it read the whole column, which is cheaper
    only for many keys."""
    if len(keys) <= INDEX_LOOKUPS:
        return f"{column} IN ({', '.join('?' * len(keys)) or 'NULL'})", list(keys)
    return f"{column} IN (SELECT unnest(?))", [keys]
