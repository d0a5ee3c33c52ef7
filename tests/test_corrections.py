"""Corrections that stick (issue 13): kept apart from the records, applied in every read, again
after re-ingest and re-coding, from the CLI and from the web app (read-only refuses them)."""

import csv
import io
import json
import shutil
from dataclasses import replace

import jsonschema
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tieline.analysis import partners
from tieline.cli import cli
from tieline.corrections import Correction, resolve
from tieline.errors import CorrectionError, QueryError
from tieline.export import export_events
from tieline.lexicon import default_lexicon
from tieline.query import EventQuery, all_events
from tieline.records import record_schema
from tieline.store import Store
from tieline.web import create_app

from .conftest import told

LOCAL = "http://localhost"


def stories():
    return [told("a", "Iran's minister met Armenia's minister in Yerevan.", date="2024-03-02"),
            told("b", "Britain accused Iran of harassing shipping.", date="2024-03-05", trigger="accused",
                 event="ACCUSE", actor="GBR", recipient="IRN", quad=3)]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.duckdb"
    with Store(path) as store:
        store.write(stories())
    return path


def event_id(path, doc_id):
    with Store(path, read_only=True) as store:
        return store.read("SELECT event_id FROM events WHERE doc_id = ?", [doc_id]).fetchone()[0]


def records(path):
    with Store(path, read_only=True) as store:
        return {r["doc_id"]: r for r in all_events(store, EventQuery())}


def fix(store, eid, **fields):
    changes = resolve(Correction(eid, fields.pop("why", "a reason"), **fields), default_lexicon(),
                      lambda text: text.upper() if len(text) == 3 else {"Malaysia": "MYS"}[text])
    return store.correct(eid, changes, wrong=fields.get("wrong", False), why="a reason", who="tester")


def test_a_correction_rewrites_the_record_everywhere(db):
    eid = event_id(db, "a")
    with Store(db) as store:
        number, before, after = fix(store, eid, event="AGREE", recipient="Malaysia", date="2024-03", place="Kuala Lumpur")
        assert store.check() == []
    assert number == 1 and before["event"] == "CONSULT"
    record = records(db)["a"]
    assert (record["event"], record["cameo"], record["quad"], record["recipient"]["country"]) == ("AGREE", "030", 1, "MYS")
    assert (record["date"], record["date_precision"], record["location"]["country"]) == ("2024-03", "month", "MYS")
    assert record["recipient"]["text"] == "ARM"  # the same words (told() writes the code), resolved anew
    assert record["corrected"] is True and record["corrections"][0]["who"] == "tester"
    jsonschema.validate(record["corrections"], record_schema()["properties"]["corrections"])  # told() has no actor span
    with Store(db, read_only=True) as store:  # the analysts' frames read the corrected pair
        frame = partners(store, "IRN")
    assert sorted(frame["partner"]) == ["GBR", "MYS"]  # no longer ARM


def test_a_record_marked_wrong_leaves_queries_exports_and_analysis(db, tmp_path):
    eid = event_id(db, "b")
    with Store(db) as store:
        fix(store, eid, wrong=True)
        assert store.check() == []
        with pytest.raises(CorrectionError, match="marked it wrong"):
            fix(store, eid, wrong=True)
    assert set(records(db)) == {"a"}
    with Store(db, read_only=True) as store:
        assert export_events(store, tmp_path / "out.csv", fmt="csv") == 1
        assert list(partners(store, "GBR")["partner"]) == []
    with (tmp_path / "out.csv").open() as out:
        rows = list(csv.DictReader(out))
    assert rows[0]["corrected"] == "False"


def test_corrections_survive_re_ingest_and_re_coding(db):
    eid, other = event_id(db, "a"), event_id(db, "b")
    with Store(db) as store:
        fix(store, eid, event="AGREE")
        fix(store, other, wrong=True)
        store.write(stories())  # the same texts again: unchanged, kept as corrected
        assert {r["doc_id"]: r["event"] for r in all_events(store, EventQuery())} == {"a": "AGREE"}
        summary = store.write(stories(), recode=True)  # coded again (a newer tieline): corrections re-applied
        assert summary.recoded == 2
        assert store.check() == []
    assert set(records(db)) == {"a"} and records(db)["a"]["event"] == "AGREE"


def test_a_correction_follows_its_sentence_when_the_coder_gives_another_id(db):
    eid = event_id(db, "a")
    with Store(db) as store:
        fix(store, eid, event="AGREE")
        story = stories()[0]
        recoded = replace(story, records=(replace(story.records[0], event_id="0123456789abcdef"),))
        store.write([recoded], recode=True)
        (c, _, applied), = store.corrections()
    assert applied == "0123456789abcdef" and records(db)["a"]["event"] == "AGREE"


def test_a_correction_whose_event_is_gone_is_listed_unmatched(db):
    eid = event_id(db, "a")
    with Store(db) as store:
        fix(store, eid, event="AGREE")
        story = stories()[0]
        store.write([replace(story, records=())], recode=True)
        (_, _, applied), = store.corrections()
    assert applied is None


