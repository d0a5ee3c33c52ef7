"""Analysis commands over a database, or a folder of Parquet files (issue 12): ``dyad``,
``partners``, ``profile``, ``timeline``, ``network`` and ``map``, as tables, CSV or JSON lines, with a
chart on request."""

from __future__ import annotations

from typing import Any

import click

from tieline.cli.base import Command, cli, frame_format_option, period_option, plot_option, slice_of, slice_options
from tieline.cli.output import write_frame
from tieline.settings import DEFAULTS


def source_option(command: Command) -> Command:
    """--db: a database file, or a folder of Parquet files read in place."""
    return click.option("--db", default=DEFAULTS["db"], show_default=True,
                        help="Database file, or a folder of Parquet files (export --format parquet, or the shards of "
                             "code --dask ... --format parquet), read in place.")(command)


@cli.command()
@click.argument("a")
@click.argument("b")
@source_option
@period_option
@slice_options
@frame_format_option
@plot_option
def dyad(a: str, b: str, db: str, by: str, fmt: str, plot: str | None, **where: Any) -> None:
    """Events between countries A and B (ISO3), by period, type and quad class."""
    from tieline import analysis
    from tieline.parquet import open_store

    with open_store(db) as store:
        frame = analysis.dyad(store, a, b, by=by, where=slice_of(**where))
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import plot_dyad

        click.echo(f"chart written to {plot_dyad(frame, a, b, plot)}", err=True)


@cli.command()
@click.argument("country")
@source_option
@slice_options
@frame_format_option
@plot_option
def partners(country: str, db: str, fmt: str, plot: str | None, **where: Any) -> None:
    """COUNTRY's partners, ranked, with their cooperation/conflict balance and top fields."""
    from tieline import analysis
    from tieline.parquet import open_store

    with open_store(db) as store:
        frame = analysis.partners(store, country, where=slice_of(**where))
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import plot_partners

        click.echo(f"chart written to {plot_partners(frame, country, plot)}", err=True)


@cli.command()
@click.argument("country")
@source_option
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="year", show_default=True,
              help="Period of the partners-over-time table.")
@slice_options
@frame_format_option
@plot_option
def profile(country: str, db: str, by: str, fmt: str, plot: str | None, **where: Any) -> None:
    """COUNTRY's event types (as actor and recipient), contexts, fields and partners over time."""
    from tieline import analysis
    from tieline.parquet import open_store

    with open_store(db) as store:
        result = analysis.profile(store, country, by=by, where=slice_of(**where))
    for title, frame in (("event types", result.types), ("contexts", result.contexts),
                         ("fields", result.sectors), ("partners over time", result.partners)):
        if fmt == "table":
            click.echo(f"{result.country}: {title}")
            write_frame(frame, fmt)
        else:  # one stream: each row names its table
            write_frame(frame.assign(table=title)[["table", *frame.columns]], fmt)
    if plot:
        from tieline.plot import plot_profile

        click.echo(f"chart written to {plot_profile(result, plot)}", err=True)


@cli.command()
@source_option
@click.option("--country", help="Only events with this country (ISO3 code or name) as a party.")
@period_option
@slice_options
@frame_format_option
@plot_option
def timeline(db: str, country: str | None, by: str, fmt: str, plot: str | None, **where: Any) -> None:
    """Events per period and quad class."""
    from tieline import analysis
    from tieline.parquet import open_store
    from tieline.query.parties import party_code

    with open_store(db) as store:
        country = party_code(store, country) if country else None
        frame = analysis.timeline(store, country=country, by=by, where=slice_of(**where))
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import party_name, plot_timeline

        title = f"Events involving {party_name(country)}, by quad class" if country else "Events by quad class"
        click.echo(f"chart written to {plot_timeline(frame, plot, title=title)}", err=True)


@cli.command()
@source_option
@click.option("--country", help="Only the edges with this country (ISO3 code or name) at one end.")
@slice_options
@click.option("--graphml", type=click.Path(dir_okay=False, writable=True), help="Also write the network as GraphML.")
@frame_format_option
@plot_option
def network(db: str, country: str | None, graphml: str | None, fmt: str, plot: str | None, **where: Any) -> None:
    """Directed edges between parties (edge list), optionally as GraphML for graph tools."""
    from tieline import analysis
    from tieline.parquet import open_store
    from tieline.query.parties import party_code

    with open_store(db) as store:
        country = party_code(store, country) if country else None
        edges = analysis.network(store, country=country, where=slice_of(**where))
    if graphml:
        analysis.write_graphml(edges, graphml)
    write_frame(edges, fmt)
    if plot:
        from tieline.plot import plot_network

        click.echo(f"chart written to {plot_network(edges, plot, center=country)}", err=True)


@cli.command(name="map")
@source_option
@click.option("--country", help="Only events with this country (ISO3 code or name) as a party.")
@slice_options
@frame_format_option
@plot_option
def map_(db: str, country: str | None, fmt: str, plot: str | None, **where: Any) -> None:
    """Events by place and quad class (where they happened), and with --plot FILE a map: a circle
    per place sized by its events and coloured by quad class, on country outlines drawn offline."""
    from tieline import analysis
    from tieline.parquet import open_store
    from tieline.query.parties import party_code

    with open_store(db) as store:
        country = party_code(store, country) if country else None
        frame = analysis.places(store, country=country, where=slice_of(**where))
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import party_name, plot_map

        title = f"Events involving {party_name(country)}, by place" if country else "Events by place"
        click.echo(f"map written to {plot_map(frame, plot, title=title, focus=country)}", err=True)
