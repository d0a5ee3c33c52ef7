"""The event store on real DuckDB files, written from records built in the test (no model)."""

import os
from dataclasses import replace

import pytest

from tieline.errors import StoreError
from tieline.query import EventQuery, all_events, list_clusters
from tieline.store import SCHEMA_VERSION, IngestSummary, Store
from tieline.types import CodedDocument, Member, Party

from .conftest import coded_document


def _coded(doc_id: str, text: str, event: str, actors: tuple[str, ...], recipients: tuple[str, ...],
           date: str = "2020-03-04") -> CodedDocument:
    """A story with one record: ``event`` between parties named by ISO3 codes."""
    def party(codes: tuple[str, ...]) -> Party:
        return Party(tuple(Member(code, code, code, "GOV") for code in codes))

    coded = coded_document(doc_id, text, date=date, sentence=text)
    return CodedDocument(coded.document, tuple(replace(r, event=event, actor=party(actors), recipient=party(recipients))
                                               for r in coded.records))


STORIES = [_coded("s1", "Iran and Armenia signed a cooperation agreement in Yerevan on Monday.", "SUPPORT",
                  ("IRN",), ("ARM",)),
           _coded("s2", "The United States imposed sanctions on Iran on Tuesday.", "SANCTION", ("USA",), ("IRN",),
                  date="2020-03-05")]


def test_store_ingest_is_idempotent_and_replaces_changed_text(tmp_path):
    db = tmp_path / "t.duckdb"
    with Store(db) as store:
        first = store.write(STORIES)
        again = store.write(STORIES)
        assert (first.added, first.unchanged) == (2, 0)
        assert (again.added, again.unchanged, again.events) == (0, 2, 0)
        n_events = store.counts()["events"]
        changed = _coded("s2", "The United States lifted sanctions on Iran on Tuesday.", "CONCEDE", ("USA",), ("IRN",),
                         date="2020-03-05")
        third = store.write([changed])
        assert third.replaced == 1
        assert store.counts()["documents"] == 2
        events = list(all_events(store, EventQuery(actor="USA")))
        assert [e["event"] for e in events] == ["CONCEDE"]
    assert n_events == 2
    with Store(db, read_only=True) as store:
        supports = all_events(store, EventQuery(event="SUPPORT", since="2020-03-01", until="2020-03-31"))
        assert [e["doc_id"] for e in supports] == ["s1"]
        assert list(all_events(store, EventQuery(recipient="ARM", until="2020-02"))) == []


def test_store_rejects_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    with pytest.raises(StoreError):
        Store(bad)


def test_store_upgrades_a_schema_1_database_in_place(tmp_path):
    db = tmp_path / "old.duckdb"
    text = "The United States and France accused Russia of meddling on Monday."
    with Store(db) as store:
        store.write([_coded("old", text, "ACCUSE", ("USA", "FRA"), ("RUS",))])
        store.con.execute("DROP TABLE event_parties")  # what schema 1 looked like
        store.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with Store(db) as store:
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        parties = store.con.execute(
            "SELECT role, position, country FROM event_parties WHERE doc_id = 'old' ORDER BY role, position").fetchall()
    assert ("actor", 1, "USA") in parties and ("actor", 2, "FRA") in parties and ("recipient", 1, "RUS") in parties


def test_store_upgrades_a_schema_2_database_and_dedup_clusters_its_events(tmp_path):
    from tieline.dedup import deduplicate

    db = tmp_path / "v2.duckdb"
    with Store(db) as store:
        store.write([_coded("old", "Iran's minister met Malaysia's trade minister on Monday.", "CONSULT", ("IRN",),
                            ("MYS",))])
        for table in ("clusters", "cluster_members", "dedup_dirty"):  # what schema 2 looked like
            store.con.execute(f"DROP TABLE {table}")
        store.con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Store(db, read_only=True) as store, pytest.raises(StoreError, match="tieline dedup"):
        list(list_clusters(store))  # read-only: it cannot upgrade, so it says what to do
    with Store(db) as store:
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),)
        summary = deduplicate(store)
        assert summary.events == store.counts()["events"] == len(list(list_clusters(store))) >= 1


def test_store_refuses_a_database_from_a_newer_tieline(tmp_path):
    db = tmp_path / "new.duckdb"
    with Store(db) as store:
        store.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer tieline"):
            Store(db, read_only=read_only)


def test_store_writes_one_party_row_per_member(tmp_path):
    with Store(tmp_path / "p.duckdb") as store:
        store.write([_coded("p", "Pakistan threatened to cut ties with Congo and Costa Rica.", "THREATEN", ("PAK",),
                            ("COD", "CRI"))])
        rows = store.con.execute("SELECT role, country FROM event_parties ORDER BY role, position").fetchall()
    assert rows == [("actor", "PAK"), ("recipient", "COD"), ("recipient", "CRI")]


# issue 9: the same id twice in one run; the last version wins and the tables stay consistent.
@pytest.mark.parametrize("batch_size", [1, 2, 200])
def test_store_same_id_twice_in_one_run_keeps_the_last_version(make_coded, tmp_path, batch_size):
    first, second = make_coded("x", "Iran met Armenia.", events=2), make_coded("x", "Iran met Armenia again.")
    with Store(tmp_path / "dup.duckdb") as store:
        summary = store.write([first, second, make_coded("y", "Other story.")], batch_size=batch_size)
        assert (summary.added, summary.replaced, summary.unchanged, summary.duplicates) == (2, 0, 0, 1)
        assert store.check() == []
        assert store.con.execute("SELECT text FROM documents WHERE id = 'x'").fetchall() == [("Iran met Armenia again.",)]
        assert store.con.execute("SELECT count(*) FROM events WHERE doc_id = 'x'").fetchone() == (1,)
        assert store.con.execute("SELECT count(*) FROM event_parties WHERE doc_id = 'x'").fetchone() == (2,)
        # the same text twice: one document, counted once as added and once as a duplicate
        again = IngestSummary()
        store.write([make_coded("z", "Same."), make_coded("z", "Same.")], batch_size=batch_size, summary=again)
        assert (again.added, again.unchanged, again.duplicates) == (1, 0, 1)
        assert store.check() == []


