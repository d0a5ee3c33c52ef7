"""The command group, the settings file, the options several commands share, and the one place a
command builds a :class:`~tieline.pipeline.Coder`."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from tieline.about import __version__
from tieline.errors import TielineError
from tieline.settings import DEFAULTS, EVENT_SOURCES

Command = TypeVar("Command", bound=Callable[..., Any])
FEW_DOCUMENTS = 100  # below this many stories, one process codes faster than starting workers
PARSE_SETTINGS = ("batch_chars", "segment_chars", "max_document_chars", "min_english_ratio")
READ_SETTINGS = ("max_document_bytes",)


def load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Settings from a YAML file become the defaults of every command (command-line options win)."""
    if value is None:
        return
    import yaml

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
    # every command: a setting fills the option of its name wherever there is one ("db" for
    # export, serve and the analysis commands as much as for ingest)
    group = ctx.command
    names = group.list_commands(ctx) if isinstance(group, click.Group) else []
    ctx.default_map = {name: dict(config) for name in names}


def settings() -> dict[str, Any]:
    """The settings file's values (empty without --config)."""
    ctx = click.get_current_context(silent=True)
    config: dict[str, Any] = ctx.find_root().meta.get("tieline.config", {}) if ctx is not None else {}
    return config


@click.group()
@click.version_option(__version__, prog_name="tieline")
@click.option("--config", type=click.Path(exists=True, dir_okay=False), callback=load_config, expose_value=False,
              is_eager=True, help="YAML file of settings (model, batch_size, db, actors, triggers, ...): every "
                                  "command's defaults.")
def cli() -> None:
    """tieline: news text in, PLOVER political event records out."""


def main() -> None:
    try:
        cli(standalone_mode=True)
    except TielineError as exc:
        click.echo(f"tieline: error: {exc}", err=True)
        sys.exit(2)


# ---- building the coder -----------------------------------------------------------------------
def coder_options(*, hypothetical: bool = False, historical: bool = False, min_confidence: float | None = None,
                  event_source: str | None = None) -> dict[str, Any]:
    """The Coder's keyword arguments a command asked for: its options, else the settings file,
    else the defaults."""
    config = settings()
    return {**{k: config[k] for k in PARSE_SETTINGS if k in config},
            "include_hypothetical": hypothetical or bool(config.get("include_hypothetical")),
            "include_historical": historical or bool(config.get("include_historical")),
            "min_confidence": min_confidence if min_confidence is not None else _optional_float(config.get("min_confidence")),
            "event_source": event_source or str(config.get("event_source") or DEFAULTS["event_source"]),
            "model_threads": int(config.get("model_threads") or DEFAULTS["model_threads"]),
            "parse_all": parse_all_asked() or bool(config.get("parse_all"))}


def _optional_float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def parse_all_asked() -> bool:
    """Whether the command was given --parse-all."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get("tieline.parse_all"))


def _ask_parse_all(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta["tieline.parse_all"] = True


def make_coder(model: str | None, batch_size: int, actors: tuple[str, ...] = (),
               triggers: tuple[str, ...] = (), **keep: Any) -> Any:
    """The Coder a command asked for, in this process (see :func:`coder_options`)."""
    from tieline.workers import CoderSpec

    return CoderSpec(model, batch_size, actors, triggers, tuple(sorted(coder_options(**keep).items()))).build()


class LazyCoder:
    """A Coder built when the first document to code arrives: a run whose inputs all fail, or
    whose stories are all stored already, does not wait seconds for spaCy and the model to load
    (issue 13). Problems before the first document pass through in order, as the Coder passes them."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._coder: Any = None

    @property
    def coder(self) -> Any:
        if self._coder is None:
            self._coder = self._build()
        return self._coder

    def code_documents(self, items: Iterable[Any]) -> Iterator[Any]:
        from tieline.types import Problem

        items = iter(items)
        for item in items:
            if isinstance(item, Problem):
                yield item
                continue
            yield from self.coder.code_documents(itertools.chain([item], items))
            return

    def __getattr__(self, name: str) -> Any:
        return getattr(self.coder, name)


