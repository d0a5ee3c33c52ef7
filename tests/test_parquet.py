"""Analysis over a folder of Parquet files (issue 12): the export of a database, or shards laid
out as `code --dask --format parquet` writes them, give the database's answers. Databases are
written from hand-built records (no model)."""

import duckdb
import pytest
from click.testing import CliRunner

from tieline import analysis
from tieline.cli import cli
from tieline.errors import StoreError
from tieline.export import export_events
from tieline.parquet import open_parquet, open_store
from tieline.query import EventQuery, count_events, list_clusters, search_events, stats, top_dyads
from tieline.store import Store, sql_string

from .test_schema import COUNTRIES, STORIES, _m, _story


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("parquet") / "p.duckdb"
    with Store(path) as store:
        store.write(STORIES)
    return path


@pytest.fixture(scope="module")
def exported(db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exported") / "events"
    with Store(db, read_only=True) as store:
        assert export_events(store, folder, fmt="parquet") == len(STORIES)
    return folder


def _frames(source):
    """Every analysis answer for every country, as plain values."""
    out = {"network": analysis.network(source).values.tolist(),
           "timeline": analysis.timeline(source, by="year").values.tolist()}
    for a in COUNTRIES:
        out[f"partners {a}"] = [[*r[:-1], sorted(r[-1])] for r in analysis.partners(source, a).values.tolist()]
        found = analysis.profile(source, a)
        out[f"profile {a}"] = [f.values.tolist() for f in (found.types, found.contexts, found.sectors, found.partners)]
        out[f"timeline {a}"] = analysis.timeline(source, country=a, by="month").values.tolist()
        for b in COUNTRIES:
            out[f"dyad {a} {b}"] = analysis.dyad(source, a, b, by="week").values.tolist()
    return out


def _records(store, query):
    return [{k: v for k, v in r.items() if k != "document"} for r in search_events(store, query, limit=100)]


def test_parquet_export_gives_the_database_answers(db, exported):
    with Store(db, read_only=True) as store, open_parquet(exported) as files:
        assert _frames(files) == _frames(store)
        assert top_dyads(files, limit=50) == top_dyads(store, limit=50)
        for query in (EventQuery(), EventQuery(actor="usa"), EventQuery(recipient="RUS", include_negated=True),
                      EventQuery(actor="UN"), EventQuery(text="story", since="2020-05")):
            assert _records(files, query) == _records(store, query)
            assert count_events(files, query) == count_events(store, query)
        assert stats(files)["events"] == stats(store)["events"]
        # no clusters in the files: each event is one, of one report
        clusters = list(list_clusters(files, include_negated=True))
        assert len(clusters) == len(STORIES) and {c["num_reports"] for c in clusters} == {1}


def test_parquet_analysis_functions_take_a_folder_or_a_file(db, exported):
    ranked = analysis.partners(exported, "usa").drop(columns="fields")
    assert ranked.values.tolist() == analysis.partners(db, "USA").drop(columns="fields").values.tolist()
    with open_store(db) as store:  # a file: the database, read-only
        assert analysis.network(store).equals(analysis.network(exported))


def test_parquet_analysis_commands_read_a_folder(db, exported):
    runner = CliRunner()
    for command in (["dyad", "USA", "RUS"], ["partners", "USA"], ["profile", "RUS"], ["timeline", "--country", "USA"],
                    ["network"], ["events", "--actor", "USA"]):
        on_db = runner.invoke(cli, [*command, "--db", str(db), "--format", "csv"])
        on_files = runner.invoke(cli, [*command, "--db", str(exported), "--format", "csv"])
        assert on_db.exit_code == on_files.exit_code == 0, on_files.output
        assert on_files.stdout == on_db.stdout and on_db.stdout.count("\n") > 1, command
    listed = runner.invoke(cli, ["clusters", "--db", str(exported), "--format", "csv"])
    assert listed.exit_code == 0 and listed.stdout.count("\n") == 1 + len(STORIES) - 1  # the negated one left out


def test_parquet_shards_bring_their_documents(db, tmp_path):
    """The layout of `code --dask --format parquet`: events/ and documents/, shard by shard."""
    shards = tmp_path / "shards"
    con = duckdb.connect(str(db), read_only=True)
    try:
        for n, docs in enumerate((["a", "b", "c", "d", "e"], ["f", "g", "h", "i", "j", "k"])):
            for kind in ("events", "documents"):
                (shards / kind).mkdir(parents=True, exist_ok=True)
            name = f"part-{n:05d}-{'0' * 12}.parquet"
            ids = "(" + ", ".join(sql_string(d) for d in docs) + ")"
            con.execute(f"COPY (SELECT * EXCLUDE (actor_keys, recipient_keys) FROM events WHERE doc_id IN {ids}) "
                        f"TO {sql_string((shards / 'events' / name).as_posix())} (FORMAT PARQUET)")
            con.execute(f"COPY (SELECT row_number() OVER () AS position, * EXCLUDE (coded_at) FROM documents "
                        f"WHERE id IN {ids}) TO {sql_string((shards / 'documents' / name).as_posix())} (FORMAT PARQUET)")
        (shards / "events" / "part-00009-aaaaaaaaaaaa.parquet").write_bytes(b"half a shard: no documents file")
    finally:
        con.close()
    with Store(db, read_only=True) as store, open_parquet(shards) as files:
        assert _frames(files) == _frames(store)
        assert search_events(files, EventQuery(actor="USA")) == search_events(store, EventQuery(actor="USA"))
        assert files.counts() == store.counts()


def test_parquet_files_without_the_record_give_first_members(tmp_path):
    """Files exported before the record was written beside the flat columns."""
    path = tmp_path / "single.duckdb"
    stories = [_story("a", [_m("USA")], [_m("RUS")], date="2020-01-02"),
               _story("b", [_m("RUS")], [], date="2020-02-03", event="THREATEN", quad=3, score=-6.5),
               _story("c", [_m(None, "UN", "IGO")], [_m("ARM")], date="2020-03")]
    with Store(path) as store:
        store.write(stories)
        folder = tmp_path / "old"
        folder.mkdir()
        store.con.execute("COPY (SELECT * EXCLUDE (record, actor_keys, recipient_keys) FROM events) TO "
                          f"{sql_string((folder / 'events.parquet').as_posix())} (FORMAT PARQUET)")
        with open_parquet(folder) as files:
            assert _frames(files) == _frames(store)
            assert [r["actor"] for r in search_events(files, EventQuery(actor="un"))] == [
                {"text": None, "name": "UN", "country": None, "type": "IGO", "abbrev": "UN"}]


def test_parquet_folder_without_events_files_says_so(tmp_path):
    with pytest.raises(StoreError, match="no Parquet files of events"):
        open_parquet(tmp_path)
    strange = tmp_path / "we[ird]"
    strange.mkdir()
    (strange / "x.parquet").write_bytes(b"")
    with pytest.raises(StoreError, match="cannot hold"):
        open_parquet(strange)
