"""The ``tieline`` command line: thin commands over the Python API."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import IO, Any

import click

from tieline.about import __version__
from tieline.errors import TielineError
from tieline.settings import DEFAULTS, EVENT_SOURCES
from tieline.types import CodedDocument, Problem

TABLE_COLUMNS = ("date", "event", "mode", "actor", "recipient", "location", "trigger", "doc_id")


def _iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A checked YYYY-MM-DD date, kept as the ISO string the store compares with."""
    return date.isoformat() if (date := _date(ctx, param, value)) is not None else None


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _coder(model: str | None, batch_size: int, actors: tuple[str, ...] = (),
           triggers: tuple[str, ...] = (), *, hypothetical: bool = False, historical: bool = False,
           min_confidence: float | None = None, event_source: str | None = None):
    from tieline.lexicon import Lexicon, default_lexicon
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder

    lexicon = Lexicon(user_actors=actors, user_triggers=triggers) if actors or triggers else default_lexicon()
    ctx = click.get_current_context(silent=True)
    config = ctx.find_root().meta.get("tieline.config", {}) if ctx is not None else {}
    parse_options = {k: config[k] for k in ("batch_chars", "segment_chars", "max_document_chars", "min_english_ratio")
                     if k in config}
    return Coder(load_nlp(model), lexicon=lexicon, batch_size=batch_size, **parse_options,
                 include_hypothetical=hypothetical or bool(config.get("include_hypothetical")),
                 include_historical=historical or bool(config.get("include_historical")),
                 min_confidence=min_confidence if min_confidence is not None
                 else float(config.get("min_confidence") or DEFAULTS["min_confidence"]),
                 event_source=event_source or str(config.get("event_source") or DEFAULTS["event_source"]),
                 model_threads=int(config.get("model_threads") or DEFAULTS["model_threads"]))


def dictionary_options(command):
    """--actors FILE and --triggers FILE, repeatable."""
    command = click.option("--triggers", multiple=True, type=click.Path(exists=True, dir_okay=False),
                           help="Extra trigger phrases (CSV or YAML), tried before the built-in ones.")(command)
    return click.option("--actors", multiple=True, type=click.Path(exists=True, dir_okay=False),
                        help="Extra actors (CSV or YAML), taking precedence over the built-in tables.")(command)


def keep_options(command):
    """--hypothetical, --historical, and --events (which source finds events)."""
    command = click.option("--events", "event_source", type=click.Choice(EVENT_SOURCES),
                           default=None, help="Where events come from: the trigger rules, the learned model, both "
                           "(hybrid), or auto (hybrid when the model is installed). Default: the setting event_source, "
                           "auto.")(command)
    command = click.option("--hypothetical", is_flag=True,
                           help="Also write events the story only supposes ('may meet'), flagged hypothetical.")(command)
    return click.option("--historical", is_flag=True,
                        help="Also write background events dated over a month before the story, flagged historical."
                        )(command)


def min_confidence_option(command):
    return click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
                        help="Only records at least this confident (0 to 1).")(command)


def follow_links_option(command):
    """--follow-links, and --allow-private-links beside it (issue 9: links are fetched only from public addresses)."""
    command = click.option("--allow-private-links", is_flag=True, default=DEFAULTS["allow_private_links"],
                           help="Also fetch links (feed entries, redirects) to private, loopback or link-local "
                                "addresses, as on an intranet; by default links are fetched only from public "
                                "addresses (a URL given here is fetched wherever it points).")(command)
    return click.option("--follow-links", is_flag=True,
                        help="For feeds: fetch each entry's page and code its main text, not the entry's summary.")(command)


def _read_options() -> dict[str, Any]:
    """Reader settings from the --config file (max_document_bytes), for read_documents."""
    ctx = click.get_current_context(silent=True)
    config = ctx.find_root().meta.get("tieline.config", {}) if ctx is not None else {}
    return {k: config[k] for k in ("max_document_bytes",) if k in config}