@pytest.mark.parametrize("fields, message", [
    ({"why": " "}, "needs a reason"),
    ({}, "nothing to correct"),
    ({"wrong": True, "event": "AGREE"}, "no other changes"),
    ({"event": "HUG"}, "unknown event type"),
    ({"date": "2024-13"}, "no date"),
    ({"place": "Xyzzyville"}, "no place 'Xyzzyville'"),
])
def test_bad_corrections_are_refused_with_a_reason(fields, message):
    why = fields.pop("why", "because")
    with pytest.raises(CorrectionError, match=message):
        resolve(Correction("0" * 16, why, **fields), default_lexicon(), str.upper)


def test_cli_correct_lists_and_writes_labelled_examples(db, tmp_path):
    eid = event_id(db, "a")
    runner = CliRunner()
    done = runner.invoke(cli, ["correct", eid, "--db", str(db), "--type", "agree", "--actor", "Iran MIL",
                               "--why", "they signed an accord", "--who", "ana"])
    assert done.exit_code == 0, done.output
    assert "event: CONSULT -> AGREE" in done.output and "actor: IRN GOV -> IRN MIL" in done.output
    gone = runner.invoke(cli, ["correct", event_id(db, "b"), "--db", str(db), "--wrong", "--why", "not an accusation"])
    assert gone.exit_code == 0 and "marked wrong" in gone.output
    unknown = runner.invoke(cli, ["correct", eid, "--db", str(db), "--actor", "IRNN", "--why", "x"])
    assert isinstance(unknown.exception, QueryError) and "did you mean IRN" in str(unknown.exception)
    listed = runner.invoke(cli, ["corrections", "--db", str(db), "--format", "jsonl",
                                 "--labels", str(tmp_path / "labels.jsonl")])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["who"], r["change"], r["applies"]) for r in rows] == [
        ("ana", "actor=IRN MIL; event=AGREE", "yes"), (rows[1]["who"], "wrong", "yes")]
    labels = {line["id"]: line for line in map(json.loads, (tmp_path / "labels.jsonl").read_text().splitlines())}
    assert labels["a"]["events"][0]["event"] == "AGREE" and labels["a"]["events"][0]["symmetric"] is True
    assert labels["a"]["partial"] and labels["b"]["not_events"][0]["event"] == "ACCUSE"
    wrong = runner.invoke(cli, ["corrections", "--db", str(db), "--wrong"])
    assert json.loads(wrong.stdout)["doc_id"] == "b"
    table = runner.invoke(cli, ["events", "--db", str(db)])
    assert "AGREE (corrected)" in table.stdout and "ACCUSE" not in table.stdout


def test_the_web_app_is_read_only_unless_edits_are_allowed(db):
    eid = event_id(db, "a")
    with TestClient(create_app(db), base_url=LOCAL) as client:
        page = client.get(f"/event/{eid}")
        assert "tieline serve --allow-edits" in page.text and 'id="correct"' not in page.text
        refused = client.post(f"/event/{eid}/correct", data={"why": "x", "type": "AGREE"})
        assert refused.status_code == 403
        assert client.post(f"/api/events/{eid}/corrections", json={"why": "x", "type": "AGREE"}).status_code == 403
    assert records(db)["a"]["event"] == "CONSULT"


def test_corrections_from_the_web_app(tmp_path, db):
    eid, other = event_id(db, "a"), event_id(db, "b")
    with TestClient(create_app(db, allow_edits=True), base_url=LOCAL) as client:
        assert 'id="correct"' in client.get(f"/event/{eid}").text
        foreign = client.post(f"/event/{eid}/correct", data={"why": "x", "type": "AGREE"},
                              headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403
        elsewhere = client.post(f"/event/{eid}/correct", data={"why": "x", "type": "AGREE"},
                                headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})
        assert elsewhere.status_code == 403
        done = client.post(f"/event/{eid}/correct", data={"why": "an accord", "type": "AGREE", "place": "Tehran"},
                           headers={"Origin": LOCAL}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == f"/event/{eid}"
        page = client.get(f"/event/{eid}").text
        assert "Corrected by an analyst" in page and "an accord" in page
        bad = client.post(f"/api/events/{eid}/corrections", json={"why": "x", "type": "HUG"})
        assert bad.status_code == 400 and "unknown event type" in bad.json()["error"]["message"]
        api = client.post(f"/api/events/{other}/corrections", json={"why": "no such accusation", "wrong": True})
        assert api.status_code == 200 and api.json()["record"] is None
        assert client.get(f"/event/{other}").status_code == 404
        listed = client.get("/api/corrections").json()
        assert [c["fields"] for c in listed] == [["event", "place"], ["wrong"]]
        assert "no such accusation" in client.get("/corrections").text
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    assert records(copy)["a"]["location"]["name"] == "Tehran"


def test_csv_of_the_web_app_says_which_records_were_corrected(db):
    eid = event_id(db, "a")
    with Store(db) as store:
        fix(store, eid, event="AGREE")
    with TestClient(create_app(db), base_url=LOCAL) as client:
        rows = list(csv.DictReader(io.StringIO(client.get("/events.csv").text)))
    assert {r["doc_id"]: r["corrected"] for r in rows} == {"a": "True", "b": "False"}
