"""End to end in a real headless Chromium (Debian's package, driven by Playwright) against the
app served by uvicorn on a free local port, over a database built in the tests.

Skipped when Chromium is not installed, unless TIELINE_REQUIRE_BROWSER=1 (set by .ci/run, which
installs it), so CI cannot pass without running them. Screenshots go to the test's temporary
folder, and to docs/screenshots when TIELINE_SCREENSHOTS=1 (that is how the README's are made).
"""

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.model

CHROMIUM = next((p for p in (os.environ.get("TIELINE_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
                 if p and Path(p).is_file()), None)
if CHROMIUM is None:
    if os.environ.get("TIELINE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("TIELINE_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install chromium)")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

# Flags for a headless browser on a machine with no network: no sandbox (CI runs as root), and
# none of Chromium's own background connections.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app):
    """The app served by uvicorn on a free local port, for as long as the block runs."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(web_db):
    from tieline.web import create_app

    with serving(create_app(web_db)) as address:
        yield address


@pytest.fixture
def editable_server(web_db, tmp_path):
    """The app allowing corrections, over a copy of the web database (the others stay read-only)."""
    from tieline.web import create_app

    copy = tmp_path / "edits.duckdb"
    shutil.copy(web_db, copy)
    with serving(create_app(copy, allow_edits=True)) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folders = [tmp_path_factory.mktemp("screenshots")]
    if os.environ.get("TIELINE_SCREENSHOTS") == "1":
        folders.append(REPO / "docs" / "screenshots")
        folders[-1].mkdir(parents=True, exist_ok=True)
    return folders


@pytest.fixture
def page(browser):
    """A fresh page that records console errors, page errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []  # type: ignore[attr-defined]
    tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    # a request the browser dropped because the test went on to the next page (the favicon, say)
    # is no failure of the app; refused, reset or timed-out requests are
    tab.on("requestfailed", lambda r: tab.problems.append(f"request failed: {r.url} ({r.failure})")
           if "ERR_ABORTED" not in (r.failure or "") else None)
    tab.on("response", lambda r: tab.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    yield tab
    context.close()


def _shoot(page, shots, name):
    for folder in shots:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_every_page_loads_without_errors(server, page, shots):
    page.goto(f"{server}/search?type=SANCTION")
    event_link = page.locator("table.events tbody a").first.get_attribute("href")
    dyad_link = None
    page.goto(server + "/")
    dyad_link = page.locator("#dyads tbody a").first.get_attribute("href")
    for name, path in (("overview", "/"), ("country", "/country/GBR"), ("dyad", dyad_link),
                       ("event", event_link), ("search", "/search"), ("clusters", "/clusters?min_reports=1"),
                       ("try", "/try"), ("api", "/docs")):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("main h1").count() == 1, path
        assert page.title().endswith("tieline")
        _shoot(page, shots, name)
    assert page.problems == []  # type: ignore[attr-defined]


def test_charts_are_drawn_on_the_overview_and_country_pages(server, page):
    # under a Content-Security-Policy that forbids script (issue 9): a style it blocked would be
    # a console error
    response = page.goto(server + "/")
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert page.locator("section.chart svg").count() >= 1
    page.goto(server + "/country/GBR")
    assert page.locator("section.chart svg").count() == 4  # network, timeline, map, partners
    assert page.locator("#partners tbody tr").count() >= 2
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_filter_changes_the_results(server, page, shots):
    page.goto(server + "/search")
    total_all = int(page.locator("#result-count strong").inner_text().replace(",", ""))
    page.select_option("select[name=type]", "SANCTION")
    page.fill("input[name=actor]", "GBR")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    total_filtered = int(page.locator("#result-count strong").inner_text().replace(",", ""))
    assert 0 < total_filtered < total_all
    rows = page.locator("table.events tbody tr")
    assert rows.count() == total_filtered
    for i in range(rows.count()):
        assert "SANCTION" in rows.nth(i).locator("td").nth(1).inner_text()
        assert "GBR" in rows.nth(i).locator("td").nth(2).inner_text()
    assert "type=SANCTION" in page.url and "actor=GBR" in page.url
    _shoot(page, shots, "search-filtered")
    csv = page.request.get(server + page.locator("#export-csv").get_attribute("href"))
    assert csv.ok and len(csv.text().strip().splitlines()) == total_filtered + 1
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_paste_page_highlights_events(server, page, shots):
    page.goto(server + "/try")
    story = ("Iran's foreign minister met Malaysia's trade minister in Kuala Lumpur on Tuesday, and the two "
             "sides agreed to set up a joint commission. Iran also criticised US sanctions.")
    page.fill("textarea[name=text]", story)
    page.fill("input[name=date]", "2016-05-04")
    page.click("#try button[type=submit]")
    page.wait_for_load_state("networkidle")
    triggers = [page.locator("#marked mark.trigger").nth(i).inner_text()
                for i in range(page.locator("#marked mark.trigger").count())]
    assert {"met", "criticised"} <= set(triggers)
    assert page.locator("#marked mark.actor").count() >= 2 and page.locator("#marked mark.recipient").count() >= 2
    assert page.locator("#marked").inner_text().strip() == story  # marking keeps the text intact
    assert page.locator("#coded tbody tr").count() >= 3
    _shoot(page, shots, "try")
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_event_page_shows_other_reports_of_its_cluster(server, page):
    page.goto(f"{server}/search?type=SANCTION&actor=GBR&recipient=BLR")
    page.locator("table.events tbody a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#story-text mark.trigger").count() == 1
    assert page.locator("#cluster tbody tr").count() >= 1
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_event_page_links_lead_to_the_pages_they_name(server, page):
    """In a browser: the event page's type, parties and dyad are links that open their pages,
    and the clusters page leads to an event (issue 13)."""
    page.goto(f"{server}/clusters?min_reports=1")
    page.locator("#clusters tbody a[href^='/event/']").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{server}/event/")
    event_url = page.url
    page.locator("main h1 a[href^='/search?type=']").click()
    assert "/search?type=" in page.url and page.locator("table.events tbody tr").count() >= 1
    page.goto(event_url)
    country = page.locator("main h1 a[href^='/country/']").first
    target = country.get_attribute("href")
    country.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(target) and page.locator("main h1").count() == 1
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_read_only_server_shows_no_correction_form(server, page):
    page.goto(f"{server}/search?type=SANCTION")
    page.locator("table.events tbody a").first.click()
    assert page.locator("#correct").count() == 0
    assert "tieline serve --allow-edits" in page.locator("#read-only").inner_text()


def test_an_analyst_corrects_a_record_and_marks_another_wrong(editable_server, page, shots):
    page.goto(f"{editable_server}/search?type=SANCTION")
    first, second = (page.locator("table.events tbody a").nth(n).get_attribute("href") for n in (0, 1))
    page.goto(editable_server + first)
    form = page.locator("#correct")
    form.locator("select[name=type]").select_option("THREATEN")
    form.locator("input[name=date]").fill("2024-04")
    form.locator("input[name=why]").fill("the story says sanctions were threatened, not imposed")
    form.locator("input[name=who]").fill("ana")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url == editable_server + first
    assert page.locator("main h1 a").first.inner_text() == "THREATEN"
    assert "threatened, not imposed" in page.locator("#corrected").inner_text()
    _shoot(page, shots, "corrected")
    page.goto(editable_server + second)
    page.locator("#correct input[value=wrong]").check()
    page.locator("#correct input[name=why]").fill("a commentary, not a new sanction")
    page.locator("#correct button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/corrections" in page.url
    rows = page.locator("#corrections tbody tr")
    assert rows.count() == 2 and "a commentary" in rows.nth(1).inner_text()
    assert page.problems == []  # type: ignore[attr-defined]
    assert page.goto(editable_server + second).status == 404


def test_the_maps_show_events_by_place_and_lead_to_their_events(server, page, shots):
    page.goto(server + "/")
    circles = page.locator("#map svg a")
    assert circles.count() > 0
    href = circles.first.get_attribute("xlink:href") or circles.first.get_attribute("href")
    assert href.startswith("/search?where=")
    page.locator("#map").scroll_into_view_if_needed()
    _shoot(page, shots, "map")
    page.goto(server + href)
    assert int(page.locator("#result-count strong").inner_text().replace(",", "")) > 0
    code = href.split("where=")[1].split("&")[0]
    assert page.locator("input[name=where]").input_value() == code
    page.goto(f"{server}/country/{code}")
    assert page.locator("#map svg a").count() > 0
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_paste_page_fits_the_window_and_the_docs_show_an_example_per_endpoint(server, page):
    page.set_viewport_size({"width": 900, "height": 900})
    page.goto(server + "/try")
    page.fill("textarea[name=text]", "Iran and Malaysia signed a memorandum of understanding on banking, tourism and "
                                     "telecommunications cooperation in Kuala Lumpur on Tuesday.")
    page.click("#try button[type=submit]")
    page.wait_for_load_state("networkidle")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]  # no sideways scrolling
    page.goto(server + "/docs")
    endpoints = page.locator("section.endpoint")
    assert endpoints.count() >= 15
    for n in range(endpoints.count()):
        assert endpoints.nth(n).locator("p.example code").count() == 1, endpoints.nth(n).locator("h2").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_search_forms_pick_lists_hold_the_valid_values_and_filter(server, page):
    from tieline.lexicon import default_lexicon

    lexicon = default_lexicon()
    page.goto(server + "/search")
    contexts = page.locator("select[name=context] option").all_inner_texts()
    fields = page.locator("select[name=sector] option").all_inner_texts()
    assert contexts[1:] == lexicon.context_names and fields[1:] == lexicon.field_names  # after "any"
    page.select_option("select[name=context]", "military")
    page.fill("input[name=where]", "")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "context=military" in page.url
    assert page.locator("select[name=context]").input_value() == "military"  # the form keeps the choice
    military = int(page.locator("#result-count strong").inner_text().replace(",", ""))
    api = page.request.get(server + "/api/events?context=military").json()["total"]
    assert military == api > 0
    assert page.problems == []  # type: ignore[attr-defined]
