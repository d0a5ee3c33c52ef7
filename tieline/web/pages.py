"""Server-rendered pages: overview, country, dyad, event, search and the paste page."""


import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from tieline import analysis
from tieline.plot import plot_dyad, plot_network, plot_partners, plot_timeline, svg
from tieline.query import EventQuery, count_events, frame_records, get_event, search_events, stats, top_dyads
from tieline.store import Store
from tieline.web.app import check_period
from tieline.web.coding import CodingPool
from tieline.web.highlight import highlight, spans_of

CODE = r"^[A-Za-z]{2,8}$"
PAGE_SIZE = 50


def add_pages(app: FastAPI, *, templates: Jinja2Templates, view: Callable[[], Iterator[Store]],
              event_query: Callable[..., EventQuery], coding: CodingPool, names: dict[str, str]) -> None:
    StoreView = Annotated[Store, Depends(view)]
    Filters = Annotated[EventQuery, Depends(event_query)]

    def page(request: Request, template: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, template, context)

    # Drawing a chart takes a fifth of a second; the database cannot change while it is served
    # (it is open read-only, and DuckDB lets no other process write it meanwhile), so each chart
    # is drawn once.
    charts: dict[tuple[str, ...], str] = {}
    charts_lock = threading.Lock()

    def chart(key: tuple[str, ...], draw: Callable[[], str]) -> str:
        with charts_lock:
            drawn = charts.get(key)
        if drawn is None:
            drawn = draw()
            with charts_lock:
                if len(charts) >= 512:
                    charts.pop(next(iter(charts)))
                charts[key] = drawn
        return drawn

    def countries_in(s: Store) -> list[tuple[str, str]]:
        rows = s.con.execute("SELECT DISTINCT country FROM event_parties WHERE country IS NOT NULL").fetchall()
        return sorted(((code, names.get(code, code)) for (code,) in rows), key=lambda c: c[1])

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, s: StoreView) -> HTMLResponse:
        figures = stats(s)

        def draw() -> str:
            frame = analysis.timeline(s, by="month")
            if frame["period"].nunique() > 48:
                frame = analysis.timeline(s, by="year")
            return svg(plot_timeline, frame, title="Events by quad class")

        return page(request, "overview.html", stats=figures, chart=chart(("overview",), draw),
                    dyads=top_dyads(s, limit=12),
                    latest=search_events(s, EventQuery(), limit=15), countries=countries_in(s))

    @app.get("/country/go", include_in_schema=False)
    def country_go(code: str = "") -> RedirectResponse:
        code = code.strip().upper()
        if not code.isalpha() or not 2 <= len(code) <= 8:
            raise HTTPException(400, "choose a country")
        return RedirectResponse(f"/country/{code}", status_code=303)

    @app.get("/country/{code}", response_class=HTMLResponse, include_in_schema=False)
    def country(request: Request, s: StoreView, code: Annotated[str, PathParam(pattern=CODE)]) -> HTMLResponse:
        code = code.upper()
        partners = analysis.partners(s, code)
        profile = analysis.profile(s, code, by="year")
        if partners.empty and profile.types.empty:
            raise HTTPException(404, f"no events with {names.get(code, code)} in this database")

        def draw_timeline() -> str:
            timeline = analysis.timeline(s, country=code, by="month")
            if timeline["period"].nunique() > 48:
                timeline = analysis.timeline(s, country=code, by="year")
            return svg(plot_timeline, timeline, title=f"Events involving {names.get(code, code)}")

        return page(request, "country.html", code=code, name=names.get(code, code),
                    partners=frame_records(partners.head(30)), sectors=frame_records(profile.sectors.head(15)),
                    types=frame_records(profile.types),
                    network_chart=chart(("network", code),
                                        lambda: svg(plot_network, analysis.network(s, country=code), center=code)),
                    partners_chart=chart(("partners", code), lambda: svg(plot_partners, partners, code)),
                    timeline_chart=chart(("timeline", code), draw_timeline))

    @app.get("/dyad/{a}/{b}", response_class=HTMLResponse, include_in_schema=False)
    def dyad(request: Request, s: StoreView, a: Annotated[str, PathParam(pattern=CODE)],
             b: Annotated[str, PathParam(pattern=CODE)], by: str = "month") -> HTMLResponse:
        a, b = a.upper(), b.upper()
        check_period(by)
        dyad_chart = chart(("dyad", a, b, by), lambda: svg(plot_dyad, analysis.dyad(s, a, b, by=by), a, b))
        forward = search_events(s, EventQuery(actor=a, recipient=b), limit=100)
        backward = search_events(s, EventQuery(actor=b, recipient=a), limit=100)
        events = sorted(forward + backward, key=lambda r: (r["date"] or "", r["event_id"]), reverse=True)[:100]
        return page(request, "dyad.html", a=a, b=b, by=by, chart=dyad_chart, events=events,
                    total=len(events))

    @app.get("/event/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event(request: Request, s: StoreView,
              event_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")]) -> HTMLResponse:
        item = get_event(s, event_id)
        if item is None:
            raise HTTPException(404, f"no event {event_id}")
        text = highlight(item["document"]["text"], spans_of([item]))
        fields = {k: v for k, v in item.items() if k not in ("document", "cluster")}
        return page(request, "event.html", item=item, text=text, fields=fields)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(request: Request, s: StoreView, filters: Filters, page_number: int = 1) -> HTMLResponse:
        page_number = max(1, min(page_number, 100_000))
        total = count_events(s, filters)
        events = search_events(s, filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
        params = filters.as_params()
        for internal, public in (("event", "type"), ("text", "q"), ("include_negated", "negated")):
            if internal in params:
                params[public] = params.pop(internal)
        pages = max(1, -(-total // PAGE_SIZE))
        return page(request, "search.html", filters=filters, events=events, total=total, page_number=page_number,
                    pages=pages, query=urlencode(params), countries=countries_in(s))

    @app.get("/try", response_class=HTMLResponse, include_in_schema=False)
    def try_form(request: Request) -> HTMLResponse:
        return page(request, "try.html", text="", date="", events=None, marked=None, problems=[])

    @app.post("/try", response_class=HTMLResponse, include_in_schema=False)
    def try_code(request: Request, text: Annotated[str, Form(max_length=100_000)] = "",
                 date: Annotated[str, Form(max_length=10)] = "") -> HTMLResponse:
        published = None
        if date.strip():
            try:
                published = dt.date.fromisoformat(date.strip())
            except ValueError as exc:
                raise HTTPException(400, f"not a date (YYYY-MM-DD): {date!r}") from exc
        if not text.strip():
            return page(request, "try.html", text=text, date=date, events=[], marked=None, problems=[])
        result = coding.code(text, published)
        return page(request, "try.html", text=text, date=date, events=result.records,
                    marked=highlight(text, spans_of(result.records)), problems=result.problems)
