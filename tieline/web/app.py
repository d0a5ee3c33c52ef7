"""The web app: an HTTP API and server-rendered pages over one event database.

``create_app(db)`` builds the ASGI app; ``tieline serve`` runs it with uvicorn. The database is
opened read-only and every request gets its own cursor; every query binds its values. Pages
need no script and no asset from elsewhere: charts are SVG drawn on the server.

The routes live in three routers, :mod:`tieline.web.api` (JSON and CSV),
:mod:`tieline.web.pages` (HTML, and each page's JSON twin) and :mod:`tieline.web.edits`
(corrections, with ``--allow-edits``); what they share is in
:mod:`tieline.web.deps`. This module builds the app: state, middleware, error handling.
"""


from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

import tieline.web.api as api
import tieline.web.edits as edits
import tieline.web.pages as pages
from tieline.about import __version__
from tieline.errors import CorrectionError, InputError, LexiconError, ModelError, QueryError, StoreError, TielineError
from tieline.fetch import is_web_url
from tieline.lexicon import EVENT_TYPES, default_lexicon
from tieline.store import Store
from tieline.types import party_text
from tieline.web.coding import CodingPool
from tieline.web.deps import QUAD_NAMES, WebState
from tieline.web.guards import LOOPBACK_HOSTS, BodySizeLimit, CatchErrors, HostCheck, SecurityHeaders, error_json

HERE = Path(__file__).parent
log = logging.getLogger("tieline.web")
MAX_BODY_BYTES = 256_000  # the largest request body accepted
# The status each class of tieline's error tree answers with; the most specific class wins.
ERROR_STATUS: dict[type[TielineError], int] = {
    InputError: 400,  # the request's input cannot be read
    StoreError: 409,  # the database cannot serve this (made by an older tieline, damaged)
    QueryError: 404,  # no such country or organisation
    CorrectionError: 400,  # a correction without a reason, or with a value the tables do not know
    ModelError: 503,  # coding is unavailable: no model can be loaded
    LexiconError: 500,  # a data table of the server is malformed
    TielineError: 500,
}


def create_app(db: str | Path, *, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
               coding: CodingPool | None = None, allow_edits: bool = False) -> FastAPI:
    """The app over database ``db`` (which must exist; it is written only with ``allow_edits``).

    Args:
        db: the database file.
        allowed_hosts: the host names (Host header, port ignored) the app answers; others get
            400. Default the loopback names; ``hosts_for(address)`` gives those of a bound address,
            and ``'*'`` allows any.
        coding: the workers that code pasted text; default a ``CodingPool()`` whose one worker
            loads the model on the first story pasted. The app stops them when it shuts down.
        allow_edits: let analysts correct records (:mod:`tieline.web.edits`); the database is
            then opened for writing.

    Example: ``uvicorn.run(create_app("news.duckdb"), host="127.0.0.1", port=8000)``
    """
    path = Path(db)
    if not path.is_file():
        raise StoreError(f"{path}: no such database (build one with `tieline ingest` or `tieline demo`)")
    store = Store(path, read_only=not allow_edits)
    pool = coding if coding is not None else CodingPool()
    state = WebState(store, _templates(), pool, {c.iso3: c.name for c in default_lexicon().countries},
                     allow_edits=allow_edits)
    state.templates.env.globals["allow_edits"] = allow_edits
    state.templates.env.globals["country_name"] = lambda code: state.names.get(code or "", code or "")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            pool.close()  # no worker outlives the server (issue 9)
            store.close()

    # FastAPI's own /docs page loads Swagger UI from a CDN; ours renders the OpenAPI
    # description on the server, so the app works offline.
    app = FastAPI(title="tieline", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Political event records coded from news, with their evidence. "
                              "API over one tieline database (read-only unless the server allows corrections), "
                              "plus coding of pasted text; "
                              "every page's data is also at its address with `.json`.")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.web = state
    app.state.store = store
    app.state.coding = pool
    _add_error_handling(app, state, allowed_hosts)

    examples = json.loads((HERE / "api_examples.json").read_text(encoding="utf-8"))  # a request and a response each

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return state.templates.TemplateResponse(request, "api.html", {"spec": app.openapi(), "examples": examples})

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(edits.router)
    return app


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    lexicon = default_lexicon()  # the valid contexts and fields, for the search form's pick lists
    templates.env.globals.update(version=__version__, quad_names=QUAD_NAMES, event_types=EVENT_TYPES,
                                 contexts=lexicon.context_names, fields=lexicon.field_names)
    templates.env.filters["party"] = party_text
    templates.env.tests["web_url"] = is_web_url
    return templates


def is_api(request: Request) -> bool:
    """Whether an address answers JSON (errors included): the API, the CSV, the pages' twins."""
    path = request.url.path
    return path.startswith("/api/") or path.endswith((".csv", ".json"))


def _add_error_handling(app: FastAPI, state: WebState, allowed_hosts: Iterable[str]) -> None:
    """Errors: JSON for the API, a page for people; each class of the error tree its status."""

    def error_response(request: Request, status: int, message: str,
                       headers: Mapping[str, str] | None = None) -> Response:
        if is_api(request):
            return error_json(status, message, headers)
        return state.templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
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

    @app.exception_handler(TielineError)
    async def tieline_error(request: Request, exc: TielineError) -> Response:
        status = next(code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind))
        if status == 500:  # a fault of the server: its details are for the log
            log.error("error serving %s %s: %s", request.method, request.url.path, exc)
            return error_response(request, status, "internal error; the server log has the details")
        return error_response(request, status, str(exc))
