"""Ingest: folders, skipping what is stored, and surviving a kill -9 mid-run."""

import json
import os
import signal
import subprocess
import sys
import time
from importlib import resources

import pytest
from click.testing import CliRunner

from tieline.cli import cli
from tieline.read import count_documents, read_documents
from tieline.store import Store

pytestmark = pytest.mark.model


def _demo_stories() -> list[dict]:
    with resources.files("tieline").joinpath("data", "samples", "demo.jsonl").open("r", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_ingest_reads_folders_recursively(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("Turkey attacked Syria on Friday.", encoding="utf-8")
    (tmp_path / "a" / "b" / "more.jsonl").write_text(
        "\n".join(json.dumps(s) for s in _demo_stories()[:3]) + "\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "notes.md").write_text("not read", encoding="utf-8")
    (tmp_path / "a" / ".hidden.txt").write_text("skipped", encoding="utf-8")
    docs = list(read_documents([tmp_path / "a"]))
    assert [d.id for d in docs] == ["demo-01", "demo-02", "demo-03", "one"]
    assert count_documents([tmp_path / "a"]) == 4


def test_ingest_skips_stored_documents_before_coding(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "s.jsonl").write_text("\n".join(json.dumps(s) for s in _demo_stories()[:4]) + "\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    first = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(db)])
    assert first.exit_code == 0 and "4 documents added" in first.stderr and "documents/s" in first.stderr
    again = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(db)])
    assert "0 documents added" in again.stderr and "4 unchanged" in again.stderr
    assert "0 documents coded" in again.stderr  # skipped before coding, not after


def test_ingest_survives_kill_9_and_stores_each_document_once(tmp_path, hybrid_coder):
    stories = _demo_stories()
    docs = [dict(s, id=f"{s['id']}-{n}") for n in range(40) for s in stories]  # 560 documents
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    db = tmp_path / "crash.duckdb"
    # two coding workers and the one writer (issue 12): killing the writer loses nothing written
    command = [sys.executable, "-m", "tieline", "ingest", str(source), "--db", str(db), "--commit-every", "10",
               "--workers", "2"]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(6)
    was_running = proc.poll() is None
    children = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert children and not _alive(children), "a coding worker outlived the killed ingest"
    finished = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert finished.returncode == 0, finished.stderr

    reference = tmp_path / "reference.duckdb"
    with Store(reference) as store:
        store.write(hybrid_coder.code_documents(list(read_documents([source]))))  # the default, as ingest runs
        expected_events = store.counts()["events"]
    with Store(db, read_only=True) as store:
        ids = [row[0] for row in store.con.execute("SELECT id FROM documents").fetchall()]
        assert len(ids) == len(set(ids)) == len(docs)
        assert store.counts()["events"] == expected_events
        doubled = store.con.execute(
            "SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)").fetchone()
        assert doubled == (0,)
        assert store.check() == []
    assert was_running, "the first ingest finished before it could be killed; make the input larger"


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _alive(pids: list[int]) -> list[int]:
    living = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":  # a zombie has ended
                    living.append(pid)
        except OSError:
            continue
    return living


def test_ingest_same_id_twice_keeps_the_last_version_and_says_so(tmp_path):
    """issue 9: the same id twice in one ingest left orphan and doubled party rows, and the
    summary said "2 unchanged (already stored)" on an empty database."""
    first = {"id": "x", "text": "Turkey attacked Syria on Friday.", "date": "2020-01-04"}
    second = dict(first, text="Iran and Armenia signed a trade agreement on Monday.")
    db = tmp_path / "dup.duckdb"
    for n, lines in enumerate(([first, first], [first, second], [second, first, dict(first, id="y")])):
        source = tmp_path / f"dup{n}.jsonl"
        source.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
        result = CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db), "--commit-every", "1"])
        assert result.exit_code == 0, result.output
        assert "1 duplicate in the input (the last version of each id kept)" in result.stderr, result.stderr
        with Store(db, read_only=True) as store:
            assert store.check() == []
            stored = dict(store.con.execute("SELECT id, text FROM documents").fetchall())
            countries = {row[0] for row in store.con.execute("SELECT DISTINCT country FROM event_parties").fetchall()}
            event_countries = {row[0] for row in store.con.execute(
                "SELECT actor_country FROM events UNION SELECT recipient_country FROM events").fetchall()}
        assert stored["x"] == [d for d in lines if d["id"] == "x"][-1]["text"]
        assert countries <= event_countries | {None}
        expected = ("1 documents added, 0 replaced, 0 unchanged", "0 documents added, 1 replaced, 0 unchanged",
                    "1 documents added, 1 replaced, 0 unchanged")[n]
        assert expected in result.stderr, result.stderr
