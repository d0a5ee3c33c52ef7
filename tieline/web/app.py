"""The web app: an HTTP API and server-rendered pages over one event database.

``create_app(db)`` builds the ASGI app; ``tieline serve`` runs it with uvicorn. The database is
opened read-only and every request gets its own cursor; every query binds its values. Pages
need no script and no asset from elsewhere: charts are SVG drawn on the server.
"""


import datetime as dt
import io
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tieline import analysis
from tieline.about import __version__
from tieline.csvfile import write_csv
from tieline.errors import StoreError
from tieline.lexicon import EVENT_TYPES, default_lexicon
from tieline.query import EventQuery, count_events, frame_records, get_event, search_events, stats
from tieline.store import Store
from tieline.web.coding import CodingPool
from tieline.web.guards import LOOPBACK_HOSTS, BodySizeLimit, CatchErrors, HostCheck, SecurityHeaders, error_json

HERE = Path(__file__).parent
MAX_BODY_BYTES = 256_000  # the largest request body accepted
MAX_TEXT_CHARS = 100_000  # the longest story POST /api/code and the paste page will code
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
CODE_PATTERN = r"^[A-Za-z]{2,8}$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
OPTIONAL_CODE = r"^([A-Za-z]{2,8})?$"
OPTIONAL_CONFIDENCE = r"^((0(\.\d{1,6})?)|(1(\.0{1,6})?)|(\.\d{1,6}))?$"  # empty, or a number from 0 to 1
OPTIONAL_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"
PERIODS = ("day", "week", "month", "year")


class CodeRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="the story to code")
    date: dt.date | None = Field(default=None, description="publication date, to resolve 'on Monday'")


