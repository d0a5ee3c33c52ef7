"""Coding in worker processes (issue 12): the same records, in the same order, as one process;
ingest keeps one writer. Real worker processes with the real model."""

import json
from importlib import resources

import pytest
from click.testing import CliRunner

from tieline.cli import cli
from tieline.errors import TielineError
from tieline.read import read_jsonl
from tieline.workers import CoderSpec, WorkerCoder

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def stories():
    sample = resources.files("tieline").joinpath("data", "samples", "demo.jsonl").read_bytes()
    import io

    return list(read_jsonl(io.BytesIO(sample), "demo.jsonl"))


def test_workers_give_the_same_records_in_the_same_order(stories, coder):
    one = [r.to_dict() for r in coder.code(stories)]
    with WorkerCoder(CoderSpec(options=(("event_source", "rules"),)), workers=2, chunk_documents=3) as pool:
        two = [r.to_dict() for r in pool.code(stories)]
    assert one and two == one


def test_workers_cli_code_and_ingest_match_one_process(stories, tmp_path):
    source = tmp_path / "stories.jsonl"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text, "date": d.date.isoformat(), "title": d.title})
                              + "\n" for d in stories) + "{broken\n", encoding="utf-8")
    runner = CliRunner()
    outputs = {}
    for workers in ("1", "2"):
        done = runner.invoke(cli, ["code", str(source), "--workers", workers, "--events", "rules"])
        assert done.exit_code == 0, done.output
        outputs[workers] = done.stdout
        assert "malformed JSON" in done.stderr  # problems still reported, in order
    assert outputs["1"] == outputs["2"] != ""
    db = tmp_path / "w.duckdb"
    stored = runner.invoke(cli, ["ingest", str(source), "--db", str(db), "--workers", "2", "--events", "rules"])
    assert stored.exit_code == 0, stored.output
    listed = runner.invoke(cli, ["events", "--db", str(db), "--format", "jsonl"])
    assert sorted(json.loads(line)["event_id"] for line in listed.stdout.splitlines()) == \
        sorted(json.loads(line)["event_id"] for line in outputs["1"].splitlines())


def test_workers_must_be_one_or_more():
    with pytest.raises(TielineError, match="1 or more"):
        WorkerCoder(CoderSpec(), workers=0)
    assert CliRunner().invoke(cli, ["code", "-", "--workers", "0"]).exit_code == 2


def test_workers_a_short_run_codes_in_this_process(monkeypatch):
    from tieline.cli import base
    from tieline.settings import DEFAULTS
    from tieline.workers import WorkerCoder

    monkeypatch.setitem(DEFAULTS, "workers", 2)
    monkeypatch.setattr(base, "make_coder", lambda *args, **kwargs: "one process")
    with base.coding(None, 8, documents=base.FEW_DOCUMENTS - 1) as coder:
        assert isinstance(coder, base.LazyCoder) and coder.coder == "one process"  # built on first use
    with base.coding(None, 8, documents=base.FEW_DOCUMENTS) as coder:  # the pool starts its workers on first use
        assert isinstance(coder, WorkerCoder) and coder.workers == 2
    with base.coding(None, 8, documents=5, workers=2) as coder:  # asked for: granted
        assert isinstance(coder, WorkerCoder)
