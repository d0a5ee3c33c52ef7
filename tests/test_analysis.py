"""Analysis over a real database built from the demo stories."""

import json
from importlib import resources

import pytest
from click.testing import CliRunner

from tieline import analysis
from tieline.cli import cli
from tieline.read import read_jsonl
from tieline.store import Store

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def demo_db(coder, tmp_path_factory):
    path = tmp_path_factory.mktemp("analysis") / "demo.duckdb"
    with resources.files("tieline").joinpath("data", "samples", "demo.jsonl").open("rb") as f:
        docs = list(read_jsonl(f, "demo.jsonl"))
    with Store(path) as store:
        store.write(coder.code_documents(docs))
    return path


def test_analysis_dyad_counts_both_directions(demo_db):
    with Store(demo_db, read_only=True) as store:
        frame = analysis.dyad(store, "qat", "RWA", by="month")
    assert set(frame.columns) == {"period", "direction", "event", "quad", "events", "mean_score"}
    assert set(frame["direction"]) == {"QAT->RWA", "RWA->QAT"}
    assert frame["events"].sum() >= 2 and set(frame["period"]) == {"2025-03"}


def test_analysis_partners_balance_and_fields(demo_db):
    with Store(demo_db, read_only=True) as store:
        frame = analysis.partners(store, "QAT")
    row = frame[frame["partner"] == "RWA"].iloc[0]
    assert row["events"] == row["cooperation"] and row["balance"] == 1.0
    assert "telecommunications" in list(row["fields"])
    with Store(demo_db, read_only=True) as store:
        conflict = analysis.partners(store, "PAK")
    assert conflict.iloc[0]["balance"] < 0


def test_analysis_timeline_and_network(demo_db, tmp_path):
    with Store(demo_db, read_only=True) as store:
        by_year = analysis.timeline(store, by="year")
        by_week = analysis.timeline(store, country="SRB", by="week")
        edges = analysis.network(store, event="ASSAULT")
    assert set(by_year["period"]) <= {"2024", "2025", "2026"} and by_year["events"].sum() >= 20
    assert all(p.startswith("2025-W") for p in by_week["period"])
    assert list(edges[["source", "target"]].itertuples(index=False, name=None)) == [("PAK", "AFG")]
    out = tmp_path / "net.graphml"
    analysis.write_graphml(edges, out)
    assert '<edge source="PAK" target="AFG">' in out.read_text()


def test_analysis_commands(demo_db, tmp_path):
    runner = CliRunner()
    table = runner.invoke(cli, ["partners", "QAT", "--db", str(demo_db)])
    assert table.exit_code == 0 and "RWA" in table.stdout
    rows = runner.invoke(cli, ["dyad", "QAT", "RWA", "--db", str(demo_db), "--format", "jsonl"])
    assert all(json.loads(line)["direction"] in ("QAT->RWA", "RWA->QAT") for line in rows.stdout.splitlines())
    graph = tmp_path / "g.graphml"
    net = runner.invoke(cli, ["network", "--db", str(demo_db), "--graphml", str(graph), "--format", "csv"])
    assert net.exit_code == 0 and net.stdout.startswith("source,target,events") and graph.is_file()
    assert runner.invoke(cli, ["timeline", "--db", str(demo_db), "--by", "year"]).exit_code == 0


def test_analysis_export_formats(demo_db, tmp_path):
    import pandas as pd

    runner = CliRunner()
    jsonl = tmp_path / "e.jsonl"
    assert runner.invoke(cli, ["export", str(jsonl), "--db", str(demo_db)]).exit_code == 0
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert records and all("sentence" in r and "spans" in r for r in records)
    csv = tmp_path / "e.csv"
    assert runner.invoke(cli, ["export", str(csv), "--db", str(demo_db), "--format", "csv",
                               "--since", "2026-01-01"]).exit_code == 0
    frame = pd.read_csv(csv)
    assert len(frame) > 0 and frame["date"].min() >= "2026-01-01" and "actor_country" in frame.columns
    folder = tmp_path / "parquet"
    result = runner.invoke(cli, ["export", str(folder), "--db", str(demo_db), "--format", "parquet"])
    assert result.exit_code == 0
    parts = sorted(p.name for p in folder.iterdir())
    import duckdb

    stored = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{folder.as_posix()}/**/*.parquet')").fetchone()
    assert "month=2025-03" in parts and stored == (len(records),)


def test_analysis_profile(demo_db):
    with Store(demo_db, read_only=True) as store:
        result = analysis.profile(store, "qat", by="month")
    assert result.country == "QAT"
    assert list(result.types.columns) == ["event", "quad", "as_actor", "as_recipient", "mean_score"]
    assert result.types["as_actor"].sum() >= 1 and result.types["as_recipient"].sum() >= 1
    assert "telecommunications" in set(result.sectors["sector"])
    assert {"RWA"} <= set(result.partners["partner"]) and set(result.partners["period"]) >= {"2025-03"}
    assert (result.contexts["events"] >= result.contexts["cooperation"] + result.contexts["conflict"]).all()