def _load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Settings from a YAML file become every command's defaults (command-line options win)."""
    if value is None:
        return
    import yaml

    from tieline.settings import DEFAULTS

    try:
        with open(value, encoding="utf-8") as f:
            config = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise click.BadParameter(f"cannot read {value}: {exc}") from exc
    if not isinstance(config, dict):
        raise click.BadParameter(f"{value}: expected a mapping of settings")
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise click.BadParameter(f"{value}: unknown settings {unknown}; known: {sorted(DEFAULTS)}")
    if "event_source" in config and config["event_source"] not in EVENT_SOURCES:
        raise click.BadParameter(f"{value}: event_source must be {', '.join(EVENT_SOURCES[:-1])} or "
                                 f"{EVENT_SOURCES[-1]}, not {config['event_source']!r}")
    for key in ("actors", "triggers"):
        if isinstance(config.get(key), str):
            config[key] = [config[key]]
    ctx.meta["tieline.config"] = config
    ctx.default_map = {name: dict(config) for name in ("code", "ingest", "events", "eval", "demo", "export")}


def _party(p: dict[str, Any] | list[dict[str, Any]] | None) -> str:
    if isinstance(p, list):
        return " + ".join(_party(x) for x in p)
    if not p:
        return ""
    label = p.get("abbrev") or p.get("country") or p.get("name") or ""
    return f"{label} {p.get('type') or ''}".strip()


def _row(r: dict[str, Any]) -> dict[str, str]:
    loc = r.get("location") or {}
    flags = [f for f in ("negated", "future", "hypothetical", "historical") if r.get(f)]
    return {"date": r.get("date") or "", "event": r["event"] + (f" ({', '.join(flags)})" if flags else ""),
            "mode": r.get("mode") or "", "actor": _party(r.get("actor")), "recipient": _party(r.get("recipient")),
            "location": loc.get("name") or "", "trigger": r.get("trigger") or "", "doc_id": r.get("doc_id") or ""}


def print_table(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for column in TABLE_COLUMNS:
        table.add_column(column)
    n = 0
    for r in records:
        row = _row(r)
        table.add_row(*(row[c] for c in TABLE_COLUMNS))
        n += 1
    Console(file=out, width=160 if not out.isatty() else None).print(table)
    return n


def write_records(records: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    if fmt == "table":
        return print_table(records, out)
    n = 0
    if fmt == "csv":  # through the one CSV writer, which neutralises formulas (issue 9)
        from tieline.csvfile import write_csv

        rows = iter(records)
        first = next(rows, None)
        if first is None:
            return 0
        columns = list(first)

        def flat(r: dict[str, Any]) -> list[Any]:
            return [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                    for v in (r.get(c) for c in columns)]

        return write_csv((flat(r) for r in itertools.chain([first], rows)), out, columns=columns)
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
        out.flush()
        n += 1
    return n


class Problems:
    """Collects problems and reports each on standard error as it happens."""

    def __init__(self) -> None:
        self.count = 0
        self.reasons: dict[str, int] = {}

    def report(self, problem: Problem) -> None:
        self.count += 1
        kind = problem.reason.split(":")[0].split(";")[0]  # "malformed JSON: ..." -> "malformed JSON"
        self.reasons[kind] = self.reasons.get(kind, 0) + 1
        click.echo(f"tieline: {problem}", err=True)

    def summary(self) -> str:
        """'3 problems (2 document has no text, 1 malformed JSON)'."""
        if not self.count:
            return "no problems"
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.reasons.items(), key=lambda kv: -kv[1]))
        return f"{self.count} problem{'s' if self.count != 1 else ''} ({kinds})"

    def filter(self, items: Iterable[CodedDocument | Problem]) -> Iterator[CodedDocument]:
        for item in items:
            if isinstance(item, Problem):
                self.report(item)
            else:
                yield item


@click.group()
@click.version_option(__version__, prog_name="tieline")
@click.option("--config", type=click.Path(exists=True, dir_okay=False), callback=_load_config, expose_value=False,
              is_eager=True, help="YAML file of settings (model, batch_size, db, actors, triggers).")
