"""Schema 4 (issue 12): the party keys and ``event_pairs`` give the same answers as the joins of
events with their parties they replace, on awkward compound parties; older files are upgraded in
place, or read through stand-in views when opened read-only. Databases are written from
hand-built records (no model)."""

from dataclasses import replace

import pytest

from tieline.query import EventQuery, count_events, flat_events, search_events, top_dyads
from tieline.query.frames import dyad, network, partners, profile, timeline
from tieline.schema import SCHEMA_VERSION
from tieline.store import Store
from tieline.types import CodedDocument, Member, Party

from .conftest import coded_document


def _m(country, abbrev=None, kind="GOV"):
    return Member(country or abbrev, country or abbrev, country, kind, abbrev)


def _story(doc_id, actors, recipients, *, date="2020-03-04", event="CONSULT", quad=1, score=2.5, negated=False,
           sectors=(), contexts=("diplomatic",)):
    coded = coded_document(doc_id, f"Story {doc_id}.", date=date, sentence=f"Story {doc_id}.")
    record = replace(coded.records[0], actor=Party(tuple(actors)),
                     recipient=Party(tuple(recipients)) if recipients else None, event=event, quad=quad, score=score,
                     negated=negated, sectors=tuple(sectors), contexts=tuple(contexts), date=date)
    return CodedDocument(coded.document, (record,))


# compound parties in every awkward shape: a country twice in one party, both ways round in one
# event, an organisation known only by its abbreviation (also one spelled like a country code), a
# country meeting itself, no recipient, a negated event, coarse and missing dates
STORIES = [
    _story("a", [_m("USA"), _m("FRA")], [_m("RUS")], event="ACCUSE", quad=3, score=-2.0, sectors=("energy",)),
    _story("b", [_m("USA"), _m("USA", kind="MIL")], [_m("CHN")], date="2020-03", sectors=("trade", "trade")),
    _story("c", [_m(None, "UN", "IGO")], [_m("ARM")], date="2021", contexts=("economic", "economic")),
    _story("d", [_m("USA")], [_m("USA"), _m("GBR")], date="2020-05-01", score=4.0),
    _story("e", [_m("IRN"), _m("TUR")], [_m("TUR"), _m("IRN")], date="2020-05-02", event="SUPPORT", quad=2),
    _story("f", [_m(None, "USA", "IGO")], [_m("RUS"), _m(None, "EU", "IGO")], date="2020-06-10"),
    _story("g", [_m("RUS")], [], date="2020-06-11", event="THREATEN", quad=3, score=-6.5),
    _story("h", [_m("USA")], [_m("RUS")], date="2020-06-12", negated=True),
    _story("i", [_m("RUS")], [_m("USA"), _m("USA", kind="MIL")], date=None, event="ASSAULT", quad=4, score=-9.0),
    _story("j", [_m("CHN")], [_m(None, None, "CVL")], date="2020-07-01"),
    _story("k", [_m("USA"), _m(None, "NATO", "IGO")], [_m("RUS"), _m("USA")], date="2019-12-31", event="COERCE",
           quad=4, score=-7.0, sectors=("defence",)),
]

# the reads before issue 12: events joined with their parties, counting distinct events
OLD_DYAD = """
    SELECT {period} AS period, CASE WHEN pa.country = ? THEN ? ELSE ? END AS direction,
           e.event, e.quad, count(DISTINCT e.event_id) AS events, round(avg(e.score), 2) AS mean_score
    FROM events e
    JOIN event_parties pa ON pa.event_id = e.event_id AND pa.role = 'actor'
    JOIN event_parties pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
    WHERE NOT e.negated AND e.date IS NOT NULL
      AND ((pa.country = ? AND pr.country = ?) OR (pa.country = ? AND pr.country = ?))
    GROUP BY ALL ORDER BY period, direction, event"""
OLD_PARTNERS = """
    WITH pairs AS (
        SELECT DISTINCT e.event_id, e.quad, e.score, e.sectors, coalesce(other.country, other.abbrev) AS partner
        FROM events e
        JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
        JOIN event_parties other ON other.event_id = e.event_id AND other.role <> me.role
        WHERE NOT e.negated AND coalesce(other.country, other.abbrev) IS NOT NULL
          AND coalesce(other.country, other.abbrev) <> ?)
    SELECT partner, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
           count(*) FILTER (WHERE quad IN (3, 4)) AS conflict, round(avg(score), 2) AS mean_score,
           list_sort(list_distinct(flatten(list(sectors)))) AS fields
    FROM pairs GROUP BY partner ORDER BY events DESC, partner"""
OLD_TIMELINE = """
    SELECT substr(e.date, 1, 7) AS period, e.quad, count(*) AS events, round(avg(e.score), 2) AS mean_score
    FROM events e WHERE NOT e.negated AND e.date IS NOT NULL
      AND e.event_id IN (SELECT event_id FROM event_parties WHERE country = ?)
    GROUP BY ALL ORDER BY period, quad"""
