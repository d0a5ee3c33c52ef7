"""The partitions of a distributed run: inputs cut into pieces of about ``size`` documents, in
input order, each read where it can be read.

A file every worker sees (a path of a shared file system, or an fsspec URL such as
``s3://bucket/news.jsonl.gz``) is read by the worker that codes it: a :class:`Piece` names a range
of lines of a JSON-lines file, or a whole file of another kind. Everything else (standard input,
``http(s)://`` addresses, files only this machine sees) is read here and sent as documents. A
:class:`Partition` holds one or the other, and its :attr:`~Partition.digest` names its input, so
that shards written from it are named the same when the same input is coded again.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from tieline import markup
from tieline.errors import InputError
from tieline.read import (
    JSONL_SUFFIXES,
    READABLE_SUFFIXES,
    STREAM_ERRORS,
    expand_directory,
    read_documents,
    read_jsonl,
    read_untyped,
)
from tieline.settings import DEFAULTS
from tieline.store import text_sha1
from tieline.types import Document, Problem

Item = Document | Problem
PARTITION_DOCUMENTS = 100  # about 4 s of coding on one core: small beside a model load, large beside the scheduler's ~ms
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
READ_BYTES = 1 << 20


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read (as :func:`tieline.read.read_documents` takes them)."""

    date: Any = None  # publication date of inputs that carry none (dt.date)
    follow_links: bool = False
    allow_private_links: bool = DEFAULTS["allow_private_links"]
    max_document_bytes: int = DEFAULTS["max_document_bytes"]

    def kwargs(self) -> dict[str, Any]:
        return {"date": self.date, "follow_links": self.follow_links, "allow_private_links": self.allow_private_links,
                "max_document_bytes": self.max_document_bytes}


@dataclass(frozen=True)
class Piece:
    """Part of a file the workers open themselves: lines ``first``.. ``first + lines - 1`` of a
    JSON-lines file, or the whole file (``lines`` None). ``stamp`` is its size and modification
    time as this machine saw them."""

    source: str
    first: int = 1
    lines: int | None = None
    stamp: str = ""


@dataclass(frozen=True)
class Partition:
    """The input of one task: pieces the worker reads, or ``items`` read here."""

    index: int
    documents: int  # documents it holds (lines, for JSON lines: blank lines count)
    pieces: tuple[Piece, ...] = ()
    items: tuple[Item, ...] = ()
    read: ReadOptions = field(default_factory=ReadOptions)

    @property
    def digest(self) -> str:
        """A hash of the input: each piece's source, lines and stamp, or each document's id and
        text (a problem's text for a problem)."""
        h = hashlib.sha1()
        for piece in self.pieces:
            h.update(f"piece\0{piece.source}\0{piece.first}\0{piece.lines}\0{piece.stamp}\n".encode(errors="replace"))
        for item in self.items:
            text = (f"doc\0{item.id}\0{text_sha1(item.text)}" if isinstance(item, Document) else f"problem\0{item}")
            h.update(text.encode("utf-8", errors="replace") + b"\n")
        return h.hexdigest()


def fsspec_url(name: str) -> bool:
    """Whether ``name`` is a URL of a file system fsspec opens (``s3://``, ``gs://``,
    ``file://``...), not a web address."""
    return bool(URL_SCHEME.match(name)) and not markup.is_url(name)


def _fsspec(url: str) -> Any:
    """The fsspec module, once it is known to open such URLs.

    Raises:
        InputError: fsspec, or the package of the URL's file system (s3fs, gcsfs...), is not
            installed.
    """
    try:
        import fsspec
    except ImportError as exc:
        raise InputError("reading URLs needs fsspec: pip install 'tieline[dask]'", path=url) from exc
    scheme = URL_SCHEME.match(url)
    try:
        fsspec.get_filesystem_class(scheme.group(1) if scheme else "file")
    except (ImportError, ValueError) as exc:
        raise InputError(f"cannot open this kind of URL: {exc}", path=url) from exc
    return fsspec