def create_app(db: str | Path, *, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
               coding: CodingPool | None = None) -> FastAPI:
    """The app over database ``db`` (which must exist; it is never written).

    Args:
        db: the database file.
        allowed_hosts: the host names (Host header, port ignored) the app answers; others get
            400. Default the loopback names; ``hosts_for(address)`` gives those of a bound address,
            and ``'*'`` allows any.
        coding: the workers that code pasted text; default a ``CodingPool()`` whose one worker
            loads the model on the first story pasted. The app stops them when it shuts down.

    Example: ``uvicorn.run(create_app("news.duckdb"), host="127.0.0.1", port=8000)``
    """
    path = Path(db)
    if not path.is_file():
        raise StoreError(f"{path}: no such database (build one with `tieline ingest` or `tieline demo`)")
    store = Store(path, read_only=True)
    lexicon = default_lexicon()
    names = {c.iso3: c.name for c in lexicon.countries}
    pool = coding if coding is not None else CodingPool()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(country_name=lambda code: names.get(code or "", code or ""),
                                 version=__version__, quad_names=QUAD_NAMES, event_types=EVENT_TYPES)
    templates.env.filters["party"] = party_text
    templates.env.tests["web_url"] = is_web_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            pool.close()  # no worker outlives the server (issue 9)

    # FastAPI's own /docs page loads Swagger UI from a CDN; ours renders the OpenAPI
    # description on the server, so the app works offline.
    app = FastAPI(title="tieline", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Political event records coded from news, with their evidence. "
                              "Read-only API over one tieline database, plus coding of pasted text.")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store = store
    app.state.coding = pool

    def view() -> Iterator[Store]:
        cursor = store.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    StoreView = Annotated[Store, Depends(view)]

    # Empty values mean "any": an HTML form sends every field, filled in or not.
    def event_query(actor: Annotated[str | None, Query(pattern=OPTIONAL_CODE)] = None,
                    recipient: Annotated[str | None, Query(pattern=OPTIONAL_CODE)] = None,
                    type: Annotated[str | None, Query(max_length=20, description="PLOVER event type")] = None,  # noqa: A002
                    quad: Annotated[str | None, Query(pattern=r"^[1-4]?$", description="quad class, 1 to 4")] = None,
                    context: Annotated[str | None, Query(max_length=40)] = None,
                    sector: Annotated[str | None, Query(max_length=40)] = None,
                    since: Annotated[str | None, Query(pattern=OPTIONAL_DATE)] = None,
                    until: Annotated[str | None, Query(pattern=OPTIONAL_DATE)] = None,
                    q: Annotated[str | None, Query(max_length=200, description="words in the sentence or title")] = None,
                    negated: bool = False,
                    min_confidence: Annotated[str | None, Query(pattern=OPTIONAL_CONFIDENCE,
                                                                description="records at least this confident, 0 to 1")
                                              ] = None) -> EventQuery:
        check_event_type(type)
        return EventQuery(actor=actor or None, recipient=recipient or None, event=type or None,
                          quad=int(quad) if quad else None, context=context or None, sector=sector or None,
                          since=since or None, until=until or None, text=q or None, include_negated=negated,
                          min_confidence=float(min_confidence) if min_confidence else None)

    Filters = Annotated[EventQuery, Depends(event_query)]

    # --- errors: JSON for the API, a page for people ------------------------------------------

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.endswith(".csv")

    def error_response(request: Request, status: int, message: str,
                       headers: Mapping[str, str] | None = None) -> Response:
        if is_api(request):
            return error_json(status, message, headers)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status, headers=headers)

    # outermost last: every response gets the security headers, a wrong Host is refused before
    # anything else, and an unexpected error is answered without closing the connection (issue 9)
    app.add_middleware(BodySizeLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(CatchErrors, render=error_response)
    app.add_middleware(HostCheck, hosts=tuple(allowed_hosts))
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                             for e in exc.errors())
        return error_response(request, 422, f"invalid request: {problems}")

    # --- API ----------------------------------------------------------------------------------

    @app.get("/api/stats", tags=["api"], summary="Sizes and date span of the database")
    def api_stats(s: StoreView) -> dict[str, Any]:
        return stats(s)

    @app.get("/api/events", tags=["api"], summary="Events matching the filters, newest first")
    def api_events(s: StoreView, filters: Filters, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                   page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> dict[str, Any]:
        total = count_events(s, filters)
        events = search_events(s, filters, limit=page_size, offset=(page - 1) * page_size)
        return {"total": total, "page": page, "page_size": page_size, "filters": filters.as_params(),
                "events": events}

    @app.get("/api/events/{event_id}", tags=["api"], summary="One event with its story and the cluster's other reports")
    def api_event(s: StoreView, event_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")]) -> dict[str, Any]:
        item = get_event(s, event_id)
        if item is None:
            raise HTTPException(404, f"no event {event_id}")
        return item

    @app.get("/api/dyads/{a}/{b}", tags=["api"], summary="Events between two countries by period, type and quad class")
    def api_dyad(s: StoreView, a: Annotated[str, PathParam(pattern=CODE_PATTERN)],
                 b: Annotated[str, PathParam(pattern=CODE_PATTERN)], by: str = "month",
                 since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
                 until: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None) -> list[dict[str, Any]]:
        check_period(by)
        return frame_records(analysis.dyad(s, a, b, by=by, since=since, until=until))

    @app.get("/api/countries/{country}/partners", tags=["api"], summary="A country's partners, ranked")
    def api_partners(s: StoreView, country: Annotated[str, PathParam(pattern=CODE_PATTERN)],
                     since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
                     until: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None) -> list[dict[str, Any]]:
        return frame_records(analysis.partners(s, country, since=since, until=until))

    @app.get("/api/network", tags=["api"], summary="Directed edges between parties")
    def api_network(s: StoreView, since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
                    type: str | None = None,  # noqa: A002
                    country: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None) -> list[dict[str, Any]]:
        check_event_type(type)
        return frame_records(analysis.network(s, since=since, event=type, country=country))

    @app.get("/api/clusters", tags=["api"], summary="Clusters (real-world events), most reported first")
    def api_clusters(s: StoreView, actor: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                     recipient: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                     type: str | None = None,  # noqa: A002
                     since: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
                     until: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
                     min_reports: Annotated[int, Query(ge=1)] = 1,
                     limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> list[dict[str, Any]]:
        try:
            rows = list(s.clusters(actor=actor, recipient=recipient, event=type, since=since, until=until,
                                   min_reports=min_reports, limit=limit))
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return [_jsonable(r) for r in rows]

    @app.get("/api/clusters/{cluster_id}", tags=["api"], summary="One cluster's reports")
    def api_cluster(s: StoreView, cluster_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")]) -> dict[str, Any]:
        try:
            reports = s.cluster_reports(cluster_id)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        if not reports:
            raise HTTPException(404, f"no cluster {cluster_id}")
        return {"cluster_id": cluster_id, "num_reports": len({r["doc_id"] for r in reports}), "reports": reports}

    @app.post("/api/code", tags=["api"], summary="Code pasted text (nothing is stored)",
              responses={503: {"description": "busy (see Retry-After) or coding unavailable"},
                         504: {"description": "coding overran its deadline and was stopped"}})
    def api_code(body: CodeRequest) -> dict[str, Any]:
        result = pool.code(body.text, body.date)
        return {"events": result.records, "problems": result.problems}

    @app.get("/events.csv", tags=["api"], summary="The events matching the filters, as CSV")
    def events_csv(s: StoreView, filters: Filters,
                   limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000) -> Response:
        buffer = io.StringIO()
        rows = ([r["event_id"], r["date"], r["event"], r["mode"] or "", party_text(r["actor"]),
                 party_text(r["recipient"]), r["quad"], r["score"], r["cameo"], (r["location"] or {}).get("name", ""),
                 "|".join(r["contexts"]), "|".join(r["sectors"]), r["sentence"], r["doc_id"],
                 r["document"]["source"] or "", r["document"]["url"] or ""]
                for r in search_events(s, filters, limit=limit))
        write_csv(rows, buffer, columns=CSV_COLUMNS)  # the one CSV writer: formulas neutralised (issue 9)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="tieline-events.csv"'})

    # --- pages --------------------------------------------------------------------------------

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return templates.TemplateResponse(request, "api.html", {"spec": app.openapi()})

    from tieline.web import pages

    pages.add_pages(app, templates=templates, view=view, event_query=event_query, coding=pool, names=names)
    return app


QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
CSV_COLUMNS = ("event_id", "date", "event", "mode", "actor", "recipient", "quad", "score", "cameo", "location",
               "contexts", "sectors", "sentence", "doc_id", "source", "url")


def check_event_type(value: str | None) -> None:
    if value and value.upper() not in EVENT_TYPES:
        raise HTTPException(400, f"unknown event type {value!r}; one of {', '.join(EVENT_TYPES)}")


def check_period(value: str) -> None:
    if value not in PERIODS:
        raise HTTPException(400, f"unknown period {value!r}; one of {', '.join(PERIODS)}")


def party_text(party: Any) -> str:
    """A party as short text: 'IRN GOV', 'UN', or members joined with ' + '."""
    if not party:
        return ""
    if isinstance(party, list):
        return " + ".join(party_text(p) for p in party)
    code = party.get("country") or party.get("abbrev") or party.get("name") or ""
    return " ".join(v for v in (code, party.get("type") or "") if v)


def is_web_url(url: Any) -> bool:
    """Whether ``url`` may be a link: http(s) with a host. A document's url comes from its source
    (a JSON line, a feed), so ``javascript:`` and the like are shown as text (issue 9)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in row.items()}

