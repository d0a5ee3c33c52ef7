"""Parquet shards of coded documents: what ``tieline code --dask ... --format parquet -o DIR``
writes, one shard per partition, and what ``tieline ingest DIR`` loads into a store without
coding again.

A shard is two files of the same name, ``part-00007-<hash>.parquet``, named by the partition's
index and a hash of its input (so coding the same input again replaces them):

- ``DIR/events/``: one row per record, with the columns of ``tieline export --format parquet``
  (:data:`tieline.export.PARQUET_COLUMNS`: the flat columns and the full record as JSON);
- ``DIR/documents/``: one row per document coded, events or not (:data:`DOCUMENT_COLUMNS`), in
  input order (``position``).

Each file is written under a hidden temporary name and renamed, and the events file before the
documents file: a shard counts only once its documents file is there, so a run killed at any
moment leaves no half shard behind. No dask is needed here.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from tieline.about import __version__
from tieline.errors import InputError, TielineError
from tieline.export import PARQUET_COLUMNS, parquet_columns
from tieline.ingest import IngestResult, ingest
from tieline.query.exports import flat_frame
from tieline.store import Store, sql_string, text_sha1
from tieline.types import CodedDocument, Document, EventRecord, Problem

EVENTS = "events"
DOCUMENTS = "documents"
DOCUMENT_COLUMNS = ("position", "id", "text_sha1", "date", "title", "url", "source", "text", "n_events", "coder_version")
DOCUMENT_TYPES = ("INTEGER", "VARCHAR", "VARCHAR", "DATE", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "VARCHAR")
DOCUMENT_SELECT = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in zip(DOCUMENT_COLUMNS, DOCUMENT_TYPES, strict=True))
SHARD_NAME = re.compile(r"^part-(\d{5,})-([0-9a-f]{12})\.parquet$")


def shard_name(index: int, digest: str) -> str:
    """``part-00007-0a1b2c3d4e5f.parquet``: the partition's index and its input's hash."""
    return f"part-{index:05d}-{digest[:12]}.parquet"


@dataclass(frozen=True)
class Shard:
    """One partition's coded documents as the bytes of its two Parquet files."""

    name: str
    events: bytes
    documents: bytes
    n_documents: int
    n_events: int


@dataclass
class ShardSummary:
    """What a run of shards wrote: shards, documents, events, problems, stale shards removed."""

    shards: int = 0
    documents: int = 0
    events: int = 0
    problems: int = 0
    removed: int = 0
    names: set[str] = field(default_factory=set)


def encode_shard(name: str, coded: Sequence[CodedDocument]) -> Shard:
    """The two Parquet files of a shard, as bytes (written with DuckDB through a temporary folder).

    The events go through an in-memory store and the export's query, so that their columns and
    types are those of ``tieline export --format parquet``."""
    with tempfile.TemporaryDirectory(prefix="tieline-shard-") as folder:
        events_path, documents_path = Path(folder, EVENTS), Path(folder, DOCUMENTS)
        with Store(":memory:") as memory:
            memory.write(coded, batch_size=max(1, len(coded)))
            frame = flat_frame(memory, PARQUET_COLUMNS, None, None)
            _copy(memory.con, frame, events_path, select=parquet_columns(memory))
        rows = [(n, c.document.id, text_sha1(c.document.text), c.document.date.isoformat() if c.document.date else None,
                 c.document.title, c.document.url, c.document.source, c.document.text, len(c.records), __version__)
                for n, c in enumerate(coded)]
        documents = pd.DataFrame(rows, columns=list(DOCUMENT_COLUMNS), dtype=object)
        con = duckdb.connect()
        try:
            _copy(con, documents, documents_path, select=DOCUMENT_SELECT)
        finally:
            con.close()
        return Shard(name, events_path.read_bytes(), documents_path.read_bytes(), len(coded), len(frame))


def _copy(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, path: Path, *, select: str) -> None:
    """Write the ``select`` list (this module's constant, or the export's) of a DataFrame as one
    Parquet file (``path`` is a temporary file this module named)."""
    con.register("shard_frame", frame)
    try:
        con.execute(f"COPY (SELECT {select} FROM shard_frame) TO {sql_string(path.as_posix())} (FORMAT PARQUET)")
    finally:
        con.unregister("shard_frame")


def put_shard(folder: str, shard: Shard) -> None:
    """Write a shard into ``folder`` (a local folder, or an fsspec URL): events file first, each
    under a temporary name then renamed, so that a documents file is never there without its
    events file.

    Raises:
        TielineError: the folder cannot be written.
    """
    for kind, data in ((EVENTS, shard.events), (DOCUMENTS, shard.documents)):
        try:
            _put(folder, kind, shard.name, data)
        except OSError as exc:
            raise TielineError(f"{folder}: cannot write shard {kind}/{shard.name}: {exc}") from exc


