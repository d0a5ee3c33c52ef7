"""Coding on a Dask cluster (issue 12): real local clusters of worker processes, the real model.

The records are the same as in one process; shards of Parquet are replaced, not doubled, when
the same input is coded again, and stored without coding, idempotently; a worker killed mid-run
loses nothing. The partition tests need no cluster."""

import gzip
import json
import os
import signal
import threading
import time
from importlib import resources

import duckdb
import pytest
from click.testing import CliRunner

from tieline.cli import base, cli
from tieline.distributed.partitions import ReadOptions, fsspec_url, plan, read_partition
from tieline.distributed.shards import DOCUMENTS, EVENTS, shard_names
from tieline.errors import ClusterError
from tieline.read import read_documents
from tieline.settings import DEFAULTS
from tieline.types import Document, EventRecord, Problem
from tieline.workers import CoderSpec

from .conftest import DATA

pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'tieline[dask]'")

SAMPLE = resources.files("tieline").joinpath("data", "samples", "demo.jsonl").read_text(encoding="utf-8")


def _stories(tmp_path, *files, name="stories.jsonl", broken_at=5):
    """The demo stories and the named test stories in one JSON-lines file, with a blank and a
    broken line among them."""
    lines = SAMPLE.splitlines() + [line for f in files for line in (DATA / f).read_text(encoding="utf-8").splitlines()]
    lines[broken_at:broken_at] = ["", "{broken"]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rules_spec():
    """The spec the command line builds for --events rules: the cluster's workers load it once."""
    return CoderSpec(None, DEFAULTS["batch_size"], (), (), tuple(sorted(base.coder_options(event_source="rules").items())))


@pytest.fixture(scope="module")
def cluster():
    """A real local cluster of two worker processes with one thread each, for the module."""
    from tieline.distributed.cluster import connect

    with connect("local:2", dashboard_address=":0") as running:
        yield running


def _address(cluster):
    return cluster.client.scheduler.address


# ---- partitions, without a cluster -------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
def test_distributed_partitions_read_on_workers_give_what_one_reader_gives(tmp_path, gz):
    path = _stories(tmp_path, "dedup_stories.jsonl", broken_at=12)
    if gz:
        compressed = tmp_path / "stories.jsonl.gz"
        compressed.write_bytes(gzip.compress(path.read_bytes()))
        path = compressed
    expected = list(read_documents([str(path)]))
    seen = plan([str(path)], size=10, visible=lambda paths: set(paths))  # every worker sees the file
    parts = list(seen)
    assert [p.index for p in parts] == list(range(len(parts))) and all(p.pieces and not p.items for p in parts)
    assert [(p.pieces[0].first, p.pieces[0].lines) for p in parts][:2] == [(1, 10), (11, 10)]
    got = [item for p in parts for item in read_partition(p)]
    assert got == expected and [i.line for i in got] == [i.line for i in expected]
    assert any(isinstance(i, Problem) and i.line == 14 for i in got)  # the broken line keeps its number
    sent = list(plan([str(path)], size=10))  # no worker sees it: read here, sent as documents
    assert all(p.items and not p.pieces for p in sent)
    assert [item for p in sent for item in read_partition(p)] == expected
    # named by their input: the same again, another when the file changes
    assert [p.digest for p in plan([str(path)], size=10, visible=set)] == [p.digest for p in parts]
    assert [p.digest for p in plan([str(path)], size=10)] == [p.digest for p in sent]
    path.write_bytes(path.read_bytes() + (b"" if gz else b"\n"))
    os.utime(path, (1, 1))
    assert plan([str(path)], size=10, visible=set).__next__().digest != parts[0].digest


def test_distributed_partitions_keep_input_order_across_kinds(tmp_path):
    story = tmp_path / "a.txt"
    story.write_text("Iran and Armenia signed a cooperation agreement on Monday.", encoding="utf-8")
    path = _stories(tmp_path)
    sources = [str(story), str(path), str(tmp_path / "missing.jsonl")]
    read = ReadOptions(date=None)
    expected = list(read_documents(sources))
    mixed = list(plan(sources, size=4, read=read, visible=lambda paths: {str(path)}))
    assert [item for p in mixed for item in read_partition(p)] == expected
    assert mixed[0].items and mixed[1].pieces and mixed[-1].items  # read here, read there, read here
    assert fsspec_url("s3://bucket/news.jsonl.gz") and not fsspec_url("https://example.org/a.html")
    assert not fsspec_url(str(path))


