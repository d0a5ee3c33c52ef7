"""Records passed between the pipeline's stages.

Every stage takes some of these and returns new ones; none is mutated after it is built.
Character offsets (``start``, ``end``) are always offsets in the document's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
    """A document with its spaCy parses (one per segment).

    When a first pass picked the sentences to parse (:mod:`tieline.prefilter`), ``candidates``
    are the character spans of those that could hold an event (the other parsed sentences are
    their context), ``story_countries`` the countries the whole text names, one per name, for
    the story's country, ``story_persons`` the persons of the tables it names (their words and
    actor), for surnames in the sentences parsed, and ``off_topic`` whether the whole text is off
    the topic of international relations. None: every sentence was parsed, and every one is a
    candidate."""

    document: Document
    segments: tuple[Segment, ...]
    candidates: tuple[tuple[int, int], ...] | None = None
    story_countries: tuple[Actor, ...] | None = None
    off_topic: bool | None = None
    story_persons: tuple[tuple[str, Actor], ...] | None = None

    def may_hold_event(self, start: int, end: int) -> bool:
        """Whether the stretch [start, end) of the text overlaps a candidate sentence."""
        return self.candidates is None or any(s < end and start < e for s, e in self.candidates)


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
    admin1: str | None = None  # a town's first-level administrative region (issue 13)
    admin1_code: str | None = None  # its GeoNames key, ISO2.code: "IR.26"
    geonameid: int | None = None  # the town's GeoNames id

    def to_dict(self) -> dict[str, Any]:
        """The record's ``location``: name, country and coordinates, and for a town its region
        and GeoNames id."""
        out: dict[str, Any] = {"name": self.name, "country": self.country, "lat": self.lat, "lon": self.lon}
        if self.geonameid is not None:
            out.update(admin1=self.admin1, admin1_code=self.admin1_code, geonameid=self.geonameid)
        return out


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
class Member:
    """One party of a record as the record names it: the words of the text, and the table's
    name, country, sector type and abbreviation."""

    text: str | None = None
    name: str | None = None
    country: str | None = None
    type: str | None = None
    abbrev: str | None = None
    country_then: str | None = None  # the state of the past it was part of then: SUN, FRG (tieline.states)

    @classmethod
    def of(cls, actor: Actor, text: str | None = None) -> Member:
        return cls(text, actor.name, actor.country, actor.type, actor.abbrev)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Member:
        return cls(value.get("text"), value.get("name"), value.get("country"), value.get("type"), value.get("abbrev"),
                   value.get("country_then"))

    def to_dict(self) -> dict[str, Any]:
        out = {"text": self.text, "name": self.name, "country": self.country, "type": self.type, "abbrev": self.abbrev}
        if self.country_then is not None:  # only for the stories of a state of the past
            out["country_then"] = self.country_then
        return out

    def label(self) -> str:
        """'IRN GOV', 'UN IGO'."""
        return " ".join(v for v in (self.abbrev or self.country or self.name, self.type) if v)

    def key(self) -> tuple[str, str]:
        """What tells two members apart as parties: country and abbreviation."""
        return (self.country or "", self.abbrev or "")


@dataclass(frozen=True)
class Party:
    """An event's actor or recipient: one member, or several for a compound party ("the United
    States and France accused Russia" has a two-member actor). In JSON a single member is an
    object and a compound party a list of them."""

    members: tuple[Member, ...]

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("a party has at least one member")

    @classmethod
    def of(cls, *members: Member) -> Party:
        return cls(tuple(members))

    @classmethod
    def from_json(cls, value: Any) -> Party | None:
        """The party of a record read back from JSON (None for none)."""
        if not value:
            return None
        items = value if isinstance(value, list) else [value]
        return cls(tuple(Member.from_dict(m) for m in items))

    @property
    def first(self) -> Member:
        """The first member: its columns index the event in the store and in flat exports."""
        return self.members[0]

    def to_json(self) -> dict[str, Any] | list[dict[str, Any]]:
        return self.first.to_dict() if len(self.members) == 1 else [m.to_dict() for m in self.members]

    def label(self) -> str:
        """'IRN GOV', or the members' labels joined with ' + '."""
        return " + ".join(m.label() for m in self.members)

    def keys(self) -> tuple[tuple[str, str], ...]:
        """The members' keys, sorted: two records with these and one event and sentence are one act."""
        return tuple(sorted(m.key() for m in self.members))

    def countries(self) -> set[str | None]:
        return {m.country for m in self.members}


@dataclass(frozen=True)
class EventRecord:
    """One output record: an event with its attributes and evidence."""

    doc_id: str
    event_id: str
    event: str
    mode: str | None
    contexts: tuple[str, ...]
    sectors: tuple[str, ...]
    actor: Party
    recipient: Party | None
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

    @property
    def sentence_start(self) -> int:
        """Where the record's evidence sentence starts in the story."""
        start: int = self.spans["sentence"][0]
        return start

    def act(self) -> tuple[Any, ...]:
        """What the record reports: its sentence, event type and parties. Two records of one act
        are one event told twice by the rules' triggers ("shot and wounded")."""
        return (self.sentence_start, self.event, self.actor.keys(),
                self.recipient.keys() if self.recipient is not None else ())

    def to_dict(self) -> dict[str, Any]:
        """The record as the JSON object tieline writes (field order fixed)."""
        out: dict[str, Any] = {
            "doc_id": self.doc_id,
            "event_id": self.event_id,
            "event": self.event,
            "mode": self.mode,
            "contexts": list(self.contexts),
            "sectors": list(self.sectors),
            "actor": self.actor.to_json(),
            "recipient": self.recipient.to_json() if self.recipient is not None else None,
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

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> EventRecord:
        """The record of a JSON object :meth:`to_dict` wrote (keys it does not know go to
        ``extra``), e.g. read back from a Parquet shard (issue 12)."""
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        actor = Party.from_json(value.get("actor"))
        if actor is None:
            raise ValueError(f"record {value.get('event_id')!r} has no actor")
        fields = {k: v for k, v in value.items() if k in known}
        fields.update(contexts=tuple(value.get("contexts") or ()), sectors=tuple(value.get("sectors") or ()),
                      actor=actor, recipient=Party.from_json(value.get("recipient")))
        return cls(**fields, extra={k: v for k, v in value.items() if k not in known})


@dataclass(frozen=True)
class CodedDocument:
    """A document with the event records coded from it."""

    document: Document
    records: tuple[EventRecord, ...]


def party_text(party: dict[str, Any] | list[dict[str, Any]] | None) -> str:
    """A party read from JSON as short text (:meth:`Party.label`); empty for none."""
    found = Party.from_json(party)
    return found.label() if found is not None else ""