def _put(folder: str, kind: str, name: str, data: bytes) -> None:
    from tieline.distributed.partitions import fsspec_url

    if fsspec_url(folder):
        import fsspec

        fs, root = fsspec.core.url_to_fs(folder)
        fs.makedirs(f"{root}/{kind}", exist_ok=True)
        with fs.open(f"{root}/{kind}/{name}", "wb") as out:  # an object store writes an object whole or not at all
            out.write(data)
        return
    target = Path(folder, kind)
    target.mkdir(parents=True, exist_ok=True)
    temporary = target / f".{name}.{uuid.uuid4().hex}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, target / name)


def shard_names(folder: str | Path) -> list[str]:
    """The complete shards of a local folder (those with their documents file), in order."""
    documents = Path(folder, DOCUMENTS)
    if not documents.is_dir():
        return []
    return sorted(p.name for p in documents.iterdir() if SHARD_NAME.match(p.name))


def is_shard_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder of shards (it has ``documents/part-*.parquet``)."""
    return Path(path).is_dir() and bool(shard_names(path))


def remove_stale(folder: str, keep: set[str]) -> int:
    """Remove the shards (and left-over temporary files) of a local folder that are not in
    ``keep``, the shards a finished run wrote: the folder then holds that run's output alone.
    Returns how many shards were removed; a URL's folder is left as it is."""
    from tieline.distributed.partitions import fsspec_url

    if fsspec_url(folder):
        return 0
    removed = 0
    for kind in (DOCUMENTS, EVENTS):  # documents first: a shard without it no longer counts
        path = Path(folder, kind)
        if not path.is_dir():
            continue
        for file in sorted(path.iterdir()):
            stale = SHARD_NAME.match(file.name) and file.name not in keep
            if stale or (file.name.startswith(".part-") and file.name.endswith(".tmp")):
                file.unlink()
                removed += bool(stale) and kind == DOCUMENTS
    return removed


# ---- reading shards back -------------------------------------------------------------------
@dataclass(frozen=True)
class ShardDocument(Document):
    """A document read from a shard, with the records coded from it."""

    records: tuple[EventRecord, ...] = field(default=(), compare=False)


def read_shards(folder: str | Path) -> Iterator[ShardDocument]:
    """The documents of a folder's shards with their records, shard by shard, in input order.

    Raises:
        InputError: a shard cannot be read, or its events file is missing.
    """
    con = duckdb.connect()
    try:
        for name in shard_names(folder):
            yield from _read_shard(con, Path(folder), name)
    finally:
        con.close()


def count_shard_documents(folder: str | Path) -> int:
    """How many documents a folder's shards hold (from the files' metadata)."""
    names = [Path(folder, DOCUMENTS, n).as_posix() for n in shard_names(folder)]
    if not names:
        return 0
    con = duckdb.connect()
    try:
        row = con.execute("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [names]).fetchone()
    except duckdb.Error as exc:
        raise InputError(f"cannot read the shards: {exc}", path=str(folder)) from exc
    finally:
        con.close()
    return int(row[0] or 0) if row else 0


def _read_shard(con: duckdb.DuckDBPyConnection, folder: Path, name: str) -> Iterator[ShardDocument]:
    events_path, documents_path = folder / EVENTS / name, folder / DOCUMENTS / name
    if not events_path.is_file():
        raise InputError(f"shard {name} has its documents but not its events file", path=str(folder))
    try:
        documents = con.execute("SELECT id, text, date, title, url, source FROM read_parquet(?) ORDER BY position",
                                [documents_path.as_posix()]).fetchall()
        events = con.execute("SELECT doc_id, record FROM read_parquet(?)", [events_path.as_posix()]).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot read shard {name}: {exc}", path=str(folder)) from exc
    records: dict[str, list[EventRecord]] = {}
    for doc_id, record in events:
        records.setdefault(doc_id, []).append(EventRecord.from_dict(json.loads(record)))
    for doc_id, text, date, title, url, source in documents:
        yield ShardDocument(doc_id, text, date, title, url, source, path=str(documents_path),
                            records=tuple(records.get(doc_id, ())))


class _Replay:
    """A coder that gives back the records a shard holds for each document."""

    def code_documents(self, items: Iterable[Document | Problem]) -> Iterator[CodedDocument | Problem]:
        for item in items:
            if isinstance(item, ShardDocument):
                yield CodedDocument(item, item.records)
            elif isinstance(item, Problem):
                yield item
            else:
                raise TypeError(f"not a document of a shard: {item!r}")


def load_shards(store: Store, folders: Iterable[str | Path], *, commit_every: int = 200,
                track: Callable[[Iterable[CodedDocument]], Iterable[CodedDocument]] | None = None) -> IngestResult:
    """Store the documents and records of folders of shards, without coding them again, through
    the ingest loop: a document already stored with the same text is skipped, so loading the
    same shards twice adds nothing. The new events are not clustered (call
    :func:`tieline.dedup.deduplicate`).

    Raises:
        InputError: a shard cannot be read.
        StoreError: a batch cannot be written.
    """
    documents = (document for folder in folders for document in read_shards(folder))
    return ingest(store, documents, _Replay(), commit_every=commit_every, dedup=False, track=track)

