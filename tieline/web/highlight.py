"""Story text as HTML with the evidence of events marked: trigger, actor and recipient spans."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

ROLES = ("trigger", "actor", "recipient")


def spans_of(records: Iterable[dict[str, Any]]) -> list[tuple[int, int, str, str]]:
    """(start, end, role, title) of every trigger, actor and recipient span of the records."""
    out = []
    for record in records:
        spans = record.get("spans") or {}
        for role in ROLES:
            span = spans.get(role)
            if span and len(span) == 2 and span[0] < span[1]:
                out.append((int(span[0]), int(span[1]), role, f"{record.get('event')}: {role}"))
    return out


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> Markup:
    """Escaped text with ``<mark class="ROLE">`` around each span. Where spans overlap the
    earlier (then the longer) one wins, so the markup stays well nested."""
    kept: list[tuple[int, int, str, str]] = []
    for start, end, role, title in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        start, end = max(0, start), min(len(text), end)
        if start >= end or (kept and start < kept[-1][1]):
            continue
        kept.append((start, end, role, title))
    parts: list[str] = []
    position = 0
    for start, end, role, title in kept:
        parts.append(str(escape(text[position:start])))
        parts.append(f'<mark class="{role}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))
