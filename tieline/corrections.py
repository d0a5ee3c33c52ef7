"""Corrections that stick (issue 13): an analyst marks a stored record wrong, or fixes its type,
actor, recipient, date or place, and says why.

A correction is kept in the store's ``corrections`` table, apart from the coded records, with who
made it, when and why. Its values are resolved from the tables when it is made (a party's name,
country and sector; a place's coordinates; a type's CAMEO code, quad class and score), so that
applying it needs no tables: the store applies a document's corrections to its records each time
the document is written again, re-ingested or re-coded by a newer tieline. A correction finds its
record by the record's id, else by the same sentence and trigger words (a coder that resolves a
party differently gives the record another id), else it is left unmatched and listed as such.

A corrected record says so: ``corrected`` is true and ``corrections`` lists what was changed, by
whom and why. A record marked wrong leaves the events every query, page, analysis and export
reads; ``tieline corrections`` lists it, and :func:`label_lines` turns corrections into labelled
examples in the annotated corpus's format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tieline.errors import CorrectionError
from tieline.lexicon import EVENT_TYPES, SECTOR_CODES, Lexicon
from tieline.partial_date import PRECISION, check_partial_date
from tieline.records import plover_score, quad_class
from tieline.types import EventRecord

FIELDS = ("event", "actor", "recipient", "date", "place")
NO_RECIPIENT = "none"  # --recipient none: the record has no recipient
# the record values a correction of each field sets, by the field's name
FIELD_OF = {"event": "event", "mode": "event", "cameo": "event", "quad": "event", "score": "event",
            "actor": "actor", "recipient": "recipient", "date": "date", "date_precision": "date", "location": "place"}


@dataclass(frozen=True)
class Correction:
    """What an analyst says about one stored record: that it is wrong, or the values to put in
    place of the coder's (each None when unchanged). ``actor`` and ``recipient`` are party keys
    or names, optionally with a sector type (``"IRN GOV"``); ``date`` is YYYY, YYYY-MM or
    YYYY-MM-DD; ``place`` a place or country name of the gazetteer."""

    event_id: str
    why: str
    wrong: bool = False
    event: str | None = None
    actor: str | None = None
    recipient: str | None = None
    date: str | None = None
    place: str | None = None
    who: str | None = None

    def fields(self) -> list[str]:
        """The fields this correction changes."""
        return [name for name in FIELDS if getattr(self, name) is not None]


def resolve(correction: Correction, lexicon: Lexicon, party_key: Callable[[str], str]) -> dict[str, Any]:
    """The record values ``correction`` sets, resolved from the tables (``party_key`` turns a
    key or name into a known key, raising for an unknown one).

    Raises:
        CorrectionError: no reason given, nothing to change, both wrong and changes, or a value
            the tables do not know.
    """
    if not correction.why.strip():
        raise CorrectionError("a correction needs a reason (--why): it is kept for whoever reads the record next")
    if correction.wrong and correction.fields():
        raise CorrectionError("a record marked wrong takes no other changes; mark it wrong, or fix its fields")
    if not correction.wrong and not correction.fields():
        raise CorrectionError("nothing to correct: mark the record wrong, or give a type, actor, recipient, date "
                              "or place")
    changes: dict[str, Any] = {}
    if correction.event is not None:
        event = correction.event.strip().upper()
        if event not in EVENT_TYPES:
            raise CorrectionError(f"unknown event type {correction.event!r}; one of {', '.join(EVENT_TYPES)}")
        cameo = lexicon.event_types[event].cameo
        changes.update(event=event, mode=None, cameo=cameo, quad=quad_class(cameo),
                       score=plover_score(lexicon, event, None))
    if correction.actor is not None:
        if correction.actor.strip().lower() == NO_RECIPIENT:
            raise CorrectionError("every record has an actor; give a country or organisation")
        changes["actor"] = member(correction.actor, lexicon, party_key)
    if correction.recipient is not None:
        none = correction.recipient.strip().lower() == NO_RECIPIENT
        changes["recipient"] = None if none else member(correction.recipient, lexicon, party_key)
    if correction.date is not None:
        try:
            date = check_partial_date(correction.date.strip())
        except ValueError as exc:
            raise CorrectionError(f"date {correction.date!r}: {exc}") from exc
        changes.update(date=date, date_precision=PRECISION[len(date)])
    if correction.place is not None:
        changes["location"] = location(correction.place, lexicon)
    return changes


def member(text: str, lexicon: Lexicon, party_key: Callable[[str], str]) -> dict[str, Any]:
    """A record's party member for ``"IRN"``, ``"Iran"``, ``"UN"`` or ``"IRN GOV"`` (key or name,
    then an optional sector type)."""
    words = text.split()
    sector = words[-1].upper() if len(words) > 1 and words[-1].upper() in SECTOR_CODES else None
    name = " ".join(words[:-1]) if sector else text.strip()
    key = party_key(name)
    country = lexicon.countries_by_iso3.get(key)
    if country is not None:
        return {"text": None, "name": country.name, "country": key, "type": sector or "GOV", "abbrev": None}
    for org in lexicon.organizations:
        if org.abbrev.upper() == key.upper():
            return {"text": None, "name": org.name, "country": org.country, "type": sector or org.type,
                    "abbrev": org.abbrev}
    return {"text": None, "name": key, "country": None, "type": sector, "abbrev": key}  # a user's own actor


def location(name: str, lexicon: Lexicon) -> dict[str, Any]:
    """A record's location for a place or country name: the most populous place of that name,
    else the country."""
    wanted = " ".join(name.split()).casefold()
    places = [p for p in lexicon.places if p.name.casefold() == wanted]
    if places:
        return lexicon.location_of(max(places, key=lambda p: p.population)).to_dict()
    for country in lexicon.countries:
        if wanted in (n.casefold() for n in (country.name, country.iso3, *country.aliases)):
            return {"name": country.name, "country": country.iso3, "lat": None, "lon": None}
    raise CorrectionError(f"no place {name!r} in the gazetteer (tieline/data/places.csv) or the country table")


@dataclass(frozen=True)
class StoredCorrection:
    """A row of the store's ``corrections`` table."""

    correction_id: int
    event_id: str
    doc_id: str
    sentence: str
    trigger: str
    original_event: str
    wrong: bool
    changes: dict[str, Any]
    why: str
    who: str | None
    at: dt.datetime

    def fields(self) -> list[str]:
        """The fields corrected (``event``, ``actor``, ``recipient``, ``date``, ``place``), or ``["wrong"]``."""
        return ["wrong"] if self.wrong else sorted({FIELD_OF.get(name, name) for name in self.changes})

    def summary(self, original: Mapping[str, Any], applied_to: str | None) -> dict[str, Any]:
        """The correction as listings show it (``tieline corrections``, the corrections page and
        API): what the record was, what changed, why, and the record it applies to (None: none)."""
        return {"id": self.correction_id, "at": self.at.isoformat(timespec="seconds"), "who": self.who,
                "event_id": self.event_id, "doc_id": self.doc_id, "was": original.get("event"),
                "sentence": original.get("sentence"), "fields": self.fields(), "why": self.why,
                "applies_to": applied_to, "wrong": self.wrong}

    def note(self) -> dict[str, Any]:
        """What the corrected record lists under ``corrections``."""
        return {"id": self.correction_id, "fields": self.fields(),
                "why": self.why, "who": self.who, "at": self.at.isoformat(timespec="seconds")}