def _open_url(url: str) -> Any:
    """An fsspec file (opened and closed by ``with``), decompressed by suffix."""
    return _fsspec(url).open(url, "rb", compression="infer")


def _jsonl(name: str) -> bool:
    return name.lower().endswith(JSONL_SUFFIXES)


def _open(name: str) -> Any:
    """A binary stream of a file or fsspec URL, decompressed when its name ends in .gz."""
    if fsspec_url(name):
        return _open_url(name)
    return gzip.open(name, "rb") if name.lower().endswith(".gz") else open(name, "rb")


def count_lines(name: str) -> int:
    """Lines of a file as :func:`~tieline.read.read_jsonl` numbers them (blank ones too); a file
    damaged midway counts the lines before the damage."""
    count, last = 0, b"\n"
    try:
        with _open(name) as stream:
            while chunk := stream.read(READ_BYTES):
                count += chunk.count(b"\n")
                last = chunk[-1:]
    except STREAM_ERRORS:
        pass
    return count + (last != b"\n")


def stamp(name: str) -> str | None:
    """'size:mtime' of a local file, or of an fsspec URL as its file system tells them; None
    when it cannot be seen."""
    if fsspec_url(name):
        try:
            import fsspec

            fs, path = fsspec.core.url_to_fs(name)
            info = fs.info(path)
        except (ImportError, ValueError, OSError):
            return None
        return f"{info.get('size')}:{info.get('mtime') or info.get('LastModified') or info.get('ETag') or ''}"
    try:
        st = Path(name).stat()
    except OSError:
        return None
    return f"{st.st_size}:{int(st.st_mtime)}"


def expand(sources: Iterable[str]) -> list[str]:
    """The sources with each local folder replaced by the readable files under it, and each URL
    of a folder (ending in ``/``) or a pattern (``s3://bucket/news/*.jsonl.gz``) by its files."""
    out: list[str] = []
    for source in sources:
        if fsspec_url(source) and (source.endswith("/") or any(c in source for c in "*?[")):
            out.extend(_expand_url(source))
        elif source != "-" and not markup.is_url(source) and not fsspec_url(source) and Path(source).is_dir():
            out.extend(expand_directory(Path(source)))
        else:
            out.append(source)
    return out


