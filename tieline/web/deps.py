"""What the API and page routers share: the app's state, the per-request database cursor, the
event filters of a query string, and the small checks and formats both use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.templating import Jinja2Templates
from pydantic import AfterValidator

from tieline.lexicon import EVENT_TYPES
from tieline.partial_date import check_partial_date
from tieline.query import EventQuery
from tieline.store import Store
from tieline.web.coding import CodingPool

MAX_TEXT_CHARS = 100_000  # the longest story POST /api/code and the paste page will code
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
CODE_PATTERN = r"^[A-Za-z]{2,8}$"
EVENT_ID_PATTERN = r"^[0-9a-f]{16}$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
OPTIONAL_CODE = r"^([A-Za-z]{2,8})?$"
OPTIONAL_PLACE = r"^([A-Za-z]{2,8}|[A-Za-z]{2}\.[0-9A-Za-z]{1,6})?$"  # a country, or a region's GeoNames key
OPTIONAL_CONFIDENCE = r"^((0(\.\d{1,6})?)|(1(\.0{1,6})?)|(\.\d{1,6}))?$"  # empty, or a number from 0 to 1
OPTIONAL_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"
PERIODS = ("day", "week", "month", "year")


def calendar_date(value: str | None) -> str | None:
    """A date filter that is a real year, month or day, or none: 1987-13-45 is refused (422)
    rather than compared as text and answered (issue 13)."""
    return check_partial_date(value) if value else value


Date = Annotated[str | None, Query(pattern=DATE_PATTERN), AfterValidator(calendar_date)]
OptionalDate = Annotated[str | None, Query(pattern=OPTIONAL_DATE), AfterValidator(calendar_date)]  # "" is any
QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
MAX_CHARTS = 512


@dataclass
class WebState:
    """What the app holds for its lifetime (``app.state.web``)."""

    store: Store
    templates: Jinja2Templates
    coding: CodingPool
    names: dict[str, str]  # country code -> name
    allow_edits: bool = False  # whether analysts may correct records (tieline serve --allow-edits)
    # Drawing a chart takes a fifth of a second; no other process can write the database while
    # it is served (DuckDB lets none), so each chart is drawn once, and drawn again only after a
    # correction made through this app (tieline.web.edits).
    charts: dict[tuple[str, ...], str] = field(default_factory=dict)
    charts_lock: threading.Lock = field(default_factory=threading.Lock)

    def chart(self, key: tuple[str, ...], draw: Callable[[], str]) -> str:
        """The SVG chart ``key``, drawn by ``draw`` the first time it is asked for."""
        with self.charts_lock:
            drawn = self.charts.get(key)
        if drawn is None:
            drawn = draw()
            with self.charts_lock:
                if len(self.charts) >= MAX_CHARTS:
                    self.charts.pop(next(iter(self.charts)))
                self.charts[key] = drawn
        return drawn

    def country_name(self, code: str) -> str:
        return self.names.get(code, code)


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def store_view(request: Request) -> Iterator[Store]:
    """A cursor of the app's database for one request (read-only unless edits are allowed)."""
    cursor = web_state(request).store.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


# Empty values mean "any": an HTML form sends every field, filled in or not.
def event_query(actor: Annotated[str | None, Query(pattern=OPTIONAL_CODE)] = None,
                recipient: Annotated[str | None, Query(pattern=OPTIONAL_CODE)] = None,
                party: Annotated[str | None, Query(pattern=OPTIONAL_CODE, description="either side")] = None,
                where: Annotated[str | None, Query(pattern=OPTIONAL_PLACE, description="where it happened: a country "
                                                   "(ISO3) or a region (GeoNames key, e.g. IR.26)")] = None,
                type: Annotated[str | None, Query(max_length=20, description="PLOVER event type")] = None,  # noqa: A002
                quad: Annotated[str | None, Query(pattern=r"^[1-4]?$", description="quad class, 1 to 4")] = None,
                context: Annotated[str | None, Query(max_length=40)] = None,
                sector: Annotated[str | None, Query(max_length=40)] = None,
                since: OptionalDate = None,
                until: OptionalDate = None,
                q: Annotated[str | None, Query(max_length=200, description="words in the sentence or title")] = None,
                negated: bool = False,
                min_confidence: Annotated[str | None, Query(pattern=OPTIONAL_CONFIDENCE,
                                                            description="records at least this confident, 0 to 1")
                                          ] = None) -> EventQuery:
    """The event filters of a query string."""
    check_event_type(type)
    return EventQuery(actor=actor or None, recipient=recipient or None, party=party or None, place=where or None,
                      event=type or None,
                      quad=int(quad) if quad else None, context=context or None, sector=sector or None,
                      since=since or None, until=until or None, text=q or None, include_negated=negated,
                      min_confidence=float(min_confidence) if min_confidence else None)


StoreView = Annotated[Store, Depends(store_view)]
Filters = Annotated[EventQuery, Depends(event_query)]
State = Annotated[WebState, Depends(web_state)]


def check_event_type(value: str | None) -> None:
    if value and value.upper() not in EVENT_TYPES:
        raise HTTPException(400, f"unknown event type {value!r}; one of {', '.join(EVENT_TYPES)}")


def check_period(value: str) -> None:
    if value not in PERIODS:
        raise HTTPException(400, f"unknown period {value!r}; one of {', '.join(PERIODS)}")
