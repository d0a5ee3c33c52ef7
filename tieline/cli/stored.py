"""Commands over a database: ``events`` and ``clusters`` (listings), ``dedup``, ``export`` and
``serve`` (the web app)."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import click

from tieline.cli.analysis import source_option
from tieline.cli.base import (
    cli,
    db_option,
    frame_format_option,
    known_place,
    min_confidence_option,
    window_options,
)
from tieline.cli.output import write_frame, write_records
from tieline.settings import DEFAULTS
from tieline.types import party_text


@cli.command()
@source_option
@click.option("--actor", help="Actor: a country (ISO3) or an organisation's abbreviation; any member of a compound "
                              "actor.")
@click.option("--recipient", help="Recipient: a country (ISO3) or an organisation's abbreviation.")
@click.option("--party", help="Either side: the actor or the recipient.")
@click.option("--where", "place", callback=known_place,
              help="Only events that happened in this country or region (code or name, as in the analysis commands).")
@click.option("--type", "event_type", help="PLOVER event type.")
@window_options
@click.option("--negated", is_flag=True, help="Include negated events.")
@click.option("--limit", type=int, help="At most this many events.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@min_confidence_option
def events(db: str, actor: str | None, recipient: str | None, party: str | None, place: str | None,
           event_type: str | None,
           since: str | None, until: str | None, negated: bool, limit: int | None, fmt: str,
           min_confidence: float | None) -> None:
    """List stored events, oldest first (the filters mean what they mean in the web app's search)."""
    from tieline.parquet import open_store
    from tieline.query import EventQuery, all_events
    from tieline.query.parties import party_code

    with open_store(db) as store:
        actor, recipient, party = (party_code(store, p) if p else None for p in (actor, recipient, party))
        query = EventQuery(actor=actor, recipient=recipient, party=party, place=place, event=event_type, since=since,
                           until=until,
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
        skipped: Counter[str] = Counter()
        n = export_events(store, output, fmt=fmt, since=since, until=until, min_confidence=min_confidence,
                          skipped=skipped)
    what = "rows (a row per event and member pair)" if fmt == "gdelt" else "events"
    reasons = "; left out: " + ", ".join(f"{k} {why}" for why, k in sorted(skipped.items())) if skipped else ""
    click.echo(f"{n} {what} written to {output}{reasons}", err=True)


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True,
              help="Database file (opened read-only unless --allow-edits).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the app reachable from other machines.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name or address (repeatable), e.g. behind a reverse proxy; "
                   "by default only the --host address (for 127.0.0.1: localhost, 127.0.0.1, [::1]; for 0.0.0.0: "
                   "those and this machine's name); '*' allows any.")
@click.option("--allow-edits", is_flag=True,
              help="Let analysts correct records from the event pages and the API (the database is opened for "
                   "writing; no other command can write it meanwhile). Read-only by default.")
def serve(db: str, host: str, port: int, allow_hosts: tuple[str, ...], allow_edits: bool) -> None:
    """Serve the web app and its HTTP API (OpenAPI documentation at /docs) over a database."""
    import uvicorn

    from tieline.store import Store
    from tieline.web import create_app
    from tieline.web.guards import hosts_for

    # a Host header check keeps DNS rebinding away from a server bound to localhost (issue 9)
    hosts = (*hosts_for(host), *allow_hosts)
    with Store(db, read_only=True) as store:  # issue 9: a damaged file fails here in one line, not per request
        store.verify()
    app = create_app(db, allowed_hosts=hosts, allow_edits=allow_edits)
    mode = "corrections allowed" if allow_edits else "read-only"
    click.echo(f"tieline: serving {db} ({mode}) on http://{host}:{port}/ (API documentation at /docs); Ctrl-C stops",
               err=True)
    click.echo(f"tieline: answering requests for host {', '.join(dict.fromkeys(hosts))} (more with --allow-host)",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return None


@cli.command()
@click.argument("event_id")
@db_option
@click.option("--wrong", is_flag=True, help="The story reports no such event: leave the record out of every query, "
                                            "page, analysis and export.")
@click.option("--type", "event_type", help="The right PLOVER event type.")
@click.option("--actor", help="The right actor: a country or organisation by code or name, optionally followed by a "
                              "sector type ('IRN GOV', 'Iran MIL').")
@click.option("--recipient", help="The right recipient, as --actor; 'none' for none.")
@click.option("--date", help="The right date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--place", help="The right place: a place or country name of the gazetteer.")
@click.option("--why", required=True, help="Why: kept with the correction for whoever reads the record next.")
@click.option("--who", default=_user, show_default="your user name", help="Who corrects.")
def correct(event_id: str, db: str, wrong: bool, event_type: str | None, actor: str | None, recipient: str | None,
            date: str | None, place: str | None, why: str, who: str | None) -> None:
    """Correct the stored record EVENT_ID: mark it wrong, or fix its type, actor, recipient, date or
    place. Corrections are kept in their own table with who, when and why; they apply in every
    query, page and export, and again whenever the story is ingested or re-coded."""
    from tieline.corrections import Correction, resolve
    from tieline.dedup import deduplicate
    from tieline.lexicon import default_lexicon
    from tieline.query.parties import party_code
    from tieline.store import Store

    correction = Correction(event_id, why, wrong=wrong, event=event_type, actor=actor, recipient=recipient, date=date,
                            place=place, who=who)
    with Store(db) as store:
        changes = resolve(correction, default_lexicon(), lambda text: party_code(store, text))
        number, before, after = store.correct(event_id, changes, wrong=wrong, why=why, who=who)
        deduplicate(store)  # the corrected record joins its cluster again, or its cluster loses it
    if after is None:
        click.echo(f"correction {number}: {event_id} marked wrong ({before['event']} in {before['doc_id']}); "
                   "it is left out of queries, pages and exports", err=True)
        return
    for name in sorted(set(changes) & {"event", "actor", "recipient", "date", "location"}):
        click.echo(f"  {name}: {_shown(name, before.get(name))} -> {_shown(name, after.get(name))}", err=True)
    click.echo(f"correction {number}: {event_id} corrected", err=True)


def _shown(name: str, value: Any) -> str:
    """A record field's value in a line of text: a party's label, a place's name."""
    if value is None:
        return "none"
    if name in ("actor", "recipient"):
        return party_text(value)
    if name == "location":
        return str(value.get("name"))
    return str(value)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
@click.option("--wrong", "wrong_records", is_flag=True,
              help="Print the records marked wrong (JSON lines), which every other command leaves out.")
@click.option("--labels", type=click.Path(dir_okay=False, writable=True),
              help="Also write the corrections as labelled examples in the annotated corpus's format (JSON lines).")
def corrections(db: str, fmt: str, wrong_records: bool, labels: str | None) -> None:
    """List the analysts' corrections, oldest first, and whether each still applies to a record
    (a story re-coded so that its event is gone leaves a correction unmatched)."""
    import json

    import pandas as pd

    from tieline.corrections import label_lines
    from tieline.lexicon import default_lexicon
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        found = store.corrections()
        if wrong_records:
            for c, original, _ in found:
                if c.wrong:
                    print(json.dumps({**original, "wrong": True, "corrections": [c.note()]}, ensure_ascii=False))
            return
        if labels:
            now = {r[0]: json.loads(r[1]) for r in store.read(
                "SELECT event_id, record FROM events WHERE event_id IN (SELECT unnest(?))",
                [[a for _, _, a in found if a]]).fetchall()}
            sha = dict(store.read("SELECT id, text_sha1 FROM documents WHERE id IN (SELECT unnest(?))",
                                  [sorted({c.doc_id for c, _, _ in found})]).fetchall())
            symmetric = {name for name, kind in default_lexicon().event_types.items() if kind.symmetric}
            lines = label_lines(((c, original, now.get(applied or "", original)) for c, original, applied in found),
                                sha.get, symmetric)
            with open(labels, "w", encoding="utf-8") as out:
                for line in lines:
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
            click.echo(f"{len(lines)} stories of labelled examples written to {labels}", err=True)
    rows = [{**c.summary(original, applied),
             "change": "wrong" if c.wrong else "; ".join(f"{k}={_shown(k, v)}" for k, v in sorted(c.changes.items())
                                                          if k in ("event", "actor", "recipient", "date", "location")),
             "applies": "yes" if applied else "no (unmatched)"} for c, original, applied in found]
    columns = ["id", "at", "who", "event_id", "doc_id", "was", "change", "why", "applies"]
    write_frame(pd.DataFrame(rows, columns=columns), fmt)
    click.echo(f"{len(rows)} corrections", err=True)
