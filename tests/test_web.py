"""The HTTP API and pages, through FastAPI's test client, on a real database built here."""

import duckdb
import pytest
from fastapi.testclient import TestClient

from tieline.cli import serve
from tieline.errors import StoreError
from tieline.store import Store
from tieline.web import create_app

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def client(web_db):
    with TestClient(create_app(web_db), raise_server_exceptions=False) as c:
        yield c


def _error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["status"] == status and body["error"]["message"]
    assert "Traceback" not in response.text
    return body["error"]["message"]


def test_stats_match_the_database(client, web_db):
    stats = client.get("/api/stats").json()
    with Store(web_db, read_only=True) as store:
        counts = store.counts()
        clusters = store.con.execute("SELECT count(*) FROM clusters").fetchone()[0]
    assert (stats["documents"], stats["events"], stats["clusters"]) == (counts["documents"], counts["events"], clusters)
    assert sum(stats["events_by_quad"].values()) <= stats["events"]


def test_events_filters_and_pages(client):
    everything = client.get("/api/events", params={"page_size": 500}).json()
    total = everything["total"]
    assert total == len(everything["events"]) > 40
    first, second = (client.get("/api/events", params={"page_size": 5, "page": p}).json() for p in (1, 2))
    assert first["total"] == total and len(first["events"]) == 5
    assert not {e["event_id"] for e in first["events"]} & {e["event_id"] for e in second["events"]}

    sanctions = client.get("/api/events", params={"type": "sanction"}).json()
    assert sanctions["total"] > 0 and {e["event"] for e in sanctions["events"]} == {"SANCTION"}
    british = client.get("/api/events", params={"actor": "GBR", "type": "SANCTION"}).json()
    assert 0 < british["total"] <= sanctions["total"]
    assert all("GBR" in str(e["actor"]) for e in british["events"])
    conflict = client.get("/api/events", params={"quad": 4}).json()
    assert conflict["total"] > 0 and {e["quad"] for e in conflict["events"]} == {4}
    economic = client.get("/api/events", params={"context": "economic"}).json()
    assert all("economic" in e["contexts"] for e in economic["events"])
    in_2024 = client.get("/api/events", params={"since": "2024-01-01", "until": "2024-12-31", "page_size": 500}).json()
    assert in_2024["total"] > 0 and all(e["date"].startswith("2024") for e in in_2024["events"])
    words = client.get("/api/events", params={"q": "DRONE"}).json()
    assert words["total"] > 0 and all("drone" in (e["sentence"] + (e["document"]["title"] or "")).lower()
                                      for e in words["events"])


def test_bad_requests_get_clear_json_errors(client):
    assert "unknown event type" in _error(client.get("/api/events", params={"type": "HUG"}), 400)
    assert "page_size" in _error(client.get("/api/events", params={"page_size": 100_000}), 422)
    assert "actor" in _error(client.get("/api/events", params={"actor": "I R N"}), 422)
    assert "since" in _error(client.get("/api/events", params={"since": "last week"}), 422)
    assert "no event" in _error(client.get("/api/events/0123456789abcdef"), 404)
    _error(client.get("/api/events/not-an-id"), 422)
    _error(client.get("/api/nothing-here"), 404)


def test_bound_parameters_and_a_read_only_connection(client, web_db):
    hostile = "'; DROP TABLE events; --"
    assert client.get("/api/events", params={"q": hostile}).json()["total"] == 0
    assert client.get("/api/events", params={"context": hostile}).json()["total"] == 0
    with Store(web_db, read_only=True) as store:
        assert store.counts()["events"] > 0
    with pytest.raises(duckdb.Error):
        client.app.state.store.con.execute("CREATE TABLE intruder (a INTEGER)")


def test_internal_errors_are_json_without_a_trace(client, monkeypatch):
    import tieline.web.app as web_app

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(web_app, "stats", broken)
    response = client.get("/api/stats")
    assert "internal error" in _error(response, 500) and "secret" not in response.text


def test_one_event_with_its_story_and_cluster(client):
    clusters = client.get("/api/clusters", params={"min_reports": 2}).json()
    assert clusters and all(c["num_reports"] >= 2 for c in clusters)
    cluster = client.get(f"/api/clusters/{clusters[0]['cluster_id']}").json()
    assert cluster["num_reports"] == clusters[0]["num_reports"] == len({r["doc_id"] for r in cluster["reports"]})
    event_id = cluster["reports"][0]["event_id"]
    event = client.get(f"/api/events/{event_id}").json()
    start, end = event["spans"]["trigger"]
    assert event["document"]["text"][start:end] == event["trigger"]
    assert event["cluster"]["cluster_id"] == clusters[0]["cluster_id"]
    assert {r["event_id"] for r in event["cluster"]["other_reports"]} == \
        {r["event_id"] for r in cluster["reports"]} - {event_id}
    _error(client.get("/api/clusters/0123456789abcdef"), 404)


