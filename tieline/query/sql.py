"""The pieces of SQL every read shares: date windows, confidence floors, and a stored record
with its story's details. Column names come from the caller's code, never from input; values are
bound parameters."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def date_window(column: str, since: str | None, until: str | None) -> tuple[str, list[object]]:
    """SQL condition and parameters keeping dates within [since, until]; dates may be YYYY,
    YYYY-MM or YYYY-MM-DD, and ``until`` includes every date it is a prefix of. ``column`` is a
    column name written in the caller's code, never input; the dates are bound parameters."""
    return (f"(? IS NULL OR {column} >= ?) AND (? IS NULL OR substr({column}, 1, length(?)) <= ?)",
            [since, since, until, until, until])


def record_window(alias: str, since: str | None, until: str | None,
                  min_confidence: float | None = None) -> tuple[str, list[object]]:
    """SQL condition and parameters keeping event records dated within [since, until] whose
    confidence is at least ``min_confidence`` (any when None). ``alias`` is the events table's
    alias written in the caller's code ("" or "e."), never input."""
    window, params = date_window(f"{alias}date", since, until)
    floor, floor_params = confidence_floor(f"{alias}confidence", min_confidence)
    return f"{window} AND {floor}", [*params, *floor_params]


def confidence_floor(column: str, minimum: float | None) -> tuple[str, list[object]]:
    """SQL condition keeping rows whose ``column`` (written in the caller's code) is at least
    ``minimum``; any row when it is None."""
    return f"(? IS NULL OR {column} >= ?)", [minimum, minimum]


def with_document(record: str, title: str | None, source: str | None, url: str | None,
                  published: dt.date | None) -> dict[str, Any]:
    """A stored record with its story's title, source, URL and date under ``document``."""
    item = json.loads(record)
    item["document"] = {"title": title, "source": source, "url": url,
                        "date": published.isoformat() if published else None}
    return item