@contextmanager
def coding(model: str | None, batch_size: int, actors: tuple[str, ...] = (), triggers: tuple[str, ...] = (),
           *, workers: int | None = None, documents: int | None = None, dask: str | None = None,
           partition_size: int | None = None, **keep: Any) -> Iterator[Any]:
    """The coder a command asked for: one in this process with one worker, else a pool of worker
    processes (:class:`tieline.workers.WorkerCoder`) stopped when the command ends, or with
    ``dask`` a coder on that Dask cluster (:func:`dask_coding`).

    Unless ``workers`` is given, a run of fewer than ``FEW_DOCUMENTS`` known ``documents``
    codes in this process: starting a worker costs a model load (about 2 s here), more than a
    few stories take to code."""
    if dask:
        with dask_coding(dask, model, batch_size, actors, triggers, partition_size=partition_size, documents=documents,
                         **keep) as coder:
            yield coder
        return
    count = workers or int(settings().get("workers") or DEFAULTS["workers"])
    if workers is None and documents is not None and documents < FEW_DOCUMENTS:
        count = 1
    if count == 1:
        yield LazyCoder(lambda: make_coder(model, batch_size, actors, triggers, **keep))
        return
    from tieline.workers import CoderSpec, WorkerCoder

    spec = CoderSpec(model, batch_size, actors, triggers, tuple(sorted(coder_options(**keep).items())))
    with WorkerCoder(spec, workers=count) as pool:
        yield pool


@contextmanager
def dask_coding(address: str, model: str | None, batch_size: int, actors: tuple[str, ...] = (),
                triggers: tuple[str, ...] = (), *, partition_size: int | None = None, documents: int | None = None,
                **keep: Any) -> Iterator[Any]:
    """A :class:`tieline.distributed.run.DaskCoder` on the cluster at ``address`` (``local:N``
    is started here and stopped after), its dashboard and progress told on standard error."""
    from tieline.cli.output import ClusterReport
    from tieline.distributed.cluster import connect
    from tieline.distributed.partitions import PARTITION_DOCUMENTS
    from tieline.distributed.run import DaskCoder
    from tieline.workers import CoderSpec

    spec = CoderSpec(model, batch_size, actors, triggers, tuple(sorted(coder_options(**keep).items())))
    with connect(address) as cluster:
        click.echo(f"tieline: dask: scheduler {cluster.client.scheduler.address}, dashboard {cluster.dashboard}; "
                   "the workers load the model", err=True)
        report = ClusterReport(documents)
        coder = DaskCoder(cluster, spec, partition_documents=partition_size or PARTITION_DOCUMENTS,
                          on_progress=report.report)
        click.echo(f"tieline: dask: {cluster.workers()} workers ready", err=True)
        yield coder
        click.echo(f"tieline: dask: {report.summary()}", err=True)


def read_options() -> dict[str, Any]:
    """Reader settings from the settings file (max_document_bytes), for read_documents."""
    config = settings()
    return {k: config[k] for k in READ_SETTINGS if k in config}


# ---- option values ----------------------------------------------------------------------------
def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A checked YYYY-MM-DD date, kept as the ISO string the store compares with."""
    return date.isoformat() if (date := parse_date(ctx, param, value)) is not None else None


def plot_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from tieline.plot import check_path

    try:
        check_path(value)
    except TielineError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


# ---- options several commands share ------------------------------------------------------------
def db_option(command: Command) -> Command:
    return click.option("--db", default=DEFAULTS["db"], show_default=True, help="Database file.")(command)


def window_options(command: Command) -> Command:
    """--since and --until."""
    command = click.option("--until", callback=iso_date, help="Latest event date (YYYY-MM-DD).")(command)
    return click.option("--since", callback=iso_date, help="Earliest event date (YYYY-MM-DD).")(command)


def slice_options(command: Command) -> Command:
    """--since, --until, --type, --quad, --context, --field, --where and --min-confidence: the events an analysis counts,
    the same options on every analysis command (issue 13); the command gets them as ``where``."""
    from tieline.lexicon import EVENT_TYPES

    options = [
        click.option("--since", callback=partial_date, help="Earliest event date (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--until", callback=partial_date,
                     help="Latest event date (YYYY, YYYY-MM or YYYY-MM-DD: --until 2024 takes in all of 2024)."),
        click.option("--type", "event_type", type=click.Choice(EVENT_TYPES, case_sensitive=False),
                     help="Only this PLOVER event type."),
        click.option("--quad", type=click.IntRange(1, 4),
                     help="Only this quad class: 1 verbal and 2 material cooperation, 3 verbal and 4 material conflict."),
        click.option("--context", callback=_known("context_names"), help="Only events in this PLOVER context (economic, "
                     "military...)."),
        click.option("--field", "--sector", "sector", callback=_known("field_names"),
                     help="Only events in this field of cooperation (tourism, banking...)."),
        click.option("--where", "place", callback=known_place,
                     help="Only events that happened in this country or region (ISO3 code or name; a region's "
                          "name, e.g. 'Texas', or GeoNames key, e.g. US.TX)."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only records at least this confident."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def slice_of(since: str | None, until: str | None, event_type: str | None, quad: int | None, context: str | None,
             sector: str | None, place: str | None = None, min_confidence: float | None = None) -> Any:
    """The :class:`tieline.analysis.Slice` of the options :func:`slice_options` adds."""
    from tieline.analysis import Slice

    return Slice(since, until, event_type.upper() if event_type else None, quad, context, sector, place,
                 min_confidence)


def known_place(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A country's ISO3 code or a region's GeoNames key, from a code or a name; one nobody knows
    is refused with a hint."""
    if value is None:
        return None
    from tieline.errors import QueryError
    from tieline.query.parties import place_code

    try:
        return place_code(value)
    except QueryError as exc:
        raise click.BadParameter(str(exc)) from None


