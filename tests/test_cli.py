"""The command line, through click's runner, on real files and databases."""

import csv
import json

import pytest
from click.testing import CliRunner

from tieline.cli import cli

pytestmark = pytest.mark.model


@pytest.fixture(scope="module", autouse=True)
def _share_model(coder, monkeypatch_module):
    # The CLI loads a model per command; tests hand it the session's coder instead.
    from tieline.cli import base

    real = base.make_coder

    def shared_coder(model, batch_size, actors=(), triggers=(), **keep):
        return real(model, batch_size, actors, triggers, **keep) if actors or triggers or any(keep.values()) else coder

    monkeypatch_module.setattr(base, "make_coder", shared_coder)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_cli_code_jsonl_and_problems(tmp_path):
    good = tmp_path / "docs.jsonl"
    good.write_text('{"id": "a", "text": "Turkey attacked Syria on Friday.", "date": "2020-01-04"}\n'
                    '{"id": "b", "text": \n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["code", str(good)])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["event"] == "ASSAULT" and records[0]["date"] == "2020-01-03"
    assert f"{good}:2" in result.stderr and "malformed JSON" in result.stderr
    strict = runner.invoke(cli, ["code", "--strict", str(good)])
    assert strict.exit_code == 1


def test_cli_code_txt_table_and_output_file(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Iran and Armenia signed a cooperation agreement on Monday.", encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(cli, ["code", str(story), "--date", "2019-12-21", "--format", "table"])
    assert table.exit_code == 0 and "SUPPORT" in table.stdout and "IRN" in table.stdout
    out = tmp_path / "out.jsonl"
    written = runner.invoke(cli, ["code", str(story), "--date", "2019-12-21", "-o", str(out)])
    assert written.exit_code == 0
    assert json.loads(out.read_text().splitlines()[0])["doc_id"] == "story"
    bad_date = runner.invoke(cli, ["code", str(story), "--date", "21/12/2019"])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.stderr


def test_cli_ingest_then_events(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"id": "a", "text": "Turkey attacked Syria on Friday.", "date": "2020-01-04"}\n'
                    '{"id": "b", "text": "Iran and Armenia signed a trade agreement.", "date": "2020-02-01"}\n',
                    encoding="utf-8")
    db = tmp_path / "t.duckdb"
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", str(docs), "--db", str(db)])
    assert first.exit_code == 0 and "2 documents added" in first.stderr
    again = runner.invoke(cli, ["ingest", str(docs), "--db", str(db)])
    assert "0 documents added" in again.stderr and "2 unchanged" in again.stderr
    listed = runner.invoke(cli, ["events", "--db", str(db), "--actor", "TUR", "--format", "jsonl"])
    assert [json.loads(line)["event"] for line in listed.stdout.splitlines()] == ["ASSAULT"]
    as_csv = runner.invoke(cli, ["events", "--db", str(db), "--format", "csv", "--since", "2020-01-15"])
    assert as_csv.stdout.splitlines()[0].startswith("event_id,doc_id,date,date_precision,event")
    assert len(as_csv.stdout.splitlines()) >= 2


def test_cli_eval_matches_format(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "date": "2020-01-04", "text": "Turkey attacked Syria on Friday.",
                                "events": [{"event": "ASSAULT", "actor": ["TUR"], "recipient": ["SYR"]}]}) + "\n")
    result = CliRunner().invoke(cli, ["eval", str(gold), "--by-type"])
    assert result.exit_code == 0
    assert "ASSAULT      gold 1/1" in result.stdout and "f1 1.000" in result.stdout


