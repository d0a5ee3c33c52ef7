"""Questions analysts ask of an event store, answered as pandas DataFrames: the dyad, the
partners, the profile, the timeline and the network of countries (read by :mod:`tieline.query`),
and the network written as GraphML.

Example::

    from tieline import Store
    from tieline.analysis import dyad, partners
    with Store("tieline.duckdb", read_only=True) as store:
        print(partners(store, "IRN").head())
        print(dyad(store, "IRN", "MYS", by="month"))
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from tieline.query.frames import PERIODS, Profile, dyad, network, partners, profile, timeline

__all__ = ["PERIODS", "Profile", "dyad", "network", "partners", "profile", "timeline", "write_graphml"]


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