def test_store_same_id_twice_before_coding_is_coded_once(make_coded, tmp_path):
    """``unseen`` (before coding) drops all but the last version of an id."""
    from tieline.types import Document

    docs = [Document("x", "one"), Document("y", "other"), Document("x", "two"), Document("x", "two")]
    with Store(tmp_path / "u.duckdb") as store:
        summary = IngestSummary()
        assert [(d.id, d.text) for d in store.unseen(docs, summary)] == [("y", "other"), ("x", "two")]
        assert summary.duplicates == 2
        store.write([make_coded("y", "other"), make_coded("x", "two")], summary=summary)
        summary_again = IngestSummary()
        assert list(store.unseen(docs, summary_again)) == []
        assert (summary_again.unchanged, summary_again.duplicates) == (2, 2)


def test_store_check_finds_orphans(make_coded, tmp_path):
    with Store(tmp_path / "c.duckdb") as store:
        store.write([make_coded("a", "text")])
        assert store.check() == []
        store.con.execute("DELETE FROM events")
        store.con.execute("INSERT INTO cluster_members (cluster_id, event_id, doc_id, block) VALUES ('c', 'e', 'a', 'b')")
        problems = store.check()
    assert any("event_parties" in p for p in problems) and any("cluster_members" in p for p in problems)
    assert any("n_events" in p for p in problems)


def _damage(path, how: str) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        if how == "truncated":
            f.truncate(size // 2)
        else:  # garbage in every block of the second half
            for offset in range(size // 2, size - 4096, 262144):
                f.seek(offset)
                f.write(os.urandom(16384))


@pytest.fixture
def damaged_db(make_coded, tmp_path):
    """A database of 3,000 documents, then damaged: truncated to half, or garbage over blocks."""

    def build(how: str):
        path = tmp_path / f"{how}.duckdb"
        with Store(path) as store:
            store.write([make_coded(f"d{n}", f"story {n} " * 100, events=3) for n in range(3000)], batch_size=3000)
        _damage(path, how)
        return path

    return build


@pytest.mark.parametrize("how", ["truncated", "bad blocks"])
def test_store_damaged_file_raises_one_line_store_error(damaged_db, how):
    """issue 9: a damaged file is a StoreError saying so, whether opening or reading finds it."""
    path = damaged_db(how)
    with pytest.raises(StoreError) as caught, Store(path, read_only=True) as store:
        store.verify()
    message = str(caught.value)
    assert "damaged or truncated" in message and str(path) in message and "\n" not in message


def test_store_disk_full_names_the_cause_and_keeps_committed_data(make_coded, tmp_path, monkeypatch):
    """issue 9: a failed COMMIT (disk full) ends DuckDB's transaction itself; the ROLLBACK after it
    fails with 'no transaction is active', which must not hide 'No space left on device'."""
    import duckdb

    path = tmp_path / "full.duckdb"
    with Store(path) as store:
        store.write([make_coded("kept", "committed before the disk filled")])
        real = store.con

        class FullDisk:
            def __init__(self) -> None:
                self.rolled_back = False

            def execute(self, sql, *args):
                if sql == "COMMIT":
                    real.execute("ROLLBACK")  # what DuckDB does when the commit fails
                    raise duckdb.TransactionException(
                        'TransactionContext Error: Failed to commit: Could not write file "full.duckdb.wal": '
                        "No space left on device")
                if sql == "ROLLBACK":
                    raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")
                return real.execute(sql, *args)

            def __getattr__(self, name):
                return getattr(real, name)

        monkeypatch.setattr(store, "con", FullDisk())
        with pytest.raises(StoreError, match="No space left on device") as caught:
            store.write([make_coded("lost", "written when the disk was full")])
        assert "disk is full" in str(caught.value) and "no transaction is active" not in str(caught.value)
        monkeypatch.setattr(store, "con", real)
    with Store(path, read_only=True) as store:
        assert [row[0] for row in store.con.execute("SELECT id FROM documents").fetchall()] == ["kept"]
        assert store.check() == []


def test_a_database_another_process_holds_is_a_clear_error(tmp_path):
    """`tieline serve` or another ingest holding the file: one line saying so, not DuckDB's lock message."""
    import subprocess
    import sys

    path = tmp_path / "held.duckdb"
    with Store(path):
        pass
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match=rf"in use by another process \(pid {holder.pid}, perhaps `tieline serve`"):
            Store(path)
        with pytest.raises(StoreError, match="in use by another process"):
            Store(path, read_only=True)
    finally:
        holder.kill()
        holder.communicate()  # closes its pipe


def test_reading_commands_do_not_import_spacy():
    """The package imports spaCy only when something is coded: `tieline partners` answers in
    well under a second, not after spaCy's two-second import (issue 13)."""
    import subprocess
    import sys

    probe = "import sys, tieline, tieline.cli, tieline.analysis; print('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "False"
