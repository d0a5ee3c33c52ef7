"""Charts of the analysis tables, written as PNG or SVG with matplotlib.

Each function takes the DataFrame an :mod:`tieline.analysis` function returns and a file path
whose suffix (``.png`` or ``.svg``) picks the format. Quad classes keep one colour everywhere:
greens for cooperation, orange and red for conflict.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd

from tieline.errors import TielineError
from tieline.query.frames import all_periods, period_kind

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from tieline.analysis import Profile

QUADS = {1: ("verbal cooperation", "#74c476"), 2: ("material cooperation", "#238b45"),
         3: ("verbal conflict", "#fd8d3c"), 4: ("material conflict", "#cb181d")}
COOPERATION, CONFLICT = "#238b45", "#cb181d"
FORMATS = (".png", ".svg")


def check_path(path: str | Path) -> Path:
    """The chart path, if its suffix names a format this module writes."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise TielineError(f"{target}: a chart is written as .png or .svg, not {target.suffix or 'no suffix'!r}")
    return target


def _figure(rows: int = 1, cols: int = 1, size: tuple[float, float] = (9, 4.8)) -> tuple[Figure, list[Axes]]:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display is needed or wanted
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def _save(fig: Figure, path: str | Path | BinaryIO) -> Path | BinaryIO:
    """Write the figure to a .png or .svg path, or as SVG to a binary stream (for web pages)."""
    from matplotlib import pyplot as plt

    if not isinstance(path, (str, Path)):
        fig.tight_layout()
        fig.savefig(path, format="svg", metadata={"Date": None})
        plt.close(fig)
        return path
    try:
        target = check_path(path)
    except TielineError:
        plt.close(fig)
        raise
    fig.tight_layout()
    fig.savefig(target, dpi=120, metadata={"Software": "tieline"} if target.suffix.lower() == ".png" else None)
    plt.close(fig)
    return target


