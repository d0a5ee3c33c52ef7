"""Questions analysts ask of an event store, answered as pandas DataFrames (the reads behind
:mod:`tieline.analysis`, its commands and the web app's charts).

Every function takes an open :class:`~tieline.store.Store` and reads it with bound parameters.
Parties are matched through ``event_parties``, so a compound actor ("the US and France")
counts for each of its members. Negated events are left out.

Example::

    from tieline import Store
    from tieline.analysis import dyad, partners
    with Store("tieline.duckdb", read_only=True) as store:
        print(partners(store, "IRN").head())
        print(dyad(store, "IRN", "MYS", by="month"))
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tieline.errors import TielineError
from tieline.query.sql import date_window
from tieline.store import Store

PERIODS = {"day": 10, "month": 7, "year": 4}  # length of the date prefix that names the period


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
         until: str | None = None) -> pd.DataFrame:
    """Events between two countries (either direction), counted by period, event type and quad
    class, with the mean PLOVER score. Columns: period, direction, event, quad, events, mean_score."""
    a, b = a.upper(), b.upper()
    window, window_params = date_window("e.date", since, until)
    sql = f"""
        SELECT {_period_sql(by)} AS period,
               CASE WHEN pa.country = ? THEN ? ELSE ? END AS direction,
               e.event, e.quad, count(DISTINCT e.event_id) AS events, round(avg(e.score), 2) AS mean_score
        FROM events e
        JOIN event_parties pa ON pa.event_id = e.event_id AND pa.role = 'actor'
        JOIN event_parties pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
        WHERE NOT e.negated AND e.date IS NOT NULL
          AND ((pa.country = ? AND pr.country = ?) OR (pa.country = ? AND pr.country = ?)) AND {window}
        GROUP BY ALL ORDER BY period, direction, event"""
    params = [a, f"{a}->{b}", f"{b}->{a}", a, b, b, a, *window_params]
    return store.read(sql, params).df()


def partners(store: Store, country: str, *, since: str | None = None, until: str | None = None) -> pd.DataFrame:
    """The countries and organisations a country deals with, most events first: events,
    cooperation and conflict counts, their balance in [-1, 1], mean score and top fields."""
    country = country.upper()
    window, window_params = date_window("e.date", since, until)
    sql = f"""
        WITH pairs AS (
            SELECT DISTINCT e.event_id, e.quad, e.score, e.sectors,
                   coalesce(other.country, other.abbrev) AS partner
            FROM events e
            JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
            JOIN event_parties other ON other.event_id = e.event_id AND other.role <> me.role
            WHERE NOT e.negated AND coalesce(other.country, other.abbrev) IS NOT NULL
              AND coalesce(other.country, other.abbrev) <> ? AND {window})
        SELECT partner, count(*) AS events,
               count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad IN (3, 4)) AS conflict,
               round((count(*) FILTER (WHERE quad IN (1, 2)) - count(*) FILTER (WHERE quad IN (3, 4)))
                     / count(*), 2) AS balance,
               round(avg(score), 2) AS mean_score,
               list_distinct(flatten(list(sectors))) AS fields
        FROM pairs GROUP BY partner ORDER BY events DESC, partner"""
    return store.read(sql, [country, country, *window_params]).df()


def timeline(store: Store, *, country: str | None = None, by: str = "month") -> pd.DataFrame:
    """Events per period and quad class, for one country (as any party) or for the whole store.
    Columns: period, quad, events, mean_score."""
    where = "NOT e.negated AND e.date IS NOT NULL"
    params: list[object] = []
    if country:
        where += " AND e.event_id IN (SELECT event_id FROM event_parties WHERE country = ?)"
        params.append(country.upper())
    sql = f"""SELECT {_period_sql(by)} AS period, e.quad, count(*) AS events, round(avg(e.score), 2) AS mean_score
              FROM events e WHERE {where} GROUP BY ALL ORDER BY period, quad"""
    return store.read(sql, params).df()


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
            top_partners: int = 8) -> Profile:
    """The :class:`Profile` of a country (as any party), within [since, until]; partners over time
    are kept to the ``top_partners`` with most events overall."""
    country = country.upper()
    window, window_params = date_window("e.date", since, until)
    mine = f"""
        SELECT DISTINCT e.event_id, e.event, e.quad, e.score, e.contexts, e.sectors, e.date, me.role
        FROM events e JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
        WHERE NOT e.negated AND {window}"""
    params = [country, *window_params]
    types = store.read(f"""
        WITH mine AS ({mine})
        SELECT event, any_value(quad) AS quad, count(DISTINCT event_id) FILTER (WHERE role = 'actor') AS as_actor,
               count(DISTINCT event_id) FILTER (WHERE role = 'recipient') AS as_recipient,
               round(avg(score), 2) AS mean_score
        FROM mine GROUP BY event ORDER BY as_actor + as_recipient DESC, event""", params).df()

    def by_list(column: str, name: str) -> pd.DataFrame:
        # column and name are the literals below ("contexts", "context"...), never input
        return store.read(f"""
            WITH mine AS ({mine}), items AS (SELECT DISTINCT event_id, quad, unnest({column}) AS {name} FROM mine)
            SELECT {name}, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
                   count(*) FILTER (WHERE quad IN (3, 4)) AS conflict
            FROM items GROUP BY {name} ORDER BY events DESC, {name}""", params).df()

    partners_over_time = store.read(f"""
        WITH pairs AS (
            SELECT DISTINCT e.event_id, e.quad, {_period_sql(by)} AS period,
                   coalesce(other.country, other.abbrev) AS partner
            FROM events e
            JOIN event_parties me ON me.event_id = e.event_id AND me.country = ?
            JOIN event_parties other ON other.event_id = e.event_id AND other.role <> me.role
            WHERE NOT e.negated AND e.date IS NOT NULL AND coalesce(other.country, other.abbrev) IS NOT NULL
              AND coalesce(other.country, other.abbrev) <> ? AND {window}),
        top AS (SELECT partner FROM pairs GROUP BY partner ORDER BY count(*) DESC, partner LIMIT ?)
        SELECT period, partner, count(*) AS events, count(*) FILTER (WHERE quad IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad IN (3, 4)) AS conflict,
               round((count(*) FILTER (WHERE quad IN (1, 2)) - count(*) FILTER (WHERE quad IN (3, 4)))
                     / count(*), 2) AS balance
        FROM pairs WHERE partner IN (SELECT partner FROM top) GROUP BY ALL ORDER BY period, events DESC, partner""",
        [country, country, *window_params, top_partners]).df()
    return Profile(country, types, by_list("contexts", "context"), by_list("sectors", "sector"), partners_over_time)


def network(store: Store, *, since: str | None = None, event: str | None = None,
            country: str | None = None) -> pd.DataFrame:
    """Directed edges between parties: source, target, events, cooperation, conflict, mean_score;
    with ``country``, only the edges it is an end of."""
    sql = """
        SELECT coalesce(pa.country, pa.abbrev) AS source, coalesce(pr.country, pr.abbrev) AS target,
               count(DISTINCT e.event_id) AS events,
               count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (1, 2)) AS cooperation,
               count(DISTINCT e.event_id) FILTER (WHERE e.quad IN (3, 4)) AS conflict,
               round(avg(e.score), 2) AS mean_score
        FROM events e
        JOIN event_parties pa ON pa.event_id = e.event_id AND pa.role = 'actor'
        JOIN event_parties pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
        WHERE NOT e.negated AND coalesce(pa.country, pa.abbrev) IS NOT NULL
          AND coalesce(pr.country, pr.abbrev) IS NOT NULL
          AND coalesce(pa.country, pa.abbrev) <> coalesce(pr.country, pr.abbrev)
          AND (? IS NULL OR e.date >= ?) AND (? IS NULL OR e.event = ?)
          AND (? IS NULL OR coalesce(pa.country, pa.abbrev) = ? OR coalesce(pr.country, pr.abbrev) = ?)
        GROUP BY ALL ORDER BY events DESC, source, target"""
    code = country.upper() if country else None
    return store.read(sql, [since, since, event, event.upper() if event else None, code, code, code]).df()
