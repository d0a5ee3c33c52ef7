"""Server-rendered pages: overview, country, dyad, event, search and the paste page.

Every page's data has a JSON twin at the same address with ``.json`` (``/country/IRN.json``,
``/search.json?type=ACCUSE``), as datasette's pages do: what a page shows, a script can read.
Charts are drawn on the server as SVG and are left out of the twins (the API has their data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tieline import analysis
from tieline.plot import plot_dyad, plot_map, plot_network, plot_partners, plot_timeline, svg
from tieline.query import (
    EventQuery,
    countries_with_events,
    frame_records,
    get_event,
    list_clusters,
    search_events,
    search_page,
    stats,
    top_dyads,
)
from tieline.query.frames import period_dates
from tieline.query.parties import party_code
from tieline.store import Store
from tieline.web.deps import (
    CODE_PATTERN,
    EVENT_ID_PATTERN,
    MAX_TEXT_CHARS,
    OPTIONAL_CODE,
    Filters,
    OptionalDate,
    State,
    StoreView,
    WebState,
    check_event_type,
    check_period,
)
from tieline.web.highlight import highlight, spans_of

PAGE_SIZE = 50
CLUSTER_ROWS = 100  # clusters listed on the clusters page
MAX_MONTHS = 48  # a timeline longer than this is drawn by year

Code = Annotated[str, PathParam(pattern=CODE_PATTERN)]
EventId = Annotated[str, PathParam(pattern=EVENT_ID_PATTERN)]

router = APIRouter()


def render(state: WebState, request: Request, template: str, **context: Any) -> HTMLResponse:
    return state.templates.TemplateResponse(request, template, context)


def search_link(**fixed: str) -> Callable[[str, int], str]:
    """The search address of a chart bar's events: its period and quad class (with a country,
    the events it is a party to, as the country's timeline counts them)."""
    def link(period: str, quad: int) -> str:
        since, until = period_dates(period)
        return "/search?" + urlencode({**fixed, "quad": quad, "since": since, "until": until})
    return link


# ---- the data of each page ----------------------------------------------------------------------
def overview_data(s: Store, state: WebState) -> dict[str, Any]:
    return {"stats": stats(s), "dyads": top_dyads(s, limit=12), "latest": search_events(s, EventQuery(), limit=15),
            "countries": countries_in(s, state)}


def country_data(s: Store, state: WebState, code: str, partners: Any = None) -> dict[str, Any]:
    """A country page's data; ``partners``, the country's partner frame when the caller has it."""
    partners = analysis.partners(s, code) if partners is None else partners
    profile = analysis.profile(s, code, by="year")
    if partners.empty and profile.types.empty:
        raise HTTPException(404, f"no events with {state.country_name(code)} in this database")
    return {"code": code, "name": state.country_name(code), "partners": frame_records(partners.head(30)),
            "sectors": frame_records(profile.sectors.head(15)), "types": frame_records(profile.types)}


def dyad_data(s: Store, a: str, b: str, by: str) -> dict[str, Any]:
    check_period(by)
    forward = search_events(s, EventQuery(actor=a, recipient=b), limit=100)
    backward = search_events(s, EventQuery(actor=b, recipient=a), limit=100)
    events = sorted(forward + backward, key=lambda r: (r["date"] or "", r["event_id"]), reverse=True)[:100]
    return {"a": a, "b": b, "by": by, "events": events, "total": len(events)}


def event_data(s: Store, event_id: str) -> dict[str, Any]:
    item = get_event(s, event_id)
    if item is None:
        raise HTTPException(404, f"no event {event_id}")
    return {"item": item}