def _expand_url(url: str) -> list[str]:
    """The readable files of an fsspec folder or pattern, in a stable order.

    Raises:
        InputError: its file system cannot be listed.
    """
    fsspec = _fsspec(url)
    try:
        fs, path = fsspec.core.url_to_fs(url)
        found = fs.find(path) if url.endswith("/") else fs.glob(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot list: {exc}", path=url) from exc
    names = [name for name in found if str(name).lower().endswith(READABLE_SUFFIXES)
             and not any(part.startswith(".") for part in str(name).split("/"))]
    return [fs.unstrip_protocol(name) for name in sorted(names)]


def worker_candidates(sources: list[str]) -> list[str]:
    """The local files among the sources: the ones the workers may see too."""
    return [s for s in sources if s != "-" and not markup.is_url(s) and not fsspec_url(s) and Path(s).is_file()]


def plan(sources: Iterable[str], *, size: int = PARTITION_DOCUMENTS, read: ReadOptions | None = None,
         visible: Callable[[list[str]], set[str]] | None = None, stdin: IO[bytes] | None = None,
         ) -> Iterator[Partition]:
    """The partitions of ``sources``, in input order, each of about ``size`` documents.

    Args:
        sources: files, folders (read recursively), fsspec URLs, web addresses or ``-``.
        size: documents per partition.
        read: how to read the inputs.
        visible: given local files, those every worker sees (fsspec URLs always count as seen);
            none by default.
        stdin: stream read for ``-``.
    """
    if size < 1:
        raise InputError(f"a partition holds 1 document or more, not {size}")
    read = read or ReadOptions()
    names = expand(sources)
    seen = visible(worker_candidates(names)) if visible is not None else set()
    index = 0
    pieces: list[Piece] = []
    held = 0

    def flush() -> Iterator[Partition]:
        nonlocal index, pieces, held
        if pieces:
            yield Partition(index, held, pieces=tuple(pieces), read=read)
            index, pieces, held = index + 1, [], 0

    for name in names:
        if name in seen or fsspec_url(name):
            for piece in _pieces(name, size):
                pieces.append(piece)
                held += piece.lines or 1
                if held >= size:
                    yield from flush()
            continue
        yield from flush()
        for batch in batches(read_documents([name], stdin=stdin, **read.kwargs()), size):
            yield Partition(index, sum(isinstance(i, Document) for i in batch), items=tuple(batch), read=read)
            index += 1
    yield from flush()


def _pieces(name: str, size: int) -> list[Piece]:
    mark = stamp(name)
    if mark is None and fsspec_url(name):
        _fsspec(name)  # says why fsspec cannot open it, if that is why (an InputError)
    if not _jsonl(name):
        return [Piece(name, stamp=mark or "")]
    lines = count_lines(name)
    return [Piece(name, first, min(size, lines - first + 1), mark or "") for first in range(1, lines + 1, size)] \
        or [Piece(name, 1, 0, mark or "")]


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Items in lists of ``size`` documents (problems ride along with the documents after them)."""
    batch: list[Item] = []
    documents = 0
    for item in items:
        batch.append(item)
        documents += isinstance(item, Document)
        if documents >= size:
            yield batch
            batch, documents = [], 0
    if batch:
        yield batch


# ---- on the worker ---------------------------------------------------------------------------
def read_partition(partition: Partition) -> Iterator[Item]:
    """The documents and problems of a partition, in order (run where the partition is coded)."""
    yield from partition.items
    for piece in partition.pieces:
        yield from read_piece(piece, partition.read)


def read_piece(piece: Piece, read: ReadOptions) -> Iterator[Item]:
    """The documents and problems of a piece; one that cannot be opened is one problem."""
    try:
        if piece.lines is not None:
            yield from _read_lines(piece, read)
        elif fsspec_url(piece.source):
            with _open_url(piece.source) as stream:
                stem = PurePosixPath(piece.source.split("://", 1)[1]).name.split(".")[0]
                yield from read_untyped(stream, piece.source, stem, read.date, follow_links=read.follow_links,
                                        allow_private_links=read.allow_private_links,
                                        max_document_bytes=read.max_document_bytes)
        else:
            yield from read_documents([piece.source], **read.kwargs())
    except InputError as exc:
        yield Problem(piece.source, None, str(exc))
    except STREAM_ERRORS as exc:
        yield Problem(piece.source, piece.first if piece.lines is not None else None, f"cannot read file: {exc}")


def _read_lines(piece: Piece, read: ReadOptions) -> Iterator[Item]:
    """Lines ``first``.. of a JSON-lines file: the lines before are skipped unparsed (in pieces, so
    a long one is never held whole), and the items keep their line numbers in the file."""
    assert piece.lines is not None
    with _open(piece.source) as stream:
        skipped = 0
        while skipped < piece.first - 1:
            chunk = stream.readline(READ_BYTES)
            if not chunk:
                return
            skipped += chunk.endswith(b"\n")
        for item in read_jsonl(stream, piece.source, max_line_bytes=read.max_document_bytes):
            if item.line is None:
                if piece.first == 1:  # "empty file": the whole file's problem, told once
                    yield item
                continue
            if item.line > piece.lines:
                if isinstance(item, Problem) and item.reason.startswith("file damaged"):  # the file ends here
                    yield replace(item, line=item.line + skipped)
                return
            yield replace(item, line=item.line + skipped)