def test_cli_reports_skipped_stories_with_file_and_line(tmp_path):
    docs = tmp_path / "mixed.jsonl"
    docs.write_text(
        '{"id": "en", "text": "Turkey attacked Syria on Friday.", "date": "2020-01-04"}\n'
        '{"id": "es", "text": "El gobierno de España y el de Francia firmaron un acuerdo sobre la frontera '
        'en Madrid el lunes con los ministros de los dos países."}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["code", str(docs)])
    assert result.exit_code == 0
    assert f"{docs}:2 [es]: not English; skipped" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["doc_id"] == "en"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("how", ["truncated", "bad blocks"])
def test_cli_damaged_database_is_one_error_line(make_coded, tmp_path, how):
    """issue 9: events, export and serve on a truncated file or one with bad blocks print one line
    naming the file and the damage, and exit non-zero, without a traceback."""
    import os
    import subprocess
    import sys

    from tieline.store import Store

    db = tmp_path / "damaged.duckdb"
    with Store(db) as store:
        store.write([make_coded(f"d{n}", f"story {n} " * 100, events=3) for n in range(3000)], batch_size=3000)
    size = db.stat().st_size
    with open(db, "r+b") as f:
        if how == "truncated":
            f.truncate(size // 2)
        else:
            for offset in range(size // 2, size - 4096, 262144):
                f.seek(offset)
                f.write(os.urandom(16384))
    commands = {
        "events": ["events", "--db", str(db), "--format", "jsonl"],
        "export": ["export", str(tmp_path / "out.csv"), "--db", str(db), "--format", "csv"],
        "export text": ["export", str(tmp_path / "out.gdelt"), "--db", str(db), "--format", "gdelt"],
        "serve": ["serve", "--db", str(db), "--port", str(_free_port())],
    }
    for name, args in commands.items():
        done = subprocess.run([sys.executable, "-m", "tieline", *args], capture_output=True, text=True, timeout=120,
                              check=False)
        lines = done.stderr.strip().splitlines()
        assert done.returncode != 0, (name, done.stderr)
        assert len(lines) == 1 and "Traceback" not in done.stderr, (name, done.stderr)
        assert lines[0].startswith(f"tieline: error: {db}") and "damaged or truncated" in lines[0], (name, lines[0])


def test_cli_min_confidence_filters_events_and_exports(make_coded, tmp_path):
    from tieline.store import Store

    db = tmp_path / "conf.duckdb"
    with Store(db) as store:
        store.write([make_coded("low", "Iran met Armenia (low).", confidence=0.3),
                     make_coded("high", "Iran met Armenia (high).", confidence=0.9)])
    runner = CliRunner()
    listed = runner.invoke(cli, ["events", "--db", str(db), "--format", "jsonl", "--min-confidence", "0.5"])
    assert listed.exit_code == 0, listed.output
    assert [json.loads(line)["doc_id"] for line in listed.stdout.splitlines()] == ["high"]
    everything = runner.invoke(cli, ["events", "--db", str(db), "--format", "jsonl"])
    assert sorted(json.loads(line)["doc_id"] for line in everything.stdout.splitlines()) == ["high", "low"]
    written = {}
    for fmt in ("jsonl", "csv", "polecat"):
        out = tmp_path / f"conf.{fmt}"
        result = runner.invoke(cli, ["export", str(out), "--db", str(db), "--format", fmt, "--min-confidence", "0.5"])
        assert result.exit_code == 0, result.output
        assert "1 events written" in result.stderr
        written[fmt] = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["doc_id"] for line in written["jsonl"]] == ["high"]
    assert [row["doc_id"] for row in csv.DictReader(written["csv"])] == ["high"]
    assert len(written["polecat"]) == 2  # the header and one row
    config = tmp_path / "tieline.yaml"
    config.write_text("min_confidence: 0.5\n", encoding="utf-8")
    configured = runner.invoke(cli, ["--config", str(config), "events", "--db", str(db), "--format", "jsonl"])
    assert [json.loads(line)["doc_id"] for line in configured.stdout.splitlines()] == ["high"]
    refused = runner.invoke(cli, ["events", "--db", str(db), "--min-confidence", "1.5"])
    assert refused.exit_code == 2 and "1.5" in refused.output


def test_cli_events_option_picks_the_event_source(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Iran and Armenia signed a cooperation agreement on Monday.", encoding="utf-8")
    runner = CliRunner()
    rules = runner.invoke(cli, ["code", str(story), "--date", "2019-12-21", "--events", "rules"])
    assert rules.exit_code == 0, rules.output
    records = [json.loads(line) for line in rules.stdout.splitlines()]
    assert records and not any("model" in r["rule"] for r in records)
    model = runner.invoke(cli, ["code", str(story), "--date", "2019-12-21", "--events", "model"])
    assert model.exit_code == 0, model.output
    assert all(json.loads(line)["rule"].startswith("model ") for line in model.stdout.splitlines())
    config = tmp_path / "tieline.yaml"
    config.write_text("event_source: neural\n", encoding="utf-8")
    refused = runner.invoke(cli, ["--config", str(config), "code", str(story)])
    assert refused.exit_code == 2 and "event_source must be auto, rules, model or hybrid" in refused.stderr


def test_cli_a_run_where_every_input_failed_exits_1(tmp_path):
    """Nothing coded because every input failed (a mistyped path, a story without text, an
    unreachable feed) is a failure, not a quiet success (issue 13); one good input is enough."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "a", "text": ""}\n', encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("Iran and Armenia signed a trade agreement on Monday.", encoding="utf-8")
    runner = CliRunner()
    failed = runner.invoke(cli, ["code", str(tmp_path / "missing.jsonl"), str(empty), "--workers", "1"])
    assert failed.exit_code == 1 and "every input failed (2 problems" in failed.stderr
    stored = runner.invoke(cli, ["ingest", str(empty), "--db", str(tmp_path / "t.duckdb"), "--workers", "1"])
    assert stored.exit_code == 1 and "nothing was coded" in stored.stderr
    partly = runner.invoke(cli, ["code", str(tmp_path / "missing.jsonl"), str(good), "--workers", "1"])
    assert partly.exit_code == 0 and "no such file" in partly.stderr and '"event"' in partly.stdout
    assert runner.invoke(cli, ["code", str(tmp_path / "missing.jsonl"), str(good), "--strict"]).exit_code == 1


def test_cli_builds_the_coder_only_when_a_document_is_to_be_coded():
    """Loading spaCy and the model takes seconds: a run whose inputs all failed, or whose
    stories are all stored, never waits for it (issue 13)."""
    from tieline.cli.base import LazyCoder
    from tieline.types import CodedDocument, Document, Problem

    built: list[str] = []

    class Coder:
        def code_documents(self, items):  # type: ignore[no-untyped-def]
            for item in items:
                yield item if isinstance(item, Problem) else CodedDocument(item, ())

    def build():  # type: ignore[no-untyped-def]
        built.append("coder")
        return Coder()

    lazy = LazyCoder(build)
    problems = [Problem("a.jsonl", 1, "document has no text"), Problem("b.jsonl", None, "no such file")]
    assert list(lazy.code_documents(iter(problems))) == problems and not built
    assert list(lazy.code_documents([])) == [] and not built
    out = list(lazy.code_documents([problems[0], Document("d", "text"), problems[1]]))
    assert [type(i).__name__ for i in out] == ["Problem", "CodedDocument", "Problem"] and built == ["coder"]


def test_cli_problems_are_held_under_a_progress_bar_and_written_in_full(tmp_path, capsys):
    """On a terminal the problems wait for the end (the first ten, then how many more), and
    --problems FILE has every one (issue 13)."""
    from tieline.cli.output import PROBLEMS_SHOWN, Problems
    from tieline.types import Problem

    path = tmp_path / "problems.txt"
    problems = Problems(str(path), hold=True)
    for n in range(PROBLEMS_SHOWN + 2):
        problems.report(Problem("in.jsonl", n + 1, "document has no text", f"d{n}"))
    assert capsys.readouterr().err == ""  # nothing while the bar is drawn
    problems.tell_held()
    told = capsys.readouterr().err.splitlines()
    assert told[0] == "tieline: in.jsonl:1 [d0]: document has no text" and len(told) == PROBLEMS_SHOWN + 1
    assert told[-1] == f"tieline: ... and 2 more (all of them are in {path})"
    assert len(path.read_text(encoding="utf-8").splitlines()) == PROBLEMS_SHOWN + 2
    assert problems.summary() == f"{PROBLEMS_SHOWN + 2} problems ({PROBLEMS_SHOWN + 2} document has no text)"


def test_cli_progress_starts_at_the_first_document_and_tells_time_left_once_settled():
    from tieline.cli.output import SETTLE_DOCUMENTS, SETTLE_SECONDS, Progress
    from tieline.types import CodedDocument, Document

    now = [0.0]
    progress = Progress(1000, every=1.0, bar=False)
    progress.clock = lambda: now[0]
    now[0] = 30.0  # the model took 30 s to load: not coding time
    docs = (CodedDocument(Document(f"d{n}", "x"), ()) for n in range(2000))
    stream = progress.track(docs)
    next(stream)
    now[0] += 1.0
    assert progress.line() == "1 documents coded, 1.0 documents/s, 0 events"  # no guess yet
    for _ in range(SETTLE_DOCUMENTS):
        next(stream)
    now[0] += SETTLE_SECONDS
    assert progress.line().endswith("min left") and "documents/s" in progress.line()
    assert Progress(10, bar=True).bar is not None  # a terminal gets a bar
