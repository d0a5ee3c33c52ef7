"""Read documents from files and standard input.

``read_documents`` yields a :class:`Document` for every story it can read and a
:class:`Problem` (path, line, reason) for everything it cannot, so one bad line never stops
the rest. Accepted inputs: ``.txt`` (one document, id = file stem), ``.jsonl`` / ``.jsonl.gz``
(one ``{"id", "text", "date", "title"?, "url"?, "source"?}`` object per line), HTML pages
(``.html``, ``.htm``: main text and metadata, see :mod:`tieline.markup`), RSS/Atom feeds
(``.rss``, ``.atom``, ``.xml``: one document per entry), ``http(s)://`` addresses of a page or a
feed, and ``-`` for standard input. Input without a telling suffix is sniffed.

No input can fill the memory or end the run (issue 9): a JSON line, text file, page or feed file
longer than ``max_document_bytes`` (after decompression) is skipped with a problem, read in
bounded pieces and never held whole; a compressed file damaged midway keeps the documents
before the damage and ends with one problem naming the line reached; lone surrogate escapes in
JSON text are replaced by U+FFFD and reported.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

from dateutil import parser as date_parser

from tieline import markup
from tieline.settings import DEFAULTS
from tieline.types import Document, Problem

Source = str | Path
Item = Document | Problem


class ByteStream(Protocol):
    """What the readers need of a binary stream (a file, a GzipFile, standard input)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...

#: What a damaged compressed stream raises while it is read: BadGzipFile (an OSError) for a bad
#: header or checksum, EOFError when cut short, zlib.error for damaged data (issue 9: the last was
#: not caught, and ended the run).
STREAM_ERRORS = (OSError, EOFError, zlib.error)
#: Bytes looked at to tell JSON lines from markup or text in input without a telling suffix.
SNIFF_BYTES = 65_536
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_date(value: object) -> dt.date | None:
    """A publication date from an ISO string (date or timestamp) or a common written form.

    Raises ValueError when the value is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return date_parser.parse(text, fuzzy=False).date()
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"date does not parse: {value!r}") from exc


def _document_from_object(obj: object, path: str, line: int) -> list[Item]:
    if not isinstance(obj, dict):
        return [Problem(path, line, "line is not a JSON object")]
    doc_id = obj.get("id")
    doc_id = str(doc_id) if doc_id not in (None, "") else f"{Path(path).name}:{line}"
    text = obj.get("text")

    def opt(key: str) -> str | None:
        v = obj.get(key)
        return str(v) if v not in (None, "") else None

    fields = {"id": doc_id, "text": text if isinstance(text, str) else None,
              "title": opt("title"), "url": opt("url"), "source": opt("source")}
    # issue 9: json.loads keeps a lone surrogate escape ("\ud800") as a code point that no UTF-8
    # writer (spaCy, DuckDB, the terminal) accepts. The rest of the story is good, so it is read
    # with U+FFFD in its place and reported, as undecodable bytes in a text file are.
    damaged = [name for name, value in fields.items() if value and _LONE_SURROGATE.search(value)]
    fields = {name: _LONE_SURROGATE.sub("\ufffd", value) if value is not None and name in damaged else value
              for name, value in fields.items()}
    doc_id, text = fields["id"] or doc_id, fields["text"]
    items: list[Item] = []
    if damaged:
        items.append(Problem(path, line, f"lone surrogate escapes (\\ud800-\\udfff) in {', '.join(damaged)} "
                                         "replaced by U+FFFD", doc_id))
    if text is None or not text.strip():
        return items + [Problem(path, line, "document has no text", doc_id)]
    try:
        date = parse_date(obj.get("date"))
    except ValueError as exc:
        items.append(Problem(path, line, f"{exc}; coded without a date", doc_id))
        date = None
    items.append(Document(doc_id, text, date, fields["title"], fields["url"], fields["source"], path=path, line=line))
    return items


def _capped_lines(stream: ByteStream, limit: int) -> Iterator[bytes | None]:
    """The lines of a byte stream, with None for a line longer than limit bytes (newline left
    out); such a line is read past in pieces of at most limit bytes and never held whole."""
    while raw := stream.readline(limit + 1):
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw
            continue
        while (rest := stream.readline(limit + 1)) and not rest.endswith(b"\n"):
            pass
        yield None


def read_jsonl(stream: ByteStream, path: str, *, max_line_bytes: int = DEFAULTS["max_document_bytes"]) -> Iterator[Item]:
    """Documents from a JSONL byte stream; bad lines become problems.

    A line longer than ``max_line_bytes`` is skipped with a problem. When the stream breaks
    (a damaged gzip file), the documents before the damage are kept and one problem names the
    line reached.
    """
    seen_any = False
    number = 0
    lines = _capped_lines(stream, max_line_bytes)
    while True:
        try:
            raw = next(lines, b"")
        except STREAM_ERRORS as exc:
            yield Problem(path, number + 1, f"file damaged, the rest of it is skipped: {exc}")
            return
        if raw == b"":  # the end: a line read is never empty
            break
        number += 1
        if raw is None:
            seen_any = True
            yield Problem(path, number, f"longer than {max_line_bytes:,} bytes; skipped")
            continue
        if not raw.strip():
            continue
        seen_any = True
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Problem(path, number, f"invalid UTF-8 at byte {exc.start}")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(path, number, f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        yield from _document_from_object(obj, path, number)
    if not seen_any:
        yield Problem(path, None, "empty file")


def _read_up_to(stream: ByteStream, limit: int) -> bytes:
    """The next limit bytes of a stream (fewer only at its end)."""
    pieces: list[bytes] = []
    size = 0
    while size < limit and (piece := stream.read(limit - size)):
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _read_capped(stream: ByteStream, limit: int) -> bytes | None:
    """All of a stream's bytes, or None when there are more than limit (then only limit + 1 are read)."""
    data = _read_up_to(stream, limit + 1)
    return data if len(data) <= limit else None


