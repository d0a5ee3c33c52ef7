"""The command line, through click's runner, on real files and databases."""

import json

import pytest
from click.testing import CliRunner

from tieline.cli import cli

pytestmark = pytest.mark.model


@pytest.fixture(scope="module", autouse=True)
def _share_model(coder, monkeypatch_module):
    # The CLI loads a model per command; tests hand it the session's coder instead.
    real = __import__("tieline.cli", fromlist=["_coder"])._coder

    def shared_coder(model, batch_size, actors=(), triggers=(), **keep):
        return real(model, batch_size, actors, triggers, **keep) if actors or triggers or any(keep.values()) else coder

    monkeypatch_module.setattr("tieline.cli._coder", shared_coder)


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
    assert [json.loads(l)["event"] for l in listed.stdout.splitlines()] == ["ASSAULT"]
    as_csv = runner.invoke(cli, ["events", "--db", str(db), "--format", "csv", "--since", "2020-01-15"])
    assert as_csv.stdout.splitlines()[0].startswith("doc_id,event_id,event")
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
