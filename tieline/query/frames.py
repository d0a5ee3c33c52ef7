"""Questions analysts ask of an event store, answered as pandas DataFrames (the reads behind
:mod:`tieline.analysis`, its commands and the web app's charts).

Every function takes an open :class:`~tieline.store.Store` and reads it with bound parameters.
They read ``event_pairs`` (one row per affirmed event and pair of its members, see
:mod:`tieline.schema`), so a compound actor ("the US and France") counts for each of its
members, and an event is counted once per key through the table's ``first_*`` flags rather
than by ``count(DISTINCT event_id)`` over millions of rows (issue 12). Negated events are left out.

Example::

    from tieline import Store
    from tieline.analysis import dyad, partners
    with Store("tieline.duckdb", read_only=True) as store:
        print(partners(store, "IRN").head())
        print(dyad(store, "IRN", "MYS", by="month"))
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from tieline.errors import TielineError
from tieline.query.sql import confidence_floor, date_window, place_match
from tieline.store import Store

PERIODS = {"day": 10, "month": 7, "year": 4}  # length of the date prefix that names the period


@dataclass(frozen=True)
class Slice:
    """Which events an analysis counts, the same filters for every one (issue 13): dates within
    [since, until] (YYYY, YYYY-MM or YYYY-MM-DD; ``until`` includes every date it is a prefix
    of), a PLOVER event type, a quad class (1 to 4), a context, a field (sector), where the event
    happened (a country's ISO3 code, or a region's GeoNames key such as IR.26) and a confidence floor."""

    since: str | None = None
    until: str | None = None
    event: str | None = None
    quad: int | None = None
    context: str | None = None
    sector: str | None = None
    place: str | None = None
    min_confidence: float | None = None

    def sql(self) -> tuple[str, list[object]]:
        """SQL condition on the rows ``e`` (of event_pairs or events) and its parameters."""
        window, params = date_window("e.date", self.since, self.until)
        event = self.event.upper() if self.event else None
        sql = (f"{window} AND (? IS NULL OR e.event = ?) AND (? IS NULL OR e.quad = ?)"
               " AND (? IS NULL OR list_contains(e.contexts, ?)) AND (? IS NULL OR list_contains(e.sectors, ?))")
        params = [*params, event, event, self.quad, self.quad, self.context, self.context, self.sector, self.sector]
        # the place and the confidence are the events table's: asked for only when given, so that
        # the reads of event_pairs without them join nothing
        if self.place is not None or self.min_confidence is not None:
            place, place_params = place_match("", self.place) if self.place else ("true", [])
            floor, floor_params = confidence_floor("confidence", self.min_confidence)
            sql += f" AND e.event_id IN (SELECT event_id FROM events WHERE {place} AND {floor})"
            params += [*place_params, *floor_params]
        return sql, params


def all_periods(periods: pd.Index, limit: int | None = None) -> list[str]:
    """Every period from the first to the last of ``periods`` (all of one form: 1987, 1987-04,
    1987-W14 or 1987-04-02), so that a chart's axis runs through the empty ones (issue 13): a
    week with nothing is a bar of zero, not a week left out. Periods of another form are kept
    as they are."""
    names = sorted(str(p) for p in periods)
    if not names:
        return []
    first, last = names[0], names[-1]
    kind = period_kind(first)
    if kind is None or kind != period_kind(last):
        return names
    freq, parse, name = PERIOD_FORMS[kind]
    steps = pd.period_range(parse(first), parse(last), freq=freq)
    if len(steps) > (limit or MAX_PERIODS):  # a chart of more bars than pixels: keep the periods there are
        return names
    return [name(step) for step in steps]


def period_kind(period: str) -> str | None:
    """"year", "month", "week" or "day" for a period written 1987, 1987-04, 1987-W14 or
    1987-04-02; None for anything else."""
    return PERIOD_KINDS.get(re.sub(r"\d", "9", period))


def period_dates(period: str) -> tuple[str, str]:
    """The first and last date of a period as since and until filters: 2025, 2025-03 and
    2025-03-09 are their own (an until filter takes in every date it is a prefix of); an ISO
    week 2025-W04 runs Monday to Sunday."""
    if period_kind(period) == "week":
        monday = _week_start(period)
        return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
    return period, period


def _week_start(period: str) -> dt.date:
    """The Monday of an ISO week written 1987-W14."""
    return dt.date.fromisocalendar(int(period[:4]), int(period[6:]), 1)


PERIOD_KINDS = {"9999": "year", "9999-99": "month", "9999-W99": "week", "9999-99-99": "day"}
PERIOD_FORMS: dict[str, tuple[str, Callable[[str], object], Callable[[pd.Period], str]]] = {
    "year": ("Y", lambda p: p, lambda s: s.strftime("%Y")),
    "month": ("M", lambda p: p, lambda s: s.strftime("%Y-%m")),
    "day": ("D", lambda p: p, lambda s: s.strftime("%Y-%m-%d")),
    # ISO years and weeks as strftime's %G-W%V writes them
    "week": ("W-SUN", _week_start, lambda s: s.start_time.strftime("%G-W%V")),
}
MAX_PERIODS = 5_000  # a longer axis or panel keeps only the periods there are


def _period(by: str) -> int:
    if by == "week":
        return 0
    if by not in PERIODS:
        raise TielineError(f"unknown period {by!r}; use one of day, week, month, year")
    return PERIODS[by]


def _period_sql(by: str) -> str:
    """SQL for the period of an event's date (dates may be YYYY, YYYY-MM or YYYY-MM-DD). ``by``
    is checked against PERIODS, so only a fixed SQL text or an int goes into the query."""
    if _period(by) == 0:  # ISO week of day-precise dates, else the month
        return ("CASE WHEN length(e.date) = 10 THEN strftime(CAST(e.date AS DATE), '%G-W%V') "
                "ELSE substr(e.date, 1, 7) END")
    return f"substr(e.date, 1, {_period(by)})"


def dyad(store: Store, a: str, b: str, *, by: str = "month", since: str | None = None,
         until: str | None = None, where: Slice | None = None) -> pd.DataFrame:
    """Events between two countries (either direction), counted by period, event type and quad
    class, with the mean PLOVER score. Columns: period, direction, event, quad, events, mean_score.
    ``where`` narrows the events further (its dates give way to ``since`` and ``until``)."""
    a, b = a.upper(), b.upper()
    window, window_params = _sliced(where, since, until)
    sql = f"""
        SELECT {_period_sql(by)} AS period,
               CASE WHEN e.actor_country = ? THEN ? ELSE ? END AS direction,
               e.event, e.quad, count(*) FILTER (WHERE e.first_pair) AS events, round(avg(e.score), 2) AS mean_score
        FROM event_pairs e
        WHERE e.date IS NOT NULL
          AND ((e.actor_country = ? AND e.recipient_country = ?) OR (e.actor_country = ? AND e.recipient_country = ?))
          AND {window}
        GROUP BY ALL ORDER BY period, direction, event"""
    params = [a, f"{a}->{b}", f"{b}->{a}", a, b, b, a, *window_params]
    return store.read(sql, params).df()


def partners(store: Store, country: str, *, since: str | None = None, until: str | None = None,
             where: Slice | None = None) -> pd.DataFrame:
    """The countries and organisations a country deals with, most events first: events,
    cooperation and conflict counts, their balance in [-1, 1], mean score and top fields."""
    country = country.upper()
    window, window_params = _sliced(where, since, until)
    sql = f"""
        WITH pairs AS ({_partner_rows(window, "")})
        SELECT partner, count(*) AS events,
               count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad IN (3, 4)) AS conflict,
               round((count(*) FILTER (WHERE quad IN (1, 2)) - count(*) FILTER (WHERE quad IN (3, 4)))
                     / count(*), 2) AS balance,
               round(avg(score), 2) AS mean_score,
               list_sort(list_distinct(flatten(list(sectors)))) AS fields
        FROM pairs WHERE partner <> ? GROUP BY partner ORDER BY events DESC, partner"""
    return store.read(sql, [country, *window_params, country, *window_params, country]).df()


def _partner_rows(window: str, extra: str) -> str:
    """SQL of one row per event and partner of a country (the first parameter, then the window's
    parameters, twice): the events where it is an actor member, with each recipient as partner,
    and those where it is a recipient member, with each actor; ``extra`` is more SQL (written in
    this module) to select, such as the period."""
    return f"""
        SELECT e.quad, e.score, e.sectors, e.target AS partner{extra} FROM event_pairs e
        WHERE e.actor_country = ? AND e.first_actor_partner AND {window}
        UNION ALL
        SELECT e.quad, e.score, e.sectors, e.source AS partner{extra} FROM event_pairs e
        WHERE e.recipient_country = ? AND e.first_recipient_partner AND {window}"""


def timeline(store: Store, *, country: str | None = None, by: str = "month", where: Slice | None = None) -> pd.DataFrame:
    """Events per period and quad class, for one country (as any party) or for the whole store.
    Columns: period, quad, events, mean_score."""
    window, window_params = _sliced(where)
    if not country:
        sql = f"""SELECT {_period_sql(by)} AS period, e.quad, count(*) AS events, round(avg(e.score), 2) AS mean_score
                  FROM events e WHERE NOT e.negated AND e.date IS NOT NULL AND {window}
                  GROUP BY ALL ORDER BY period, quad"""
        return store.read(sql, window_params).df()
    # one row per event with the country as a party: as an actor, else as a recipient only
    sql = f"""SELECT {_period_sql(by)} AS period, e.quad, count(*) AS events, round(avg(e.score), 2) AS mean_score
              FROM event_pairs e
              WHERE e.date IS NOT NULL AND ((e.actor_country = ? AND e.first_actor)
                                            OR (e.recipient_country = ? AND e.recipient_only)) AND {window}
              GROUP BY ALL ORDER BY period, quad"""
    return store.read(sql, [country.upper(), country.upper(), *window_params]).df()


@dataclass(frozen=True)
class Profile:
    """A country's event profile: what it does and has done to it, in which contexts and fields,
    and with whom over time."""

    country: str
    types: pd.DataFrame  # event, quad, as_actor, as_recipient, mean_score
    contexts: pd.DataFrame  # context, events, cooperation, conflict
    sectors: pd.DataFrame  # sector, events, cooperation, conflict
    partners: pd.DataFrame  # period, partner, events, cooperation, conflict, balance


def profile(store: Store, country: str, *, by: str = "year", since: str | None = None, until: str | None = None,
            top_partners: int = 8, where: Slice | None = None) -> Profile:
    """The :class:`Profile` of a country (as any party), within [since, until]; partners over time
    are kept to the ``top_partners`` with most events overall."""
    country = country.upper()
    window, window_params = _sliced(where, since, until)
    # one row per event and role the country has in it
    mine = f"""
        SELECT e.event, e.quad, e.score, 'actor' AS role
        FROM event_pairs e WHERE e.actor_country = ? AND e.first_actor AND {window}
        UNION ALL
        SELECT e.event, e.quad, e.score, 'recipient' AS role
        FROM event_pairs e WHERE e.recipient_country = ? AND e.first_recipient AND {window}"""
    params = [country, *window_params, country, *window_params]
    types = store.read(f"""
        WITH mine AS ({mine})
        SELECT event, any_value(quad) AS quad, count(*) FILTER (WHERE role = 'actor') AS as_actor,
               count(*) FILTER (WHERE role = 'recipient') AS as_recipient,
               round(avg(score), 2) AS mean_score
        FROM mine GROUP BY event ORDER BY as_actor + as_recipient DESC, event""", params).df()

    def by_list(column: str, name: str) -> pd.DataFrame:
        # column and name are the literals below ("contexts", "context"...), never input; one row
        # per event the country takes part in (as an actor, else as a recipient only), whose lists
        # event_pairs holds with each item once
        return store.read(f"""
            WITH items AS (
                SELECT e.quad, unnest(e.{column}) AS {name} FROM event_pairs e
                WHERE ((e.actor_country = ? AND e.first_actor) OR (e.recipient_country = ? AND e.recipient_only))
                  AND {window})
            SELECT {name}, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
                   count(*) FILTER (WHERE quad IN (3, 4)) AS conflict
            FROM items GROUP BY {name} ORDER BY events DESC, {name}""", [country, country, *window_params]).df()

    partners_over_time = store.read(f"""
        WITH pairs AS ({_partner_rows(window + " AND e.date IS NOT NULL", f", {_period_sql(by)} AS period")}),
        mine AS (SELECT * FROM pairs WHERE partner <> ?),
        top AS (SELECT partner FROM mine GROUP BY partner ORDER BY count(*) DESC, partner LIMIT ?)
        SELECT period, partner, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad IN (3, 4)) AS conflict,
               round((count(*) FILTER (WHERE quad IN (1, 2)) - count(*) FILTER (WHERE quad IN (3, 4)))
                     / count(*), 2) AS balance
        FROM mine WHERE partner IN (SELECT partner FROM top) GROUP BY ALL ORDER BY period, events DESC, partner""",
        [*params, country, top_partners]).df()
    return Profile(country, types, by_list("contexts", "context"), by_list("sectors", "sector"), partners_over_time)


def network(store: Store, *, since: str | None = None, event: str | None = None,
            country: str | None = None, where: Slice | None = None) -> pd.DataFrame:
    """Directed edges between parties: source, target, events, cooperation, conflict, mean_score;
    with ``country``, only the edges it is an end of."""
    base = where or Slice()
    window, window_params = _sliced(replace(base, event=event or base.event), since)
    sql = f"""
        SELECT e.source, e.target, count(*) FILTER (WHERE e.first_link) AS events,
               count(*) FILTER (WHERE e.first_link AND e.quad IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE e.first_link AND e.quad IN (3, 4)) AS conflict,
               round(avg(e.score), 2) AS mean_score
        FROM event_pairs e
        WHERE e.source IS NOT NULL AND e.target IS NOT NULL AND e.source <> e.target AND {window}
          AND (? IS NULL OR e.source = ? OR e.target = ?)
        GROUP BY ALL ORDER BY events DESC, source, target"""
    code = country.upper() if country else None
    return store.read(sql, [*window_params, code, code, code]).df()


def _sliced(where: Slice | None, since: str | None = None, until: str | None = None) -> tuple[str, list[object]]:
    """The SQL condition of ``where``, with ``since`` and ``until`` (the older keywords) where given."""
    where = where or Slice()
    return replace(where, since=since or where.since, until=until or where.until).sql()


def places(store: Store, *, country: str | None = None, where: Slice | None = None) -> pd.DataFrame:
    """Events by where they happened, for a map: one row per place and quad class, for the events
    of one country (as any party) or of the whole store. Columns: place, country, lat, lon, kind
    ("place", a town or region with its coordinates; "country", an event placed only in a country,
    drawn at its capital), quad, events. Events placed nowhere are left out."""
    from tieline.lexicon import default_lexicon

    window, params = _sliced(where)
    party = ""
    if country:
        party = " AND (list_contains(e.actor_keys, ?) OR list_contains(e.recipient_keys, ?))"
        params = [*params, country.upper(), country.upper()]
    frame = store.read(f"""
        SELECT e.location_name AS place, e.location_country AS country, e.lat, e.lon,
               CASE WHEN e.lat IS NULL OR e.lon IS NULL THEN 'country' ELSE 'place' END AS kind, e.quad,
               count(*) AS events
        FROM events e WHERE NOT e.negated AND e.location_country IS NOT NULL AND {window}{party}
        GROUP BY ALL ORDER BY events DESC, place, quad""", params).df()
    countries = default_lexicon().countries_by_iso3
    for n in frame.index[frame["kind"] == "country"]:
        found = countries.get(str(frame.at[n, "country"]))
        if found is not None and found.lat is not None:
            frame.at[n, "lat"], frame.at[n, "lon"] = found.lat, found.lon
            frame.at[n, "place"] = found.name
    frame = frame.dropna(subset=["lat", "lon"])
    return frame.groupby(["place", "country", "lat", "lon", "kind", "quad"], as_index=False)["events"].sum() \
        .sort_values(["events", "place", "quad"], ascending=[False, True, True], ignore_index=True)
