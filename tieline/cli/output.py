"""What commands print: record tables, JSON lines, CSV (through the one writer), DataFrames, and
the problems and progress of a run on standard error."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

import click

from tieline.types import CodedDocument, Problem, party_text

if TYPE_CHECKING:  # importing it imports Dask
    from tieline.distributed.run import ClusterProgress

TABLE_COLUMNS = ("date", "event", "mode", "actor", "recipient", "location", "trigger", "doc_id")


def _row(r: dict[str, Any]) -> dict[str, str]:
    loc = r.get("location") or {}
    flags = [f for f in ("negated", "future", "hypothetical", "historical", "corrected") if r.get(f)]
    return {"date": r.get("date") or "", "event": r["event"] + (f" ({', '.join(flags)})" if flags else ""),
            "mode": r.get("mode") or "", "actor": party_text(r.get("actor")),
            "recipient": party_text(r.get("recipient")), "location": loc.get("name") or "",
            "trigger": r.get("trigger") or "", "doc_id": r.get("doc_id") or ""}


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
    """Records as a table, CSV (the export's columns) or JSON lines; returns how many."""
    if fmt == "table":
        return print_table(records, out)
    if fmt == "csv":
        from tieline.export import write_events_csv

        return write_events_csv(records, out)
    n = 0
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
        out.flush()
        n += 1
    return n


def _cell(value: Any) -> str:
    """A DataFrame value as table text: lists joined, missing values blank."""
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    return str(value)


def write_frame(frame: Any, fmt: str) -> None:
    """A DataFrame as a table, CSV or JSON lines on standard output."""
    if fmt == "csv":  # through the one CSV writer, which neutralises formulas (issue 9)
        from tieline.csvfile import write_frame_csv

        write_frame_csv(frame, sys.stdout)
    elif fmt == "jsonl":
        sys.stdout.write(frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso"))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(header_style="bold")
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        Console(file=sys.stdout, width=160 if not sys.stdout.isatty() else None).print(table)


PROBLEMS_SHOWN = 10  # problems told one by one at the end of an interactive run; the rest by reason
SETTLE_SECONDS, SETTLE_DOCUMENTS = 15.0, 50  # no time left is told before this much has been coded


class Problems:
    """Collects the problems of a run. Each goes to ``file`` in full when one is given. On a
    terminal, where a progress bar is drawn, they are held and told at the end (the first few
    one by one, the rest by reason); otherwise (a log, a pipe) each is told as it happens."""

    def __init__(self, file: str | None = None, *, hold: bool | None = None) -> None:
        self.count = 0
        self.passed = 0  # documents that came through filter()
        self.reasons: dict[str, int] = {}
        self.hold = sys.stderr.isatty() if hold is None else hold
        self.held: list[Problem] = []
        self.told = 0  # held problems told so far
        self.path = file
        self.file: IO[str] | None = open(file, "w", encoding="utf-8") if file else None  # noqa: SIM115

    def report(self, problem: Problem) -> None:
        self.count += 1
        kind = problem.reason.split(":")[0].split(";")[0]  # "malformed JSON: ..." -> "malformed JSON"
        self.reasons[kind] = self.reasons.get(kind, 0) + 1
        if self.file is not None:
            self.file.write(f"{problem}\n")
            self.file.flush()
        if not self.hold:
            click.echo(f"tieline: {problem}", err=True)
        elif len(self.held) < PROBLEMS_SHOWN:
            self.held.append(problem)

    def tell_held(self) -> None:
        """The held problems, once the progress bar is gone: the first ones, then how many more."""
        for problem in self.held:
            click.echo(f"tieline: {problem}", err=True)
        self.told += len(self.held)
        if self.count > self.told and self.hold:
            where = f"all of them are in {self.path}" if self.path else "--problems FILE writes them all"
            click.echo(f"tieline: ... and {self.count - self.told} more ({where})", err=True)
            self.told = self.count
        self.held = []
        if self.file is not None:
            self.file.close()
            self.file = None

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
                self.passed += 1
                yield item

    def exit_if_all_failed(self, documents: int, strict: bool = False) -> None:
        """Tell the held problems; exit with status 1 when there were inputs and every one failed
        (nothing coded: a mistyped path, an unreachable feed), or with ``strict`` when any had a problem."""
        self.tell_held()
        if self.count and not documents:
            click.echo(f"tieline: error: every input failed ({self.summary()}); nothing was coded", err=True)
            sys.exit(1)
        if strict and self.count:
            sys.exit(1)


class Progress:
    """Reports documents coded, documents/s, events and the time left on standard error while a
    long ingest runs: a bar on a terminal (rich), else a line every few seconds. The clock starts
    at the first document (loading the model is not coding), and no time left is told before
    the rate has settled."""

    def __init__(self, total: int | None, every: float = 5.0, *, bar: bool | None = None) -> None:
        self.clock = time.monotonic
        self.total, self.every = total, every
        self.start = self.last = self.clock()
        self.started = False
        self.documents = self.events = 0
        self.bar: Any = None
        if (sys.stderr.isatty() if bar is None else bar) and every != float("inf"):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(TextColumn("coding"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[line]}"),
                           console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("coding", total=total, line="loading the model")

    def track(self, items: Iterable[CodedDocument]) -> Iterator[CodedDocument]:
        if self.bar is not None:
            self.bar.start()
        try:
            for item in items:
                if not self.started:  # the model is loaded: the clock starts
                    self.started, self.start = True, self.clock()
                self.documents += 1
                self.events += len(item.records)
                if self.bar is not None:
                    self.bar.update(self.task, completed=self.documents, line=self.line())
                elif self.clock() - self.last >= self.every:
                    self.last = self.clock()
                    click.echo(f"tieline: {self.line()}", err=True)
                yield item
        finally:
            if self.bar is not None:
                self.bar.stop()

    def line(self, *, final: bool = False) -> str:
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = self.documents / elapsed
        text = f"{self.documents} documents coded, {rate:.1f} documents/s, {self.events} events"
        if final:
            return text + f", {elapsed:.0f} s"
        settled = elapsed >= SETTLE_SECONDS and self.documents >= SETTLE_DOCUMENTS
        if self.total and settled and self.documents < self.total:
            text += f", about {_duration((self.total - self.documents) / rate)} left"
        return text


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class ClusterReport:
    """Reports a Dask run's progress on standard error every few seconds: partitions done,
    documents coded, stories/s, the time left (when the total is known) and the workers."""

    def __init__(self, total: int | None, every: float = 5.0) -> None:
        self.clock = time.monotonic
        self.total, self.every = total, every
        self.last = self.clock()
        self.latest: ClusterProgress | None = None

    def report(self, progress: ClusterProgress) -> None:
        if self.latest is None:  # the first partitions are sent: the workers have loaded the model
            self.last = self.clock()
        self.latest = progress
        if self.clock() - self.last >= self.every:
            self.last = self.clock()
            click.echo(f"tieline: dask: {self.line(progress)}", err=True)

    def summary(self) -> str:
        """The last count: partitions, documents, seconds and stories/s since the workers were ready."""
        if self.latest is None:
            return "no partition coded"
        p = self.latest
        return (f"{p.partitions_done} partitions, {p.documents_done} documents in {p.elapsed:.1f} s once the model "
                f"was loaded: {p.documents_done / max(p.elapsed, 1e-9):.1f} stories/s on {p.workers} "
                f"worker{'s' if p.workers != 1 else ''}")

    def line(self, progress: ClusterProgress) -> str:
        rate = progress.documents_done / max(progress.elapsed, 1e-9)
        text = (f"{progress.partitions_done} partitions done ({progress.partitions_sent} sent), "
                f"{progress.documents_done} documents, {rate:.1f} stories/s")
        if self.total and rate > 0 and progress.documents_done < self.total:
            text += f", about {(self.total - progress.documents_done) / rate:.0f} s left"
        return text + f", {progress.workers} worker{'s' if progress.workers != 1 else ''}"