class _Prefixed(io.RawIOBase):
    """A stream that gives back bytes already read from it (to sniff the format) and then the rest."""

    def __init__(self, head: bytes, stream: ByteStream) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        read = getattr(self._stream, "read1", self._stream.read)
        data = read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def read_text(data: bytes, path: str, doc_id: str, date: dt.date | None) -> Iterator[Item]:
    """One document from the bytes of a plain-text file."""
    if not data.strip():
        yield Problem(path, None, "empty file", doc_id)
        return
    if b"\x00" in data[:8192]:
        yield Problem(path, None, "binary file, not text", doc_id)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield Problem(path, line, f"invalid UTF-8 at byte {exc.start}; undecodable bytes replaced", doc_id)
        text = data.decode("utf-8", errors="replace")
    yield Document(doc_id, text, date, path=path)


def read_untyped(stream: ByteStream, path: str, doc_id: str, date: dt.date | None, *,
                 follow_links: bool = False, allow_private_links: bool = False,
                 max_document_bytes: int = DEFAULTS["max_document_bytes"]) -> Iterator[Item]:
    """Documents from a byte stream of unknown format: JSON lines (read line by line) when the
    first character is ``{``, a feed or an HTML page when they look like one, else plain text."""
    head = _read_up_to(stream, SNIFF_BYTES)
    whole = io.BufferedReader(_Prefixed(head, stream))
    start = head.lstrip()[:1]
    if start == b"{":
        yield from read_jsonl(whole, path, max_line_bytes=max_document_bytes)
        return
    data = _read_capped(whole, max_document_bytes)
    if data is None:
        yield Problem(path, None, f"longer than {max_document_bytes:,} bytes; skipped", doc_id)
    elif start == b"<" and (markup.looks_like_feed(data) or markup.looks_like_html(data)):
        yield from markup.read_markup(data, path, None, date, follow_links=follow_links,
                                      allow_private_links=allow_private_links)
    else:
        yield from read_text(data, path, doc_id, date)


JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".json.gz")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
READABLE_SUFFIXES = (".txt",) + JSONL_SUFFIXES + HTML_SUFFIXES + FEED_SUFFIXES