def cli() -> None:
    """tieline: news text in, PLOVER political event records out."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--date", callback=_date,
              help="Publication date (YYYY-MM-DD) of inputs that carry none (.txt, pages without a date).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input had a problem.")
@click.option("--model", default=DEFAULTS["model"], help="spaCy model package to load.")
@click.option("--batch-size", default=DEFAULTS["batch_size"], show_default=True)
@follow_links_option
@keep_options
@min_confidence_option
@dictionary_options
def code(inputs: tuple[str, ...], date: dt.date | None, output: str | None, fmt: str, strict: bool,
         model: str | None, batch_size: int, follow_links: bool, allow_private_links: bool, hypothetical: bool,
         historical: bool, event_source: str | None, min_confidence: float | None, actors: tuple[str, ...],
         triggers: tuple[str, ...]) -> None:
    """Code INPUT files, folders or web addresses (.txt, .jsonl, .jsonl.gz, .html, RSS/Atom
    feeds, http(s):// URLs, or - for stdin) into event records."""
    from tieline.read import read_documents

    coder = _coder(model, batch_size, actors, triggers, hypothetical=hypothetical, historical=historical,
                   min_confidence=min_confidence, event_source=event_source)
    problems = Problems()
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        documents = read_documents(inputs, date=date, follow_links=follow_links,
                                   allow_private_links=allow_private_links, **_read_options())
        coded = problems.filter(coder.code_documents(documents))
        records = (r.to_dict() for c in coded for r in c.records)
        write_records(records, fmt, out)
    finally:
        if output:
            out.close()
    if strict and problems.count:
        sys.exit(1)


class Progress:
    """Reports documents coded, documents/s, events and the time left, on standard error, every
    few seconds while a long ingest runs."""

    def __init__(self, total: int | None, every: float = 5.0) -> None:
        import time

        self.clock = time.monotonic
        self.total, self.every = total, every
        self.start = self.last = self.clock()
        self.documents = self.events = 0

    def track(self, items: Iterable[CodedDocument]) -> Iterator[CodedDocument]:
        for item in items:
            self.documents += 1
            self.events += len(item.records)
            if self.clock() - self.last >= self.every:
                self.last = self.clock()
                click.echo(f"tieline: {self.line()}", err=True)
            yield item

    def line(self, *, final: bool = False) -> str:
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = self.documents / elapsed
        text = f"{self.documents} documents coded, {rate:.1f} documents/s, {self.events} events"
        if final:
            return text + f", {elapsed:.0f} s"
        if self.total and rate > 0 and self.documents < self.total:
            text += f", about {(self.total - self.documents) / rate:.0f} s left"
        return text


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--date", callback=_date,
              help="Publication date (YYYY-MM-DD) of inputs that carry none (.txt, pages without a date).")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input had a problem.")
@click.option("--model", default=DEFAULTS["model"], help="spaCy model package to load.")
@click.option("--batch-size", default=DEFAULTS["batch_size"], show_default=True)
@click.option("--commit-every", default=DEFAULTS["commit_every"], show_default=True,
              help="Documents per database transaction.")
@click.option("--dedup/--no-dedup", default=True, show_default=True,
              help="Cluster the new events with the stored ones (as `tieline dedup` does) at the end.")