def test_distributed_fsspec_urls_are_read_by_the_workers(tmp_path):
    """An fsspec URL (here file://, as s3:// would be) is read where it is coded; a folder or a
    pattern of them names its files."""
    path = _stories(tmp_path)
    story = tmp_path / "a.txt"
    story.write_text("Iran and Armenia signed a cooperation agreement on Monday.", encoding="utf-8")
    urls = [f"file://{tmp_path.as_posix()}/*.jsonl", f"file://{story.as_posix()}"]
    parts = list(plan(urls, size=10))
    assert parts and all(p.pieces and not p.items for p in parts)
    got = [i for p in parts for i in read_partition(p)]
    expected = list(read_documents([str(path), str(story)]))
    assert [i for i in got if isinstance(i, Document)] == [i for i in expected if isinstance(i, Document)]
    assert [(i.line, i.reason) for i in got if isinstance(i, Problem)] == \
        [(i.line, i.reason) for i in expected if isinstance(i, Problem)]
    folder = plan([f"file://{tmp_path.as_posix()}/"], size=100)  # the folder's files, in one partition
    assert [[piece.source for piece in p.pieces] for p in folder] == \
        [[f"file://{story.as_posix()}", f"file://{path.as_posix()}"]]


def test_distributed_record_survives_json_and_back(coder):
    records = list(coder.code([Document("d", "Turkey attacked Syria on Friday. Iran met Armenia.", None)]))
    assert records and all(EventRecord.from_dict(json.loads(json.dumps(r.to_dict()))) == r for r in records)


def test_distributed_errors_are_one_line(tmp_path):
    from tieline.distributed.cluster import connect

    with pytest.raises(ClusterError, match="local:N"):
        connect("nowhere")
    with pytest.raises(ClusterError, match="1 worker or more"):
        connect("local:0")
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        connect("tcp://127.0.0.1:9", timeout=2)
    runner = CliRunner()
    no_folder = runner.invoke(cli, ["code", str(_stories(tmp_path)), "--format", "parquet", "--dask", "local:1"])
    assert no_folder.exit_code == 2 and "-o DIR" in no_folder.stderr
    bad = runner.invoke(cli, ["code", str(_stories(tmp_path)), "--dask", "nowhere"])
    assert bad.exit_code == 1 and isinstance(bad.exception, ClusterError)


# ---- on a cluster -------------------------------------------------------------------------------
def test_distributed_records_identical_with_workers_1_2_and_dask_local_2(tmp_path):
    """Acceptance (issue 12): the same records in the same order, with the default event source."""
    path = _stories(tmp_path)
    runner = CliRunner()
    outputs = {}
    for how in (["--workers", "1"], ["--workers", "2"], ["--dask", "local:2", "--partition-size", "4"]):
        done = runner.invoke(cli, ["code", str(path), *how])
        assert done.exit_code == 0, done.output
        assert "malformed JSON" in done.stderr
        outputs[how[-1]] = done.stdout
    assert outputs["1"] and outputs["1"] == outputs["2"] == outputs["4"]
    assert "dashboard http" in done.stderr and "2 workers ready" in done.stderr