def expand_directory(folder: Path) -> list[str]:
    """The readable files under a folder, recursively, in a stable order (hidden files skipped)."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts) \
                and str(path).lower().endswith(READABLE_SUFFIXES):
            out.append(str(path))
    return out


def read_documents(sources: Iterable[Source], *, date: dt.date | None = None,
                   stdin: IO[bytes] | None = None, follow_links: bool = False,
                   allow_private_links: bool = DEFAULTS["allow_private_links"],
                   max_document_bytes: int = DEFAULTS["max_document_bytes"]) -> Iterator[Item]:
    """Documents and problems from files, folders, web addresses and standard input, in order.

    Args:
        sources: paths (``.txt``, ``.jsonl``, ``.jsonl.gz``, ``.html``, ``.rss``, ``.atom``,
            ``.xml``), folders (read recursively), ``http(s)://`` addresses, or ``-`` for
            standard input.
        date: publication date for inputs that carry none of their own.
        stdin: byte stream read for ``-`` (default: the process's standard input).
        follow_links: fetch each feed entry's page and code its main text rather than the
            entry's summary.
        allow_private_links: also fetch links (feed entries, redirects) to private, loopback
            and link-local addresses; by default only public ones (a web address in ``sources``
            is the user's choice and is fetched wherever it points).
        max_document_bytes: longest JSON line, text file, page or feed file read (after
            decompression); a longer one is skipped with a problem.

    Example:
        >>> for item in read_documents(["news/", "https://example.org/rss.xml"], follow_links=True):
        ...     print(item)
    """
    too_long = f"longer than {max_document_bytes:,} bytes; skipped"
    for source in sources:
        name = str(source)
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_untyped(stream, "<stdin>", "stdin", date, follow_links=follow_links,
                                    allow_private_links=allow_private_links, max_document_bytes=max_document_bytes)
            continue
        if markup.is_url(name):
            yield from markup.read_url(name, date, follow_links=follow_links, allow_private_links=allow_private_links)
            continue
        path = Path(name)
        if path.is_dir():
            yield from read_documents(expand_directory(path), date=date, follow_links=follow_links,
                                      allow_private_links=allow_private_links, max_document_bytes=max_document_bytes)
            continue
        if not path.is_file():
            yield Problem(name, None, "no such file")
            continue
        suffixes = "".join(path.suffixes[-2:]).lower()
        suffix = path.suffix.lower()
        try:
            if suffixes.endswith((".jsonl.gz", ".json.gz")):
                with gzip.open(path, "rb") as f:
                    yield from read_jsonl(f, name, max_line_bytes=max_document_bytes)
            elif suffix in (".jsonl", ".ndjson"):
                with path.open("rb") as f:
                    yield from read_jsonl(f, name, max_line_bytes=max_document_bytes)
            elif suffix in (".txt",) + HTML_SUFFIXES + FEED_SUFFIXES:
                with path.open("rb") as f:
                    data = _read_capped(f, max_document_bytes)
                if data is None:
                    yield Problem(name, None, too_long, path.stem if suffix == ".txt" else None)
                elif suffix == ".txt":
                    yield from read_text(data, name, path.stem, date)
                elif suffix in HTML_SUFFIXES:
                    yield from markup.read_html(data, name, None, date)
                else:
                    yield from markup.read_feed(data, name, date, follow_links=follow_links,
                                                allow_private_links=allow_private_links)
            else:  # no telling suffix: sniffed
                with path.open("rb") as f:
                    yield from read_untyped(f, name, path.stem, date, follow_links=follow_links,
                                            allow_private_links=allow_private_links,
                                            max_document_bytes=max_document_bytes)
        except STREAM_ERRORS as exc:
            yield Problem(name, None, f"cannot read file: {exc}")


def _count_lines(stream: ByteStream) -> int:
    """Lines holding more than white space, read in pieces so a long line is never held whole."""
    count, inside = 0, False  # inside: the current line has shown something other than white space
    while True:
        try:
            piece = stream.read(1 << 20)
        except STREAM_ERRORS:  # damaged: the lines before count, and reading the file reports it
            break
        if not piece:
            break
        *ended, last = piece.split(b"\n")
        for part in ended:
            count += inside or bool(part.strip())
            inside = False
        inside = inside or bool(last.strip())
    return count + inside


def count_documents(sources: Iterable[Source]) -> int | None:
    """How many documents the sources hold (lines of JSONL, one per text file), for progress
    reports; None when it cannot be known cheaply (standard input, web addresses, feeds).
    A file damaged midway (a gzip) counts the lines before the damage; reading it reports the
    problem (issue 9: ingest counts first, and a zlib.error here lost every file of the run)."""
    total = 0
    for source in sources:
        name = str(source)
        if name == "-" or markup.is_url(name):
            return None
        path = Path(name)
        files = expand_directory(path) if path.is_dir() else [name]
        for file in files:
            lower = file.lower()
            if lower.endswith(FEED_SUFFIXES):
                return None
            if not lower.endswith(JSONL_SUFFIXES):
                total += 1
                continue
            try:
                with (gzip.open(file, "rb") if lower.endswith(".gz") else open(file, "rb")) as f:
                    total += _count_lines(f)
            except STREAM_ERRORS:
                continue
    return total