@follow_links_option
@keep_options
@min_confidence_option
@dictionary_options
def ingest(inputs: tuple[str, ...], db: str, date: dt.date | None, strict: bool, model: str | None,
           batch_size: int, commit_every: int, dedup: bool, follow_links: bool, allow_private_links: bool,
           hypothetical: bool, historical: bool, event_source: str | None, min_confidence: float | None,
           actors: tuple[str, ...], triggers: tuple[str, ...]) -> None:
    """Code INPUT files, folders, HTML pages, RSS/Atom feeds or web addresses and store documents
    and events in the database. Documents already stored with the same text are skipped before
    coding, so an interrupted run can be started again."""
    from tieline.read import count_documents, read_documents
    from tieline.store import IngestSummary, Store

    coder = _coder(model, batch_size, actors, triggers, hypothetical=hypothetical, historical=historical,
                   min_confidence=min_confidence, event_source=event_source)
    problems = Problems()
    summary = IngestSummary()
    progress = Progress(count_documents(inputs))
    with Store(db) as store:
        documents = read_documents(inputs, date=date, follow_links=follow_links,
                                   allow_private_links=allow_private_links, **_read_options())
        fresh = store.unseen(documents, summary)
        coded = progress.track(problems.filter(coder.code_documents(fresh)))
        store.write(coded, batch_size=commit_every, summary=summary)
        totals = store.counts()
        # issue 9: an id met again in the same run is a duplicate in the input, not "already stored"
        duplicates = (f"{summary.duplicates} duplicate{'s' if summary.duplicates != 1 else ''} in the input "
                      "(the last version of each id kept), " if summary.duplicates else "")
        click.echo(f"{summary.added} documents added, {summary.replaced} replaced, {summary.unchanged} unchanged "
                   f"(already stored), {duplicates}{problems.summary()}; {summary.events} events written "
                   f"({totals['documents']} documents, {totals['events']} events in {db}); "
                   f"{progress.line(final=True)}", err=True)
        if dedup:
            from tieline.dedup import deduplicate

            click.echo(f"tieline: dedup: {deduplicate(store)}", err=True)
    if strict and problems.count:
        sys.exit(1)


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--actor", help="Actor country (ISO3).")
@click.option("--recipient", help="Recipient country (ISO3).")
@click.option("--type", "event_type", help="PLOVER event type.")
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Latest event date (YYYY-MM-DD).")
@click.option("--negated", is_flag=True, help="Include negated events.")
@click.option("--limit", type=int, help="At most this many events.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@min_confidence_option
def events(db: str, actor: str | None, recipient: str | None, event_type: str | None, since: str | None,
           until: str | None, negated: bool, limit: int | None, fmt: str, min_confidence: float | None) -> None:
    """List stored events."""
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        rows = store.events(actor=actor, recipient=recipient, event=event_type,
                            since=since, until=until,
                            include_negated=negated, min_confidence=min_confidence, limit=limit)
        n = write_records(rows, fmt, sys.stdout)
    click.echo(f"{n} events", err=True)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--by-type", is_flag=True, help="Per-type counts as well.")
@click.option("--json", "as_json", is_flag=True, help="Everything as JSON, including misses and false positives.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Also write the predictions to FILE.")
@click.option("--model", default=DEFAULTS["model"], help="spaCy model package to load.")
@keep_options
@dictionary_options
def eval_command(gold: str, by_type: bool, as_json: bool, output: str | None, model: str | None,
                 hypothetical: bool, historical: bool, event_source: str | None, actors: tuple[str, ...],
                 triggers: tuple[str, ...]) -> None:
    """Code the documents of a GOLD file and score them (as shared/eval/score.py does)."""
    from tieline.evaluate import format_score, gold_documents, load_gold, score

    gold_docs = load_gold(gold)
    documents = gold_documents(gold_docs)
    coder = _coder(model, DEFAULTS["batch_size"], actors, triggers, hypothetical=hypothetical, historical=historical,
                   event_source=event_source)
    predictions = [r.to_dict() for r in coder.code(documents)]
    if output:
        with open(output, "w", encoding="utf-8") as f:
            write_records(predictions, "jsonl", f)
    result = score(gold_docs, predictions)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=1, default=str))
    else:
        click.echo(format_score(result, by_type=by_type))


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
def demo(db: str) -> None:
    """Ingest the bundled sample stories into the database, cluster them and print their events
    (then try `tieline serve`)."""
    from tieline.read import read_jsonl
    from tieline.store import Store

    sample = (resources.files("tieline") / "data" / "samples" / "demo.jsonl").read_bytes()
    coder = _coder(None, DEFAULTS["batch_size"])
    problems = Problems()
    from tieline.dedup import deduplicate

    with Store(db) as store:
        summary = store.write(problems.filter(coder.code_documents(read_jsonl(io.BytesIO(sample), "demo.jsonl"))))
        deduplicate(store)
        n = print_table(store.events(), sys.stdout)
    click.echo(f"{n} events from the demo sample in {db} ({summary.added} documents added, "
               f"{summary.unchanged} already there); `tieline serve --db {db}` shows them in a browser", err=True)