def corrected(record: Mapping[str, Any], corrections: Iterable[StoredCorrection]) -> dict[str, Any] | None:
    """``record`` with ``corrections`` applied in order, or None when one marks it wrong."""
    out = dict(record)
    notes = list(out.get("corrections") or [])
    for c in corrections:
        if c.wrong:
            return None
        for name, value in c.changes.items():
            if name in ("actor", "recipient") and isinstance(value, dict) and value.get("text") is None:
                before = out.get(name)
                first = before[0] if isinstance(before, list) and before else before
                value = {**value, "text": first.get("text") if isinstance(first, dict) else None}  # the same words
            out[name] = value
        notes.append(c.note())
    out["corrected"] = True
    out["corrections"] = notes
    return out


def match(corrections: Sequence[StoredCorrection],
          records: Sequence[EventRecord]) -> tuple[dict[int, list[StoredCorrection]], list[StoredCorrection]]:
    """Which of a document's records each of its corrections applies to: {record index: its
    corrections, in order}, and the corrections that match no record. A correction matches the
    record with its id, else the one of its sentence, trigger words and original type, else of
    its sentence and trigger words."""
    by_id = {r.event_id: n for n, r in enumerate(records)}
    by_words: dict[tuple[str, str, str], int] = {}
    by_place: dict[tuple[str, str], int] = {}
    for i, r in enumerate(records):
        by_words.setdefault((r.sentence, r.trigger, r.event), i)
        by_place.setdefault((r.sentence, r.trigger), i)
    applied: dict[int, list[StoredCorrection]] = {}
    unmatched: list[StoredCorrection] = []
    for c in corrections:
        n: int | None = by_id.get(c.event_id)
        if n is None:
            n = by_words.get((c.sentence, c.trigger, c.original_event), by_place.get((c.sentence, c.trigger)))
        if n is None:
            unmatched.append(c)
        else:
            applied.setdefault(n, []).append(c)
    return applied, unmatched


