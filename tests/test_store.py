"""The event store on real DuckDB files."""

import datetime as dt

import pytest

from tieline.errors import StoreError
from tieline.store import Store
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