FRAME_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table",
                            show_default=True)
def _plot_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from tieline.plot import check_path

    try:
        check_path(value)
    except TielineError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


PLOT = click.option("--plot", type=click.Path(dir_okay=False, writable=True), callback=_plot_path,
                    help="Also draw the chart to FILE.png or FILE.svg.")
PERIOD = click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="month", show_default=True)


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--window", type=click.IntRange(min=0),
              help="Days between the first and any later report of one event [default: as last run, else 3].")
@click.option("--full", is_flag=True, help="Rebuild every cluster, not only those new events touch.")
def dedup(db: str, window: int | None, full: bool) -> None:
    """Cluster stored events so that one real-world event reported by many stories is one
    cluster; report-level records are kept. `tieline ingest` runs it on new events."""
    from tieline.dedup import deduplicate
    from tieline.store import Store

    with Store(db) as store:
        summary = deduplicate(store, window_days=window, full=full)
        totals = store.con.execute("SELECT count(*), count(*) FILTER (WHERE num_reports > 1) FROM clusters").fetchone() \
            or (0, 0)
    click.echo(f"{summary}; {totals[0]} clusters in {db}, {totals[1]} reported by more than one document", err=True)


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--actor", help="Actor country (ISO3).")
@click.option("--recipient", help="Recipient country (ISO3).")
@click.option("--type", "event_type", help="PLOVER event type.")
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Latest event date (YYYY-MM-DD).")
@click.option("--min-reports", default=1, show_default=True, help="Only clusters told by at least this many documents.")
@click.option("--show", "show_id", help="Print the reports of this cluster instead.")
@click.option("--limit", type=int, default=50, show_default=True)
@FRAME_FORMAT
def clusters(db: str, actor: str | None, recipient: str | None, event_type: str | None, since: str | None,
             until: str | None, min_reports: int, show_id: str | None, limit: int, fmt: str) -> None:
    """List clusters (real-world events), most reported first, or one cluster's reports."""
    import pandas as pd

    from tieline.store import Store

    with Store(db, read_only=True) as store:
        if show_id:
            reports = store.cluster_reports(show_id)
            if not reports:
                raise click.ClickException(f"no cluster {show_id!r} in {db}")
            frame = pd.DataFrame([{"date": r["document"]["date"], "source": r["document"]["source"],
                                   "doc_id": r["doc_id"], "event": r["event"], "actor": _party(r["actor"]),
                                   "recipient": _party(r["recipient"]), "sentence": r["sentence"]} for r in reports])
        else:
            rows = list(store.clusters(actor=actor, recipient=recipient, event=event_type,
                                       since=since,
                                       until=until, min_reports=min_reports,
                                       limit=limit))
            columns = ["cluster_id", "date", "event", "actor_country", "recipient_country", "num_reports",
                       "num_sources", "first_seen", "last_seen", "location_name"]
            frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
            if fmt == "table":
                frame = frame[columns]
    write_frame(frame, fmt)


def _cell(value: Any) -> str:
    """A DataFrame value as table text: lists joined, missing values blank."""
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    return str(value)


def write_frame(frame, fmt: str) -> None:
    """A DataFrame as a table, CSV or JSON lines on standard output."""
    if fmt == "csv":  # through the one CSV writer, which neutralises formulas (issue 9)
        from tieline.csvfile import write_frame_csv

        write_frame_csv(frame, sys.stdout)
    elif fmt == "jsonl":
        sys.stdout.write(frame.to_json(orient="records", lines=True, force_ascii=False))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(header_style="bold")
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        Console(file=sys.stdout, width=160 if not sys.stdout.isatty() else None).print(table)




