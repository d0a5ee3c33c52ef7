"""Exports that load anywhere (issue 13): each layout read back with the tools its users use,
pandas with GDELT's 61 columns, pandas with POLECAT's header, pyarrow for Parquet, and CSV
whose codes stay text."""

import csv
import datetime as dt
from collections import Counter
from dataclasses import replace

import pandas as pd
import pyarrow.dataset as ds
import pytest

from tieline.export import COLUMNS, export_events
from tieline.layouts import GDELT_COLUMNS, POLECAT_COLUMNS, event_number, fraction_date, known_group
from tieline.store import Store
from tieline.types import Member, Party

from .conftest import told

TEHRAN = {"name": "Tehran", "country": "IRN", "lat": 35.69, "lon": 51.42, "admin1": "Tehran", "admin1_code": "IR.26",
          "geonameid": 112931}


@pytest.fixture
def db(tmp_path):
    """A compound meeting (Iran and Malaysia with the UN) in Tehran; an attack by unknown
    gunmen (sector UNK) placed nowhere; a negated threat; a statement dated only 1987."""
    meeting = told("m", "Iran and Malaysia met the UN in Tehran.", date="2024-05-02")
    meeting = replace(meeting, document=replace(meeting.document, url="file:///etc/passwd"), records=(replace(
        meeting.records[0], location=TEHRAN, actor=Party.of(Member("Iran", "Iran", "IRN", "GOV"),
                                                            Member("Malaysia", "Malaysia", "MYS", "GOV")),
        recipient=Party.of(Member("the UN", "United Nations", None, "IGO", "UN"))),))
    attack = told("a", "Gunmen attacked a convoy in Iraq.", date="2024-05-03", trigger="attacked", event="ASSAULT",
                  actor="IRQ", recipient="IRQ", quad=4)
    attack = replace(attack, records=(replace(attack.records[0], cameo="190", location=None,
                                              actor=Party.of(Member("Gunmen", None, "IRQ", "UNK"))),))
    threat = told("t", "Iran did not threaten Iraq.", date="2024-05-04", trigger="threaten", event="THREATEN",
                  actor="IRN", recipient="IRQ", quad=3)
    threat = replace(threat, records=(replace(threat.records[0], negated=True),))
    old = told("o", "In 1987 Iran accused Iraq.", date="1988-01-05", trigger="accused", event="ACCUSE", actor="IRN",
               recipient="IRQ", quad=3)
    old = replace(old, records=(replace(old.records[0], date="1987", date_precision="year"),))
    path = tmp_path / "layouts.duckdb"
    with Store(path) as store:
        store.write([meeting, attack, threat, old])
    return path


def test_gdelt_loads_in_pandas_with_its_61_columns_and_dtypes(db, tmp_path):
    skipped: Counter[str] = Counter()
    with Store(db, read_only=True) as store:
        n = export_events(store, tmp_path / "g.tsv", fmt="gdelt", skipped=skipped)
    frame = pd.read_csv(tmp_path / "g.tsv", sep="\t", header=None, names=list(GDELT_COLUMNS),
                        dtype={"EventCode": str, "EventBaseCode": str, "EventRootCode": str, "Actor1Code": str,
                               "Actor2Code": str, "ActionGeo_ADM1Code": str, "SOURCEURL": str})
    assert n == len(frame) == 3 and len(GDELT_COLUMNS) == 61
    assert frame["GLOBALEVENTID"].dtype == "int64" and frame["GLOBALEVENTID"].max() < 2**53
    assert frame["GLOBALEVENTID"].is_unique
    meeting = frame[frame["SQLDATE"] == 20240502]
    assert sorted(meeting["Actor1Code"]) == ["IRNGOV", "MYSGOV"]  # a row per member pair
    assert set(meeting["Actor2Code"]) == {"IGOUNO"} and set(meeting["Actor2KnownGroupCode"]) == {"UNO"}
    assert set(meeting["ActionGeo_ADM1Code"]) == {"IR26"} and set(meeting["ActionGeo_FeatureID"]) == {112931}
    assert set(meeting["ActionGeo_Type"]) == {4} and meeting["SOURCEURL"].isna().all()  # not a web address
    assert meeting["FractionDate"].iloc[0] == pytest.approx(2024 + (5 * 30 + 2) / 365, abs=1e-4)
    attack = frame[frame["EventCode"] == "190"].iloc[0]
    assert attack["Actor1Code"] == "IRQ" and pd.isna(attack["Actor1Type1Code"])  # no UNK code
    assert attack["ActionGeo_Type"] == 0 and attack["Actor1Geo_Type"] == 0
    assert not frame.isin(["UNK"]).any().any()
    assert skipped == Counter({"negated": 1, "no day (dated less precisely than a day, and not published in it)": 1})


def test_polecat_loads_with_its_header_and_a_full_date_in_every_row(db, tmp_path):
    skipped: Counter[str] = Counter()
    with Store(db, read_only=True) as store:
        export_events(store, tmp_path / "p.tsv", fmt="polecat", skipped=skipped)
    frame = pd.read_csv(tmp_path / "p.tsv", sep="\t", dtype={"GeoNames ID": "Int64"})
    assert list(frame.columns) == list(POLECAT_COLUMNS)
    dates = pd.to_datetime(frame["Event Date"], format="%Y-%m-%d")
    assert dates.notna().all() and len(frame) == 3
    old = frame[frame["Event ID"].str.len() == 16].set_index("Event Type")
    assert old.loc["ACCUSE", "Event Date"] == "1987-01-01" and old.loc["ACCUSE", "Date Precision"] == "year"
    assert old.loc["CONSULT", "GeoNames ID"] == 112931 and old.loc["CONSULT", "Feature Type"] == "PPLC"
    assert old.loc["CONSULT", "Province"] == "Tehran" and old.loc["CONSULT", "Actor Country"] == "IRN; MYS"
    assert skipped == Counter({"negated": 1})


def test_parquet_partitions_every_record_by_month_and_keeps_codes_as_text(db, tmp_path):
    with Store(db, read_only=True) as store:
        export_events(store, tmp_path / "pq", fmt="parquet")
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == ["month=1987-01", "month=2024-05"]
    table = ds.dataset(tmp_path / "pq", partitioning="hive").to_table()
    assert str(table.schema.field("cameo").type) == "string" and str(table.schema.field("actor_cow").type) == "string"
    frame = table.to_pandas()
    assert set(frame["cameo"]) >= {"040", "190"} and frame.loc[frame["date"] == "1987", "date_precision"].tolist() == [
        "year"]


def test_csv_quotes_its_codes_so_they_read_back_as_text(db, tmp_path):
    with Store(db, read_only=True) as store:
        export_events(store, tmp_path / "e.csv", fmt="csv")
    text = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS) and '"040"' in text
    rows = list(csv.DictReader(text.splitlines()))
    assert {r["cameo"] for r in rows} >= {"040", "190"}
    frame = pd.read_csv(tmp_path / "e.csv", dtype={"cameo": str, "actor_cow": str})
    assert "040" in set(frame["cameo"]) and "630" in set(frame["actor_cow"])


def test_known_groups_ids_and_fraction_dates():
    assert [known_group(c) for c in ("IGOUNO", "IGOWSTNAT", "IGOEUREEC", "NGODEV", "IGOUNOHLHWHO")] == \
        ["UNO", "NAT", "EEC", "", "WHO"]
    assert event_number("ffffffffffffffff", 0) < 2**53 and event_number("ffffffffffffffff", 1) < 2**53
    assert fraction_date(dt.date(2013, 3, 15)) == "2013.2877"
