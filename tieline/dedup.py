"""De-duplication across reports: one cluster per real-world event.

Several stories report the same event; each gives a report-level record. Records join a
cluster when they have the same event type and the same parties (either way round for
symmetric types such as meetings), the same negation and modality, dates within a window of
the cluster's first date, and compatible actor types, mode and place. A record without a
recipient joins only records of its own story. Report-level records are
never changed: clusters live in their own tables (``clusters``, ``cluster_members``) and are
rebuilt for just the parties and types that new or replaced documents touch; in a block that
only gained reports, only from a window before the earliest new one (issue 12), so that adding
a day's news to twenty years of it re-clusters days, not years.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import duckdb
import pandas as pd

from tieline.errors import StoreError
from tieline.lexicon import Lexicon, default_lexicon
from tieline.schema import CLUSTER_INDEX
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
    # what the members say, kept as they join (issue 12: recomputed for every candidate report, a
    # story told a thousand times took a million steps): actor groups, modes, countries, towns
    seen: tuple[set[str | None], ...] = field(default_factory=lambda: (set(), set(), set(), set()), repr=False)

    def __post_init__(self) -> None:
        for member in self.members:
            self._note(member)

    @property
    def cluster_id(self) -> str:
        return self.seed.event_id

    def add(self, report: Report) -> None:
        self.members.append(report)
        self._note(report)

    def _note(self, report: Report) -> None:
        for values, value in zip(self.seen, _traits(report)):
            values.add(value)

    def accepts(self, report: Report, window_days: int) -> bool:
        if report.day is None or self.seed.day is None or abs((report.day - self.seed.day).days) > window_days:
            return False
        return all(_compatible(value, values) for value, values in zip(_traits(report), self.seen))


def _traits(report: Report) -> tuple[str | None, ...]:
    """What must fit between the reports of one cluster: actor group, mode, country, town."""
    return _group(report.actor_type), report.mode, report.location_country, report.location_town


def _group(sector: str | None) -> str | None:
    return SECTOR_GROUPS.get(sector or "")  # unknown sectors match anything


def _compatible(value: str | None, seen: set[str | None]) -> bool:
    """A value fits a cluster when either is unknown or the cluster already has it."""
    known = {v for v in seen if v}
    return not value or not known or value in known


def report_key(report: Report) -> tuple[Any, ...]:
    """Where a report comes in a block: by day; within a day, reports that name a town first, so
    that specific reports found the clusters and vague ones join the best supported of those they fit."""
    return (report.day is None, report.day or dt.date.min, report.location_town is None, report.doc_id,
            report.event_id)


def cluster_reports(reports: Iterable[Report], *, window_days: int = DEFAULT_WINDOW_DAYS) -> list[Cluster]:
    """Cluster reports block by block; each report lands in exactly one cluster."""
    by_block: dict[str, list[Report]] = {}
    for report in reports:
        by_block.setdefault(report.block, []).append(report)
    clusters: list[Cluster] = []
    for block in sorted(by_block):
        clusters += cluster_block(sorted(by_block[block], key=report_key), window_days)
    return clusters


def cluster_block(members: list[Report], window_days: int, open_clusters: list[Cluster] | None = None) -> list[Cluster]:
    """Cluster one block's reports, given in :func:`report_key` order: greedily, each joining the
    open cluster it fits whose first date is nearest. ``open_clusters`` are the clusters of the
    block's earlier reports that later ones may still join (in the order they were founded), when
    only the end of a block is clustered again; they are among the clusters returned."""
    open_clusters = list(open_clusters or ())
    clusters = list(open_clusters)
    for report in members:
        fits = [c for c in open_clusters if c.accepts(report, window_days)]
        if fits:
            best = min(fits, key=lambda c: (abs((report.day - c.seed.day).days),  # type: ignore[operator]
                                            len(c.members) * -1))
            best.add(report)
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
    lost events to a replaced document, are rebuilt, and of a block that only gained events, only
    its clusters from a window before the earliest new report on (issue 12: the clustering in date
    order makes the earlier ones final, so the result is the same as a full rebuild). ``full``
    rebuilds every cluster; a window other than the one the clusters were built with implies it.
    """
    con: duckdb.DuckDBPyConnection = store.con
    row = store.read("SELECT value FROM meta WHERE key = 'dedup_window_days'").fetchone()
    built_with = int(row[0]) if row else None
    window = window_days if window_days is not None else (built_with or DEFAULT_WINDOW_DAYS)
    if window < 0:
        raise StoreError(f"the de-duplication window must be 0 days or more, not {window}")
    full = full or (built_with is not None and built_with != window)
    run = _Run(con, lexicon or default_lexicon(), window, full)
    try:
        con.execute("BEGIN TRANSACTION")
        if full:
            run.rebuild_all()
        else:
            run.update()
        run.finish()
        con.execute("DELETE FROM dedup_dirty")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('dedup_window_days', ?)", [str(window)])
        con.execute("COMMIT")
    except duckdb.Error as exc:
        rollback(con, store.path)  # a failed ROLLBACK must not hide why it failed (issue 9)
        raise store_error(store.path, "de-duplication failed", exc) from exc
    return run.summary


