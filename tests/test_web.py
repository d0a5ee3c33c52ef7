"""The HTTP API and pages, through FastAPI's test client, on a real database built here; the
guards (hosts, headers, limits, workers, keep-alive) also against uvicorn on 127.0.0.1."""

import csv
import http.client
import json
import os
import re
import socket
import threading
import time
from contextlib import contextmanager

import duckdb
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tieline.cli import serve
from tieline.errors import InputError, LexiconError, ModelError, StoreError
from tieline.store import Store
from tieline.types import CodedDocument
from tieline.web import create_app
from tieline.web.coding import CodingPool
from tieline.web.guards import LOOPBACK_HOSTS, hosts_for

from .conftest import coded_document

model = pytest.mark.model

# TestClient's default host is "testserver", which the app refuses (issue 9): ask as localhost
LOCAL = "http://localhost"


@pytest.fixture(scope="module")
def client(hand_web_db):
    """The app over a database built by hand (tests/conftest.py: ``hand_web_db``)."""
    with TestClient(create_app(hand_web_db), base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def model_client(web_db):
    """The app over a database coded by the real model, whose paste page codes with it too."""
    with TestClient(create_app(web_db), base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


def _error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["status"] == status and body["error"]["message"]
    assert "Traceback" not in response.text
    return body["error"]["message"]


def test_stats_match_the_database(client, hand_web_db):
    stats = client.get("/api/stats").json()
    with Store(hand_web_db, read_only=True) as store:
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


def test_bound_parameters_and_a_read_only_connection(client, hand_web_db):
    hostile = "'; DROP TABLE events; --"
    assert client.get("/api/events", params={"q": hostile}).json()["total"] == 0
    assert client.get("/api/events", params={"context": hostile}).json()["total"] == 0
    with Store(hand_web_db, read_only=True) as store:
        assert store.counts()["events"] > 0
    with pytest.raises(duckdb.Error):
        client.app.state.store.con.execute("CREATE TABLE intruder (a INTEGER)")


def test_internal_errors_are_json_without_a_trace(client, monkeypatch):
    import tieline.web.api as web_app

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


@model
def test_code_pasted_text_without_storing_it(model_client):
    client = model_client
    before = client.get("/api/stats").json()["events"]
    text = "Britain imposed sanctions on Belarus on Tuesday over the detention of opposition leaders."
    response = client.post("/api/code", json={"text": text, "date": "2024-04-17"})
    events = response.json()["events"]
    assert response.status_code == 200 and events[0]["event"] == "SANCTION" and events[0]["date"] == "2024-04-16"
    assert response.json()["problems"] == []
    assert client.get("/api/stats").json()["events"] == before
    assert "at most 100000 characters" in _error(client.post("/api/code", json={"text": "a " * 60_000}), 422)
    assert "larger than" in _error(client.post("/api/code", content=b"x" * 300_000,
                                               headers={"content-type": "application/json"}), 413)
    _error(client.post("/api/code", content=b"{not json", headers={"content-type": "application/json"}), 422)
    _error(client.post("/api/code", json={"text": ""}), 422)


@pytest.mark.parametrize("params", [{}, {"actor": "IRN", "since": "2020"}, {"quad": 4}, {"q": "minister"}])
def test_events_csv_is_the_export_layout_of_the_records(client, hand_web_db, params):
    """Issue 12: the CSV is read from the stored columns; it is the export's CSV of the records."""
    import io

    from tieline.export import write_events_csv
    from tieline.query import EventQuery, search_events

    expected = io.StringIO()
    query = EventQuery(actor=params.get("actor"), since=params.get("since"), quad=params.get("quad"),
                       text=params.get("q"))
    with Store(hand_web_db, read_only=True) as store:
        write_events_csv(search_events(store, query, limit=10_000), expected)
    assert client.get("/events.csv", params=params).text == expected.getvalue()


def test_events_csv_is_the_current_selection(client):
    response = client.get("/events.csv", params={"type": "SANCTION", "actor": "GBR"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    api_total = client.get("/api/events", params={"type": "SANCTION", "actor": "GBR"}).json()["total"]
    assert lines[0].startswith("event_id,doc_id,date,date_precision,event") and len(lines) - 1 == api_total
    assert all(row["event"] == "SANCTION" for row in csv.DictReader(lines))


def test_pages_render(client):
    event_id = client.get("/api/events", params={"page_size": 1}).json()["events"][0]["event_id"]
    for path, expected in (("/", "Most active pairs"), ("/country/GBR", "Partners"), ("/dyad/GBR/BLR", "Events"),
                           (f"/event/{event_id}", 'class="trigger"'), ("/search?type=SANCTION", "export as CSV"),
                           ("/try", "Code it")):
        page = client.get(path)
        assert page.status_code == 200 and expected in page.text, path
        assert "<svg" in page.text or path in ("/search?type=SANCTION", "/try") or path.startswith("/event/")
    missing = client.get("/country/XYZ")
    assert missing.status_code == 404 and "no country or organisation" in missing.text and "<html" in missing.text
    quiet = client.get("/country/FJI")  # a country the tables know, with no events here
    assert quiet.status_code == 404 and "no events" in quiet.text and "<html" in quiet.text
    named = client.get("/country/Belarus", follow_redirects=False)  # a name or lower case leads to the key
    assert named.status_code == 307 and named.headers["location"] == "/country/BLR"
    assert client.get("/dyad/gbr/Belarus", follow_redirects=False).headers["location"] == "/dyad/GBR/BLR?by=month"
    unknown = client.get("/api/countries/IRNN/partners")
    assert unknown.status_code == 404 and "did you mean IRN (Iran)" in unknown.json()["error"]["message"]
    assert client.get("/country/go", params={"code": "gbr"}, follow_redirects=False).headers["location"] == "/country/GBR"


@model
def test_paste_page_marks_the_evidence(model_client):
    client = model_client
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


# --- issue 9: guards, on a database built by hand (no model) and a stand-in coder -----------------

HOSTILE_URLS = {"js": "javascript:alert(1)", "js2": " JavaScript:alert(document.domain)",
                "data": "data:text/html,<script>alert(1)</script>", "noslash": "https:javascript:alert(1)",
                "web": "https://news.example/a", "plain": "http://news.example/b"}


@pytest.fixture(scope="module")
def plain_db(tmp_path_factory):
    """Documents whose urls came from their sources, some hostile; one event each."""
    path = tmp_path_factory.mktemp("web-plain") / "plain.duckdb"
    with Store(path) as store:
        store.write([coded_document(doc_id, f"Iran met Armenia in Yerevan ({doc_id}).", url=url)
                     for doc_id, url in HOSTILE_URLS.items()])
    return path


class StandInCoder:
    """Codes in a worker process instead of the real Coder: a text holding 'hang' never ends,
    one holding 'fail' raises (as a date out of range did), anything else gives no event."""

    def code_documents(self, documents):
        for document in documents:
            if "hang" in document.text:
                time.sleep(600)
            if "fail" in document.text:
                raise ValueError("year 10000 is out of range")
            yield CodedDocument(document, ())


def _stand_in_app(db, **pool_options):
    return create_app(db, coding=CodingPool(make_coder=StandInCoder, **pool_options))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _served(app):
    """The app served by uvicorn on 127.0.0.1 in a thread; yields the port."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _ask(port, method, path, body=None, headers=None, timeout=60.0):
    """(status, headers, parsed JSON or text, seconds) of one request on its own connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    start = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode()
        kind = response.getheader("content-type") or ""
        return response.status, response, json.loads(text) if "json" in kind else text, time.monotonic() - start
    finally:
        conn.close()


def _event_ids(client):
    events = client.get("/api/events", params={"page_size": 500}).json()["events"]
    return {e["doc_id"]: e["event_id"] for e in events}


def test_web_only_http_urls_become_links(plain_db):
    with TestClient(create_app(plain_db), base_url=LOCAL) as client:
        ids = _event_ids(client)
        for doc_id, url in HOSTILE_URLS.items():
            page = client.get(f"/event/{ids[doc_id]}")
            assert page.status_code == 200, doc_id
            if doc_id in ("web", "plain"):
                assert f'<a href="{url}" rel="noopener noreferrer">' in page.text
            else:
                assert "href=\"javascript" not in page.text.lower() and 'href="data' not in page.text
                assert 'href=" javascript' not in page.text.lower() and 'href="https:javascript' not in page.text
                assert "alert(" in page.text  # the url is shown, as text
                assert "<script>alert" not in page.text
        for path in ("/", "/search", "/dyad/IRN/ARM", "/country/IRN"):  # lists of events link only to /event/ID
            page = client.get(path)
            assert page.status_code == 200 and "alert(" not in page.text and "javascript" not in page.text.lower()


def test_web_security_headers_on_every_response(plain_db, monkeypatch):
    import tieline.web.api as web_app

    with TestClient(create_app(plain_db), base_url=LOCAL, raise_server_exceptions=False) as client:
        responses = [client.get("/"), client.get("/api/stats"), client.get("/static/style.css"),
                     client.get("/api/nothing"), client.get("/search", headers={"host": "evil.example"}),
                     client.post("/api/code", content=b"x" * 300_000, headers={"content-type": "application/json"})]
        monkeypatch.setattr(web_app, "stats", lambda *a, **k: 1 / 0)
        responses.append(client.get("/api/stats"))
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 400, 413, 500]
    for response in responses:
        policy = response.headers["content-security-policy"]
        assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("host, allowed", [
    ("localhost", True), ("localhost:8000", True), ("127.0.0.1:8000", True), ("[::1]:8000", True),
    ("LOCALHOST", True), ("evil.example", False), ("evil.example:8000", False), ("localhost.evil.example", False),
    ("127.0.0.1.nip.io", False), ("", False)])
def test_web_host_header_is_checked(plain_db, host, allowed):
    with TestClient(create_app(plain_db), base_url=LOCAL) as client:
        response = client.get("/api/stats", headers={"host": host})
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and "not served here" in response.json()["error"]["message"]


def test_web_hosts_for_a_bound_address_and_more_allowed(plain_db, monkeypatch):
    assert hosts_for("127.0.0.1") == hosts_for("localhost") == hosts_for("::1") == LOOPBACK_HOSTS
    assert hosts_for("192.168.1.5") == ("192.168.1.5",) and hosts_for("[fe80::1]") == ("fe80::1",)
    assert set(LOOPBACK_HOSTS) < set(hosts_for("0.0.0.0"))
    with TestClient(create_app(plain_db, allowed_hosts=["news.example"]), base_url="http://news.example") as client:
        assert client.get("/api/stats").status_code == 200
        assert client.get("/api/stats", headers={"host": "localhost"}).status_code == 400
    with TestClient(create_app(plain_db, allowed_hosts=["*"]), base_url="http://anything.example") as client:
        assert client.get("/api/stats").status_code == 200

    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    result = CliRunner().invoke(serve, ["--db", str(plain_db), "--allow-host", "proxy.example", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and "proxy.example" in result.output
    with TestClient(served["app"], base_url="http://proxy.example") as client:
        assert client.get("/api/stats").status_code == 200
        assert client.get("/api/stats", headers={"host": "127.0.0.1:8123"}).status_code == 200
        assert client.get("/api/stats", headers={"host": "evil.example:8123"}).status_code == 400


def _chunks(total, size=16_384):
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_web_chunked_body_over_the_limit_is_413(plain_db):
    with TestClient(create_app(plain_db), base_url=LOCAL) as client:
        response = client.post("/api/code", content=_chunks(300_000), headers={"content-type": "application/json"})
        assert response.status_code == 413 and "larger than" in response.json()["error"]["message"]
        response = client.post("/try", content=_chunks(300_000),
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413
    with _served(create_app(plain_db)) as port:
        # http.client sends an iterable body chunked, without a Content-Length
        status, _, body, _ = _ask(port, "POST", "/api/code", body=_chunks(300_000),
                                  headers={"content-type": "application/json"})
        assert status == 413 and "larger than" in body["error"]["message"]


def test_web_keeps_the_connection_after_a_500(plain_db, monkeypatch):
    import tieline.web.api as web_app

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    with _served(create_app(plain_db)) as port:
        monkeypatch.setattr(web_app, "stats", broken)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/api/stats")
            first = conn.getresponse()
            body = first.read().decode()
            assert first.status == 500 and "internal error" in body and "secret" not in body
            assert first.getheader("connection") != "close"
            monkeypatch.undo()
            conn.request("GET", "/api/stats")  # the same connection, kept alive
            second = conn.getresponse()
            assert second.status == 200 and json.loads(second.read())["events"] == len(HOSTILE_URLS)
        finally:
            conn.close()


def test_web_coding_worker_starts_on_first_story_and_stops_with_the_app(plain_db):
    app = _stand_in_app(plain_db)
    pool = app.state.coding
    with TestClient(app, base_url=LOCAL) as client:
        assert client.get("/api/stats").status_code == 200 and client.get("/").status_code == 200
        assert pool.running() == []  # nothing loaded for reading
        response = client.post("/api/code", json={"text": "Iran met Armenia."})
        assert response.status_code == 200 and response.json() == {"events": [], "problems": []}
        (pid,) = pool.running()
        assert pid != os.getpid()
    assert pool.running() == []  # the app's shutdown stopped its worker
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_web_a_failing_story_is_a_problem_not_a_500(plain_db):
    with TestClient(_stand_in_app(plain_db), base_url=LOCAL) as client:
        response = client.post("/api/code", json={"text": "They will fail tomorrow.", "date": "9999-12-31"})
        assert response.status_code == 200, response.text
        (problem,) = response.json()["problems"]
        assert response.json()["events"] == [] and "out of range" in problem["reason"]
        page = client.post("/try", data={"text": "They will fail tomorrow.", "date": "9999-12-31"})
        assert page.status_code == 200 and "out of range" in page.text
        # the worker survived the failure
        assert client.post("/api/code", json={"text": "Iran met Armenia."}).json() == {"events": [], "problems": []}


def test_web_busy_coding_is_refused_and_overrun_stopped_while_reads_answer(plain_db):
    app = _stand_in_app(plain_db, workers=1, queue_size=0, timeout=2.0)
    pool = app.state.coding
    with _served(app) as port:
        hung = {}
        story = json.dumps({"text": "This story will hang the coder."})
        thread = threading.Thread(target=lambda: hung.update(answer=_ask(
            port, "POST", "/api/code", story, {"content-type": "application/json"})))
        thread.start()
        deadline = time.monotonic() + 30
        while not pool.running():  # the hanging story has its worker
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.05)
        quick = json.dumps({"text": "Iran met Armenia."})
        status, response, body, _ = _ask(port, "POST", "/api/code", quick, {"content-type": "application/json"})
        assert status == 503 and response.getheader("retry-after") == "2" and "busy" in body["error"]["message"]
        assert _ask(port, "GET", "/api/stats")[0] == 200 and _ask(port, "GET", "/search")[0] == 200
        thread.join(timeout=60)
        status, _, body, seconds = hung["answer"]
        assert status == 504 and "longer than 2 s" in body["error"]["message"] and seconds < 40
        # a fresh worker codes the next story
        status, _, body, _ = _ask(port, "POST", "/api/code", quick, {"content-type": "application/json"})
        assert status == 200 and body == {"events": [], "problems": []}


@model
def test_web_code_with_a_date_at_the_end_of_time_never_500s(model_client):
    client = model_client
    response = client.post("/api/code", json={"text": "Russia and Ukraine will meet tomorrow in Geneva.",
                                              "date": "9999-12-31"})
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"events", "problems"}


@pytest.fixture(scope="module")
def confidence_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("web-conf") / "conf.duckdb"
    with Store(path) as store:
        store.write([coded_document("low", "Iran met Armenia (low).", confidence=0.3),
                     coded_document("high", "Iran met Armenia (high).", confidence=0.9)])
    return path


def test_web_events_filter_on_min_confidence(confidence_db):
    client = TestClient(create_app(confidence_db), base_url="http://localhost")
    def ids(query: str) -> list[str]:
        response = client.get(f"/api/events{query}")
        assert response.status_code == 200, response.text
        return sorted(e["doc_id"] for e in response.json()["events"])
    assert ids("") == ["high", "low"]
    assert ids("?min_confidence=0.5") == ["high"]
    assert ids("?min_confidence=") == ["high", "low"]  # an empty form field means any
    assert ids("?min_confidence=1") == []
    assert client.get("/api/events?min_confidence=2").status_code == 422
    # a date of the right shape that is no date is refused, not compared as text (issue 13)
    for path in ("/api/events?since=1987-13-45", "/api/dyads/IRN/ARM?until=2025-02-30", "/search?since=2024-99"):
        refused = client.get(path)
        assert refused.status_code == 422 and "is no date" in refused.text, path
    assert client.get("/api/events?since=2024-02-29&until=2025-12").status_code == 200
    assert "high" in client.get("/events.csv?min_confidence=0.5").text
    assert "(low)" not in client.get("/events.csv?min_confidence=0.5").text


def test_web_every_page_has_a_json_twin_with_its_data(plain_db):
    with TestClient(create_app(plain_db), base_url=LOCAL) as client:
        event_id = next(iter(_event_ids(client).values()))
        overview = client.get("/index.json").json()
        assert overview["stats"]["events"] == len(HOSTILE_URLS) and overview["countries"] == ["ARM", "IRN"]
        assert {(d["a"], d["b"]) for d in overview["dyads"]} == {("ARM", "IRN")}
        country = client.get("/country/irn.json").json()
        assert country["code"] == "IRN" and country["partners"][0]["partner"] == "ARM"
        dyad = client.get("/dyad/IRN/ARM.json").json()
        assert dyad["total"] == len(HOSTILE_URLS) and all(e["event"] == "CONSULT" for e in dyad["events"])
        assert client.get(f"/event/{event_id}.json").json()["item"]["event_id"] == event_id
        search = client.get("/search.json", params={"type": "CONSULT", "q": "Yerevan"}).json()
        assert search["total"] == len(HOSTILE_URLS) and search["filters"] == {"type": "CONSULT", "q": "Yerevan"}
        assert search["countries"] == ["ARM", "IRN"] and len(search["events"]) == len(HOSTILE_URLS)
        # the HTML page shows what its twin holds
        page = client.get("/dyad/IRN/ARM")
        assert page.status_code == 200 and all(e["event_id"] in page.text for e in dyad["events"])
        # a twin's errors are JSON, like the API's
        assert "no country or organisation" in _error(client.get("/country/ZZZ.json"), 404)
        assert "no event" in _error(client.get("/event/0123456789abcdef.json"), 404)
        assert "unknown period" in _error(client.get("/dyad/IRN/ARM.json", params={"by": "hour"}), 400)


@pytest.mark.parametrize("error, status, shown", [
    (StoreError("old.duckdb: made by an older tieline without clusters"), 409, True),
    (InputError("not a date", path="x.jsonl", line=3), 400, True),
    (ModelError("no English model installed"), 503, True),
    (LexiconError("bad row", table="triggers.csv", row=9), 500, False),
])
def test_web_each_error_class_has_its_status(plain_db, monkeypatch, error, status, shown):
    import tieline.web.api as web_api

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(web_api, "stats", failing)
    with TestClient(create_app(plain_db), base_url=LOCAL, raise_server_exceptions=False) as client:
        message = _error(client.get("/api/stats"), status)
        monkeypatch.setattr("tieline.web.pages.stats", failing)
        page = client.get("/")
    assert (str(error) in message) is shown and (str(error) in page.text) is shown
    assert page.status_code == status and "<html" in page.text.lower()


def test_the_event_page_links_to_what_it_names(client):
    """Type, parties, dyad, place, cluster and the raw record are links (issue 13)."""
    found = client.get("/api/events", params={"page_size": 50}).json()["events"]
    item = next(e for e in found if e["recipient"] and not isinstance(e["recipient"], list)
                and e["recipient"].get("country") and e["actor"].get("country"))
    page = client.get(f"/event/{item['event_id']}").text
    actor, recipient = item["actor"]["country"], item["recipient"]["country"]
    for link in (f'href="/search?type={item["event"]}"', f'href="/country/{actor}"', f'href="/country/{recipient}"',
                 f'href="/dyad/{actor}/{recipient}"', f'href="/api/events/{item["event_id"]}"'):
        assert link in page, link
    for href in re.findall(r'href="(/[^"]*)"', page.split('<article')[0]):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href  # every link leads somewhere


def test_the_clusters_page_lists_real_world_events_with_links(client):
    """The API's clusters as a page (issue 13): filters, most reported first, links to the
    seed report and the countries; a bad filter is refused."""
    page = client.get("/clusters", params={"min_reports": 1})
    assert page.status_code == 200 and 'id="clusters"' in page.text and 'href="/clusters"' in page.text
    listed = client.get("/api/clusters", params={"min_reports": 1, "limit": 100}).json()
    assert page.text.count('<tr class="quad') == len(listed) > 0
    first = listed[0]
    assert f'href="/event/{first["cluster_id"]}"' in page.text
    assert client.get(f"/event/{first['cluster_id']}").status_code == 200
    assert client.get("/clusters", params={"type": "NOPE"}).status_code == 400
    assert client.get("/clusters", params={"since": "2025-13"}).status_code == 422
    assert "confidence" in client.get("/search").text  # lists of events show it


def test_the_search_form_picks_contexts_and_fields_from_lists(client):
    """Context and field are pick lists of the valid values, the chosen one kept (issue 13)."""
    page = client.get("/search", params={"context": "military", "sector": "trade"}).text
    assert '<select name="context">' in page and '<select name="sector">' in page
    assert "<option selected>military</option>" in page and "<option selected>trade</option>" in page
    assert "<option>diplomatic</option>" in page and "<option>tourism</option>" in page


def _bar_searches(client, path: str, prefix: str) -> dict[str, int]:
    """{search address: events it finds} of the chart bars of a page whose links start with ``prefix``."""
    import html as html_module

    page = client.get(path).text
    links = [html_module.unescape(h) for h in re.findall(rf'xlink:href="({re.escape(prefix)}[^"]*)"', page)]
    totals = {}
    for link in links:
        params = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))
        totals[link] = client.get("/api/events", params={**params, "page_size": 1}).json()["total"]
    return totals


def _charted_months(db, country: str | None = None) -> int:
    """The events a monthly timeline chart draws (periods of one month)."""
    from tieline import analysis

    with Store(db, read_only=True) as store:
        months = analysis.timeline(store, country=country, by="month")
    return months[months["period"].str.fullmatch(r"\d{4}-\d{2}")]["events"].sum()


def test_chart_bars_link_to_the_search_of_their_events(client, hand_web_db):
    """Each bar of the overview's timeline is a link to a search of its period and quad class,
    and those searches find every event the chart counts (issue 13)."""
    searches = _bar_searches(client, "/", "/search?quad=")
    assert searches
    for link, total in searches.items():
        assert total > 0, link
    assert sum(searches.values()) == _charted_months(hand_web_db)


def test_network_parties_link_to_their_dyad_with_the_country(client):
    page = client.get("/country/GBR").text
    dyads = set(re.findall(r'xlink:href="(/dyad/GBR/[A-Z]{3})"', page))  # links inside the SVG chart
    assert dyads and all(client.get(d).status_code == 200 for d in dyads)


def test_a_countrys_timeline_bars_find_its_events_on_either_side(client, hand_web_db):
    """A country's chart counts the events it is a party to; its bars' searches (party=...) find
    the same events (issue 13)."""
    searches = _bar_searches(client, "/country/GBR", "/search?party=GBR")
    assert searches
    assert sum(searches.values()) == _charted_months(hand_web_db, "GBR")

    def ids(**params: str) -> set[str]:
        return {e["event_id"] for e in client.get("/api/events", params={**params, "page_size": 500}).json()["events"]}

    either = ids(party="GBR")
    assert ids(actor="GBR") | ids(recipient="GBR") == either
