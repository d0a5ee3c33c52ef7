"""Read documents from files and standard input.

``read_documents`` yields a :class:`Document` for every story it can read and a
:class:`Problem` (path, line, reason) for everything it cannot, so one bad line never stops
the rest. Accepted inputs: ``.txt`` (one document, id = file stem), ``.jsonl`` / ``.jsonl.gz``
(one ``{"id", "text", "date", "title"?, "url"?, "source"?}`` object per line), HTML pages
(``.html``, ``.htm``: main text and metadata, see :mod:`tieline.markup`), RSS/Atom feeds
(``.rss``, ``.atom``, ``.xml``: one document per entry), ``http(s)://`` addresses of a page or a
feed, and ``-`` for standard input. Input without a telling suffix is sniffed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator, Union

from dateutil import parser as date_parser

from tieline import markup
from tieline.types import Document, Problem

Source = Union[str, Path]
Item = Union[Document, Problem]


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
    if not isinstance(text, str) or not text.strip():
        return [Problem(path, line, "document has no text", doc_id)]
    items: list[Item] = []
    try:
        date = parse_date(obj.get("date"))
    except ValueError as exc:
        items.append(Problem(path, line, f"{exc}; coded without a date", doc_id))
        date = None
    def opt(key: str) -> str | None:
        v = obj.get(key)
        return str(v) if v not in (None, "") else None
    items.append(Document(doc_id, text, date, opt("title"), opt("url"), opt("source"), path=path, line=line))
    return items


def read_jsonl(stream: IO[bytes], path: str) -> Iterator[Item]:
    """Documents from a JSONL byte stream; bad lines become problems."""
    seen_any = False
    for number, raw in enumerate(stream, 1):
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


def read_untyped(data: bytes, path: str, doc_id: str, date: dt.date | None, *,
                 follow_links: bool = False) -> Iterator[Item]:
    """Documents from bytes of unknown format: JSON lines when the first character is ``{``,
    a feed or an HTML page when they look like one, else plain text."""
    start = data.lstrip()[:1]
    if start == b"{":
        yield from read_jsonl(iter(data.splitlines(keepends=True)), path)  # type: ignore[arg-type]
    elif start == b"<" and (markup.looks_like_feed(data) or markup.looks_like_html(data)):
        yield from markup.read_markup(data, path, None, date, follow_links=follow_links)
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
                   stdin: IO[bytes] | None = None, follow_links: bool = False) -> Iterator[Item]:
    """Documents and problems from files, folders, web addresses and standard input, in order.

    Args:
        sources: paths (``.txt``, ``.jsonl``, ``.jsonl.gz``, ``.html``, ``.rss``, ``.atom``,
            ``.xml``), folders (read recursively), ``http(s)://`` addresses, or ``-`` for
            standard input.
        date: publication date for inputs that carry none of their own.
        stdin: byte stream read for ``-`` (default: the process's standard input).
        follow_links: fetch each feed entry's page and code its main text rather than the
            entry's summary.
    """
    for source in sources:
        name = str(source)
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_untyped(stream.read(), "<stdin>", "stdin", date, follow_links=follow_links)
            continue
        if markup.is_url(name):
            yield from markup.read_url(name, date, follow_links=follow_links)
            continue
        path = Path(name)
        if path.is_dir():
            yield from read_documents(expand_directory(path), date=date, follow_links=follow_links)
            continue
        if not path.is_file():
            yield Problem(name, None, "no such file")
            continue
        suffixes = "".join(path.suffixes[-2:]).lower()
        try:
            if suffixes.endswith(".jsonl.gz") or suffixes.endswith(".json.gz"):
                with gzip.open(path, "rb") as f:
                    yield from read_jsonl(f, name)
            elif path.suffix.lower() in (".jsonl", ".ndjson"):
                with path.open("rb") as f:
                    yield from read_jsonl(f, name)
            elif path.suffix.lower() == ".txt":
                yield from read_text(path.read_bytes(), name, path.stem, date)
            elif path.suffix.lower() in HTML_SUFFIXES:
                yield from markup.read_html(path.read_bytes(), name, None, date)
            elif path.suffix.lower() in FEED_SUFFIXES:
                yield from markup.read_feed(path.read_bytes(), name, date, follow_links=follow_links)
            else:  # no telling suffix: sniffed
                yield from read_untyped(path.read_bytes(), name, path.stem, date, follow_links=follow_links)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield Problem(name, None, f"cannot read file: {exc}")


def count_documents(sources: Iterable[Source]) -> int | None:
    """How many documents the sources hold (lines of JSONL, one per text file), for progress
    reports; None when it cannot be known cheaply (standard input, web addresses, feeds)."""
    total = 0
    for source in sources:
        name = str(source)
        if name == "-" or markup.is_url(name):
            return None
        path = Path(name)
        files = expand_directory(path) if path.is_dir() else [name]
        for file in files:
            lower = file.lower()
            try:
                if lower.endswith((".jsonl.gz", ".json.gz")):
                    with gzip.open(file, "rb") as f:
                        total += sum(1 for line in f if line.strip())
                elif lower.endswith((".jsonl", ".ndjson")):
                    with open(file, "rb") as f:
                        total += sum(1 for line in f if line.strip())
                elif lower.endswith(FEED_SUFFIXES):
                    return None
                else:
                    total += 1
            except (OSError, EOFError, gzip.BadGzipFile):
                continue
    return total
