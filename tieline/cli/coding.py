"""Commands that code news: ``code`` (to JSON lines or a table), ``ingest`` (into the database),
``eval`` (against a gold file) and ``demo`` (the bundled sample)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import click

import tieline.cli.base as base
from tieline.cli.base import (
    cli,
    dask_options,
    db_option,
    dictionary_options,
    follow_links_option,
    keep_options,
    min_confidence_option,
    model_options,
    publication_date_option,
    workers_option,
)
from tieline.cli.output import Problems, Progress, print_table, write_records
from tieline.settings import DEFAULTS
from tieline.types import CodedDocument


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@publication_date_option
@click.option("-o", "--output", type=click.Path(writable=True),
              help="Write to FILE instead of stdout (with --format parquet: the folder DIR of the shards).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table", "parquet"]), default="jsonl", show_default=True,
              help="parquet: Parquet shards of a --dask run, one per partition, in the folder -o DIR.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input had a problem.")
@click.option("--problems", "problems_file", type=click.Path(dir_okay=False, writable=True),
              help="Also write every problem, in full, to FILE (one per line).")
@model_options
@workers_option
@dask_options
@follow_links_option
@keep_options
@min_confidence_option
@dictionary_options
def code(inputs: tuple[str, ...], date: dt.date | None, output: str | None, fmt: str, strict: bool,
         problems_file: str | None, model: str | None, batch_size: int, workers: int | None, dask: str | None,
         partition_size: int | None,
         follow_links: bool, allow_private_links: bool, hypothetical: bool, historical: bool,
         event_source: str | None, min_confidence: float | None, actors: tuple[str, ...], triggers: tuple[str, ...]) -> None:
    """Code INPUT files, folders or web addresses (.txt, .jsonl, .jsonl.gz, .html, RSS/Atom
    feeds, http(s):// URLs, or - for stdin) into event records. With --dask, on a Dask cluster,
    where inputs may also be fsspec URLs (s3://...)."""
    from tieline.read import count_documents, read_documents

    if fmt == "parquet" and not (dask and output):
        raise click.UsageError("--format parquet writes the shards of a --dask run into a folder: give --dask ADDRESS "
                               "(local:N on this machine) and -o DIR")
    if output and fmt != "parquet" and Path(output).is_dir():
        raise click.BadParameter(f"{output} is a folder (a folder only with --format parquet)", param_hint="-o")
    problems = Problems(problems_file)
    read = {"date": date, "follow_links": follow_links, "allow_private_links": allow_private_links,
            **base.read_options()}
    with base.coding(model, batch_size, actors, triggers, workers=workers, documents=count_documents(inputs),
                     dask=dask, partition_size=partition_size, hypothetical=hypothetical, historical=historical,
                     min_confidence=min_confidence, event_source=event_source) as coder:
        if dask:
            from tieline.distributed.partitions import ReadOptions

            if fmt == "parquet" and output:
                summary = coder.write_shards(inputs, output, read=ReadOptions(**read), on_problem=problems.report)
                click.echo(f"{summary.shards} shards of {summary.documents} documents and {summary.events} events "
                           f"in {output} ({summary.removed} stale shards removed); {problems.summary()}", err=True)
                problems.passed = summary.documents
            else:
                _write_coded(problems.filter(coder.code_inputs(inputs, read=ReadOptions(**read))), fmt, output)
        else:
            _write_coded(problems.filter(coder.code_documents(read_documents(inputs, **read))), fmt, output)
    problems.exit_if_all_failed(problems.passed, strict)


def _write_coded(coded: Iterable[CodedDocument], fmt: str, output: str | None) -> None:
    """The records of coded documents as JSON lines or a table, to ``output`` or standard output."""
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        write_records((r.to_dict() for c in coded for r in c.records), fmt, out)
    finally:
        if output:
            out.close()


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option
@publication_date_option
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input had a problem.")
@click.option("--problems", "problems_file", type=click.Path(dir_okay=False, writable=True),
              help="Also write every problem, in full, to FILE (one per line).")
@model_options
@workers_option
@click.option("--commit-every", default=DEFAULTS["commit_every"], show_default=True,
              help="Documents per database transaction.")
@click.option("--dedup/--no-dedup", default=True, show_default=True,
              help="Cluster the new events with the stored ones (as `tieline dedup` does) at the end.")
@click.option("--recode", is_flag=True, help="Code again the documents stored with the same text (after an upgrade "
                                             "of tieline or of your tables); analysts' corrections are applied again.")
@dask_options
@follow_links_option
@keep_options
@min_confidence_option
@dictionary_options
def ingest(inputs: tuple[str, ...], db: str, date: dt.date | None, strict: bool, problems_file: str | None,
           model: str | None, batch_size: int, workers: int | None, commit_every: int, dedup: bool, recode: bool,
           dask: str | None, partition_size: int | None, follow_links: bool, allow_private_links: bool, hypothetical: bool,
           historical: bool, event_source: str | None, min_confidence: float | None, actors: tuple[str, ...],
           triggers: tuple[str, ...]) -> None:
    """Code INPUT files, folders, HTML pages, RSS/Atom feeds or web addresses and store documents
    and events in the database. Documents already stored with the same text are skipped before
    coding, so an interrupted run can be started again. A folder of Parquet shards (`tieline code
    --dask ... --format parquet -o DIR`) is stored as it was coded, without coding it again."""
    from tieline.distributed.shards import count_shard_documents, is_shard_folder, load_shards
    from tieline.ingest import ingest as ingest_documents
    from tieline.read import count_documents, read_documents
    from tieline.store import Store

    shards = [i for i in inputs if is_shard_folder(i)]
    if shards and (len(shards) != len(inputs) or dask):
        raise click.UsageError("folders of shards are stored without coding: give them alone, without --dask")
    if shards and recode:
        raise click.UsageError("folders of shards are stored as they were coded: --recode codes text files, pages "
                               "and feeds")
    problems = Problems(problems_file)
    total = sum(count_shard_documents(f) for f in shards) if shards else count_documents(inputs)
    progress = Progress(total, every=float("inf") if dask else 5.0)  # a Dask run reports its own progress
    with Store(db) as store:
        if shards:
            result = load_shards(store, shards, commit_every=commit_every, track=progress.track)
        else:
            with base.coding(model, batch_size, actors, triggers, workers=workers, documents=total, dask=dask,
                             partition_size=partition_size, hypothetical=hypothetical, historical=historical,
                             min_confidence=min_confidence, event_source=event_source) as coder:
                documents = read_documents(inputs, date=date, follow_links=follow_links,
                                           allow_private_links=allow_private_links, **base.read_options())
                result = ingest_documents(store, documents, coder, commit_every=commit_every, dedup=False,
                                          recode=recode, on_problem=problems.report, track=progress.track)
        summary, totals = result.summary, store.counts()
        problems.tell_held()  # after the progress bar, before the summary
        # issue 9: an id met again in the same run is a duplicate in the input, not "already stored"
        duplicates = (f"{summary.duplicates} duplicate{'s' if summary.duplicates != 1 else ''} in the input "
                      "(the last version of each id kept), " if summary.duplicates else "")
        recoded = f"{summary.recoded} re-coded, " if recode else ""
        click.echo(f"{summary.added} documents added, {summary.replaced} replaced, {recoded}{summary.unchanged} "
                   f"unchanged (already stored), {duplicates}{problems.summary()}; {summary.events} events written "
                   f"({totals['documents']} documents, {totals['events']} events in {db}); "
                   f"{progress.line(final=True)}", err=True)
        if dedup:  # after the summary line: clustering a large store takes a while
            from tieline.dedup import deduplicate

            click.echo(f"tieline: dedup: {deduplicate(store)}", err=True)
    problems.exit_if_all_failed(summary.added + summary.replaced + summary.recoded + summary.unchanged
                                + summary.duplicates, strict)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--by-type", is_flag=True, help="Per-type counts as well.")
@click.option("--json", "as_json", is_flag=True, help="Everything as JSON, including misses and false positives.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Also write the predictions to FILE.")
@click.option("--model", default=DEFAULTS["model"], help="spaCy model package to load.")
@workers_option
@keep_options
@dictionary_options
def eval_command(gold: str, by_type: bool, as_json: bool, output: str | None, model: str | None,
                 workers: int | None, hypothetical: bool, historical: bool, event_source: str | None,
                 actors: tuple[str, ...], triggers: tuple[str, ...]) -> None:
    """Code the documents of a GOLD file and score them (as shared/eval/score.py does)."""
    from tieline.evaluate import format_score, gold_documents, load_gold, score

    gold_docs = load_gold(gold)
    documents = gold_documents(gold_docs)
    with base.coding(model, DEFAULTS["batch_size"], actors, triggers, workers=workers, documents=len(documents),
                     hypothetical=hypothetical, historical=historical, event_source=event_source) as coder:
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
@db_option
@workers_option
def demo(db: str, workers: int | None) -> None:
    """Ingest the bundled sample stories into the database, cluster them and print their events
    (then try `tieline serve`)."""
    from tieline.ingest import ingest as ingest_documents
    from tieline.query import all_events
    from tieline.read import read_jsonl
    from tieline.store import Store

    sample = (resources.files("tieline") / "data" / "samples" / "demo.jsonl").read_bytes()
    problems = Problems()
    with Store(db) as store, base.coding(None, DEFAULTS["batch_size"], workers=workers,
                                         documents=sample.count(b"\n")) as coder:
        result = ingest_documents(store, read_jsonl(io.BytesIO(sample), "demo.jsonl"), coder,
                                  on_problem=problems.report)
        summary = result.summary
        problems.tell_held()
        n = print_table(all_events(store), sys.stdout)
    click.echo(f"{n} events from the demo sample in {db} ({summary.added} documents added, "
               f"{summary.unchanged} already there); `tieline serve --db {db}` shows them in a browser", err=True)
