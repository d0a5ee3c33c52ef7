"""Events by place (issue 13): the frame behind the maps, the map drawn offline, and the filter on
where an event happened, in the analysis, the CLI, the API and the search."""

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tieline import analysis
from tieline.analysis import Slice
from tieline.cli import cli
from tieline.plot import country_shapes, plot_map, svg
from tieline.store import Store
from tieline.web import create_app

from .conftest import told

LOCAL = "http://localhost"
DAMASCUS = {"name": "Damascus", "country": "SYR", "lat": 33.51, "lon": 36.29, "admin1": "Dimashq",
            "admin1_code": "SY.13", "geonameid": 170654}


@pytest.fixture
def db(tmp_path):
    """Two strikes in Damascus, a meeting in Yerevan, an accusation placed only in Iran, and a
    meeting placed nowhere."""
    def at(story, location, confidence=0.8):
        return replace(story, records=(replace(story.records[0], location=location, confidence=confidence),))

    stories = [
        at(told("s1", "Israel struck a depot in Damascus.", date="2024-01-02", trigger="struck", event="ASSAULT",
                actor="ISR", recipient="SYR", quad=4), DAMASCUS),
        at(told("s2", "Israel struck Damascus again.", date="2024-02-02", trigger="struck", event="ASSAULT",
                actor="ISR", recipient="SYR", quad=4), DAMASCUS, confidence=0.4),
        at(told("m1", "Iran's minister met Armenia's minister in Yerevan.", date="2024-01-05"),
           {"name": "Yerevan", "country": "ARM", "lat": 40.18, "lon": 44.51}),
        at(told("a1", "Britain accused Iran of harassing shipping.", date="2024-03-01", trigger="accused",
                event="ACCUSE", actor="GBR", recipient="IRN", quad=3),
           {"name": "Iran", "country": "IRN", "lat": None, "lon": None}),
        told("n1", "Qatar's emir met Iran's president.", date="2024-03-03", actor="QAT", recipient="IRN"),
    ]
    path = tmp_path / "map.duckdb"
    with Store(path) as store:
        store.write(stories)
    return path


def test_places_counts_events_by_place_and_quad_class(db):
    frame = analysis.places(db)
    rows = {(r.place, r.kind, r.quad): r.events for r in frame.itertuples()}
    assert rows == {("Damascus", "place", 4): 2, ("Yerevan", "place", 1): 1, ("Iran", "country", 3): 1}
    tehran = frame[frame["place"] == "Iran"].iloc[0]
    assert (round(tehran.lat), round(tehran.lon)) == (36, 51)  # drawn at the capital
    assert sorted(analysis.places(db, country="Iran")["place"]) == ["Iran", "Yerevan"]
    assert analysis.places(db, where=Slice(quad=4, min_confidence=0.5))["events"].tolist() == [1]


def test_where_an_event_happened_filters_every_analysis(db):
    assert list(analysis.partners(db, "ISR", where=Slice(place="SYR"))["partner"]) == ["SYR"]
    assert analysis.partners(db, "ISR", where=Slice(place="ARM")).empty
    assert analysis.timeline(db, where=Slice(place="ARM"))["events"].sum() == 1
    runner = CliRunner()
    done = runner.invoke(cli, ["timeline", "--db", str(db), "--where", "Syria", "--format", "jsonl"])
    assert done.exit_code == 0 and sum(json.loads(line)["events"] for line in done.stdout.splitlines()) == 2
    bad = runner.invoke(cli, ["partners", "ISR", "--db", str(db), "--where", "Syriaa"])
    assert bad.exit_code == 2 and "did you mean SYR (Syria)" in bad.output
    listed = runner.invoke(cli, ["events", "--db", str(db), "--where", "SYR", "--format", "jsonl"])
    assert sorted(json.loads(line)["doc_id"] for line in listed.stdout.splitlines()) == ["s1", "s2"]


def test_tieline_map_writes_the_table_and_a_map(db, tmp_path):
    done = CliRunner().invoke(cli, ["map", "--db", str(db), "--country", "ISR", "--format", "csv",
                                    "--plot", str(tmp_path / "map.png")])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[1].startswith('"Damascus","SYR",33.51,36.29,"place",4,2')  # text quoted
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_the_map_links_each_circle_to_its_events(db):
    frame = analysis.places(db)
    drawn = svg(plot_map, frame, link=lambda where, quad: f"/search?where={where}&quad={quad}")
    assert drawn.count("<a ") == len(frame) and "/search?where=SYR&amp;quad=4" in drawn
    assert "4 events at 3 places" in drawn
    empty = svg(plot_map, frame.iloc[0:0])
    assert "no events with a place" in empty


def test_country_shapes_cover_the_countries_of_the_news():
    shapes = country_shapes()
    assert {"IRN", "MYS", "FRA", "NOR", "USA", "RUS", "SYR"} <= set(shapes)
    assert all(len(ring) >= 4 for rings in shapes.values() for ring in rings)


def test_the_api_and_the_search_filter_by_place(db):
    with TestClient(create_app(db), base_url=LOCAL) as client:
        places = client.get("/api/places", params={"country": "ISR"}).json()
        assert [(p["place"], p["events"]) for p in places] == [("Damascus", 2)]
        found = client.get("/api/events", params={"where": "SYR"}).json()
        assert found["total"] == 2
        page = client.get("/search", params={"where": "ARM"}).text
        assert "1</strong> events" in page and 'name="where" value="ARM"' in page
        assert 'id="map"' in client.get("/").text and 'id="map"' in client.get("/country/ISR").text


def test_a_region_is_a_place_filters_take(db, lexicon):
    from tieline.query.parties import place_code

    assert place_code("Dimashq") == "SY.13" == place_code("sy.13")
    assert place_code("Texas") == "US.TX" and place_code("Punjab, Pakistan") == "PK.04"
    with pytest.raises(Exception, match="more than one region is called 'Punjab'"):
        place_code("Punjab")
    assert place_code("Syria") == "SYR"
    assert analysis.timeline(db, where=Slice(place="SY.13"))["events"].sum() == 2
    done = CliRunner().invoke(cli, ["events", "--db", str(db), "--where", "Dimashq", "--format", "jsonl"])
    assert sorted(json.loads(line)["doc_id"] for line in done.stdout.splitlines()) == ["s1", "s2"]
    with TestClient(create_app(db), base_url=LOCAL) as client:
        assert client.get("/api/events", params={"where": "SY.13"}).json()["total"] == 2


def test_the_gazetteer_gives_a_town_its_region_and_geonames_id(lexicon):
    tehran = next(p for p in lexicon.places if p.name == "Tehran")
    location = lexicon.location_of(tehran).to_dict()
    assert (location["admin1"], location["admin1_code"], location["geonameid"]) == ("Tehran", "IR.26", 112931)
    region = next(p for p in lexicon.places if p.feature == "region")
    assert "admin1" not in lexicon.location_of(region).to_dict()