def test_analysis_plots_are_real_images(demo_db, tmp_path):
    import xml.etree.ElementTree as ET

    runner = CliRunner()
    commands = {"dyad.png": ["dyad", "QAT", "RWA"], "partners.svg": ["partners", "QAT"],
                "profile.png": ["profile", "QAT"], "timeline.svg": ["timeline", "--by", "year"]}
    for name, args in commands.items():
        target = tmp_path / name
        result = runner.invoke(cli, [*args, "--db", str(demo_db), "--plot", str(target)])
        assert result.exit_code == 0, result.output
        if name.endswith(".png"):
            assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000
        else:
            assert ET.parse(target).getroot().tag.endswith("svg")
    bad = runner.invoke(cli, ["timeline", "--db", str(demo_db), "--plot", str(tmp_path / "chart.pdf")])
    assert bad.exit_code == 2 and ".png or .svg" in bad.output and not (tmp_path / "chart.pdf").exists()
    profile = runner.invoke(cli, ["profile", "QAT", "--db", str(demo_db), "--format", "jsonl"])
    tables = {json.loads(line)["table"] for line in profile.stdout.splitlines()}
    assert tables == {"event types", "contexts", "fields", "partners over time"}


def test_export_gdelt_and_polecat_layouts(demo_db, coder, tmp_path):
    import csv
    import datetime as dt
    import shutil

    from tieline.dedup import deduplicate
    from tieline.export import GDELT_COLUMNS, POLECAT_COLUMNS
    from tieline.types import Document

    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)

    same = [Document("dup-1", "Russia accused Ukraine on Monday of shelling the border town of Belgorod.",
                     dt.date(2025, 7, 8), None, "https://one.example/a", "Wire One"),
            Document("dup-2", "Russia on Monday accused Ukraine of shelling Belgorod, a border town.",
                     dt.date(2025, 7, 8), None, "https://two.example/b", "Daily Two")]
    with Store(path) as store:
        store.write(coder.code_documents(same))
        deduplicate(store)
        events = store.con.execute("SELECT count(*) FROM events WHERE NOT negated").fetchone()[0]
        clusters = store.con.execute("SELECT count(*) FROM clusters WHERE NOT negated").fetchone()[0]
    assert clusters < events

    runner = CliRunner()
    gdelt = tmp_path / "events.gdelt.tsv"
    assert runner.invoke(cli, ["export", str(gdelt), "--db", str(path), "--format", "gdelt"]).exit_code == 0
    rows = list(csv.reader(gdelt.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    assert len(GDELT_COLUMNS) == 61 and all(len(r) == 61 for r in rows)
    assert not rows[0][0].isalpha()  # no header, as in GDELT's files
    named = [dict(zip(GDELT_COLUMNS, r)) for r in rows]
    accusation = [r for r in named if r["Actor1Code"] == "RUSGOV" and r["Actor2CountryCode"] == "UKR"]
    assert len(accusation) == 1  # two reports, one row
    row = accusation[0]
    assert (row["NumArticles"], row["NumSources"], row["SQLDATE"], row["QuadClass"]) == ("2", "2", "20250707", "3")
    assert row["EventRootCode"] == "11" and float(row["GoldsteinScale"]) < 0
    assert len(rows) <= clusters

    polecat = tmp_path / "events.polecat.tsv"
    assert runner.invoke(cli, ["export", str(polecat), "--db", str(path), "--format", "polecat"]).exit_code == 0
    table = list(csv.DictReader(polecat.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    assert list(table[0].keys()) == list(POLECAT_COLUMNS) and len(table) == events
    qatar = [r for r in table if r["Actor Country"] == "QAT"]
    assert qatar and qatar[0]["Actor COW"] == "694" and qatar[0]["Quad Code"].endswith("COOPERATION")
    assert {r["Source"] for r in table if r["Event ID"]} >= {"Wire One", "Daily Two"}


def test_analysis_names_a_party_by_key_or_name_and_refuses_one_nobody_knows(demo_db):
    from tieline.errors import QueryError

    with Store(demo_db, read_only=True) as store:
        expected = analysis.partners(store, "QAT")
        for name in ("qat", "Qatar", "  the  State of Qatar ", "QA"):
            assert analysis.partners(store, name).equals(expected), name
        with pytest.raises(QueryError, match=r"'QATT'.*did you mean QAT \(Qatar\)"):
            analysis.partners(store, "QATT")
        with pytest.raises(QueryError, match="no country or organisation"):
            analysis.timeline(store, country="Atlantis")
    result = CliRunner().invoke(cli, ["dyad", "Qatar", "RWNDA", "--db", str(demo_db)])
    assert isinstance(result.exception, QueryError) and "did you mean RWA (Rwanda)" in str(result.exception)


def test_a_party_only_the_database_knows_is_a_key():
    """A user's own actor (an abbreviation no built-in table has) is found by its stored events."""
    from tieline.errors import QueryError
    from tieline.query.parties import party_code

    class Stored:
        def __init__(self, keys: set[str]) -> None:
            self.keys = keys

        def read(self, sql: str, params: list[str]):  # type: ignore[no-untyped-def]
            class Rows:
                def fetchone(inner):  # type: ignore[no-untyped-def]
                    return (1,) if params[0] in self.keys else None
            return Rows()

    assert party_code(Stored({"ZZGRP"}), "ZZGRP") == "ZZGRP"  # type: ignore[arg-type]
    assert party_code(Stored(set()), "Iran") == "IRN"  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        party_code(Stored(set()), "ZZGRP")  # type: ignore[arg-type]


def test_analysis_every_function_takes_the_same_slice_of_events(demo_db, tmp_path):
    """--since, --until, --type, --quad, --context and --field on every analysis command, as a
    Slice in the API (issue 13); each narrows what is counted and agrees with the events listed."""
    with Store(demo_db, read_only=True) as store:
        everything = analysis.network(store)
        assaults = analysis.network(store, where=analysis.Slice(event="assault"))
        material_conflict = analysis.network(store, where=analysis.Slice(quad=4))
        assert 0 < assaults["events"].sum() <= material_conflict["events"].sum() < everything["events"].sum()
        assert analysis.timeline(store, where=analysis.Slice(quad=1))["quad"].eq(1).all()
        trade = analysis.partners(store, "QAT", where=analysis.Slice(sector="telecommunications"))
        assert all("telecommunications" in list(f) for f in trade["fields"])
        none_then = analysis.dyad(store, "QAT", "RWA", where=analysis.Slice(until="2024"))
        assert none_then.empty and not analysis.dyad(store, "QAT", "RWA", where=analysis.Slice(since="2025-03")).empty
        military = analysis.profile(store, "PAK", where=analysis.Slice(context="military"))
        assert set(military.contexts["context"]) >= {"military"} and military.types["as_actor"].sum() >= 1
    runner = CliRunner()
    for args in (["network", "--type", "ASSAULT"], ["timeline", "--quad", "4", "--by", "year"],
                 ["partners", "Pakistan", "--quad", "4"], ["profile", "PAK", "--context", "military"],
                 ["dyad", "QAT", "RWA", "--field", "telecommunications", "--since", "2025-01", "--until", "2025"]):
        result = runner.invoke(cli, [*args, "--db", str(demo_db), "--format", "csv"])
        assert result.exit_code == 0 and len(result.stdout.splitlines()) > 1, args
    plot = tmp_path / "net.png"
    assert runner.invoke(cli, ["network", "--db", str(demo_db), "--country", "pak", "--plot", str(plot)]).exit_code == 0
    assert plot.read_bytes().startswith(b"\x89PNG")
    refused = runner.invoke(cli, ["partners", "PAK", "--db", str(demo_db), "--context", "sports"])
    assert refused.exit_code == 2 and "is none of" in refused.stderr


def test_export_panel_is_balanced_and_adds_up(demo_db, tmp_path):
    """A row per country (or pair) and period with zeros where nothing happened, whose counts
    add up to the timeline's and the dyad's (issue 13)."""
    import csv

    from tieline.query.panel import panel

    with Store(demo_db, read_only=True) as store:
        yearly, left_out = panel(store, by="year")
        assert left_out == 0 and yearly.groupby("country").size().nunique() == 1  # every country, every year
        for country, rows in yearly.groupby("country"):
            assert rows["events"].sum() == analysis.timeline(store, country=country, by="year")["events"].sum()
        monthly, _ = panel(store, by="month")
        assert (monthly["events"] == 0).sum() > (monthly["events"] > 0).sum()  # zeros are rows too
        assert (monthly[["verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"]]
                .sum(axis=1) == monthly["events"]).all()
        pairs, _ = panel(store, by="month", dyad=True, counts="type")
        pak_afg = pairs[(pairs["actor_country"] == "PAK") & (pairs["recipient_country"] == "AFG")]
        dyad = analysis.dyad(store, "PAK", "AFG", by="month")
        assert pak_afg["events"].sum() == dyad[dyad["direction"] == "PAK->AFG"]["events"].sum() > 0
        assert pak_afg["ASSAULT"].sum() >= 1
        late, _ = panel(store, by="year", where=analysis.Slice(since="2026"))
        assert set(late["period"]) == {"2026"}
    out = tmp_path / "panel.csv"
    result = CliRunner().invoke(cli, ["export", str(out), "--db", str(demo_db), "--format", "panel", "--by", "year",
                                      "--dyad"])
    assert result.exit_code == 0 and "rows (country pair and year)" in result.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0].keys() >= {"actor_country", "recipient_country", "period", "verbal_conflict", "events"}
    assert any(r["actor_country"] == "PAK" and r["recipient_country"] == "AFG" and r["events"] != "0" for r in rows)