def test_distributed_parquet_shards_replace_and_ingest_without_coding(cluster, tmp_path, monkeypatch):
    from tieline.distributed.cluster import Cluster

    path = _stories(tmp_path, "dedup_stories.jsonl")
    shards = tmp_path / "shards"
    runner = CliRunner()
    common = ["--dask", _address(cluster), "--events", "rules", "--partition-size", "10"]
    first = runner.invoke(cli, ["code", str(path), *common, "--format", "parquet", "-o", str(shards)])
    assert first.exit_code == 0, first.output
    names = shard_names(shards)
    assert len(names) == 6 and sorted(p.name for p in (shards / EVENTS).iterdir()) == names
    # the same input again: the same names, replaced; a stale shard of another run is removed.
    # This time as for workers that cannot see the folder: the shards come back and are written here.
    (shards / DOCUMENTS / "part-00099-aaaaaaaaaaaa.parquet").write_bytes(b"stale")
    first_bytes = {name: (shards / EVENTS / name).read_bytes() for name in names}
    monkeypatch.setattr(Cluster, "sees_folder", lambda self, folder: False)
    again = runner.invoke(cli, ["code", str(path), *common, "--format", "parquet", "-o", str(shards)])
    monkeypatch.undo()
    assert again.exit_code == 0, again.output
    assert shard_names(shards) == names and "1 stale shards removed" in again.stderr
    assert {name: (shards / EVENTS / name).read_bytes() for name in names} == first_bytes
    con = duckdb.connect()
    events = con.execute("SELECT record FROM read_parquet(?)", [str(shards / EVENTS / "*.parquet")]).fetchall()
    coded = runner.invoke(cli, ["code", str(path), *common])
    expected = sorted(coded.stdout.splitlines())
    assert sorted(json.dumps(json.loads(r), ensure_ascii=False) for (r,) in events) == expected

    # stored without coding, idempotently, the same as ingesting through the cluster
    from_shards, direct = tmp_path / "shards.duckdb", tmp_path / "direct.duckdb"
    stored = runner.invoke(cli, ["ingest", str(shards), "--db", str(from_shards)])
    assert stored.exit_code == 0, stored.output
    assert "55 documents added" in stored.stderr
    twice = runner.invoke(cli, ["ingest", str(shards), "--db", str(from_shards)])
    assert "0 documents added, 0 replaced, 55 unchanged" in twice.stderr
    through = runner.invoke(cli, ["ingest", str(path), "--db", str(direct), *common])
    assert through.exit_code == 0, through.output
    assert "55 documents added" in through.stderr and "malformed JSON" in through.stderr

    def content(db):
        with duckdb.connect(str(db), read_only=True) as store:
            return (store.execute("SELECT id, text_sha1, date, title, url, source, text, n_events FROM documents "
                                  "ORDER BY id").fetchall(),
                    store.execute("SELECT record FROM events ORDER BY event_id").fetchall(),
                    store.execute("SELECT * FROM event_parties ORDER BY event_id, role, position").fetchall())

    assert content(from_shards) == content(direct)
    # the shards have the columns of `tieline export --format parquet`
    exported = tmp_path / "export"
    assert runner.invoke(cli, ["export", str(exported), "--db", str(direct), "--format", "parquet"]).exit_code == 0

    def columns(pattern):
        return con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?, "
                           "hive_partitioning = false))", [pattern]).fetchall()

    assert columns(str(shards / EVENTS / "*.parquet")) == columns(str(exported / "*" / "*.parquet"))
    mixed = runner.invoke(cli, ["ingest", str(shards), "--db", str(direct), "--dask", "local:1"])
    assert mixed.exit_code == 2 and "without coding" in mixed.stderr


def test_distributed_a_scheduler_file_names_the_cluster(cluster, tmp_path):
    from tieline.distributed.cluster import connect

    scheduler = tmp_path / "scheduler.json"  # as `dask scheduler --scheduler-file` writes it
    scheduler.write_text(json.dumps({"type": "Scheduler", "address": _address(cluster)}), encoding="utf-8")
    with connect(str(scheduler)) as joined:
        assert joined.workers() == 2 and joined.local is None


def test_distributed_a_killed_worker_loses_nothing(cluster, tmp_path, coder):
    """Fault tolerance (issue 12): a worker process killed mid-run; its partitions are coded again
    elsewhere and the output holds every record exactly once, in order."""
    from tieline.distributed.run import DaskCoder

    path = _stories(tmp_path, "dedup_stories.jsonl")
    items = list(read_documents([str(path)]))
    expected = [r.to_dict() for r in coder.code(items)]
    dask_coder = DaskCoder(cluster, _rules_spec(), partition_documents=2)
    pids = cluster.client.run(os.getpid)
    got: list = []
    killed: dict = {}
    finished = threading.Event()

    def kill_a_busy_worker():  # once a result is in, kill a worker while it codes a partition
        while not finished.is_set():
            busy = [address for address, keys in cluster.client.processing().items() if keys] if got else []
            if busy:
                killed.update(pid=pids[busy[0]], after=len(got))
                os.kill(killed["pid"], signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    try:
        for item in dask_coder.code_documents(items):
            got.append(item)
    finally:
        finished.set()
        killer.join()
    assert killed and 0 < killed["after"] < len(items) == 56  # mid-run: 28 partitions, most still to come
    victim = killed["pid"]
    assert victim not in cluster.client.run(os.getpid).values()  # it is gone (a new one may have taken its place)
    assert [i.document.id if hasattr(i, "document") else i.reason for i in got] == \
        [i.id if isinstance(i, Document) else i.reason for i in items]
    assert [r.to_dict() for i in got if hasattr(i, "records") for r in i.records] == expected

