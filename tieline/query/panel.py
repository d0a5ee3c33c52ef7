"""Event counts as a balanced panel, the table researchers feed to their models (issue 13):
one row per country (or directed country pair) and period, a column per quad class or per
PLOVER event type, and a row of zeros wherever nothing happened.

Units are the countries (or pairs) with at least one event in the window; periods run from the
window's first to its last (or from the first to the last event). An event counts once per
country it involves (as actor, else as recipient) or once per pair; negated events are left out,
as are events dated less precisely than the period (a year-only date in a monthly panel), whose
number :func:`panel` returns so that it can be told.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tieline.errors import TielineError
from tieline.lexicon import EVENT_TYPES
from tieline.query.frames import Slice, _sliced, all_periods
from tieline.store import Store

QUAD_COLUMNS = {1: "verbal_cooperation", 2: "material_cooperation", 3: "verbal_conflict", 4: "material_conflict"}
# the period of a date of at least the precision it needs (NULL otherwise): SQL written here, never input
PANEL_PERIODS = {
    "year": "substr(e.date, 1, 4)",
    "month": "CASE WHEN length(e.date) >= 7 THEN substr(e.date, 1, 7) END",
    "week": "CASE WHEN length(e.date) = 10 THEN strftime(CAST(e.date AS DATE), '%G-W%V') END",
    "day": "CASE WHEN length(e.date) = 10 THEN e.date END",
}
MAX_ROWS = 20_000_000


def panel(store: Store, *, by: str = "month", dyad: bool = False, counts: str = "quad",
          where: Slice | None = None, min_confidence: float | None = None) -> tuple[pd.DataFrame, int]:
    """The panel, and how many events were left out for a date coarser than ``by``.

    Columns: ``country`` (or ``actor_country`` and ``recipient_country`` with ``dyad``),
    ``period``, one count per quad class (``counts="quad"``) or event type (``counts="type"``),
    and ``events``, their total.

    Raises:
        TielineError: an unknown period or kind of count, or a panel too large to hold.
    """
    if by not in PANEL_PERIODS:
        raise TielineError(f"unknown period {by!r}; use one of {', '.join(PANEL_PERIODS)}")
    if counts not in ("quad", "type"):
        raise TielineError(f"unknown counts {counts!r}; use quad or type")
    window, params = _sliced(where)
    column = "e.quad" if counts == "quad" else "e.event"
    floor = ""
    if min_confidence is not None:
        floor = " AND e.event_id IN (SELECT event_id FROM events WHERE confidence >= ?)"
        params = [*params, min_confidence]
    if dyad:
        units, rows = ["actor_country", "recipient_country"], f"""
            SELECT e.actor_country, e.recipient_country, {PANEL_PERIODS[by]} AS period, {column} AS kind
            FROM event_pairs e
            WHERE e.first_pair AND e.actor_country IS NOT NULL AND e.recipient_country IS NOT NULL
              AND e.actor_country <> e.recipient_country AND {window}{floor}"""
        row_params = params
    else:  # each event once per country: as an actor, else as a recipient only
        units, rows = ["country"], f"""
            SELECT e.actor_country AS country, {PANEL_PERIODS[by]} AS period, {column} AS kind
            FROM event_pairs e WHERE e.first_actor AND e.actor_country IS NOT NULL AND {window}{floor}
            UNION ALL
            SELECT e.recipient_country, {PANEL_PERIODS[by]}, {column}
            FROM event_pairs e WHERE e.recipient_only AND e.recipient_country IS NOT NULL AND {window}{floor}"""
        row_params = [*params, *params]
    keys = ", ".join(units)
    found = store.read(f"""
        WITH r AS ({rows})
        SELECT {keys}, period, kind, count(*) AS n FROM r GROUP BY ALL""", row_params).df()
    dated = found[found["period"].notna()]
    left_out = int(found.loc[found["period"].isna(), "n"].sum())
    kinds: list[Any] = list(QUAD_COLUMNS) if counts == "quad" else list(EVENT_TYPES)
    names = [QUAD_COLUMNS[k] for k in kinds] if counts == "quad" else list(kinds)
    return _balanced(dated, units, kinds, names, by, where), left_out


def _balanced(found: pd.DataFrame, units: list[str], kinds: list[Any], names: list[str], by: str,
              where: Slice | None) -> pd.DataFrame:
    """The counts pivoted to a column per kind, on every unit and period."""
    columns = [*units, "period", *names, "events"]
    if found.empty:
        return pd.DataFrame(columns=columns)
    wide = found.pivot_table(index=[*units, "period"], columns="kind", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=kinds, fill_value=0)
    wide.columns = names
    periods = _periods(found["period"], by, where)
    index_units = wide.index.droplevel("period").unique()
    if len(index_units) * len(periods) > MAX_ROWS:
        raise TielineError(f"the panel would hold {len(index_units) * len(periods):,} rows; narrow it with --since, "
                           "--until or a longer period")
    full = pd.MultiIndex.from_tuples([(*(u if isinstance(u, tuple) else (u,)), p) for u in index_units for p in periods],
                                     names=[*units, "period"])
    out = wide.reindex(full, fill_value=0).astype("int64")
    out["events"] = out[names].sum(axis=1)
    return out.reset_index()[columns]


def _periods(found: pd.Series, by: str, where: Slice | None) -> list[str]:
    """Every period of the panel: from the window's ends where given, else the events' own."""
    first, last = str(found.min()), str(found.max())
    if where is not None and where.since and by != "week" and len(where.since) >= len(first):
        first = min(first, where.since[:len(first)])
    if where is not None and where.until and by != "week" and len(where.until) >= len(last):
        last = max(last, where.until[:len(last)])
    return all_periods(pd.Index([first, last]), limit=MAX_ROWS)
