"""Corrections from the web (issue 13): the event page's form, the corrections page, and the API's
``POST /api/events/{id}/corrections``. A server is read-only unless started with ``tieline serve
--allow-edits``; a read-only one answers every correction with 403 and shows no form.

A correction is a write from a browser, so it must come from the app's own pages, and a page
elsewhere must not post corrections through the analyst's browser: a request a browser marks as
from another site (``Sec-Fetch-Site``), or whose ``Origin`` names another site, is refused. (The
pages send no referrer, so a browser's form post says ``Origin: null``; ``Sec-Fetch-Site`` tells.)
Scripts, which send neither header, may post.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from tieline.corrections import Correction, resolve
from tieline.dedup import deduplicate
from tieline.lexicon import default_lexicon
from tieline.query.parties import party_code
from tieline.store import Store
from tieline.web.deps import EVENT_ID_PATTERN, State, StoreView, WebState

EventId = Annotated[str, PathParam(pattern=EVENT_ID_PATTERN)]
READ_ONLY = "this server is read-only; start it with `tieline serve --allow-edits` to correct records"

router = APIRouter()


class CorrectionRequest(BaseModel):
    """A correction of one record: ``wrong``, or the fields to change, and always ``why``."""

    why: str = Field(min_length=1, max_length=2000, description="why the record is wrong (kept with it)")
    wrong: bool = Field(False, description="the story reports no such event: leave the record out")
    type: str | None = Field(None, max_length=20, description="the right PLOVER event type")
    actor: str | None = Field(None, max_length=100, description="the right actor: code or name, optional sector")
    recipient: str | None = Field(None, max_length=100, description="the right recipient, or 'none'")
    date: str | None = Field(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    place: str | None = Field(None, max_length=100, description="a place or country name of the gazetteer")
    who: str | None = Field(None, max_length=100, description="who corrects")


def check_editable(state: WebState, request: Request) -> None:
    """Refuse a correction on a read-only server, or one posted from another site."""
    if not state.allow_edits:
        raise HTTPException(403, READ_ONLY)
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is not None:
        same = site in ("same-origin", "none")
    else:
        same = origin is None or urlsplit(origin).netloc == request.headers.get("host", "")
    if not same:
        raise HTTPException(403, "a correction must be posted from this app's own pages")


def correct(state: WebState, s: Store, event_id: str, body: CorrectionRequest) -> tuple[int, dict[str, Any] | None]:
    """Resolve and store a correction, re-cluster, and forget the charts drawn before it."""
    blank = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in body.model_dump().items()}
    correction = Correction(event_id, blank["why"] or "", wrong=body.wrong, event=blank["type"], actor=blank["actor"],
                            recipient=blank["recipient"], date=blank["date"], place=blank["place"],
                            who=blank["who"] or "web")
    changes = resolve(correction, default_lexicon(), lambda text: party_code(s, text))
    number, _, after = s.correct(event_id, changes, wrong=correction.wrong, why=correction.why, who=correction.who)
    deduplicate(s)
    with state.charts_lock:
        state.charts.clear()
    return number, after


@router.post("/api/events/{event_id}/corrections", summary="Correct one record (servers started with --allow-edits)",
             responses={403: {"description": "the server is read-only, or the request came from another site"},
                        400: {"description": "no reason, nothing to change, or a value the tables do not know"}})
def api_correct(request: Request, s: StoreView, state: State, event_id: EventId,
                body: CorrectionRequest) -> dict[str, Any]:
    check_editable(state, request)
    number, after = correct(state, s, event_id, body)
    return {"correction": number, "record": after}


@router.get("/api/corrections", summary="Every correction, oldest first")
def api_corrections(s: StoreView) -> list[dict[str, Any]]:
    return [{**c.summary(original, applied), "changes": c.changes} for c, original, applied in s.corrections()]


@router.post("/event/{event_id}/correct", include_in_schema=False)
def page_correct(request: Request, s: StoreView, state: State, event_id: EventId,
                 why: Annotated[str, Form(max_length=2000)] = "",
                 action: Annotated[str, Form(pattern="^(fix|wrong)$")] = "fix",
                 type: Annotated[str, Form(max_length=20)] = "",  # noqa: A002
                 actor: Annotated[str, Form(max_length=100)] = "",
                 recipient: Annotated[str, Form(max_length=100)] = "",
                 date: Annotated[str, Form(max_length=10)] = "",
                 place: Annotated[str, Form(max_length=100)] = "",
                 who: Annotated[str, Form(max_length=100)] = "") -> RedirectResponse:
    check_editable(state, request)
    if not why.strip():
        raise HTTPException(400, "a correction needs a reason: say why the record is wrong")
    wrong = action == "wrong"
    body = CorrectionRequest(why=why, wrong=wrong, type=None if wrong else type, actor=None if wrong else actor,
                             recipient=None if wrong else recipient, date=None if wrong else date,
                             place=None if wrong else place, who=who)
    number, after = correct(state, s, event_id, body)
    target = f"/event/{event_id}" if after is not None else f"/corrections#correction-{number}"
    return RedirectResponse(target, status_code=303)


@router.get("/corrections", response_class=HTMLResponse, include_in_schema=False)
def corrections_page(request: Request, s: StoreView, state: State) -> HTMLResponse:
    rows = [c.summary(original, applied) for c, original, applied in s.corrections()]
    return state.templates.TemplateResponse(request, "corrections.html", {"rows": rows,
                                                                          "allow_edits": state.allow_edits})
