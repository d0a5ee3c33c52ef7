"""Documents from markup: HTML pages and RSS/Atom feeds, from files or URLs.

Main text and metadata of a page come from trafilatura (boilerplate such as menus, footers
and comments is left out); feeds are parsed by feedparser. Both are maintained libraries:
hand-written tag stripping breaks on the first unusual page. Web addresses are fetched by
:mod:`tieline.fetch`, which fetches a feed's links only over http(s) and from public addresses.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import PurePath

from tieline.fetch import fetch
from tieline.types import Document, Problem

Item = Document | Problem

_FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")
_BLOCK_TAGS = frozenset("p br div li h1 h2 h3 h4 h5 h6 blockquote tr pre section article".split())
# A numeric character reference, with or without its semicolon (feedparser's loose parser takes both).
_CHARACTER_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]+|[0-9]+)")


def is_url(name: str) -> bool:
    return name.lower().startswith(("http://", "https://"))


def looks_like_feed(data: bytes) -> bool:
    """Whether bytes are an RSS or Atom document (judged on the first few kilobytes)."""
    head = data[:4096].lower()
    return any(marker in head for marker in _FEED_MARKERS)


def looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<head" in head


def replace_bad_character_references(data: bytes) -> tuple[bytes, int]:
    """Markup with every numeric character reference to no character (a lone surrogate such as
    ``&#xD800;``, or past U+10FFFF) turned into ``&#xFFFD;``, and how many there were.

    issue 9: feedparser calls ``chr()`` on such references and raises, which ended the run.
    """
    count = 0

    def swap(match: re.Match[bytes]) -> bytes:
        nonlocal count
        digits = match.group(1)
        value = int(digits[1:], 16) if digits[:1] in b"xX" else int(digits)
        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            count += 1
            return b"&#xFFFD"
        return match.group(0)

    return _CHARACTER_REFERENCE.sub(swap, data), count


def _metadata_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def read_html(data: bytes, path: str, doc_id: str | None, date: dt.date | None,
              url: str | None = None) -> Iterator[Item]:
    """One document from an HTML page: its main text, title, URL, site name and date.

    The page's own publication date wins over ``date``. When ``doc_id`` is None the id is the
    page's canonical URL (or the URL it was fetched from), else the file's stem, as for text files.
    """
    import trafilatura  # imported here: lxml and its friends load only when HTML is read

    if not data.strip():
        yield Problem(path, None, "empty file", doc_id)
        return
    extracted = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        yield Problem(path, None, "no article text found in the HTML page", doc_id)
        return
    # trafilatura puts each block (heading, paragraph) on a line; a blank line between blocks
    # keeps a heading out of the sentence after it.
    text = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    page_url = getattr(extracted, "url", None) or url
    source = getattr(extracted, "sitename", None) or getattr(extracted, "hostname", None)
    yield Document(
        doc_id or page_url or PurePath(path).stem, text, _metadata_date(getattr(extracted, "date", None)) or date,
        getattr(extracted, "title", None) or None, page_url, source or None, path=path,
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's summary), with block elements on their own lines."""
    import lxml.html
    from lxml.etree import ParserError

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return fragment.strip()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _entry_date(entry: dict, fallback: dt.date | None) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return fallback


def read_feed(data: bytes, path: str, date: dt.date | None = None, *,
              follow_links: bool = False, allow_private_links: bool = False) -> Iterator[Item]:
    """One document per feed entry, with the entry's title, link, date and the feed's title as source.

    The text is the entry's full content when the feed carries it, else its summary. With
    ``follow_links`` each entry's page is fetched and its main text used instead, which is what
    feeds that carry only a teaser need. A link is fetched only over http(s) and only from a
    public address unless ``allow_private_links`` (see :mod:`tieline.fetch`); a link refused or
    failing is a problem for its entry, which is then coded from the feed's summary.
    """
    import feedparser

    data, replaced = replace_bad_character_references(data)
    if replaced:
        yield Problem(path, None, f"{replaced} character references to no character (such as &#xD800;) "
                                  "replaced by U+FFFD")
    try:
        feed = feedparser.parse(data)
    except (ValueError, OverflowError) as exc:  # a reference feedparser cannot convert that we did not foresee
        yield Problem(path, None, f"feed cannot be parsed: {exc}")
        return
    if not feed.get("version") and not feed.entries:
        reason = "not an RSS or Atom feed"
        if feed.get("bozo") and feed.get("bozo_exception") is not None:
            reason += f" ({feed['bozo_exception']})"
        yield Problem(path, None, reason)
        return
    source = feed.feed.get("title") or None
    if not feed.entries:
        yield Problem(path, None, "feed has no entries")
        return
    for number, entry in enumerate(feed.entries, 1):
        link = entry.get("link") or None
        doc_id = entry.get("id") or link or f"{path}#{number}"
        title = html_to_text(entry.get("title", "")) or None
        entry_date = _entry_date(entry, date)
        if follow_links and link:
            try:
                body, final_url = fetch(link, allow_private=allow_private_links)
            except OSError as exc:
                yield Problem(path, None, f"entry {number}, link {link}: {exc}; coded from the feed's summary", doc_id)
            else:
                pages = list(read_html(body, link, doc_id, entry_date, url=final_url))
                page = pages[0] if pages else None
                if isinstance(page, Document):
                    yield Document(doc_id, page.text, entry_date or page.date, title or page.title, link,
                                   source or page.source, path=path)
                    continue
                if isinstance(page, Problem):
                    yield Problem(path, None, f"entry {number}, link {link}: {page.reason}; coded from the feed's "
                                  "summary", doc_id)
        contents = entry.get("content") or []
        body_html = max((c.get("value", "") for c in contents), key=len, default="") or entry.get("summary", "")
        text = html_to_text(body_html)
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}" if text else title
        if not text.strip():
            yield Problem(path, None, f"entry {number} has no text", doc_id)
            continue
        yield Document(doc_id, text, entry_date, title, link, source, path=path)


def read_markup(data: bytes, path: str, doc_id: str | None, date: dt.date | None, *,
                url: str | None = None, follow_links: bool = False,
                allow_private_links: bool = False) -> Iterator[Item]:
    """Documents from bytes known to be markup: a feed when it looks like one, else an HTML page."""
    if looks_like_feed(data):
        yield from read_feed(data, path, date, follow_links=follow_links, allow_private_links=allow_private_links)
    else:
        yield from read_html(data, path, doc_id, date, url=url)


def read_url(url: str, date: dt.date | None = None, *, follow_links: bool = False,
             allow_private_links: bool = False) -> Iterator[Item]:
    """Documents from a web address: every entry of a feed, or the article of a page.

    The address is the user's choice, so it may be local; its redirects may stay on its host,
    and elsewhere, like a feed's links, must be public unless ``allow_private_links``.
    """
    try:
        body, final_url = fetch(url, user_chosen=True, allow_private=allow_private_links)
    except OSError as exc:
        yield Problem(url, None, str(exc))
        return
    yield from read_markup(body, url, None, date, url=final_url, follow_links=follow_links,
                           allow_private_links=allow_private_links)