def svg(draw: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The SVG markup of a chart, for embedding in a page: ``svg(plot_timeline, frame)``."""
    buffer = io.BytesIO()
    draw(*args, buffer, **kwargs)
    text = buffer.getvalue().decode("utf-8")
    # without the XML prologue and doctype; a chart's links open in the page, as the page's own do
    return text[text.index("<svg"):].replace(' target="_blank"', "")


def _integer_axis(ax: Axes, which: str) -> None:
    """Counts get whole-number ticks."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if which == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def _empty(ax: Axes, message: str = "no events") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _same_periods(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows whose period has the most common form (1987-W14, 1987-04 or 1987), and how many
    events the others hold: an axis mixing weeks with months and years would mislead."""
    shapes = frame["period"].astype(str).str.replace(r"\d", "9", regex=True)
    if shapes.nunique() <= 1:
        return frame, 0
    common = shapes.value_counts().idxmax()
    keep = shapes == common
    return frame[keep], int(frame.loc[~keep, "events"].sum())


def party_name(code: str) -> str:
    """"Iran (IRN)" for a country's code, the code itself for a party no table names."""
    from tieline.lexicon import default_lexicon

    key = code.upper()
    country = default_lexicon().countries_by_iso3.get(key)
    return f"{country.name} ({key})" if country is not None else code


def _count(frame: pd.DataFrame) -> str:
    n = int(frame["events"].sum()) if not frame.empty else 0
    return f"{n:,} event{'s' if n != 1 else ''}"


def _by(frame: pd.DataFrame) -> str:
    """', by week' (the form of the frame's periods), or nothing for a frame without them."""
    kind = None if frame.empty else period_kind(str(frame["period"].iloc[0]))
    return f", by {kind}" if kind else ""




Link = Callable[[str, int], str]  # (period, quad class) -> the address of its events, for SVG charts


def _quad_bars(ax: Axes, frame: pd.DataFrame, link: Link | None = None) -> None:
    """Stacked bars of events per period, one layer per quad class; with ``link``, each bar of
    an SVG chart is a link to its events (issue 13)."""
    frame, left_out = _same_periods(frame)
    if left_out:
        ax.annotate(f"{left_out} events dated less precisely are left out", (0, -0.28), xycoords="axes fraction",
                    fontsize="small", color="grey")
    table = frame.pivot_table(index="period", columns="quad", values="events", aggfunc="sum", fill_value=0)
    table = table.reindex(all_periods(table.index), fill_value=0)
    bottom = pd.Series(0, index=table.index, dtype=float)
    positions = range(len(table.index))
    for quad, (label, colour) in QUADS.items():
        if quad in table.columns:
            bars = ax.bar(positions, table[quad], bottom=bottom, color=colour, label=label, width=0.8)
            if link is not None:
                for bar, period, n in zip(bars, table.index, table[quad]):
                    if n:
                        bar.set_url(link(str(period), quad))
            bottom += table[quad]
    step = max(1, len(table.index) // 12)
    ax.set_xticks(list(positions)[::step], [str(p) for p in table.index[::step]], rotation=45, ha="right")
    ax.set_ylabel("events")
    _integer_axis(ax, "y")
    ax.legend(frameon=False, fontsize="small")


def plot_timeline(frame: pd.DataFrame, path: str | Path | BinaryIO, *,
                  title: str = "Events by quad class", link: Link | None = None) -> Path | BinaryIO:
    """Events per period, stacked by quad class (the frame of :func:`tieline.analysis.timeline`);
    the title gets the number of events and the period."""
    fig, (ax,) = _figure()
    if frame.empty:
        _empty(ax)
    else:
        _quad_bars(ax, frame, link)
    ax.set_title(f"{title}: {_count(frame)}{_by(frame)}")
    return _save(fig, path)


def plot_dyad(frame: pd.DataFrame, a: str, b: str, path: str | Path | BinaryIO) -> Path | BinaryIO:
    """Events between two countries per period by quad class, with the mean score (the frame of
    :func:`tieline.analysis.dyad`)."""
    fig, (ax,) = _figure()
    ax.set_title(f"{party_name(a)} and {party_name(b)}: {_count(frame)} by quad class{_by(frame)}, both directions")
    if frame.empty:
        _empty(ax)
        return _save(fig, path)
    _quad_bars(ax, frame)
    frame, _ = _same_periods(frame)
    weighted = frame.assign(total=frame["mean_score"] * frame["events"]).groupby("period")[["total", "events"]].sum()
    score = (weighted["total"] / weighted["events"]).reindex(all_periods(weighted.index))  # no events: no score
    twin = ax.twinx()
    twin.plot(range(len(score)), score.values, color="black", marker="o", linewidth=1.2, label="mean score")
    twin.axhline(0, color="grey", linewidth=0.6, linestyle=":")
    twin.set_ylim(-10, 10)
    twin.set_ylabel("mean PLOVER score")
    return _save(fig, path)


def plot_partners(frame: pd.DataFrame, country: str, path: str | Path | BinaryIO, *,
                  top: int = 15) -> Path | BinaryIO:
    """A country's partners: cooperation to the right, conflict to the left (the frame of
    :func:`tieline.analysis.partners`)."""
    rows = frame.head(top).iloc[::-1]
    fig, (ax,) = _figure(size=(8, max(3.0, 0.38 * len(rows) + 1.4)))
    ax.set_title(f"Partners of {party_name(country)}: cooperation and conflict events")
    if rows.empty:
        _empty(ax)
        return _save(fig, path)
    positions = range(len(rows))
    ax.barh(positions, rows["cooperation"], color=COOPERATION, label="cooperation")
    ax.barh(positions, -rows["conflict"], color=CONFLICT, label="conflict")
    ax.set_yticks(list(positions), [str(p) for p in rows["partner"]])
    ax.axvline(0, color="black", linewidth=0.8)
    limit = max(1, int(max(rows["cooperation"].max(), rows["conflict"].max())))
    ax.set_xlim(-limit * 1.1, limit * 1.1)
    _integer_axis(ax, "x")
    ax.xaxis.set_major_formatter(lambda value, _: f"{abs(value):g}")
    ax.set_xlabel("events")
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    return _save(fig, path)


def plot_profile(profile: Profile, path: str | Path | BinaryIO) -> Path | BinaryIO:
    """Four panels: event types (as actor and as recipient), fields, contexts, and the top
    partners' events over time."""
    fig, axes = _figure(2, 2, size=(12, 8))
    events = int(profile.types["as_actor"].sum() + profile.types["as_recipient"].sum()) if not profile.types.empty else 0
    fig.suptitle(f"Event profile of {party_name(profile.country)}: {events:,} events as actor or recipient")
    types_ax, fields_ax, contexts_ax, partners_ax = axes

    types = profile.types.iloc[::-1]
    if types.empty:
        _empty(types_ax)
    else:
        positions = range(len(types))
        types_ax.barh([p - 0.2 for p in positions], types["as_actor"], height=0.4, label="as actor",
                      color=[QUADS[int(q)][1] for q in types["quad"]])
        types_ax.barh([p + 0.2 for p in positions], types["as_recipient"], height=0.4, label="as recipient",
                      color=[QUADS[int(q)][1] for q in types["quad"]], alpha=0.45)
        types_ax.set_yticks(list(positions), list(types["event"]))
        from matplotlib.patches import Patch

        types_ax.legend(handles=[Patch(color="dimgrey", label="as actor"),
                                 Patch(color="dimgrey", alpha=0.45, label="as recipient")],
                        frameon=False, fontsize="small")
        _integer_axis(types_ax, "x")
    types_ax.set_title("Event types (solid: as actor, pale: as recipient)")

    for ax, frame, column, title in ((fields_ax, profile.sectors, "sector", "Fields"),
                                     (contexts_ax, profile.contexts, "context", "Contexts")):
        rows = frame.head(12).iloc[::-1]
        ax.set_title(title)
        if rows.empty:
            _empty(ax)
            continue
        positions = range(len(rows))
        ax.barh(positions, rows["cooperation"], color=COOPERATION, label="cooperation")
        ax.barh(positions, rows["conflict"], left=rows["cooperation"], color=CONFLICT, label="conflict")
        ax.set_yticks(list(positions), [str(v) for v in rows[column]])
        ax.legend(frameon=False, fontsize="small")
        _integer_axis(ax, "x")

    partners_ax.set_title("Top partners' events over time, stacked")
    if profile.partners.empty:
        _empty(partners_ax)
    else:
        # stacked bars rather than one line a partner: lines of eight partners crossing each
        # other every period were a tangle (issue 13)
        table = profile.partners.pivot_table(index="period", columns="partner", values="events", aggfunc="sum",
                                             fill_value=0)
        table = table.reindex(all_periods(table.index), fill_value=0)
        table = table[table.sum().sort_values(ascending=False).index]  # the largest at the bottom
        bottom = pd.Series(0, index=table.index, dtype=float)
        for partner in table.columns:  # stacked bars: a period of its own is drawn too
            partners_ax.bar(range(len(table.index)), table[partner], bottom=bottom, width=0.85,
                            label=party_name(str(partner)))
            bottom += table[partner]
        partners_ax.legend(frameon=False, fontsize="small", ncol=2)
        step = max(1, len(table.index) // 10)
        partners_ax.set_xticks(list(range(len(table.index)))[::step], [str(p) for p in table.index[::step]],
                               rotation=45, ha="right")
        partners_ax.set_ylabel("events")
        partners_ax.set_ylim(bottom=0)
        _integer_axis(partners_ax, "y")
    return _save(fig, path)


def plot_network(edges: pd.DataFrame, path: str | Path | BinaryIO, *, center: str | None = None,
                 top: int = 20, title: str | None = None,
                 link: Callable[[str], str] | None = None) -> Path | BinaryIO:
    """Parties as points on a circle (``center`` in the middle), joined by lines as thick as
    their events and coloured by their balance of cooperation (green) and conflict (red).
    Takes the frame of :func:`tieline.analysis.network`; keeps the ``top`` heaviest pairs. With
    ``link``, each party of an SVG chart is a link to ``link(party)`` (issue 13)."""
    fig, (ax,) = _figure(size=(7, 7))
    ax.set_title(title or (f"Partner network of {party_name(center)}" if center else "Event network"))
    ax.set_axis_off()
    if edges.empty:
        _empty(ax)
        return _save(fig, path)
    pairs = edges.assign(a=edges[["source", "target"]].min(axis=1), b=edges[["source", "target"]].max(axis=1))
    pairs = pairs.groupby(["a", "b"], as_index=False)[["events", "cooperation", "conflict"]].sum()
    pairs = pairs.sort_values(["events", "a", "b"], ascending=[False, True, True]).head(top)
    nodes = sorted(set(pairs["a"]) | set(pairs["b"]))
    ring = [n for n in nodes if n != center]
    position = {n: (math.cos(2 * math.pi * i / len(ring)), math.sin(2 * math.pi * i / len(ring)))
                for i, n in enumerate(ring)}
    if center in nodes:
        position[center] = (0.0, 0.0)
    heaviest = max(1, int(pairs["events"].max()))
    for row in pairs.itertuples(index=False):
        (x1, y1), (x2, y2) = position[row.a], position[row.b]
        balance = (row.cooperation - row.conflict) / max(1, row.events)
        colour = COOPERATION if balance > 0.2 else CONFLICT if balance < -0.2 else "#969696"
        ax.plot([x1, x2], [y1, y2], color=colour, linewidth=0.8 + 6 * row.events / heaviest, alpha=0.7,
                solid_capstyle="round", zorder=1)
    for node, (x, y) in position.items():
        point = ax.scatter([x], [y], s=900 if node == center else 500, color="white", edgecolor="#252525", zorder=2)
        label = ax.text(x, y, str(node), ha="center", va="center", fontsize=8, zorder=3)
        if link is not None:
            point.set_urls([link(str(node))])
            label.set_url(link(str(node)))
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    return _save(fig, path)


@lru_cache(maxsize=1)
def country_shapes() -> dict[str, list[list[list[float]]]]:
    """{ISO3: its outline's rings of [lon, lat]}: Natural Earth's 1:110m countries (public
    domain), derived into tieline/data/shapes.json by scripts/build_shapes.py."""
    text = resources.files("tieline").joinpath("data/shapes.json").read_text(encoding="utf-8")
    shapes: dict[str, list[list[list[float]]]] = json.loads(text)["countries"]
    return shapes


MAP_MARGIN = 8.0  # degrees around the events of a map that shows only their part of the world
WORLD = (-180.0, 180.0, -58.0, 84.0)  # lon and lat limits of a world map (Antarctica left out)


def plot_map(frame: pd.DataFrame, path: str | Path | BinaryIO, *, title: str = "Events by place",
             focus: str | None = None, link: Callable[[str, int], str] | None = None) -> Path | BinaryIO:
    """Events by place on a map of country outlines: a circle per place and quad class, its area
    by the number of events, its colour the quad class; events placed only in a country are open
    circles at its capital (the frame of :func:`tieline.analysis.places`). The map shows the
    part of the world with events (the world when they are far apart); ``focus`` (ISO3) shades
    a country. With ``link``, each circle of an SVG map links to ``link(country, quad)``."""
    from matplotlib.collections import PolyCollection

    fig, (ax,) = _figure(size=(11, 5.6))
    shapes = country_shapes()
    rings = [ring for code in sorted(shapes) for ring in shapes[code]]
    faces = ["#d9d9d9" if code == (focus or "").upper() else "#f0f0f0" for code in sorted(shapes)
             for _ in shapes[code]]
    ax.add_collection(PolyCollection(rings, facecolors=faces, edgecolors="#bdbdbd", linewidths=0.4, zorder=0))
    n = int(frame["events"].sum()) if not frame.empty else 0
    ax.set_title(f"{title}: {n:,} event{'s' if n != 1 else ''} at {frame['place'].nunique() if n else 0} places")
    west, east, south, north = WORLD
    if not frame.empty:
        largest = max(1, int(frame["events"].max()))
        for row in frame.sort_values("events", ascending=False).itertuples(index=False):
            label, colour = QUADS[int(row.quad)]
            size = 20 + 480 * math.sqrt(row.events / largest)
            hollow = row.kind == "country"
            point = ax.scatter([row.lon], [row.lat], s=size, facecolors="none" if hollow else colour,
                               edgecolors=colour, linewidths=1.6 if hollow else 0.6, alpha=0.75, zorder=2)
            if link is not None:
                point.set_urls([link(str(row.country), int(row.quad))])
        lon, lat = frame["lon"].astype(float), frame["lat"].astype(float)
        if lon.max() - lon.min() < 120 and lat.max() - lat.min() < 70:  # one region: show it, not the world
            west, east = max(-180.0, lon.min() - MAP_MARGIN), min(180.0, lon.max() + MAP_MARGIN)
            south, north = max(-90.0, lat.min() - MAP_MARGIN), min(90.0, lat.max() + MAP_MARGIN)
        handles = [ax.scatter([], [], s=60, color=QUADS[q][1], label=QUADS[q][0]) for q in sorted(set(frame["quad"]))]
        handles.append(ax.scatter([], [], s=60, facecolors="none", edgecolors="#636363", label="country only"))
        ax.legend(handles=handles, frameon=False, fontsize="small", loc="lower left")
    else:
        ax.text(0.5, 0.5, "no events with a place", ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return _save(fig, path)