@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@PERIOD
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Latest event date (YYYY-MM-DD).")
@FRAME_FORMAT
@PLOT
def dyad(a: str, b: str, db: str, by: str, since: str | None, until: str | None, fmt: str,
         plot: str | None) -> None:
    """Events between countries A and B (ISO3), by period, type and quad class."""
    from tieline import analysis
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        frame = analysis.dyad(store, a, b, by=by, since=since,
                              until=until)
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import plot_dyad

        click.echo(f"chart written to {plot_dyad(frame, a, b, plot)}", err=True)


@cli.command()
@click.argument("country")
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Latest event date (YYYY-MM-DD).")
@FRAME_FORMAT
@PLOT
def partners(country: str, db: str, since: str | None, until: str | None, fmt: str, plot: str | None) -> None:
    """COUNTRY's partners, ranked, with their cooperation/conflict balance and top fields."""
    from tieline import analysis
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        frame = analysis.partners(store, country, since=since,
                                  until=until)
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import plot_partners

        click.echo(f"chart written to {plot_partners(frame, country, plot)}", err=True)


@cli.command()
@click.argument("country")
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="year", show_default=True,
              help="Period of the partners-over-time table.")
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Latest event date (YYYY-MM-DD).")
@FRAME_FORMAT
@PLOT
def profile(country: str, db: str, by: str, since: str | None, until: str | None, fmt: str,
            plot: str | None) -> None:
    """COUNTRY's event types (as actor and recipient), contexts, fields and partners over time."""
    from tieline import analysis
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        result = analysis.profile(store, country, by=by, since=since,
                                  until=until)
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
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--country", help="Only events with this country (ISO3) as a party.")
@PERIOD
@FRAME_FORMAT
@PLOT
def timeline(db: str, country: str | None, by: str, fmt: str, plot: str | None) -> None:
    """Events per period and quad class."""
    from tieline import analysis
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        frame = analysis.timeline(store, country=country, by=by)
    write_frame(frame, fmt)
    if plot:
        from tieline.plot import plot_timeline

        title = f"Events involving {country.upper()} by quad class" if country else "Events by quad class"
        click.echo(f"chart written to {plot_timeline(frame, plot, title=title)}", err=True)


@cli.command()
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--type", "event_type", help="Only this PLOVER event type.")
@click.option("--graphml", type=click.Path(dir_okay=False, writable=True), help="Also write the network as GraphML.")
@FRAME_FORMAT
def network(db: str, since: str | None, event_type: str | None, graphml: str | None, fmt: str) -> None:
    """Directed edges between parties (edge list), optionally as GraphML for graph tools."""
    from tieline import analysis
    from tieline.store import Store

    with Store(db, read_only=True) as store:
        edges = analysis.network(store, since=since, event=event_type)
    if graphml:
        analysis.write_graphml(edges, graphml)
    write_frame(edges, fmt)


@cli.command()
@click.argument("output", type=click.Path(writable=True))
@click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "gdelt", "polecat"]), default="jsonl",
              show_default=True, help="gdelt: GDELT 2.0 event table, one row per cluster; polecat: POLECAT columns.")
@click.option("--since", callback=_iso_date, help="Earliest event date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Latest event date (YYYY-MM-DD).")
@min_confidence_option
def export(output: str, db: str, fmt: str, since: str | None, until: str | None, min_confidence: float | None) -> None:
    """Write stored events to OUTPUT (a file; a folder partitioned by month for parquet)."""
    from tieline.export import export_events
    from tieline.store import Store

    with Store(db, read_only=True) as store:
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


def main() -> None:
    try:
        cli(standalone_mode=True)
    except TielineError as exc:
        click.echo(f"tieline: error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
