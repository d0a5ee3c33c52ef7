"""Records passed between the pipeline's stages.

Every stage takes some of these and returns new ones; none is mutated after it is built.
Character offsets (``start``, ``end``) are always offsets in the document's text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy is only needed for type checking here
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Document:
    """A news story to code."""

    id: str
    text: str
    date: dt.date | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = field(default=None, compare=False)  # where it was read from, for messages
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Problem:
    """Input that could not be coded, and why; reported beside the good documents."""

    path: str
    line: int | None
    reason: str
    doc_id: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        ident = f" [{self.doc_id}]" if self.doc_id else ""
        return f"{where}{ident}: {self.reason}"


@dataclass(frozen=True)
class Segment:
    """One parsed stretch of a document: long documents are parsed in several segments."""

    offset: int
    doc: Doc


@dataclass(frozen=True)
class ParsedDocument:
    """A document with its spaCy parses (one per segment)."""

    document: Document
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Actor:
    """Who an actor mention refers to: a country and sector, or an organisation."""

    name: str
    country: str | None
    type: str | None
    abbrev: str | None = None


@dataclass(frozen=True)
class Mention:
    """A stretch of text that names (or refers back to) an actor."""

    text: str
    start: int
    end: int
    actor: Actor
    kind: str  # country, adjective, capital, metonym, organization, leader, person, agent, pronoun, ...


@dataclass(frozen=True)
class Name:
    """A table name matched in a parsed segment: tokens [start, end) and who it names."""

    start: int
    end: int
    kind: str
    actor: Actor


@dataclass(frozen=True)
class Resolution:
    """The result of resolving a noun phrase: one or more mentions (a pair for "the two sides")."""

    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class Trigger:
    """The word (and pattern) that signals an event."""

    text: str
    start: int
    end: int
    lemma: str
    event: str
    mode: str | None
    cameo: str
    rule: str


@dataclass(frozen=True)
class Location:
    name: str
    country: str | None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Event:
    """An event found in one sentence, before its date, place and context are resolved."""

    doc_id: str
    segment: int
    token: int  # index of the trigger token in the segment's Doc
    trigger: Trigger
    actor: Mention | None
    recipient: Mention | None
    sentence: str
    sentence_start: int
    negated: bool = False
    future: bool = False
    hypothetical: bool = False
    historical: bool = False
    confidence: float = 0.5
    sentence_index: int = 0  # ordinal of the sentence in the document
    co_actors: tuple[Mention, ...] = ()  # further parties of a compound actor ("the US and France accused...")
    co_recipients: tuple[Mention, ...] = ()  # further parties of a compound recipient
    unnamed_partner: bool = False  # "talks with the DfID": a partner no table names, so none is implied


@dataclass(frozen=True)
class Attributes:
    """What the attribute resolvers add to an event."""

    date: str | None = None
    date_precision: str | None = None
    location: Location | None = None
    contexts: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    historical: bool = False


@dataclass(frozen=True)
class EventRecord:
    """One output record: an event with its attributes and evidence."""

    doc_id: str
    event_id: str
    event: str
    mode: str | None
    contexts: tuple[str, ...]
    sectors: tuple[str, ...]
    actor: dict[str, Any] | list[dict[str, Any]]  # a list for a compound actor
    recipient: dict[str, Any] | list[dict[str, Any]] | None
    date: str | None
    date_precision: str | None
    location: dict[str, Any] | None
    negated: bool
    future: bool
    hypothetical: bool
    historical: bool
    cameo: str
    quad: int
    score: float
    sentence: str
    trigger: str
    spans: dict[str, Any]  # "sentence", "trigger", "actor", "recipient": [start, end] or None; "co_actors": a list of them
    rule: str
    confidence: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record as the JSON object tieline writes (field order fixed)."""
        out: dict[str, Any] = {
            "doc_id": self.doc_id,
            "event_id": self.event_id,
            "event": self.event,
            "mode": self.mode,
            "contexts": list(self.contexts),
            "sectors": list(self.sectors),
            "actor": self.actor,
            "recipient": self.recipient,
            "date": self.date,
            "date_precision": self.date_precision,
            "location": self.location,
            "negated": self.negated,
            "future": self.future,
            "hypothetical": self.hypothetical,
            "historical": self.historical,
            "cameo": self.cameo,
            "quad": self.quad,
            "score": self.score,
            "sentence": self.sentence,
            "trigger": self.trigger,
            "spans": self.spans,
            "rule": self.rule,
            "confidence": self.confidence,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class CodedDocument:
    """A document with the event records coded from it."""

    document: Document
    records: tuple[EventRecord, ...]


def party_members(party: dict[str, Any] | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The members of a record's party: a compound party is a list, a single one a dict, none None."""
    if party is None:
        return []
    return party if isinstance(party, list) else [party]
