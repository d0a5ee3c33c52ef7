"""The command line's reads over a database built in the test (no model): one filter meaning
everywhere, one CSV layout everywhere, and the settings file honoured by every command."""

import csv
import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tieline.cli import cli
from tieline.store import Store
from tieline.types import CodedDocument, Member, Party
from tieline.web import create_app

from .conftest import coded_document

TURKEY = Member("Turkey", "Turkey", "TUR", "GOV")


@pytest.fixture(scope="module")
def compound_db(tmp_path_factory):
    """Three stories: Iran meets Armenia; Iran and Turkey (one compound actor) meet Armenia; the
    UN meets Armenia."""
    path = tmp_path_factory.mktemp("reads") / "reads.duckdb"
    plain = coded_document("plain", "Iran met Armenia in Yerevan (plain).")
    joint = coded_document("joint", "Iran and Turkey met Armenia in Yerevan (joint).", date="2020-03-05")
    joint = CodedDocument(joint.document, tuple(replace(r, actor=Party.of(r.actor.first, TURKEY)) for r in joint.records))
    un = coded_document("un", "The UN met Armenia in Yerevan (un).", date="2020-03-09")
    un_party = Party.of(Member("The UN", "United Nations", None, "IGO", "UN"))
    un = CodedDocument(un.document, tuple(replace(r, actor=un_party) for r in un.records))
    with Store(path) as store:
        store.write([plain, joint, un])
    return path


def _listed(*args):
    done = CliRunner().invoke(cli, [*args, "--format", "jsonl"])
    assert done.exit_code == 0, done.output
    return [json.loads(line)["doc_id"] for line in done.stdout.splitlines()]


def test_cli_reads_a_party_filter_means_what_it_means_in_the_api(compound_db):
    with TestClient(create_app(compound_db), base_url="http://localhost") as client:
        for actor, expected in (("TUR", ["joint"]), ("IRN", ["plain", "joint"]), ("UN", ["un"]), ("ARM", [])):
            assert _listed("events", "--db", str(compound_db), "--actor", actor) == expected, actor
            api = client.get("/api/events", params={"actor": actor}).json()["events"]
            assert sorted(e["doc_id"] for e in api) == sorted(expected), actor
    assert _listed("events", "--db", str(compound_db), "--recipient", "ARM", "--since", "2020-03-04") == ["joint", "un"]


def test_cli_reads_one_csv_layout_for_events_export_and_the_web(compound_db, tmp_path):
    runner = CliRunner()
    listed = runner.invoke(cli, ["events", "--db", str(compound_db), "--format", "csv"])
    exported = tmp_path / "events.csv"
    assert runner.invoke(cli, ["export", str(exported), "--db", str(compound_db), "--format", "csv"]).exit_code == 0
    with TestClient(create_app(compound_db), base_url="http://localhost") as client:
        web = client.get("/events.csv").text
    tables = [text.splitlines() for text in (listed.stdout, exported.read_text(encoding="utf-8"), web)]
    assert tables[0][0] == tables[1][0] == tables[2][0]
    assert tables[0][0].startswith("event_id,doc_id,date,date_precision,event,mode")
    assert sorted(tables[0][1:]) == sorted(tables[1][1:]) == sorted(tables[2][1:]) and len(tables[0]) == 4
    rows = list(csv.DictReader(tables[1]))
    joint = next(row for row in rows if row["doc_id"] == "joint")
    assert joint["actor_country"] == "IRN"  # a compound party's first member


def test_cli_reads_the_settings_file_is_every_commands_defaults(compound_db, tmp_path):
    config = tmp_path / "tieline.yaml"
    config.write_text(f"db: {compound_db}\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out.jsonl"
    exported = runner.invoke(cli, ["--config", str(config), "export", str(out)])
    assert exported.exit_code == 0 and "3 events written" in exported.stderr, exported.output
    partners = runner.invoke(cli, ["--config", str(config), "partners", "ARM", "--format", "jsonl"])
    assert partners.exit_code == 0 and "IRN" in partners.stdout, partners.output
    assert _listed("--config", str(config), "events") == ["plain", "joint", "un"]
    assert runner.invoke(cli, ["--config", str(config), "dedup"]).exit_code == 0
    clusters = runner.invoke(cli, ["--config", str(config), "clusters", "--format", "jsonl"])
    rows = [json.loads(line) for line in clusters.stdout.splitlines()]
    assert clusters.exit_code == 0 and [r["num_reports"] for r in rows] == [2, 1], clusters.output  # plain and joint: one meeting
    assert rows[0]["date"].startswith("2020-03-02")  # dates as ISO text, not epoch milliseconds
