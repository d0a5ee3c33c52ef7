"""The JSON API (and the CSV of events): reads of the database, plus coding of pasted text (corrections
are in :mod:`tieline.web.edits`)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tieline import analysis
from tieline.csvfile import write_csv
from tieline.export import COLUMNS, LIST_COLUMNS
from tieline.query import (
    cluster_reports,
    flat_events,
    frame_records,
    get_event,
    list_clusters,
    search_page,
    stats,
)
from tieline.query.frames import Slice
from tieline.web.deps import (
    CODE_PATTERN,
    DEFAULT_PAGE_SIZE,
    EVENT_ID_PATTERN,
    MAX_PAGE_SIZE,
    MAX_TEXT_CHARS,
    OPTIONAL_PLACE,
    Date,
    Filters,
    State,
    StoreView,
    check_event_type,
    check_period,
)

Code = Annotated[str, PathParam(pattern=CODE_PATTERN)]
OptionalDate = Date  # an API date, when given, is a whole one

router = APIRouter(tags=["api"])


class CodeRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="the story to code")
    date: dt.date | None = Field(default=None, description="publication date, to resolve 'on Monday'")


@router.get("/api/stats", summary="Sizes and date span of the database")
def api_stats(s: StoreView) -> dict[str, Any]:
    return stats(s)


@router.get("/api/events", summary="Events matching the filters, newest first")
def api_events(s: StoreView, filters: Filters, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
               page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> dict[str, Any]:
    total, events = search_page(s, filters, limit=page_size, offset=(page - 1) * page_size)
    return {"total": total, "page": page, "page_size": page_size, "filters": filters.as_params(), "events": events}


@router.get("/api/events/{event_id}", summary="One event with its story and the cluster's other reports")
def api_event(s: StoreView, event_id: Annotated[str, PathParam(pattern=EVENT_ID_PATTERN)]) -> dict[str, Any]:
    item = get_event(s, event_id)
    if item is None:
        raise HTTPException(404, f"no event {event_id}")
    return item


@router.get("/api/dyads/{a}/{b}", summary="Events between two countries by period, type and quad class")
def api_dyad(s: StoreView, a: Code, b: Code, by: str = "month", since: OptionalDate = None,
             until: OptionalDate = None) -> list[dict[str, Any]]:
    check_period(by)
    return frame_records(analysis.dyad(s, a, b, by=by, since=since, until=until))


@router.get("/api/countries/{country}/partners", summary="A country's partners, ranked")
def api_partners(s: StoreView, country: Code, since: OptionalDate = None,
                 until: OptionalDate = None) -> list[dict[str, Any]]:
    return frame_records(analysis.partners(s, country, since=since, until=until))


@router.get("/api/network", summary="Directed edges between parties")
def api_network(s: StoreView, since: OptionalDate = None, type: str | None = None,  # noqa: A002
                country: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None) -> list[dict[str, Any]]:
    check_event_type(type)
    return frame_records(analysis.network(s, since=since, event=type, country=country))


@router.get("/api/places", summary="Events by place and quad class, for a map")
def api_places(s: StoreView, country: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
               where: Annotated[str | None, Query(pattern=OPTIONAL_PLACE, description="where it happened")]
               = None, since: OptionalDate = None, until: OptionalDate = None,
               type: str | None = None,  # noqa: A002
               quad: Annotated[int | None, Query(ge=1, le=4)] = None) -> list[dict[str, Any]]:
    check_event_type(type)
    where_slice = Slice(since, until, type.upper() if type else None, quad, place=where)
    return frame_records(analysis.places(s, country=country, where=where_slice))


@router.get("/api/clusters", summary="Clusters (real-world events), most reported first")
def api_clusters(s: StoreView, actor: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                 recipient: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                 type: str | None = None,  # noqa: A002
                 since: OptionalDate = None, until: OptionalDate = None,
                 min_reports: Annotated[int, Query(ge=1)] = 1,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> list[dict[str, Any]]:
    rows = list_clusters(s, actor=actor, recipient=recipient, event=type, since=since, until=until,
                         min_reports=min_reports, limit=limit)
    return [_jsonable(r) for r in rows]


@router.get("/api/clusters/{cluster_id}", summary="One cluster's reports")
def api_cluster(s: StoreView, cluster_id: Annotated[str, PathParam(pattern=EVENT_ID_PATTERN)]) -> dict[str, Any]:
    reports = cluster_reports(s, cluster_id)
    if not reports:
        raise HTTPException(404, f"no cluster {cluster_id}")
    return {"cluster_id": cluster_id, "num_reports": len({r["doc_id"] for r in reports}), "reports": reports}


@router.post("/api/code", summary="Code pasted text (nothing is stored)",
             responses={503: {"description": "busy (see Retry-After) or coding unavailable"},
                        504: {"description": "coding overran its deadline and was stopped"}})
def api_code(state: State, body: CodeRequest) -> dict[str, Any]:
    result = state.coding.code(body.text, body.date)
    return {"events": result.records, "problems": result.problems}


@router.get("/events.csv", summary="The events matching the filters, as CSV")
def events_csv(s: StoreView, filters: Filters, limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000) -> Response:
    buffer = io.StringIO()
    # the export's columns, through the one CSV writer (formulas neutralised, issue 9), read from
    # the stored columns rather than from each record's JSON (issue 12: 10,000 rows in under a second)
    write_csv(flat_events(s, filters, COLUMNS, lists=LIST_COLUMNS, limit=limit), buffer, columns=COLUMNS,
              lineterminator="\n")
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="tieline-events.csv"'})


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in row.items()}
