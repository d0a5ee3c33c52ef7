"""Listings of de-duplicated events (clusters) and their reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tieline.query.sql import date_window, records_by_id
from tieline.store import Store


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
    # the members' ids, then their records by id: joining the cluster with every event and
    # document read both tables whole (issue 12)
    members = store.read("SELECT event_id FROM cluster_members WHERE cluster_id = ?", [cluster_id]).fetchall()
    reports = records_by_id(store, [event_id for (event_id,) in members])
    return sorted(reports, key=lambda r: (r["document"]["date"] is None, r["document"]["date"] or "", r["doc_id"],
                                          r["event_id"]))


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
