"""Searches and listings of stored events and clusters (tieline.query), on a database written in
the test from hand-built records (no model)."""

from dataclasses import replace

import pytest

from tieline.dedup import deduplicate
from tieline.query import (
    EventQuery,
    all_events,
    cluster_counts,
    cluster_reports,
    clusters_by_record,
    count_events,
    get_event,
    list_clusters,
    search_events,
    search_page,
    stats,
    top_dyads,
)
from tieline.store import Store
from tieline.types import CodedDocument, Member, Party

from .conftest import coded_document

TURKEY = Member("Turkey", "Turkey", "TUR", "GOV")
UN = Member("the UN", "United Nations", None, "IGO", "UN")


def _story(doc_id, text, *, date, **changes):
    coded = coded_document(doc_id, text, date=date, sentence=text)
    return CodedDocument(coded.document, tuple(replace(r, **changes) for r in coded.records))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Six stories from 2020 to 2021: meetings, a compound actor, an IGO, a sanction with a
    sector, a negated event and a low-confidence one."""
    path = tmp_path_factory.mktemp("query") / "query.duckdb"
    stories = [
        _story("m1", "Iran met Armenia in Yerevan.", date="2020-03-02"),
        _story("m2", "Iran met Armenia again in Yerevan.", date="2020-03-03"),
        _story("joint", "Iran and Turkey met Armenia.", date="2020-06-10",
               actor=Party.of(Member("Iran", "Iran", "IRN", "GOV"), TURKEY)),
        _story("un", "The UN met Armenia on trade.", date="2020-12-31",
               actor=Party.of(UN), contexts=("economic", "humanitarian"), sectors=("trade",)),
        _story("ban", "Turkey banned Armenian flights.", date="2021-01-15", event="SANCTION", quad=4,
               actor=Party.of(TURKEY), cameo="163", score=-8.0),
        _story("no", "Iran did not meet Armenia.", date="2021-02-01", negated=True),
        _story("weak", "Iran may have met Armenia.", date="2021-03-01", confidence=0.2),
    ]
    with Store(path) as store:
        store.write(stories)
    with Store(path) as store:
        deduplicate(store)
    return path


@pytest.fixture
def store(db):
    with Store(db, read_only=True) as opened:
        yield opened


def _ids(records):
    return [r["doc_id"] for r in records]


@pytest.mark.parametrize("query, expected", [
    (EventQuery(), ["weak", "ban", "un", "joint", "m2", "m1"]),  # newest first; negated left out
    (EventQuery(actor="TUR"), ["ban", "joint"]),  # any member of a compound actor
    (EventQuery(actor="un"), ["un"]),  # an organisation by its abbreviation, in any case
    (EventQuery(recipient="ARM", event="sanction"), ["ban"]),
    (EventQuery(quad=4), ["ban"]),
    (EventQuery(context="Humanitarian"), ["un"]),
    (EventQuery(sector="trade"), ["un"]),
    (EventQuery(since="2020-06", until="2020"), ["un", "joint"]),  # "until 2020" is all of 2020
    (EventQuery(until="2020-03-02"), ["m1"]),
    (EventQuery(text="AGAIN"), ["m2"]),  # words of the sentence, any case
    (EventQuery(text="a title"), ["weak", "ban", "un", "joint", "m2", "m1"]),  # or of the story's title
    (EventQuery(text="yerevan.\x00a title"), []),  # never across the sentence and the title
    (EventQuery(include_negated=True, since="2021-02"), ["weak", "no"]),
    (EventQuery(min_confidence=0.5, since="2021"), ["ban"]),
])
def test_query_filters(store, query, expected):
    assert _ids(search_events(store, query)) == expected
    assert count_events(store, query) == len(expected)
    assert search_page(store, query, limit=2, offset=1) == (len(expected), search_events(store, query, limit=2,
                                                                                           offset=1))
    assert _ids(all_events(store, query)) == expected[::-1]  # listings run oldest first


def test_query_pages_and_limits(store):
    everything = _ids(search_events(store, EventQuery()))
    pages = [_ids(search_events(store, EventQuery(), limit=2, offset=n)) for n in (0, 2, 4, 6)]
    assert sum(pages, []) == everything and pages[-1] == []
    assert _ids(all_events(store, EventQuery(), limit=3)) == everything[::-1][:3]
    first = search_events(store, EventQuery(), limit=1)[0]
    assert first["document"] == {"title": "A title", "source": "Wire", "url": "https://news.example/a",
                                 "date": "2020-03-02"}


def test_query_one_event_with_its_story_and_cluster(store):
    [m1] = search_events(store, EventQuery(text="Iran met Armenia in Yerevan"))
    item = get_event(store, m1["event_id"])
    assert item["document"]["text"] == "Iran met Armenia in Yerevan."
    assert [r["doc_id"] for r in item["cluster"]["other_reports"]] == ["m2"]  # the same meeting, told again
    assert get_event(store, "0" * 16) is None


def test_query_stats_and_top_dyads(store):
    figures = stats(store)
    assert (figures["documents"], figures["events"]) == (7, 7)
    assert (figures["first_date"], figures["last_date"]) == ("2020-03-02", "2021-03-01")  # negated left out
    assert figures["events_by_quad"] == {"1": 5, "4": 1} and figures["events_by_type"]["CONSULT"] == 5
    dyads = top_dyads(store, limit=5)
    assert dyads[0] == {"a": "ARM", "b": "IRN", "events": 4, "cooperation": 4, "conflict": 0}
    assert {"a": "ARM", "b": "TUR", "events": 2, "cooperation": 1, "conflict": 1} in dyads
    assert top_dyads(store, since="2021") == [{"a": "ARM", "b": "IRN", "events": 1, "cooperation": 1, "conflict": 0},
                                              {"a": "ARM", "b": "TUR", "events": 1, "cooperation": 0, "conflict": 1}]


def test_query_clusters(store):
    clusters = list(list_clusters(store))
    assert clusters[0]["num_reports"] == 2 and sum(c["num_reports"] for c in clusters) == 6  # negated not clustered
    assert cluster_counts(store) == (len(list(list_clusters(store, include_negated=True))), 1) == (len(clusters) + 1, 1)
    reports = cluster_reports(store, clusters[0]["cluster_id"])
    assert [r["doc_id"] for r in reports] == ["m1", "m2"] and reports[0]["document"]["date"] == "2020-03-02"
    assert [c["actor_country"] for c in list_clusters(store, actor="TUR")] == ["TUR"]  # a cluster's first actor
    assert list(list_clusters(store, min_reports=3)) == []
    assert cluster_reports(store, "f" * 16) == []
    keys = clusters_by_record(store)
    assert keys[("m1", "CONSULT", "IRN", "ARM")] == keys[("m2", "CONSULT", "IRN", "ARM")] == clusters[0]["cluster_id"]


def test_query_a_database_never_deduplicated_has_no_clusters_yet(tmp_path):
    path = tmp_path / "plain.duckdb"
    with Store(path) as store:
        store.write([coded_document("a", "Iran met Armenia.")])
        assert list(list_clusters(store)) == [] and cluster_counts(store) == (0, 0)
        assert stats(store)["clusters"] == 0 and count_events(store, EventQuery()) == 1


def test_query_frames_for_analysts(store):
    from tieline.query.frames import dyad, network, partners, profile, timeline

    by_month = dyad(store, "irn", "arm", by="month")
    assert by_month[["period", "direction", "event", "events"]].values.tolist() == [
        ["2020-03", "IRN->ARM", "CONSULT", 2], ["2020-06", "IRN->ARM", "CONSULT", 1], ["2021-03", "IRN->ARM", "CONSULT", 1]]
    assert dyad(store, "IRN", "ARM", by="year", since="2021")["events"].tolist() == [1]
    ranked = partners(store, "ARM")
    assert ranked[["partner", "events", "cooperation", "conflict"]].values.tolist() == [
        ["IRN", 4, 4, 0], ["TUR", 2, 1, 1], ["UN", 1, 1, 0]]  # a compound actor counts for each member
    assert ranked.loc[ranked.partner == "TUR", "balance"].item() == 0.0
    assert timeline(store, country="TUR", by="year")[["period", "quad", "events"]].values.tolist() == [
        ["2020", 1, 1], ["2021", 4, 1]]
    turkey = profile(store, "TUR")
    assert turkey.types[["event", "as_actor", "as_recipient"]].values.tolist() == [["CONSULT", 1, 0], ["SANCTION", 1, 0]]
    assert network(store, country="UN")[["source", "target", "events"]].values.tolist() == [["UN", "ARM", 1]]


@pytest.mark.parametrize("query", [EventQuery(), EventQuery(actor="TUR"), EventQuery(include_negated=True),
                                   EventQuery(sector="trade")])
def test_query_flat_events_are_the_csv_rows_of_the_records(store, query):
    """Issue 12: /events.csv reads the stored columns; the CSV is the one written from the records."""
    import io

    from tieline.csvfile import write_csv
    from tieline.export import COLUMNS, LIST_COLUMNS, write_events_csv
    from tieline.query import flat_events

    from_records, from_columns = io.StringIO(), io.StringIO()
    write_events_csv(search_events(store, query, limit=100), from_records)
    write_csv(flat_events(store, query, COLUMNS, lists=LIST_COLUMNS, limit=100), from_columns, columns=COLUMNS,
              lineterminator="\n")
    assert from_columns.getvalue() == from_records.getvalue() and from_records.getvalue().count("\n") > 1
