"""Dates as analysts type them in filters and corrections: a year, a month or a day."""

from __future__ import annotations

import datetime as dt

PRECISION = {4: "year", 7: "month", 10: "day"}  # a partial date's precision, by its length


def check_partial_date(value: str) -> str:
    """``value`` when it is a real year, month or day written YYYY, YYYY-MM or YYYY-MM-DD (the
    dates :func:`date_window` takes): 1987-13-45 is refused rather than compared as text.

    Raises:
        ValueError: it is not such a date; the message says so.
    """
    parts = value.split("-")
    try:
        if not (len(parts) <= 3 and len(parts[0]) == 4 and all(len(p) == 2 for p in parts[1:])):
            raise ValueError
        dt.date(int(parts[0]), *([int(p) for p in parts[1:]] + [1, 1])[:2])
    except ValueError:
        raise ValueError(f"{value!r} is no date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return value


def first_day(date: str | None) -> dt.date | None:
    """The first day of a YYYY, YYYY-MM or YYYY-MM-DD date."""
    if not date:
        return None
    parts = date.split("-")
    try:
        return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None
