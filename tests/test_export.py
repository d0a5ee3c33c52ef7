"""Exports on real databases built from hand-coded documents (no model): paths and values never
become SQL (issue 9)."""

import os

import duckdb
import pytest
from click.testing import CliRunner

from tieline.cli import cli
from tieline.export import export_events
from tieline.store import Store


@pytest.fixture
def small_db(tmp_path, make_coded):
    path = tmp_path / "small.duckdb"
    with Store(path) as store:
        store.write([make_coded("a", "Iran met Armenia.", events=2),
                     make_coded("b", "Iran met Armenia again.", date="2020-04-09")])
    return path


def _parquet_rows(folder) -> int:
    con = duckdb.connect()
    pattern = (folder / "**" / "*.parquet").as_posix()
    return con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)", [pattern]).fetchone()[0]


@pytest.mark.parametrize("name", [
    "o'brien/out",
    "pq' (FORMAT CSV); COPY (SELECT 42) TO 'injected.csv' (FORMAT CSV); --",
    "quote'' and \"double\" $$ dollars $tag$ ; -- /* */",
])
def test_export_parquet_path_is_never_sql(small_db, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)  # a relative path, as typed on the command line
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(cli, ["export", name, "--db", str(small_db), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert "3 events written" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["month=2020-03", "month=2020-04"]
    assert _parquet_rows(target) == 3
    injected = [f for _, _, files in os.walk(tmp_path) for f in files if f.startswith("injected")]
    assert injected == []  # the SQL in the name never ran


def test_export_refuses_a_path_with_a_nul_byte(small_db, tmp_path):
    from tieline.errors import TielineError

    with Store(small_db, read_only=True) as store, pytest.raises(TielineError, match="NUL"):
        export_events(store, str(tmp_path / "bad\x00name"), fmt="parquet")


def test_export_parquet_refuses_a_backslash_duckdb_would_read_as_a_separator(small_db, tmp_path):
    from tieline.errors import TielineError

    with Store(small_db, read_only=True) as store, pytest.raises(TielineError, match="backslash"):
        export_events(store, str(tmp_path / "back\\slash"), fmt="parquet")
    assert not (tmp_path / "back").exists() and not (tmp_path / "back\\slash").exists()


def test_exports_load_in_pandas_with_codes_as_text(small_db, tmp_path):
    """Parquet reads with pandas and pyarrow (installed with tieline), CAMEO codes such as 040
    as strings; the CSV reads back the same with the README's dtypes (issue 13)."""
    import pandas as pd

    with Store(small_db, read_only=True) as store:
        export_events(store, tmp_path / "pq", fmt="parquet")
        export_events(store, tmp_path / "e.csv", fmt="csv")
    frame = pd.read_parquet(tmp_path / "pq")
    assert len(frame) == 3 and pd.api.types.is_string_dtype(frame["cameo"])
    assert pd.api.types.is_integer_dtype(frame["quad"]) and pd.api.types.is_float_dtype(frame["score"])
    flat = pd.read_csv(tmp_path / "e.csv", dtype={"cameo": str, "event_id": str, "doc_id": str})
    assert sorted(flat["cameo"]) == sorted(frame["cameo"])
    assert all(code == code.strip() and len(code) >= 3 for code in flat["cameo"].dropna())