def label_lines(rows: Iterable[tuple[StoredCorrection, Mapping[str, Any], Mapping[str, Any]]],
                text_sha1: Callable[[str], str | None], symmetric: Collection[str] = ()) -> list[dict[str, Any]]:
    """Corrections as labelled examples in the annotated corpus's format (``corpus/README.md``),
    one line per document: ``rows`` holds each correction with the record it was made on and
    the record it gave (its original for one marked wrong). A corrected record becomes an event
    with its evidence offsets; one marked wrong becomes a ``not_events`` entry (what the coder
    must not write). The lines are ``partial``: only the corrected records of a story were read.
    ``symmetric``: the event types whose parties may be named either way (meetings)."""
    stories: dict[str, dict[str, Any]] = {}
    events: dict[str, dict[str, dict[str, Any]]] = {}  # per story: its corrected events by record id
    for c, before, after in rows:
        story = stories.setdefault(c.doc_id, {"file": "store", "id": c.doc_id, "text_sha1": text_sha1(c.doc_id),
                                              "annotator": f"correction:{c.who or 'unknown'}", "partial": True,
                                              "events": [], "not_events": []})
        spans = after.get("spans") or before.get("spans") or {}
        evidence = {"sentence": spans.get("sentence"), "trigger": [spans["trigger"]] if spans.get("trigger") else [],
                    "note": c.why}
        if c.wrong:
            story["not_events"].append({"event": before["event"], **evidence})
            continue
        mine = events.setdefault(c.doc_id, {})
        mine.pop(c.event_id, None)  # a later correction of a record replaces, and follows, the earlier
        mine[c.event_id] = {
            "event": after["event"], "mode": after.get("mode"), "alt": [],
            "actor": _keys(after.get("actor")), "recipient": _keys(after.get("recipient")) or [None],
            "symmetric": after["event"] in symmetric, "optional": False, "date": after.get("date"),
            "location": (after.get("location") or {}).get("name"), **evidence,
            # a corrected party keeps the words that name it: the analyst resolved them anew
            "actor_mentions": [spans["actor"]] if spans.get("actor") else [],
            "recipient_mentions": [spans["recipient"]] if spans.get("recipient") and after.get("recipient") else []}
    for doc_id, story in stories.items():
        story["events"] = list(events.get(doc_id, {}).values())
    return list(stories.values())


def _keys(party: Any) -> list[str | None]:
    """A party's keys as the corpus writes them: each member's country, else its abbreviation."""
    if not party:
        return []
    members = party if isinstance(party, list) else [party]
    return [m.get("country") or m.get("abbrev") or m.get("name") for m in members]
