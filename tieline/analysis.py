"""Questions analysts ask of an event store, answered as pandas DataFrames: the dyad, the
partners, the profile, the timeline and the network of countries (read by :mod:`tieline.query`),
and the network written as GraphML. A country or organisation is named by its key (``IRN``, ``UN``)
or its name (``Iran``); one nobody knows raises :class:`~tieline.errors.QueryError` with the
nearest keys. Every function takes ``where``, a :class:`Slice` of the events to count (dates,
type, quad class, context, field, the country where it happened, confidence), the same for all.

Each function reads an open :class:`~tieline.store.Store`, a database file (opened read-only for
the call), or a folder of Parquet files (``tieline export --format parquet``, or the shards of
``tieline code --dask ... --format parquet``; see :mod:`tieline.parquet`), with the same answers.

Example::

    from tieline import Store
    from tieline.analysis import dyad, partners
    with Store("tieline.duckdb", read_only=True) as store:
        print(partners(store, "IRN").head())
        print(dyad(store, "IRN", "MYS", by="month"))
    print(partners("shards/", "IRN").head())  # a folder of Parquet files
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from tieline.parquet import open_store
from tieline.query import frames
from tieline.query.frames import PERIODS, Profile, Slice
from tieline.query.parties import party_code
from tieline.store import Store

__all__ = ["PERIODS", "Profile", "Slice", "Source", "dyad", "network", "partners", "profile", "reading", "timeline",
           "write_graphml"]

Source = Store | str | Path  # an open store, a database file, or a folder of Parquet files


@contextmanager
def reading(source: Source) -> Iterator[Store]:
    """The store of ``source``: itself when open, else opened read-only (and closed after)."""
    if isinstance(source, Store):
        yield source
        return
    with open_store(source) as store:
        yield store


def dyad(source: Source, a: str, b: str, *, by: str = "month", since: str | None = None,
         until: str | None = None, where: Slice | None = None) -> pd.DataFrame:
    """Events between two countries (either direction) by period, type and quad class
    (:func:`tieline.query.frames.dyad`)."""
    with reading(source) as store:
        return frames.dyad(store, party_code(store, a), party_code(store, b), by=by, since=since, until=until,
                           where=where)


def partners(source: Source, country: str, *, since: str | None = None, until: str | None = None,
             where: Slice | None = None) -> pd.DataFrame:
    """A country's partners, most events first (:func:`tieline.query.frames.partners`)."""
    with reading(source) as store:
        return frames.partners(store, party_code(store, country), since=since, until=until, where=where)


def profile(source: Source, country: str, *, by: str = "year", since: str | None = None, until: str | None = None,
            top_partners: int = 8, where: Slice | None = None) -> Profile:
    """A country's event profile (:func:`tieline.query.frames.profile`)."""
    with reading(source) as store:
        return frames.profile(store, party_code(store, country), by=by, since=since, until=until,
                              top_partners=top_partners, where=where)


def timeline(source: Source, *, country: str | None = None, by: str = "month",
             where: Slice | None = None) -> pd.DataFrame:
    """Events per period and quad class (:func:`tieline.query.frames.timeline`)."""
    with reading(source) as store:
        return frames.timeline(store, country=_optional(store, country), by=by, where=where)


def network(source: Source, *, since: str | None = None, event: str | None = None,
            country: str | None = None, where: Slice | None = None) -> pd.DataFrame:
    """Directed edges between parties (:func:`tieline.query.frames.network`)."""
    with reading(source) as store:
        return frames.network(store, since=since, event=event, country=_optional(store, country), where=where)


def places(source: Source, *, country: str | None = None, where: Slice | None = None) -> pd.DataFrame:
    """Events by place and quad class, for a map (:func:`tieline.query.frames.places`)."""
    with reading(source) as store:
        return frames.places(store, country=_optional(store, country), where=where)


def _optional(store: Store, party: str | None) -> str | None:
    return None if party is None else party_code(store, party)


def write_graphml(edges: pd.DataFrame, path: str | Path) -> None:
    """Write a network edge list as GraphML (for Gephi, Cytoscape, networkx)."""
    nodes = sorted(set(edges["source"]) | set(edges["target"]))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
             '<key id="events" for="edge" attr.name="events" attr.type="int"/>',
             '<key id="cooperation" for="edge" attr.name="cooperation" attr.type="int"/>',
             '<key id="conflict" for="edge" attr.name="conflict" attr.type="int"/>',
             '<key id="mean_score" for="edge" attr.name="mean_score" attr.type="double"/>',
             '<graph id="tieline" edgedefault="directed">']
    lines += [f'<node id="{escape(str(n))}"/>' for n in nodes]
    for row in edges.itertuples(index=False):
        lines.append(f'<edge source="{escape(str(row.source))}" target="{escape(str(row.target))}">'
                     f'<data key="events">{row.events}</data><data key="cooperation">{row.cooperation}</data>'
                     f'<data key="conflict">{row.conflict}</data><data key="mean_score">{row.mean_score}</data></edge>')
    lines += ["</graph>", "</graphml>"]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
