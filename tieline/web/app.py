"""The web app: an HTTP API and server-rendered pages over one event database.

``create_app(db)`` builds the ASGI app; ``tieline serve`` runs it with uvicorn. The database is
opened read-only and every request gets its own cursor; every query binds its values. Pages
need no script and no asset from elsewhere: charts are SVG drawn on the server.
"""


import csv
import datetime as dt
import io
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tieline import analysis
from tieline.about import __version__
from tieline.errors import StoreError
from tieline.lexicon import EVENT_TYPES, default_lexicon
from tieline.query import EventQuery, count_events, frame_records, get_event, search_events, stats
from tieline.store import Store

log = logging.getLogger("tieline.web")
HERE = Path(__file__).parent
MAX_BODY_BYTES = 256_000  # the largest request body accepted
MAX_TEXT_CHARS = 100_000  # the longest story POST /api/code and the paste page will code
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
CODE_PATTERN = r"^[A-Za-z]{2,8}$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
OPTIONAL_CODE = r"^([A-Za-z]{2,8})?$"
OPTIONAL_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"
PERIODS = ("day", "week", "month", "year")


class BodySizeLimit:
    """Refuses request bodies over ``limit`` bytes with 413, whether or not they announce their length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(scope, receive, send, self.limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse({"error": {"status": 413, "message": f"request body larger than {limit} bytes"}},
                            status_code=413)
    await response(scope, receive, send)


class CodeRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="the story to code")
    date: dt.date | None = Field(default=None, description="publication date, to resolve 'on Monday'")


class LazyCoder:
    """The spaCy model loads on the first story pasted, not at start-up; one story is coded at a time."""

    def __init__(self) -> None:
        self._coder: Any = None
        self._lock = threading.Lock()

    def code(self, text: str, date: dt.date | None) -> list[dict[str, Any]]:
        with self._lock:
            if self._coder is None:
                from tieline.parse import load_nlp
                from tieline.pipeline import Coder

                self._coder = Coder(load_nlp())
            return [r.to_dict() for r in self._coder.code_text(text, date=date, doc_id="pasted")]


def create_app(db: str | Path) -> FastAPI:
    """The app over database ``db`` (which must exist; it is never written)."""
    path = Path(db)
    if not path.is_file():
        raise StoreError(f"{path}: no such database (build one with `tieline ingest` or `tieline demo`)")
    store = Store(path, read_only=True)
    lexicon = default_lexicon()
    names = {c.iso3: c.name for c in lexicon.countries}
    coder = LazyCoder()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(country_name=lambda code: names.get(code or "", code or ""),
                                 version=__version__, quad_names=QUAD_NAMES, event_types=EVENT_TYPES)
    templates.env.filters["party"] = party_text

    # FastAPI's own /docs page loads Swagger UI from a CDN; ours renders the OpenAPI
    # description on the server, so the app works offline.
    app = FastAPI(title="tieline", version=__version__, docs_url=None, redoc_url=None,
                  description="Political event records coded from news, with their evidence. "
                              "Read-only API over one tieline database, plus coding of pasted text.")
    app.add_middleware(BodySizeLimit, limit=MAX_BODY_BYTES)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store = store

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
                    negated: bool = False) -> EventQuery:
        check_event_type(type)
        return EventQuery(actor=actor or None, recipient=recipient or None, event=type or None,
                          quad=int(quad) if quad else None, context=context or None, sector=sector or None,
                          since=since or None, until=until or None, text=q or None, include_negated=negated)

    Filters = Annotated[EventQuery, Depends(event_query)]

    # --- errors: JSON for the API, a page for people ------------------------------------------

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.endswith(".csv")

    def error_response(request: Request, status: int, message: str) -> Response:
        if is_api(request):
            return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                             for e in exc.errors())
        return error_response(request, 422, f"invalid request: {problems}")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        return error_response(request, 500, "internal error; the server log has the details")

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

    @app.post("/api/code", tags=["api"], summary="Code pasted text (nothing is stored)")
    def api_code(body: CodeRequest) -> dict[str, Any]:
        return {"events": coder.code(body.text, body.date)}

    @app.get("/events.csv", tags=["api"], summary="The events matching the filters, as CSV")
    def events_csv(s: StoreView, filters: Filters,
                   limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000) -> Response:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for r in search_events(s, filters, limit=limit):
            writer.writerow([r["event_id"], r["date"], r["event"], r["mode"] or "", party_text(r["actor"]),
                             party_text(r["recipient"]), r["quad"], r["score"], r["cameo"],
                             (r["location"] or {}).get("name", ""), "|".join(r["contexts"]), "|".join(r["sectors"]),
                             r["sentence"], r["doc_id"], r["document"]["source"] or "", r["document"]["url"] or ""])
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="tieline-events.csv"'})

    # --- pages --------------------------------------------------------------------------------

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return templates.TemplateResponse(request, "api.html", {"spec": app.openapi()})

    from tieline.web import pages

    pages.add_pages(app, templates=templates, view=view, event_query=event_query, coder=coder, names=names)
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


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in row.items()}

