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