FLUSH_ROWS = 200_000  # cluster members written at a time


class _Run:
    """One de-duplication run, inside the caller's transaction: it reads reports, clusters them
    block by block and writes the clusters (members as they come, cluster rows at the end)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lexicon: Lexicon, window: int, full: bool) -> None:
        self.con = con
        symmetric = {name for name, t in lexicon.event_types.items() if t.symmetric}
        # Only for physical events (events.csv "placed") does the place tell two events apart: an
        # air strike on Syria is not one on Iraq. For words, deals and sanctions the coded place
        # is mostly a dateline or a capital, and reports of one statement carry different ones.
        self.placed = sorted(name for name, t in lexicon.event_types.items() if t.placed)
        self.block_sql = _block_sql(symmetric)
        self.swapped_sql = _swapped_sql(symmetric)
        self.country_names = {c.name for c in lexicon.countries}
        self.window = window
        self.summary = DedupSummary(full=full)
        self.members: list[tuple[str, str, str, str, dt.date | None]] = []
        self.founded: list[tuple[str, int, dt.date | None]] = []
        con.execute("CREATE OR REPLACE TEMP TABLE new_clusters (cluster_id VARCHAR, num_sources INTEGER, date DATE)")

    def reports(self, sql: str, *, con: duckdb.DuckDBPyConnection | None = None) -> Iterator[tuple[Report, str | None]]:
        """(report, its stored cluster or None) of each row of ``sql``, which selects the
        :meth:`columns`, fetched in chunks (on ``con``, another connection, when the run writes
        while it reads)."""
        cursor = (con or self.con).execute(sql, [self.placed, self.placed])
        while rows := cursor.fetchmany(50_000):
            for event_id, doc_id, blk, date, published, source, url, a_type, mode, loc, name, cluster_id in rows:
                town = name if name and name not in self.country_names else None
                yield (Report(event_id, doc_id, blk, event_day(date, published), a_type, mode, loc,
                              _source(source, url, doc_id), town), cluster_id)

    def columns(self, block: str, cluster: str = "NULL") -> str:
        """The report columns of an event row ``e`` of document ``d`` in block ``block`` (SQL)."""
        return f"""e.event_id, e.doc_id, {block} AS block, e.date, d.date, d.source, d.url,
                   CASE WHEN {self.swapped_sql} THEN e.recipient_type ELSE e.actor_type END, e.mode,
                   CASE WHEN list_contains(?, e.event) THEN e.location_country END,
                   CASE WHEN list_contains(?, e.event) THEN e.location_name END, {cluster} AS cluster_id"""

    def rebuild_all(self) -> None:
        """Every block, from scratch, read in block order. The index of members is made again
        at the end (:meth:`finish`): deleting and inserting millions of rows one index entry at a
        time is slower than building it whole."""
        self.con.execute("DROP INDEX IF EXISTS cluster_members_event")
        self.con.execute("DELETE FROM cluster_members")
        self.con.execute("DELETE FROM clusters")
        block: str | None = None
        reports: list[Report] = []
        reader = self.con.cursor()  # the events are read on their own connection while clusters are written
        try:
            for report, _ in self.reports(f"SELECT {self.columns(self.block_sql)} FROM events e "
                                          "JOIN documents d ON d.id = e.doc_id ORDER BY block", con=reader):
                if report.block != block and reports:
                    self.write(cluster_block(sorted(reports, key=report_key), self.window))
                    reports = []
                block = report.block
                reports.append(report)
        finally:
            reader.close()
        if reports:
            self.write(cluster_block(sorted(reports, key=report_key), self.window))

    def update(self) -> None:
        """The blocks new events fall in, from a window before the earliest on; the blocks that
        lost members, whole."""
        self.con.execute(f"""CREATE OR REPLACE TEMP TABLE dedup_new AS SELECT e.event_id, {self.block_sql} AS block
            FROM events e WHERE NOT EXISTS (SELECT 1 FROM cluster_members m WHERE m.event_id = e.event_id)""")
        self.con.execute("""CREATE OR REPLACE TEMP TABLE dedup_whole AS SELECT block FROM dedup_dirty
            UNION SELECT m.block FROM cluster_members m WHERE NOT EXISTS
                (SELECT 1 FROM events e WHERE e.event_id = m.event_id)""")
        new: dict[str, list[Report]] = {}
        for report, _ in self.reports(f"""SELECT {self.columns("n.block")} FROM dedup_new n
                JOIN events e USING (event_id) JOIN documents d ON d.id = e.doc_id
                WHERE n.block NOT IN (SELECT block FROM dedup_whole)"""):
            new.setdefault(report.block, []).append(report)
        # from where in each block the clusters may change: the earliest new report with a day
        starts = {block: min((r for r in reports if r.day is not None), key=report_key, default=None)
                  for block, reports in new.items()}
        cuts = [(block, start.day - dt.timedelta(days=self.window)) for block, start in starts.items()
                if start is not None and start.day is not None]
        self.con.execute("CREATE OR REPLACE TEMP TABLE dedup_cut (block VARCHAR, day DATE)")
        if cuts:
            self._insert_frame("dedup_cut", pd.DataFrame(cuts, columns=["block", "day"]))
        stored: dict[str, list[tuple[Report, str]]] = {}
        # the members are chosen by the day stored with them before events and documents are read
        for report, cluster_id in self.reports(f"""SELECT {self.columns("m.block", "m.cluster_id")}
                FROM (SELECT m.* FROM cluster_members m JOIN dedup_cut c ON c.block = m.block AND m.day >= c.day) m
                JOIN events e ON e.event_id = m.event_id JOIN documents d ON d.id = m.doc_id"""):
            stored.setdefault(report.block, []).append((report, cluster_id or ""))
        replaced: list[str] = []
        results, whole = [], []
        for block, reports in new.items():
            start = starts[block]
            if start is None or start.day is None:  # undated reports: clusters of their own
                results.append(cluster_block(sorted(reports, key=report_key), self.window))
                continue
            rebuilt = self._recluster_end(reports, stored.get(block, []), report_key(start))
            if rebuilt is None:
                whole.append(block)
                continue
            results.append(rebuilt[0])
            replaced += rebuilt[1]
        self._delete(replaced)
        for clusters in results:
            self.write(clusters)
        if whole:
            self._insert_frame("dedup_whole", pd.DataFrame({"block": whole}))
        self._rebuild_whole()

    def _recluster_end(self, new: list[Report], stored: list[tuple[Report, str]],
                       start: tuple[Any, ...]) -> tuple[list[Cluster], list[str]] | None:
        """The clusters of a block from ``start`` (the key of its earliest new dated report) on
        that differ from the stored ones, and the ids of the stored clusters they replace (None
        when the stored clusters are not this clustering's). ``stored`` holds the block's clustered
        reports dated from a window before ``start`` (and some more, dropped here) with their
        clusters: those founded before ``start`` within the window may still take reports, the
        later ones are rebuilt; the earlier ones are final (no later report can be within the
        window of their first date)."""
        cut = start[1] - dt.timedelta(days=self.window)
        stored = [(r, c) for r, c in stored if r.day is not None and r.day >= cut]
        seeds = {r.event_id: r for r, c in stored if r.event_id == c}
        earlier = {c: Cluster(seed, []) for c, seed in sorted(seeds.items(), key=lambda item: report_key(item[1]))
                   if report_key(seed) < start}
        later: list[Report] = []
        affected = set(earlier)
        for report, cluster_id in stored:
            if report_key(report) >= start:
                later.append(report)
                affected.add(cluster_id)
            elif cluster_id in earlier:
                earlier[cluster_id].add(report)
        if not affected <= set(seeds):  # a cluster founded before the window took a later report:
            return None  # not one this clustering made (another window?); the block is rebuilt whole
        clusters = cluster_block(sorted(later + new, key=report_key), self.window, list(earlier.values()))
        # only what changed is written: deleting rows from DuckDB's indexes is slow (issue 12)
        before: dict[str, set[str]] = {}
        for report, cluster_id in stored:
            if cluster_id in affected:
                before.setdefault(cluster_id, set()).add(report.event_id)
        after = {c.cluster_id: {m.event_id for m in c.members} for c in clusters}
        changed = [c for c in clusters if before.get(c.cluster_id) != after[c.cluster_id]]
        return changed, sorted(c for c in affected if before.get(c) != after.get(c))

    def _delete(self, cluster_ids: list[str]) -> None:
        if not cluster_ids:
            return
        self._insert_frame("dedup_affected", pd.DataFrame({"cluster_id": cluster_ids}), create=True)
        self.con.execute("DELETE FROM cluster_members WHERE cluster_id IN (SELECT cluster_id FROM dedup_affected)")
        self.con.execute("DELETE FROM clusters WHERE cluster_id IN (SELECT cluster_id FROM dedup_affected)")

    def _rebuild_whole(self) -> None:
        """The blocks that lost members to a replaced document, rebuilt whole with their new events."""
        [(whole,)] = self.con.execute("SELECT count(*) FROM dedup_whole").fetchall()
        if not whole:
            return
        self.con.execute("DELETE FROM cluster_members WHERE block IN (SELECT block FROM dedup_whole)")
        self.con.execute("DELETE FROM clusters WHERE block IN (SELECT block FROM dedup_whole)")
        by_block: dict[str, list[Report]] = {}
        for report, _ in self.reports(f"""SELECT * FROM (SELECT {self.columns(self.block_sql)} FROM events e
                JOIN documents d ON d.id = e.doc_id) WHERE block IN (SELECT block FROM dedup_whole)"""):
            by_block.setdefault(report.block, []).append(report)
        for reports in by_block.values():
            self.write(cluster_block(sorted(reports, key=report_key), self.window))

    def write(self, clusters: list[Cluster]) -> None:
        """Queue the clusters of one block for writing."""
        if not clusters:
            return
        self.summary.blocks += 1
        self.summary.clusters += len(clusters)
        for c in clusters:
            self.summary.events += len(c.members)
            self.summary.multi_report_clusters += len({m.doc_id for m in c.members}) > 1
            self.members += [(c.cluster_id, m.event_id, m.doc_id, m.block, m.day) for m in c.members]
            self.founded.append((c.cluster_id, len({m.source for m in c.members}), c.seed.day))
        if len(self.members) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.members:
            self._insert_frame("cluster_members", pd.DataFrame(self.members, columns=list(MEMBER_COLUMNS)))
            self._insert_frame("new_clusters", pd.DataFrame(self.founded, columns=["cluster_id", "num_sources",
                                                                                  "date"]))
        self.members, self.founded = [], []

    def _insert_frame(self, table: str, frame: pd.DataFrame, *, create: bool = False) -> None:
        """Insert a DataFrame into ``table`` (a name of this module) in one statement."""
        self.con.register("dedup_frame", frame)
        try:
            if create:
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM dedup_frame")
            else:
                self.con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM dedup_frame")
        finally:
            self.con.unregister("dedup_frame")

    def finish(self) -> None:
        """Write what is queued, then the cluster rows: the seed's parties and description,
        dates and counts over the members."""
        self._flush()
        self.con.execute("""
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
        self.con.execute("DROP TABLE new_clusters")
        self.con.execute(CLUSTER_INDEX)


MEMBER_COLUMNS = ("cluster_id", "event_id", "doc_id", "block", "day")