OLD_TYPES = """
    WITH mine AS (SELECT DISTINCT e.event_id, e.event, e.quad, e.score, e.contexts, e.sectors, e.date, me.role
                  FROM events e JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
                  WHERE NOT e.negated)
    SELECT event, any_value(quad) AS quad, count(DISTINCT event_id) FILTER (WHERE role = 'actor') AS as_actor,
           count(DISTINCT event_id) FILTER (WHERE role = 'recipient') AS as_recipient,
           round(avg(score), 2) AS mean_score
    FROM mine GROUP BY event ORDER BY as_actor + as_recipient DESC, event"""
OLD_CONTEXTS = """
    WITH mine AS (SELECT DISTINCT e.event_id, e.quad, e.contexts, me.role
                  FROM events e JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
                  WHERE NOT e.negated),
    items AS (SELECT DISTINCT event_id, quad, unnest(contexts) AS context FROM mine)
    SELECT context, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
           count(*) FILTER (WHERE quad IN (3, 4)) AS conflict
    FROM items GROUP BY context ORDER BY events DESC, context"""
OLD_PARTNERS_BY_YEAR = """
    WITH pairs AS (
        SELECT DISTINCT e.event_id, e.quad, substr(e.date, 1, 4) AS period, coalesce(other.country, other.abbrev) AS partner
        FROM events e
        JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
        JOIN event_parties other ON other.event_id = e.event_id AND other.role <> me.role
        WHERE NOT e.negated AND e.date IS NOT NULL AND coalesce(other.country, other.abbrev) IS NOT NULL
          AND coalesce(other.country, other.abbrev) <> ?),
    top AS (SELECT partner FROM pairs GROUP BY partner ORDER BY count(*) DESC, partner LIMIT 8)
    SELECT period, partner, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
           count(*) FILTER (WHERE quad IN (3, 4)) AS conflict
    FROM pairs WHERE partner IN (SELECT partner FROM top) GROUP BY ALL ORDER BY period, events DESC, partner"""
OLD_NETWORK = """
    SELECT coalesce(pa.country, pa.abbrev) AS source, coalesce(pr.country, pr.abbrev) AS target,
           count(DISTINCT e.event_id) AS events,
           count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (1, 2)) AS cooperation,
           count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (3, 4)) AS conflict, round(avg(e.score), 2) AS mean_score
    FROM events e
    JOIN event_parties pa ON pa.event_id = e.event_id AND pa.role = 'actor'
    JOIN event_parties pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
    WHERE NOT e.negated AND coalesce(pa.country, pa.abbrev) IS NOT NULL AND coalesce(pr.country, pr.abbrev) IS NOT NULL
      AND coalesce(pa.country, pa.abbrev) <> coalesce(pr.country, pr.abbrev)
    GROUP BY ALL ORDER BY events DESC, source, target"""
OLD_TOP_DYADS = """
    SELECT least(pa.country, pr.country) AS a, greatest(pa.country, pr.country) AS b,
           count(DISTINCT e.event_id) AS events,
           count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (1, 2)) AS cooperation,
           count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (3, 4)) AS conflict
    FROM events e
    JOIN event_parties pa ON pa.event_id = e.event_id AND pa.role = 'actor'
    JOIN event_parties pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
    WHERE NOT e.negated AND pa.country IS NOT NULL AND pr.country IS NOT NULL AND pa.country <> pr.country
    GROUP BY ALL ORDER BY events DESC, a, b"""
OLD_PARTY_MATCH = """
    SELECT e.doc_id FROM events e WHERE e.event_id IN
        (SELECT event_id FROM event_parties WHERE role = ? AND (country = ? OR upper(abbrev) = ?))
    ORDER BY e.doc_id"""
COUNTRIES = ("USA", "RUS", "CHN", "FRA", "GBR", "IRN", "TUR", "ARM")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "s.duckdb"
    with Store(path) as store:
        store.write(STORIES[:6])  # two batches, so that the pairs of each are computed apart
        store.write(STORIES[6:])
    return path


def _rows(frame):
    return [tuple(row) for row in frame.itertuples(index=False)]