def search_data(s: Store, state: WebState, filters: EventQuery, page_number: int) -> dict[str, Any]:
    page_number = max(1, min(page_number, 100_000))
    total, events = search_page(s, filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    params = filters.as_params()
    for internal, public in (("event", "type"), ("text", "q"), ("include_negated", "negated"), ("place", "where")):
        if internal in params:
            params[public] = params.pop(internal)
    return {"filters": params, "events": events, "total": total, "page_number": page_number,
            "pages": max(1, -(-total // PAGE_SIZE)), "query": urlencode(params), "countries": countries_in(s, state)}


def countries_in(s: Store, state: WebState) -> list[tuple[str, str]]:
    return sorted(((code, state.country_name(code)) for code in countries_with_events(s)), key=lambda c: c[1])


# ---- JSON twins (registered first: "/country/IRN.json" is not the country "IRN.json") -------------
@router.get("/index.json", tags=["pages"], summary="The overview page's data")
def overview_json(s: StoreView, state: State) -> dict[str, Any]:
    data = overview_data(s, state)
    data["countries"] = [code for code, _ in data["countries"]]
    return data


@router.get("/country/{code}.json", tags=["pages"], summary="A country page's data")
def country_json(s: StoreView, state: State, code: Code) -> dict[str, Any]:
    return country_data(s, state, party_code(s, code))


@router.get("/dyad/{a}/{b}.json", tags=["pages"], summary="A dyad page's data")
def dyad_json(s: StoreView, a: Code, b: Code, by: str = "month") -> dict[str, Any]:
    return dyad_data(s, party_code(s, a), party_code(s, b), by)


@router.get("/event/{event_id}.json", tags=["pages"], summary="An event page's data")
def event_json(s: StoreView, event_id: EventId) -> dict[str, Any]:
    return event_data(s, event_id)


@router.get("/search.json", tags=["pages"], summary="A search page's data")
def search_json(s: StoreView, state: State, filters: Filters, page_number: int = 1) -> dict[str, Any]:
    data = search_data(s, state, filters, page_number)
    data["countries"] = [code for code, _ in data["countries"]]
    return data


# ---- pages ----------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request, s: StoreView, state: State) -> HTMLResponse:
    def draw() -> str:
        frame = analysis.timeline(s, by="month")
        if frame["period"].nunique() > MAX_MONTHS:
            frame = analysis.timeline(s, by="year")
        return svg(plot_timeline, frame, title="Events by quad class", link=search_link())

    def draw_map() -> str:
        return svg(plot_map, analysis.places(s), link=lambda where, quad: "/search?" + urlencode(
            {"where": where, "quad": quad}))

    return render(state, request, "overview.html", chart=state.chart(("overview",), draw),
                  map_chart=state.chart(("map",), draw_map), **overview_data(s, state))


@router.get("/country/go", include_in_schema=False)
def country_go(s: StoreView, code: str = "") -> RedirectResponse:
    if not code.strip():
        raise HTTPException(400, "choose a country")
    return RedirectResponse(f"/country/{party_code(s, code)}", status_code=303)  # a name is welcome


@router.get("/country/{code}", response_class=HTMLResponse, include_in_schema=False)
def country(request: Request, s: StoreView, state: State, code: Code) -> Response:
    if (key := party_code(s, code)) != code:  # /country/iran -> /country/IRN
        return RedirectResponse(f"/country/{key}", status_code=307)
    partners = analysis.partners(s, code)  # the table's head and the chart's data
    data = country_data(s, state, code, partners)

    def draw_timeline() -> str:
        timeline = analysis.timeline(s, country=code, by="month")
        if timeline["period"].nunique() > MAX_MONTHS:
            timeline = analysis.timeline(s, country=code, by="year")
        return svg(plot_timeline, timeline, title=f"Events involving {state.country_name(code)}",
                   link=search_link(party=code))

    return render(state, request, "country.html", **data,
                  network_chart=state.chart(("network", code),
                                            lambda: svg(plot_network, analysis.network(s, country=code), center=code,
                                                        link=lambda other: f"/dyad/{code}/{other}" if other != code
                                                        else f"/country/{code}")),
                  partners_chart=state.chart(("partners", code),
                                             lambda: svg(plot_partners, partners, code)),
                  timeline_chart=state.chart(("timeline", code), draw_timeline),
                  map_chart=state.chart(("map", code), lambda: svg(
                      plot_map, analysis.places(s, country=code), title=f"Events involving {state.country_name(code)}",
                      focus=code, link=lambda where, quad: "/search?" + urlencode(
                          {"party": code, "where": where, "quad": quad}))))


@router.get("/dyad/{a}/{b}", response_class=HTMLResponse, include_in_schema=False)
def dyad(request: Request, s: StoreView, state: State, a: Code, b: Code,
         by: str = "month") -> Response:
    if (keys := (party_code(s, a), party_code(s, b))) != (a, b):
        return RedirectResponse(f"/dyad/{keys[0]}/{keys[1]}?{urlencode({'by': by})}", status_code=307)
    data = dyad_data(s, a, b, by)
    dyad_chart = state.chart(("dyad", a, b, by), lambda: svg(plot_dyad, analysis.dyad(s, a, b, by=by), a, b))
    return render(state, request, "dyad.html", chart=dyad_chart, **data)


@router.get("/event/{event_id}", response_class=HTMLResponse, include_in_schema=False)
def event(request: Request, s: StoreView, state: State, event_id: EventId) -> HTMLResponse:
    item = event_data(s, event_id)["item"]
    text = highlight(item["document"]["text"], spans_of([item]))
    fields = {k: v for k, v in item.items() if k not in ("document", "cluster")}
    return render(state, request, "event.html", item=item, text=text, fields=fields)


@router.get("/clusters", response_class=HTMLResponse, include_in_schema=False)
def clusters(request: Request, s: StoreView, state: State,
             actor: Annotated[str | None, Query(pattern=OPTIONAL_CODE)] = None,
             recipient: Annotated[str | None, Query(pattern=OPTIONAL_CODE)] = None,
             type: str | None = None,  # noqa: A002
             since: OptionalDate = None, until: OptionalDate = None,
             min_reports: Annotated[int, Query(ge=1)] = 2) -> HTMLResponse:
    """Real-world events, most reported first (issue 13: the API had them, the pages did not)."""
    check_event_type(type)
    rows = list(list_clusters(s, actor=party_code(s, actor) if actor else None,
                              recipient=party_code(s, recipient) if recipient else None,
                              event=type.upper() if type else None, since=since or None, until=until or None,
                              min_reports=min_reports, limit=CLUSTER_ROWS))
    return render(state, request, "clusters.html", clusters=rows, shown=CLUSTER_ROWS, min_reports=min_reports,
                  filters={"actor": actor or "", "recipient": recipient or "", "type": type or "",
                           "since": since or "", "until": until or ""})


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, s: StoreView, state: State, filters: Filters, page_number: int = 1) -> HTMLResponse:
    data = search_data(s, state, filters, page_number)
    data["filters"] = filters  # the form shows the query's own fields
    return render(state, request, "search.html", **data)


@router.get("/try", response_class=HTMLResponse, include_in_schema=False)
def try_form(request: Request, state: State) -> HTMLResponse:
    return render(state, request, "try.html", text="", date="", events=None, marked=None, problems=[])


@router.post("/try", response_class=HTMLResponse, include_in_schema=False)
def try_code(request: Request, state: State, text: Annotated[str, Form(max_length=MAX_TEXT_CHARS)] = "",
             date: Annotated[str, Form(max_length=10)] = "") -> HTMLResponse:
    published = None
    if date.strip():
        try:
            published = dt.date.fromisoformat(date.strip())
        except ValueError as exc:
            raise HTTPException(400, f"not a date (YYYY-MM-DD): {date!r}") from exc
    if not text.strip():
        return render(state, request, "try.html", text=text, date=date, events=[], marked=None, problems=[])
    result = state.coding.code(text, published)
    return render(state, request, "try.html", text=text, date=date, events=result.records,
                  marked=highlight(text, spans_of(result.records)), problems=result.problems)
