"""De-duplication across reports: one cluster per real-world event.

Several stories report the same event; each gives a report-level record. Records join a
cluster when they have the same event type and the same parties (either way round for
symmetric types such as meetings), the same negation and modality, dates within a window of
the cluster's first date, and compatible actor types, mode and place. A record without a
recipient joins only records of its own story. Report-level records are
never changed: clusters live in their own tables (``clusters``, ``cluster_members``) and are
rebuilt for just the parties and types that new or replaced documents touch.

Records are grouped into blocks (type, parties, flags) in SQL; inside a block, clustering is
greedy in date order, each record joining the compatible cluster whose first date is nearest,
so a daily series of meetings does not chain into one cluster; among equally near clusters,
the one with most reports wins.

Example::

    from tieline import Store
    from tieline.dedup import deduplicate
    with Store("tieline.duckdb") as store:
        print(deduplicate(store))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import duckdb

from tieline.errors import StoreError
from tieline.lexicon import Lexicon, default_lexicon
from tieline.store import event_day, rollback, sql_string, store_error

DEFAULT_WINDOW_DAYS = 3
# Sector groups for telling actors apart. Reports of one event name the same actor in many ways
# ("Israel struck", "the Israeli military struck"; "students" and "protesters"), but a state, an
# armed group and civil society are different actors. Recipients are not compared at all: the
# victims of one attack are "civilians" in one report and "militants" in the next.
SECTOR_GROUPS = {
    **dict.fromkeys("GOV MIL COP JUD LEG SPY ELI PRE".split(), "state"),
    **dict.fromkeys("REB UAF PRM CRM".split(), "armed"),
    **dict.fromkeys("CVL EDU BUS LAB MED JRN REL SOC REF AGR OPP PTY NGO".split(), "society"),
    "IGO": "igo",
}


@dataclass(frozen=True)
class Report:
    """One report-level record, as clustering sees it. Parties are ordered for symmetric types."""

    event_id: str
    doc_id: str
    block: str
    day: dt.date | None
    actor_type: str | None
    mode: str | None
    location_country: str | None  # None where the place does not tell events apart (see deduplicate)
    source: str
    location_town: str | None = None  # a place below the country level, for the same events


@dataclass
class Cluster:
    """Reports of one real-world event."""

    seed: Report
    members: list[Report] = field(default_factory=list)

    @property
    def cluster_id(self) -> str:
        return self.seed.event_id

    def accepts(self, report: Report, window_days: int) -> bool:
        if report.day is None or self.seed.day is None or abs((report.day - self.seed.day).days) > window_days:
            return False
        return (_compatible(_group(report.actor_type), {_group(m.actor_type) for m in self.members})
                and _compatible(report.mode, {m.mode for m in self.members})
                and _compatible(report.location_country, {m.location_country for m in self.members})
                and _compatible(report.location_town, {m.location_town for m in self.members}))


def _group(sector: str | None) -> str | None:
    return SECTOR_GROUPS.get(sector or "")  # unknown sectors match anything


def _compatible(value: str | None, seen: set[str | None]) -> bool:
    """A value fits a cluster when either is unknown or the cluster already has it."""
    known = {v for v in seen if v}
    return not value or not known or value in known


def cluster_reports(reports: Iterable[Report], *, window_days: int = DEFAULT_WINDOW_DAYS) -> list[Cluster]:
    """Cluster reports block by block; each report lands in exactly one cluster."""
    by_block: dict[str, list[Report]] = {}
    for report in reports:
        by_block.setdefault(report.block, []).append(report)
    clusters: list[Cluster] = []
    for block in sorted(by_block):
        # by day; within a day, reports that name a town first, so that specific reports found
        # the clusters and vague ones join the best supported of those they fit
        members = sorted(by_block[block], key=lambda r: (r.day is None, r.day or dt.date.min, r.location_town is None,
                                                         r.doc_id, r.event_id))
        open_clusters: list[Cluster] = []
        for report in members:
            fits = [c for c in open_clusters if c.accepts(report, window_days)]
            if fits:
                best = min(fits, key=lambda c: (abs((report.day - c.seed.day).days),  # type: ignore[operator]
                                                len(c.members) * -1))
                best.members.append(report)
                continue
            cluster = Cluster(report, [report])
            clusters.append(cluster)
            if report.day is not None:
                open_clusters.append(cluster)
                # clusters whose first date is out of reach of this and every later report close
                open_clusters = [c for c in open_clusters
                                 if (report.day - c.seed.day).days <= window_days]  # type: ignore[operator]
    return clusters


# SQL for an event row ``e``: who its parties are, and its auxiliary flags.
ACTOR_KEY = "coalesce(e.actor_country, e.actor_abbrev, e.actor_name)"
RECIPIENT_KEY = "coalesce(e.recipient_country, e.recipient_abbrev, e.recipient_name, '')"
FLAGS = ("CASE WHEN e.negated THEN 'n' ELSE '' END || CASE WHEN e.future THEN 'f' ELSE '' END"
         " || CASE WHEN e.hypothetical THEN 'h' ELSE '' END")


def _swapped_sql(symmetric: Iterable[str]) -> str:
    """SQL true when a symmetric event's parties are named the other way round than the block's."""
    # the names come from the event-type table, but are quoted as literals all the same (issue 9):
    # this SQL goes into CREATE TABLE ... AS, which takes no bound parameters
    names = ", ".join(sql_string(name) for name in sorted(symmetric)) or "''"
    return f"(e.event IN ({names}) AND {ACTOR_KEY} IS NOT NULL AND {RECIPIENT_KEY} < {ACTOR_KEY})"


def _block_sql(symmetric: Iterable[str]) -> str:
    """SQL naming the block of an event row ``e``: type, flags and parties (ordered for
    symmetric types); an event with no known actor is a block of its own, one with no recipient
    is kept to its document."""
    a, r, head = ACTOR_KEY, RECIPIENT_KEY, f"e.event || '|' || {FLAGS} || '|'"
    # Without a recipient there is too little to tell two reports' events apart ("the US urged"):
    # such records cluster only with records of their own document.
    return (f"CASE WHEN {a} IS NULL THEN 'single|' || e.event_id "
            f"WHEN {r} = '' THEN {head} || {a} || '||' || e.doc_id "
            f"WHEN {_swapped_sql(symmetric)} THEN {head} || {r} || '|' || {a} "
            f"ELSE {head} || {a} || '|' || {r} END")


def _source(source: str | None, url: str | None, doc_id: str) -> str:
    if source:
        return source.strip().lower()
    if url:
        host = urlparse(url).hostname
        if host:
            return host.removeprefix("www.")
    return f"document:{doc_id}"


@dataclass
class DedupSummary:
    """What a de-duplication run did."""

    blocks: int = 0
    events: int = 0
    clusters: int = 0
    multi_report_clusters: int = 0
    full: bool = False

    def __str__(self) -> str:
        scope = "all events" if self.full else "new or changed events"
        return (f"{self.events} events in {self.blocks} blocks re-clustered ({scope}): {self.clusters} clusters, "
                f"{self.multi_report_clusters} reported by more than one document")


def deduplicate(store: Any, *, window_days: int | None = None, full: bool = False,
                lexicon: Lexicon | None = None) -> DedupSummary:
    """Cluster the store's events, in one transaction.

    Incremental by default: only the blocks holding events not yet clustered, or clusters that
    lost events to a replaced document, are rebuilt. ``full`` rebuilds every cluster; a window
    other than the one the clusters were built with implies it.
    """
    con: duckdb.DuckDBPyConnection = store.con
    lexicon = lexicon or default_lexicon()
    symmetric = {name for name, t in lexicon.event_types.items() if t.symmetric}
    # Only for physical events (events.csv "placed") does the place tell two events apart: an air
    # strike on Syria is not one on Iraq. For words, deals and sanctions the coded place is mostly
    # a dateline or a capital, and reports of one statement carry different ones.
    placed = sorted(name for name, t in lexicon.event_types.items() if t.placed)
    row = store.read("SELECT value FROM meta WHERE key = 'dedup_window_days'").fetchone()
    built_with = int(row[0]) if row else None
    window = window_days if window_days is not None else (built_with or DEFAULT_WINDOW_DAYS)
    if window < 0:
        raise StoreError(f"the de-duplication window must be 0 days or more, not {window}")
    full = full or (built_with is not None and built_with != window)
    block = _block_sql(symmetric)
    summary = DedupSummary(full=full)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE OR REPLACE TEMP TABLE event_blocks AS SELECT e.event_id, {block} AS block FROM events e")
        if full:
            con.execute("CREATE OR REPLACE TEMP TABLE dirty AS SELECT DISTINCT block FROM event_blocks")
        else:
            con.execute("""CREATE OR REPLACE TEMP TABLE dirty AS
                SELECT block FROM event_blocks b WHERE NOT EXISTS
                    (SELECT 1 FROM cluster_members m WHERE m.event_id = b.event_id)
                UNION SELECT m.block FROM cluster_members m WHERE NOT EXISTS
                    (SELECT 1 FROM events e WHERE e.event_id = m.event_id)
                UNION SELECT block FROM dedup_dirty""")
        con.execute("DELETE FROM cluster_members WHERE block IN (SELECT block FROM dirty)")
        con.execute("DELETE FROM clusters WHERE block IN (SELECT block FROM dirty)")
        rows = con.execute(f"""
            SELECT e.event_id, e.doc_id, b.block, e.date, d.date, d.source, d.url,
                   CASE WHEN {_swapped_sql(symmetric)} THEN e.recipient_type ELSE e.actor_type END,
                   e.mode, CASE WHEN e.event IN (SELECT unnest(?)) THEN e.location_country END,
                   CASE WHEN e.event IN (SELECT unnest(?)) THEN e.location_name END
            FROM events e JOIN event_blocks b USING (event_id) JOIN documents d ON d.id = e.doc_id
            WHERE b.block IN (SELECT block FROM dirty)""", [placed, placed]).fetchall()
        country_names = {c.name for c in lexicon.countries}
        reports = [Report(event_id, doc_id, blk, event_day(date, published), a_type, mode, loc, _source(source, url, doc_id),
                          name if name and name not in country_names else None)
                   for event_id, doc_id, blk, date, published, source, url, a_type, mode, loc, name in rows]
        clusters = cluster_reports(reports, window_days=window)
        members = [(c.cluster_id, m.event_id, m.doc_id, m.block) for c in clusters for m in c.members]
        if members:
            con.executemany("INSERT INTO cluster_members VALUES (?, ?, ?, ?)", members)
            _write_clusters(con, clusters)
        con.execute("DELETE FROM dedup_dirty")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('dedup_window_days', ?)", [str(window)])
        con.execute("COMMIT")
    except duckdb.Error as exc:
        rollback(con, store.path)  # a failed ROLLBACK must not hide why it failed (issue 9)
        raise store_error(store.path, "de-duplication failed", exc) from exc
    summary.blocks = len({r.block for r in reports})
    summary.events = len(reports)
    summary.clusters = len(clusters)
    summary.multi_report_clusters = sum(1 for c in clusters if len({m.doc_id for m in c.members}) > 1)
    return summary


def _write_clusters(con: duckdb.DuckDBPyConnection, clusters: list[Cluster]) -> None:
    """Cluster rows: the seed's parties and description, dates and counts over the members."""
    sources = {c.cluster_id: len({m.source for m in c.members}) for c in clusters}
    days = {c.cluster_id: c.seed.day for c in clusters}
    con.execute("CREATE OR REPLACE TEMP TABLE new_clusters (cluster_id VARCHAR, num_sources INTEGER, date DATE)")
    con.executemany("INSERT INTO new_clusters VALUES (?, ?, ?)",
                    [(cid, sources[cid], days[cid]) for cid in sources])
    con.execute("""
        INSERT INTO clusters
        SELECT n.cluster_id, any_value(m.block), any_value(s.event), any_value(s.mode),
               any_value(s.actor_country), any_value(s.actor_name), any_value(s.recipient_country),
               any_value(s.recipient_name), any_value(n.date),
               min(coalesce(d.date, TRY_CAST(e.date AS DATE))), max(coalesce(d.date, TRY_CAST(e.date AS DATE))),
               count(DISTINCT m.doc_id), count(*), any_value(n.num_sources),
               mode(e.location_name), mode(e.location_country), any_value(s.quad), any_value(s.score),
               any_value(s.negated), any_value(s.sentence)
        FROM new_clusters n
        JOIN cluster_members m USING (cluster_id)
        JOIN events e ON e.event_id = m.event_id
        JOIN documents d ON d.id = m.doc_id
        JOIN events s ON s.event_id = n.cluster_id
        GROUP BY n.cluster_id""")
    con.execute("DROP TABLE new_clusters")

