"""The codes of their time (issue 13): parties of states of the past by the event's date, and their
codes and Correlates of War numbers in exports."""

import csv
import datetime as dt
import io
from dataclasses import replace

import jsonschema
import pytest
from fastapi.testclient import TestClient

from tieline.export import COLUMNS, event_row
from tieline.partial_date import first_day
from tieline.records import record_schema
from tieline.states import cow_number, state_then, with_states
from tieline.store import Store
from tieline.types import Document, Member, Party
from tieline.web import create_app

from .conftest import told


@pytest.mark.parametrize("country, text, day, then", [
    ("RUS", "Moscow", "1987-03-02", "SUN"),
    ("RUS", "Russia", "1992-01-01", None),
    ("UKR", "Kiev", "1991-12-25", "SUN"),
    ("LTU", "Lithuania", "1991-10-01", None),  # recognised in September 1991
    ("RUS", "Moscow", "1991-10-01", "SUN"),
    ("DEU", "Bonn", "1987-05-01", "FRG"),
    ("DEU", "East German leader Erich Honecker", "1987-05-01", "DDR"),
    ("DEU", "Germany", "1990-10-03", None),  # reunified
    ("SRB", "Belgrade", "1995-01-01", "YUG"),
    ("HRV", "Zagreb", "1991-06-24", "YUG"),
    ("HRV", "Zagreb", "1991-06-25", None),
    ("CZE", "Prague", "1992-12-31", "CSK"),
    ("CZE", "Prague", "1993-01-01", None),
    ("IRN", "Tehran", "1987-03-02", None),
])
def test_a_party_gets_the_code_of_its_time(lexicon, country, text, day, then):
    state = state_then(Member(text, None, country, "GOV"), dt.date.fromisoformat(day), lexicon)
    assert (state.code if state else None) == then


def test_the_event_date_decides_and_none_means_none(lexicon):
    moscow = Party.of(Member("Moscow", "Russia", "RUS", "GOV"))
    assert with_states(moscow, "1987", lexicon).first.country_then == "SUN"  # the year's first day
    assert with_states(moscow, None, lexicon) == moscow
    assert first_day("1987-04") == dt.date(1987, 4, 1) and first_day("junk") is None


def test_cow_numbers_follow_the_state_of_the_time(lexicon):
    assert cow_number(Member(country="RUS", country_then="SUN"), lexicon) == "365"
    assert cow_number(Member(country="DEU", country_then="DDR"), lexicon) == "265"
    assert cow_number(Member(country="DEU"), lexicon) == "255"
    assert cow_number(Member(abbrev="UN"), lexicon) == ""


def test_the_coder_writes_the_codes_of_the_time(coder):
    text = "The Soviet Union and West Germany signed a trade agreement in Moscow on Monday."
    records = coder.code_documents([Document("h", text, dt.date(1987, 3, 2)),
                                    Document("n", text.replace("The Soviet Union", "Russia")
                                             .replace("West Germany", "Germany"), dt.date(2020, 3, 2))])
    then = {(c.document.id, m.country, m.country_then) for c in records for r in c.records
            for m in (*r.actor.members, *(r.recipient.members if r.recipient else ()))}
    assert ("h", "RUS", "SUN") in then and ("h", "DEU", "FRG") in then
    assert {t for d, _, t in then if d == "n"} == {None}
    for c in records:
        for r in c.records:
            jsonschema.validate(r.to_dict(), record_schema()["properties"]["actor"])


def test_exports_carry_the_code_of_the_time_and_cow_numbers(tmp_path):
    story = told("s", "Moscow accused Bonn of spying.", date="1987-03-02", trigger="accused", event="ACCUSE",
                 actor="RUS", recipient="DEU", quad=3)
    record = replace(story.records[0], actor=Party.of(Member("Moscow", "Russia", "RUS", "GOV", None, "SUN")),
                     recipient=Party.of(Member("Bonn", "Germany", "DEU", "GOV", None, "FRG")))
    row = dict(zip(COLUMNS, event_row(record.to_dict())))
    assert (row["actor_country_then"], row["actor_cow"], row["recipient_country_then"], row["recipient_cow"]) == \
        ("SUN", "365", "FRG", "260")
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.write([replace(story, records=(record,))])
    with TestClient(create_app(path), base_url="http://localhost") as client:
        (web,) = csv.DictReader(io.StringIO(client.get("/events.csv").text))
    assert {k: web[k] for k in ("actor_country_then", "actor_cow", "recipient_country_then", "recipient_cow")} == \
        {"actor_country_then": "SUN", "actor_cow": "365", "recipient_country_then": "FRG", "recipient_cow": "260"}
