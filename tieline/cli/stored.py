"""Commands over a database: ``events`` and ``clusters`` (listings), ``dedup``, ``export`` and
``serve`` (the web app)."""

from __future__ import annotations

import sys

import click

from tieline.cli.analysis import source_option
from tieline.cli.base import cli, db_option, frame_format_option, min_confidence_option, window_options
from tieline.cli.output import write_frame, write_records
from tieline.settings import DEFAULTS
from tieline.types import party_text


@cli.command()
@source_option
@click.option("--actor", help="Actor: a country (ISO3) or an organisation's abbreviation; any member of a compound "
                              "actor.")
@click.option("--recipient", help="Recipient: a country (ISO3) or an organisation's abbreviation.")
@click.option("--party", help="Either side: the actor or the recipient.")
@click.option("--type", "event_type", help="PLOVER event type.")
@window_options
@click.option("--negated", is_flag=True, help="Include negated events.")
@click.option("--limit", type=int, help="At most this many events.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@min_confidence_option
def events(db: str, actor: str | None, recipient: str | None, party: str | None, event_type: str | None,
           since: str | None, until: str | None, negated: bool, limit: int | None, fmt: str,
           min_confidence: float | None) -> None:
    """List stored events, oldest first (the filters mean what they mean in the web app's search)."""
    from tieline.parquet import open_store
    from tieline.query import EventQuery, all_events
    from tieline.query.parties import party_code

    with open_store(db) as store:
        actor, recipient, party = (party_code(store, p) if p else None for p in (actor, recipient, party))
        query = EventQuery(actor=actor, recipient=recipient, party=party, event=event_type, since=since, until=until,
                           include_negated=negated, min_confidence=min_confidence)
        n = write_records(all_events(store, query, limit=limit), fmt, sys.stdout)
    click.echo(f"{n} events", err=True)


@cli.command()
@db_option
@click.option("--window", type=click.IntRange(min=0),
              help="Days between the first and any later report of one event [default: as last run, else 3].")
@click.option("--full", is_flag=True, help="Rebuild every cluster, not only those new events touch.")
def dedup(db: str, window: int | None, full: bool) -> None:
    """Cluster stored events so that one real-world event reported by many stories is one
    cluster; report-level records are kept. `tieline ingest` runs it on new events."""
    from tieline.dedup import deduplicate
    from tieline.query import cluster_counts
    from tieline.store import Store

    with Store(db) as store:
        summary = deduplicate(store, window_days=window, full=full)
        clusters, told_twice = cluster_counts(store)
    click.echo(f"{summary}; {clusters} clusters in {db}, {told_twice} reported by more than one document", err=True)


@cli.command()
@source_option
@click.option("--actor", help="Actor country (ISO3).")
@click.option("--recipient", help="Recipient country (ISO3).")
@click.option("--type", "event_type", help="PLOVER event type.")
@window_options
@click.option("--min-reports", default=1, show_default=True, help="Only clusters told by at least this many documents.")
@click.option("--show", "show_id", help="Print the reports of this cluster instead.")
@click.option("--limit", type=int, default=50, show_default=True)
@frame_format_option
def clusters(db: str, actor: str | None, recipient: str | None, event_type: str | None, since: str | None,
             until: str | None, min_reports: int, show_id: str | None, limit: int, fmt: str) -> None:
    """List clusters (real-world events), most reported first, or one cluster's reports (over a
    folder of Parquet files, which holds no clusters, each event is one)."""
    import pandas as pd

    from tieline.parquet import open_store
    from tieline.query import cluster_reports, list_clusters

    with open_store(db) as store:
        if show_id:
            reports = cluster_reports(store, show_id)
            if not reports:
                raise click.ClickException(f"no cluster {show_id!r} in {db}")
            frame = pd.DataFrame([{"date": r["document"]["date"], "source": r["document"]["source"],
                                   "doc_id": r["doc_id"], "event": r["event"], "actor": party_text(r["actor"]),
                                   "recipient": party_text(r["recipient"]), "sentence": r["sentence"]}
                                  for r in reports])
        else:
            rows = list(list_clusters(store, actor=actor, recipient=recipient, event=event_type, since=since,
                                      until=until, min_reports=min_reports, limit=limit))
            columns = ["cluster_id", "date", "event", "actor_country", "recipient_country", "num_reports",
                       "num_sources", "first_seen", "last_seen", "location_name"]
            frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
            if fmt == "table":
                frame = frame[columns]
    write_frame(frame, fmt)


@cli.command()
@click.argument("output", type=click.Path(writable=True))
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "gdelt", "polecat", "panel"]),
              default="jsonl", show_default=True,
              help="gdelt: GDELT 2.0 event table, one row per cluster; polecat: POLECAT columns; panel: counts per "
                   "country (or pair) and period, zeros included (CSV).")
@window_options
@min_confidence_option
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="month", show_default=True,
              help="panel: the period of a row.")
@click.option("--dyad", is_flag=True, help="panel: a row per directed country pair rather than per country.")
@click.option("--counts", type=click.Choice(["quad", "type"]), default="quad", show_default=True,
              help="panel: a column per quad class or per PLOVER event type.")
def export(output: str, db: str, fmt: str, since: str | None, until: str | None, min_confidence: float | None,
           by: str, dyad: bool, counts: str) -> None:
    """Write stored events to OUTPUT (a file; a folder partitioned by month for parquet), or
    their counts as a panel for statistical models (--format panel)."""
    from tieline.export import export_events, export_panel
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        if fmt == "panel":
            rows, left_out = export_panel(store, output, by=by, dyad=dyad, counts=counts, since=since, until=until,
                                          min_confidence=min_confidence)
            units = "country pair" if dyad else "country"
            coarse = f"; {left_out} events dated less precisely than a {by} left out" if left_out else ""
            click.echo(f"{rows} rows ({units} and {by}) written to {output}{coarse}", err=True)
            return
        n = export_events(store, output, fmt=fmt, since=since, until=until, min_confidence=min_confidence)
    click.echo(f"{n} events written to {output}", err=True)


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file (opened read-only).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the app reachable from other machines.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name or address (repeatable), e.g. behind a reverse proxy; "
                   "by default only the --host address (for 127.0.0.1: localhost, 127.0.0.1, [::1]; for 0.0.0.0: "
                   "those and this machine's name); '*' allows any.")
def serve(db: str, host: str, port: int, allow_hosts: tuple[str, ...]) -> None:
    """Serve the web app and its HTTP API (OpenAPI documentation at /docs) over a database."""
    import uvicorn

    from tieline.store import Store
    from tieline.web import create_app
    from tieline.web.guards import hosts_for

    # a Host header check keeps DNS rebinding away from a server bound to localhost (issue 9)
    hosts = (*hosts_for(host), *allow_hosts)
    app = create_app(db, allowed_hosts=hosts)
    with Store(db, read_only=True) as store:  # issue 9: a damaged file fails here in one line, not per request
        store.verify()
    click.echo(f"tieline: serving {db} on http://{host}:{port}/ (API documentation at /docs); Ctrl-C stops", err=True)
    click.echo(f"tieline: answering requests for host {', '.join(dict.fromkeys(hosts))} (more with --allow-host)",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
