"""The reads behind :mod:`tieline.export`: stored records, flat columns and the rows of the GDELT
and POLECAT layouts, within a date window and above a confidence floor. Each runs whole before
its file is opened, so that a database that cannot be read leaves no empty file behind."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tieline.query.sql import record_window
from tieline.schema import column_sql
from tieline.store import Store

ORDER = "ORDER BY date, doc_id, event_id"


def records_in_window(store: Store, since: str | None, until: str | None,
                      min_confidence: float | None = None) -> list[dict[str, Any]]:
    """The stored records dated within [since, until], oldest first."""
    window, params = record_window("", since, until, min_confidence)  # fixed columns; the values are bound
    return [json.loads(record) for (record,) in store.read(f"SELECT record FROM events WHERE {window} {ORDER}",
                                                            params).fetchall()]


def flat_frame(store: Store, columns: Sequence[str], since: str | None, until: str | None,
               min_confidence: float | None = None) -> pd.DataFrame:
    """The events' flat ``columns`` (names from the caller's code) and their month, for Parquet
    (a year's events in its first month's partition, undated ones in ``undated``)."""
    window, params = record_window("", since, until, min_confidence)
    selected = ", ".join(f"{column_sql(c)} AS {c}" for c in columns)
    # a year-precise date goes to the partition of its first month (date_precision tells)
    return store.read(f"SELECT {selected}, CASE WHEN date IS NULL THEN 'undated' WHEN length(date) = 4 "
                      "THEN date || '-01' ELSE substr(date, 1, 7) END AS month "
                      f"FROM events WHERE {window} {ORDER}", params).df()


def gdelt_rows(store: Store, since: str | None, until: str | None,
               min_confidence: float | None = None) -> list[tuple[Any, ...]]:
    """One row per cluster (its first report's record), or per record where no clustering was
    run, negated ones included (the writer counts them as left out): record, publication date,
    url, text, coded_at, records, sources, reports."""
    window, params = record_window("e.", since, until, min_confidence)
    if store.has_table("clusters"):
        sql = f"""
            SELECT e.record, d.date, d.url, d.text, d.coded_at, coalesce(c.num_records, 1),
                   coalesce(c.num_sources, 1), coalesce(c.num_reports, 1)
            FROM events e JOIN documents d ON d.id = e.doc_id
            LEFT JOIN cluster_members m ON m.event_id = e.event_id
            LEFT JOIN clusters c ON c.cluster_id = m.cluster_id
            WHERE (m.cluster_id IS NULL OR m.cluster_id = e.event_id) AND {window}
            ORDER BY e.date, e.doc_id, e.event_id"""
    else:
        sql = f"""
            SELECT e.record, d.date, d.url, d.text, d.coded_at, 1, 1, 1
            FROM events e JOIN documents d ON d.id = e.doc_id
            WHERE {window} ORDER BY e.date, e.doc_id, e.event_id"""
    return store.read(sql, params).fetchall()


def polecat_rows(store: Store, since: str | None, until: str | None,
                 min_confidence: float | None = None) -> list[tuple[Any, ...]]:
    """One row per record, negated ones included (the writer counts them as left out): record,
    publication date, source."""
    window, params = record_window("e.", since, until, min_confidence)
    sql = f"""SELECT e.record, d.date, d.source FROM events e JOIN documents d ON d.id = e.doc_id
              WHERE {window} ORDER BY e.date, e.doc_id, e.event_id"""
    return store.read(sql, params).fetchall()
