"""The event store on real DuckDB files."""

import datetime as dt

import pytest

from tieline.errors import StoreError
from tieline.store import SCHEMA_VERSION, Store
from tieline.types import Document

pytestmark = pytest.mark.model

STORIES = [
    Document("s1", "Iran and Armenia signed a cooperation agreement in Yerevan on Monday.", dt.date(2020, 3, 4)),
    Document("s2", "The United States imposed sanctions on Iran on Tuesday.", dt.date(2020, 3, 5)),
]


def test_store_ingest_is_idempotent_and_replaces_changed_text(coder, tmp_path):
    db = tmp_path / "t.duckdb"
    with Store(db) as store:
        first = store.write(coder.code_documents(STORIES))
        again = store.write(coder.code_documents(STORIES))
        assert (first.added, first.unchanged) == (2, 0)
        assert (again.added, again.unchanged, again.events) == (0, 2, 0)
        n_events = store.counts()["events"]
        changed = Document("s2", "The United States lifted sanctions on Iran on Tuesday.", dt.date(2020, 3, 5))
        third = store.write(coder.code_documents([changed]))
        assert third.replaced == 1
        assert store.counts()["documents"] == 2
        events = list(store.events(actor="USA"))
        assert [e["event"] for e in events] == ["CONCEDE"]
    assert n_events >= 2
    with Store(db, read_only=True) as store:
        assert [e["doc_id"] for e in store.events(event="SUPPORT", since="2020-03-01", until="2020-03-31")] == ["s1"]
        assert list(store.events(recipient="ARM", until="2020-02")) == []


def test_store_rejects_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    with pytest.raises(StoreError):
        Store(bad)


def test_store_upgrades_a_schema_1_database_in_place(coder, tmp_path):
    db = tmp_path / "old.duckdb"
    text = "The United States and France accused Russia of meddling on Monday."
    with Store(db) as store:
        store.write(coder.code_documents([Document("old", text, dt.date(2020, 3, 2))]))
        store.con.execute("DROP TABLE event_parties")  # what schema 1 looked like
        store.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with Store(db) as store:
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        parties = store.con.execute(
            "SELECT role, position, country FROM event_parties WHERE doc_id = 'old' ORDER BY role, position").fetchall()
    assert ("actor", 1, "USA") in parties and ("actor", 2, "FRA") in parties and ("recipient", 1, "RUS") in parties


def test_store_upgrades_a_schema_2_database_and_dedup_clusters_its_events(coder, tmp_path):
    from tieline.dedup import deduplicate

    db = tmp_path / "v2.duckdb"
    with Store(db) as store:
        store.write(coder.code_documents([Document("old", "Iran's minister met Malaysia's trade minister on Monday.",
                                                   dt.date(2020, 3, 2))]))
        for table in ("clusters", "cluster_members", "dedup_dirty"):  # what schema 2 looked like
            store.con.execute(f"DROP TABLE {table}")
        store.con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Store(db, read_only=True) as store, pytest.raises(StoreError, match="tieline dedup"):
        list(store.clusters())  # read-only: it cannot upgrade, so it says what to do
    with Store(db) as store:
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("3",)
        summary = deduplicate(store)
        assert summary.events == store.counts()["events"] == len(list(store.clusters())) >= 1


def test_store_refuses_a_database_from_a_newer_tieline(tmp_path):
    db = tmp_path / "new.duckdb"
    with Store(db) as store:
        store.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer tieline"):
            Store(db, read_only=read_only)


def test_store_writes_one_party_row_per_member(coder, tmp_path):
    with Store(tmp_path / "p.duckdb") as store:
        store.write(coder.code_documents([Document("p", "Pakistan threatened to cut ties with Congo and Costa Rica.",
                                                   dt.date(2020, 3, 2))]))
        rows = store.con.execute("SELECT role, country FROM event_parties ORDER BY role, position").fetchall()
    assert rows == [("actor", "PAK"), ("recipient", "COD"), ("recipient", "CRI")]