def test_dyads_partners_and_network(client):
    dyad = client.get("/api/dyads/GBR/BLR", params={"by": "month"}).json()
    assert dyad and {row["direction"] for row in dyad} <= {"GBR->BLR", "BLR->GBR"}
    assert "unknown period" in _error(client.get("/api/dyads/GBR/BLR", params={"by": "decade"}), 400)
    partners = client.get("/api/countries/GBR/partners").json()
    assert {"BLR", "IRN"} <= {p["partner"] for p in partners}
    assert all(-1 <= p["balance"] <= 1 and isinstance(p["fields"], list) for p in partners)
    edges = client.get("/api/network", params={"type": "SANCTION"}).json()
    assert ("GBR", "BLR") in {(e["source"], e["target"]) for e in edges}
    mine = client.get("/api/network", params={"country": "QAT"}).json()
    assert mine and all("QAT" in (e["source"], e["target"]) for e in mine)


def test_code_pasted_text_without_storing_it(client, web_db):
    before = client.get("/api/stats").json()["events"]
    text = "Britain imposed sanctions on Belarus on Tuesday over the detention of opposition leaders."
    response = client.post("/api/code", json={"text": text, "date": "2024-04-17"})
    events = response.json()["events"]
    assert response.status_code == 200 and events[0]["event"] == "SANCTION" and events[0]["date"] == "2024-04-16"
    assert client.get("/api/stats").json()["events"] == before
    assert "at most 100000 characters" in _error(client.post("/api/code", json={"text": "a " * 60_000}), 422)
    assert "larger than" in _error(client.post("/api/code", content=b"x" * 300_000,
                                               headers={"content-type": "application/json"}), 413)
    _error(client.post("/api/code", content=b"{not json", headers={"content-type": "application/json"}), 422)
    _error(client.post("/api/code", json={"text": ""}), 422)


def test_events_csv_is_the_current_selection(client):
    response = client.get("/events.csv", params={"type": "SANCTION", "actor": "GBR"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    api_total = client.get("/api/events", params={"type": "SANCTION", "actor": "GBR"}).json()["total"]
    assert lines[0].startswith("event_id,date,event") and len(lines) - 1 == api_total
    assert all(",SANCTION," in line for line in lines[1:])


def test_pages_render(client):
    event_id = client.get("/api/events", params={"page_size": 1}).json()["events"][0]["event_id"]
    for path, expected in (("/", "Most active pairs"), ("/country/GBR", "Partners"), ("/dyad/GBR/BLR", "Events"),
                           (f"/event/{event_id}", 'class="trigger"'), ("/search?type=SANCTION", "export as CSV"),
                           ("/try", "Code it")):
        page = client.get(path)
        assert page.status_code == 200 and expected in page.text, path
        assert "<svg" in page.text or path in ("/search?type=SANCTION", "/try") or path.startswith("/event/")
    missing = client.get("/country/XYZ")
    assert missing.status_code == 404 and "no events" in missing.text and "<html" in missing.text
    assert client.get("/country/go", params={"code": "gbr"}, follow_redirects=False).headers["location"] == "/country/GBR"


def test_paste_page_marks_the_evidence(client):
    page = client.post("/try", data={"text": "Russia threatened to cut gas supplies to Ukraine on Monday.",
                                     "date": "2022-01-05"})
    assert page.status_code == 200
    assert '<mark class="trigger"' in page.text and '<mark class="actor"' in page.text
    assert "THREATEN" in page.text


def test_static_assets_are_local_and_openapi_is_served(client):
    assert client.get("/static/style.css").status_code == 200
    page = client.get("/").text
    assert "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]
    spec = client.get("/openapi.json").json()
    assert {"/api/events", "/api/code", "/api/stats", "/api/clusters"} <= set(spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "GET /api/events" in docs.text and "page_size" in docs.text
    assert "cdn" not in docs.text.lower() and 'src="http' not in docs.text and 'href="http' not in docs.text


def test_serve_binds_to_localhost_by_default_and_needs_a_database(tmp_path):
    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"
    with pytest.raises(StoreError, match="no such database"):
        create_app(tmp_path / "missing.duckdb")