def _same_reads(store):
    """Every frame and listing equals the join it replaced, for every country of the stories."""
    for a in COUNTRIES:
        for b in COUNTRIES:
            new = _rows(dyad(store, a, b))
            old = store.read(OLD_DYAD.format(period="substr(e.date, 1, 7)"), [a, f"{a}->{b}", f"{b}->{a}", a, b, b, a])
            assert new == [tuple(r) for r in old.fetchall()], (a, b)
        ranked = partners(store, a)
        ranked["fields"] = ranked["fields"].map(lambda f: sorted(f))
        assert _rows(ranked.drop(columns="balance")) == [
            (*r[:5], list(r[5])) for r in store.read(OLD_PARTNERS, [a, a]).fetchall()], a
        assert _rows(timeline(store, country=a)) == [tuple(r) for r in store.read(OLD_TIMELINE, [a]).fetchall()], a
        found = profile(store, a)
        assert _rows(found.types) == [tuple(r) for r in store.read(OLD_TYPES, [a]).fetchall()], a
        assert _rows(found.contexts) == [tuple(r) for r in store.read(OLD_CONTEXTS, [a]).fetchall()], a
        assert _rows(found.partners.drop(columns="balance")) == [
            tuple(r) for r in store.read(OLD_PARTNERS_BY_YEAR, [a, a]).fetchall()], a
        for role in ("actor", "recipient"):
            query = EventQuery(**{role: a.lower()}, include_negated=True)
            expected = [r[0] for r in store.read(OLD_PARTY_MATCH, [role, a, a]).fetchall()]
            assert sorted(r["doc_id"] for r in search_events(store, query)) == expected, (role, a)
            assert count_events(store, query) == len(expected)
            rows = flat_events(store, query, ["doc_id", "contexts"], lists=["contexts"], limit=100)
            assert [r[0] for r in rows] == [r["doc_id"] for r in search_events(store, query)]
    assert _rows(network(store)) == [tuple(r) for r in store.read(OLD_NETWORK).fetchall()]
    assert [tuple(d.values()) for d in top_dyads(store, limit=100)] == [
        tuple(r) for r in store.read(OLD_TOP_DYADS).fetchall()]
    assert [r["doc_id"] for r in search_events(store, EventQuery(text="STORY K"))] == ["k"]  # words, any case
    assert count_events(store, EventQuery(text="a title")) == len(STORIES) - 1  # or the title's (negated left out)
    for code in ("UN", "NATO", "EU"):  # organisations, by abbreviation in any case
        assert sorted(r["doc_id"] for r in search_events(store, EventQuery(actor=code.lower()))) == [
            r[0] for r in store.read(OLD_PARTY_MATCH, ["actor", code, code]).fetchall()]


def test_schema_pairs_give_the_answers_of_the_joins(db):
    with Store(db, read_only=True) as store:
        assert store.check() == []
        _same_reads(store)


def _as_schema_3(path):
    """Turn a database into what schema 3 looked like."""
    with Store(path) as store:
        store.con.execute("DROP TABLE event_pairs")
        store.con.execute("DROP INDEX events_id")  # DuckDB drops no column of an indexed table
        for column in ("actor_keys", "recipient_keys", "search_text"):
            store.con.execute(f"ALTER TABLE events DROP COLUMN {column}")
        for name, table, column in (("events_doc", "events", "doc_id"), ("event_parties_country", "event_parties",
                                                                          "country")):
            store.con.execute(f"CREATE INDEX {name} ON {table} ({column})")
        store.con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")


def test_schema_3_read_only_reads_through_stand_in_views(db, tmp_path):
    old = tmp_path / "v3.duckdb"
    old.write_bytes(db.read_bytes())
    _as_schema_3(old)
    with Store(old, read_only=True) as store:
        _same_reads(store)
        cursor = store.cursor()  # the web app's per-request cursors see them too
        try:
            assert len(network(cursor)) == len(network(store)) > 0
        finally:
            cursor.close()


def test_schema_3_is_upgraded_in_place(db, tmp_path):
    old = tmp_path / "v3.duckdb"
    old.write_bytes(db.read_bytes())
    _as_schema_3(old)
    with Store(old) as store:
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),)
        assert store.check() == []
        _same_reads(store)
        indexes = {row[0] for row in store.con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
        assert indexes == {"events_id", "cluster_members_event"}  # those that serve no look-up are gone
        with Store(db, read_only=True) as fresh:
            pairs = ("SELECT * REPLACE (list_sort(contexts) AS contexts, list_sort(sectors) AS sectors) "
                     "FROM event_pairs ORDER BY ALL")
            assert store.con.execute(pairs).fetchall() == fresh.con.execute(pairs).fetchall()
            keys = "SELECT event_id, actor_keys, recipient_keys, search_text FROM events ORDER BY event_id"
            assert store.con.execute(keys).fetchall() == fresh.con.execute(keys).fetchall()
        # (the pairs written are those the upgrade computes in SQL, flag for flag)
        # and written to as before
        store.write([_story("z", [_m("USA")], [_m("RUS")], date="2022-01-01")])
        assert store.check() == []
        assert dyad(store, "USA", "RUS", by="year")["period"].tolist()[-1] == "2022"


def test_schema_replaced_document_takes_its_pairs_along(tmp_path):
    with Store(tmp_path / "r.duckdb") as store:
        store.write([_story("a", [_m("USA")], [_m("RUS")])])
        changed = _story("a", [_m("CHN")], [_m("RUS")])
        store.write([CodedDocument(replace(changed.document, text="Another text."), changed.records)])
        assert store.check() == []
        assert network(store)[["source", "target"]].values.tolist() == [["CHN", "RUS"]]