def partial_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A YYYY, YYYY-MM or YYYY-MM-DD date that is a real year, month or day, kept as written."""
    if value is None:
        return None
    from tieline.partial_date import check_partial_date

    try:
        return check_partial_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _known(table: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback refusing a context or field no table names, listing those that are."""
    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        from tieline.lexicon import default_lexicon

        valid = getattr(default_lexicon(), table)
        if value.lower() not in valid:
            raise click.BadParameter(f"{value!r} is none of {', '.join(valid)}")
        return value.lower()
    return check


def publication_date_option(command: Command) -> Command:
    return click.option("--date", callback=parse_date,
                        help="Publication date (YYYY-MM-DD) of inputs that carry none (.txt, pages without a date)."
                        )(command)


def model_options(command: Command) -> Command:
    """--model and --batch-size."""
    command = click.option("--batch-size", default=DEFAULTS["batch_size"], show_default=True)(command)
    return click.option("--model", default=DEFAULTS["model"], help="spaCy model package to load.")(command)


def dictionary_options(command: Command) -> Command:
    """--actors FILE and --triggers FILE, repeatable."""
    command = click.option("--triggers", multiple=True, type=click.Path(exists=True, dir_okay=False),
                           help="Extra trigger phrases (CSV or YAML), tried before the built-in ones.")(command)
    return click.option("--actors", multiple=True, type=click.Path(exists=True, dir_okay=False),
                        help="Extra actors (CSV or YAML), taking precedence over the built-in tables.")(command)


def keep_options(command: Command) -> Command:
    """--hypothetical, --historical, --events (which source finds events) and --parse-all."""
    command = click.option("--parse-all", is_flag=True, expose_value=False, callback=_ask_parse_all,
                           help="Parse every sentence (default: only those a first pass finds could hold an "
                                "event, with their context). Setting parse_all.")(command)
    command = click.option("--events", "event_source", type=click.Choice(EVENT_SOURCES),
                           default=None, help="Where events come from: the trigger rules, the learned model, both "
                           "(hybrid), or auto (hybrid when the model is installed). Default: the setting event_source, "
                           "auto.")(command)
    command = click.option("--hypothetical", is_flag=True,
                           help="Also write events the story only supposes ('may meet'), flagged hypothetical.")(command)
    return click.option("--historical", is_flag=True,
                        help="Also write background events dated over a month before the story, flagged historical."
                        )(command)


def min_confidence_option(command: Command) -> Command:
    return click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
                        help="Only records at least this confident (0 to 1). When coding with the learned "
                             "model, default the record judge's floor; 0 writes every record.")(command)


def follow_links_option(command: Command) -> Command:
    """--follow-links, and --allow-private-links beside it (issue 9: links are fetched only from public addresses)."""
    command = click.option("--allow-private-links", is_flag=True, default=DEFAULTS["allow_private_links"],
                           help="Also fetch links (feed entries, redirects) to private, loopback or link-local "
                                "addresses, as on an intranet; by default links are fetched only from public "
                                "addresses (a URL given here is fetched wherever it points).")(command)
    return click.option("--follow-links", is_flag=True,
                        help="For feeds: fetch each entry's page and code its main text, not the entry's summary.")(command)


def workers_option(command: Command) -> Command:
    return click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="Processes that code at once, each loading the model once (default: the setting workers, "
                             "the machine's CPU count); the records are the same, in the same order, as with 1.")(command)


def dask_options(command: Command) -> Command:
    """--dask ADDRESS and --partition-size N (issue 12)."""
    command = click.option("--partition-size", type=click.IntRange(min=1), default=None,
                           help="Documents per partition (one task) of a --dask run (default 100).")(command)
    return click.option("--dask", metavar="ADDRESS", default=None,
                        help="Code on a Dask cluster: a scheduler's address (tcp://HOST:8786) or scheduler file "
                             "(scheduler.json), or local:N for N worker processes on this machine (needs pip install "
                             "'tieline[dask]'; see docs/distributed.md)."
                        )(command)


def frame_format_option(command: Command) -> Command:
    return click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table",
                        show_default=True)(command)


def plot_option(command: Command) -> Command:
    return click.option("--plot", type=click.Path(dir_okay=False, writable=True), callback=plot_path,
                        help="Also draw the chart to FILE.png or FILE.svg.")(command)


def period_option(command: Command) -> Command:
    return click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="month",
                        show_default=True)(command)
