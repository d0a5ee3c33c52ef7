"""The coder: tieline's stages in order.

    read (tieline.read) -> parse (tieline.parse) -> actors and events (tieline.actors,
    tieline.coref, tieline.events) -> attributes (tieline.attributes) -> records (tieline.records)

No stage calls the next; :class:`Coder` passes each stage's output to the following one.

Example::

    from tieline import Coder, Document, load_nlp
    coder = Coder(load_nlp())
    for record in coder.code([Document("d1", "Iran and Armenia signed a treaty on Monday.")]):
        print(record.to_dict())
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Span

from tieline.actors import ActorFinder
from tieline.attributes.contexts import find_terms, top_contexts
from tieline.attributes.dates import date_phrases, resolve_date
from tieline.attributes.places import Gazetteer, resolve_location
from tieline.attributes.topics import document_off_topic, sentence_off_topic
from tieline.events import EventFinder
from tieline.lexicon import Lexicon, default_lexicon
from tieline.parse import dateline_place, failure, parse_documents
from tieline.records import build_record, recipients_from_story
from tieline.settings import DEFAULTS
from tieline.sources import make_source
from tieline.types import (
    Attributes,
    CodedDocument,
    Document,
    Event,
    EventRecord,
    Location,
    ParsedDocument,
    Problem,
    party_members,
)

# An event that ended over a month before its story is told as background: the news of it was
# coded (or missed) then, and coding it again would date old news as new.
HISTORICAL_DAYS = 31
SEAT_SECTORS = frozenset({"GOV", "LEG", "JUD"})
SEAT_TYPES = frozenset({"ACCUSE", "REQUEST", "REJECT", "THREATEN", "SUPPORT", "SANCTION", "COERCE", "CONCEDE"})
CARRY_SENTENCES = 3  # an undated / unplaced event takes the previous event's date / place this close

Item = Document | Problem

log = logging.getLogger("tieline.pipeline")


class Coder:
    """Codes documents into event records.

    Args:
        nlp: a loaded spaCy English pipeline (see :func:`tieline.parse.load_nlp`).
        lexicon: data tables; default the built-in ones.
        batch_size: documents (segments) per ``nlp.pipe`` batch, at most.
        batch_chars, segment_chars, max_document_chars, min_english_ratio: see :mod:`tieline.settings`.
        include_hypothetical, include_historical: also write events the story only supposes, or
            tells as background from over a month before (flagged); by default a record is written
            for what the story reports as happening, planned or denied (negated).
        min_confidence: records less confident than this are not written.
        event_source: where events come from (see :mod:`tieline.sources`): ``rules``, ``model``,
            ``hybrid``, or ``auto`` (hybrid when the learned model is installed).
        model_path: a directory holding another learned model than the one shipped.
        model_threads: threads the learned model may use.

    Raises:
        ModelError: the learned model was asked for and cannot be loaded.
    """

    def __init__(self, nlp: Language, *, lexicon: Lexicon | None = None,
                 batch_size: int = DEFAULTS["batch_size"], batch_chars: int = DEFAULTS["batch_chars"],
                 segment_chars: int = DEFAULTS["segment_chars"],
                 max_document_chars: int = DEFAULTS["max_document_chars"],
                 min_english_ratio: float = DEFAULTS["min_english_ratio"],
                 include_hypothetical: bool = DEFAULTS["include_hypothetical"],
                 include_historical: bool = DEFAULTS["include_historical"],
                 min_confidence: float = DEFAULTS["min_confidence"],
                 event_source: str = DEFAULTS["event_source"], model_path: Path | None = None,
                 model_threads: int = DEFAULTS["model_threads"]) -> None:
        self.nlp = nlp
        self.include_hypothetical, self.include_historical = include_hypothetical, include_historical
        self.min_confidence = min_confidence
        self.lexicon = lexicon or default_lexicon()
        self.batch_size = batch_size
        self.parse_options: dict[str, Any] = {"batch_chars": batch_chars, "segment_chars": segment_chars,
                              "max_document_chars": max_document_chars, "min_english_ratio": min_english_ratio}
        self.actors = ActorFinder(nlp, self.lexicon)
        self.events = EventFinder(self.lexicon, self.actors)
        self.source = make_source(event_source, self.events, model_path, threads=model_threads)
        self.gazetteer = Gazetteer(nlp, self.lexicon)

    def code(self, documents: Iterable[Item]) -> Iterator[EventRecord]:
        """Event records of the documents, in order (problems are dropped; see code_documents)."""
        for item in self.code_documents(documents):
            if isinstance(item, CodedDocument):
                yield from item.records

    def code_documents(self, items: Iterable[Item]) -> Iterator[CodedDocument | Problem]:
        """One CodedDocument per readable document, and every Problem, in input order.

        A document whose coding raises is a Problem naming the exception: one document never
        ends the run (issue 9)."""
        for parsed in parse_documents(self.nlp, items, batch_size=self.batch_size, **self.parse_options):
            if isinstance(parsed, Problem):
                yield parsed
                continue
            try:
                records = self.code_parsed(parsed)
            except Exception as exc:  # any stage may fail on one odd document
                log.debug("document %s failed to code", parsed.document.id, exc_info=True)
                yield failure(parsed.document, "could not be coded", exc)
                continue
            yield CodedDocument(parsed.document, tuple(records))

    def code_text(self, text: str, *, date: dt.date | None = None, doc_id: str = "text") -> list[EventRecord]:
        """Event records of one text."""
        return list(self.code([Document(doc_id, text, date)]))

    def code_parsed(self, parsed: ParsedDocument) -> list[EventRecord]:
        """The records of a parsed document: its events from the event source, then their attributes."""
        sentences = [s for seg in parsed.segments for s in seg.doc.sents]
        if document_off_topic(sentences, self.lexicon.discards):
            return []
        return self.code_events(parsed, self.source.find_events(parsed))

    def code_events(self, parsed: ParsedDocument, found: Iterable[Event]) -> list[EventRecord]:
        """The records of events found in a parsed document: sentences off the topic of
        international relations are dropped, attributes resolved, one record kept per act."""
        discards = self.lexicon.discards
        off_topic: dict[tuple[int, int], bool] = {}  # by segment and sentence start: once a sentence
        events: list[Event] = []
        for event in found:
            sent = parsed.segments[event.segment].doc[event.token].sent
            where = (event.segment, sent.start)
            if where not in off_topic:
                off_topic[where] = sentence_off_topic(sent, discards)
            if not off_topic[where]:
                events.append(event)
        attributes = self.resolve_attributes(parsed, events)
        records: list[EventRecord] = []
        seen: set[tuple] = set()
        for event, attrs in zip(events, attributes):
            record = build_record(event, attrs, self.lexicon)
            if record is None or (record.hypothetical and not self.include_hypothetical) \
                    or (record.historical and not self.include_historical):
                continue
            # one record per act: "shot and wounded two soldiers" is one assault, not two
            key = (record.spans["sentence"][0], record.event, _parties(record.actor), _parties(record.recipient))
            if key in seen:
                continue
            seen.add(key)
            records.append(record)
        home = self.story_country(parsed) if any(r.recipient is None for r in records) else None
        records = self.source.calibrate(recipients_from_story(records, self.lexicon, home))
        return [r for r in records if r.confidence >= self.min_confidence]  # on the final confidence

    def story_country(self, parsed: ParsedDocument) -> str | None:
        """The ISO3 code of the country a story is clearly about, or None (see
        :meth:`tieline.coref.DocumentContext.story_country`)."""
        home = self.actors.read_story(parsed)[0].story_country()
        return home.country if home is not None else None

    def resolve_attributes(self, parsed: ParsedDocument, events: list[Event]) -> list[Attributes]:
        """Date, place, contexts and fields of each event (in document order)."""
        if not events:
            return []
        published = parsed.document.date
        # What each sentence says is found once, not once per event: a run-on sentence with
        # thousands of events cost the square of its length (issue 9).
        sentence_contexts = {(n, sent.start): find_terms(sent, self.lexicon.contexts)
                             for n, seg in enumerate(parsed.segments) for sent in seg.doc.sents}
        doc_contexts = top_contexts(sentence_contexts.values())
        said_in: dict[tuple[int, int], tuple[list[Span], tuple[str, ...]]] = {}  # date phrases and fields
        out: list[Attributes] = []
        last: tuple[int, str | None, str | None, Location | None] | None = None  # sentence, date, precision, place
        dateline = self.gazetteer.lookup(dateline_place(parsed.document.text) or "")
        for event in events:
            doc = parsed.segments[event.segment].doc
            token = doc[event.token]
            sent_index = event.sentence_index
            key = (event.segment, token.sent.start)
            if key not in said_in:
                said_in[key] = (date_phrases(token.sent), tuple(find_terms(token.sent, self.lexicon.fields)))
            phrases, sectors = said_in[key]
            resolved = resolve_date(token, published, future=event.future, phrases=phrases)
            if resolved is not None and published is not None and event.future and event.trigger.event == "AGREE" \
                    and resolved.value > published:
                resolved = None  # "agreed to visit next month": the agreement is dated, not the visit
            date: str | None
            precision: str | None
            if resolved is not None:
                date, precision = resolved.text(), resolved.precision
            elif last is not None and last[1] and self._near(parsed, last[0], event):
                date, precision = last[1], last[2]
            elif published is not None:
                date, precision = published.isoformat(), "day"
            else:
                date, precision = None, None
            exclude = self._party_tokens(doc, event, parsed.segments[event.segment].offset)
            location = resolve_location(token, self.gazetteer, exclude)
            near_place = last[3] if last is not None and last[3] is not None and self._near(parsed, last[0], event) \
                else None
            if near_place is not None and (location is None or (event.future and event.trigger.event == "AGREE")):
                location = near_place  # an undertaking is made where the story is, not where it will happen
            if location is None:
                location = dateline or self._seat_of(event)
            contexts = sentence_contexts[key] + [c for c in doc_contexts if c not in sentence_contexts[key]]
            historical = bool(resolved and published and (published - resolved.last_day()).days > HISTORICAL_DAYS)
            out.append(Attributes(date, precision, location, tuple(contexts), sectors, historical))
            last = (sent_index, date, precision, location)
        return out

    def _seat_of(self, event: Event) -> Location | None:
        """A state's own act or statement with no place named happens at home: the country, with
        its capital's coordinates."""
        if event.actor is None or event.actor.actor.type not in SEAT_SECTORS or event.trigger.event not in SEAT_TYPES:
            return None
        country = self.lexicon.countries_by_iso3.get(event.actor.actor.country or "")
        if country is None:
            return None
        return Location(country.name, country.iso3, country.lat, country.lon)

    @staticmethod
    def _near(parsed: ParsedDocument, previous_sentence: int, event: Event) -> bool:
        return event.sentence_index - previous_sentence <= CARRY_SENTENCES

    def _party_tokens(self, doc, event: Event, offset: int) -> set[int]:
        visited = event.trigger.event == "CONSULT" or self.lexicon.event_types[event.trigger.event].placed
        out: set[int] = set()
        for mention in (event.actor, event.recipient):
            if mention is None or mention.start < 0:
                continue
            if mention.kind == "capital" and visited:
                continue  # "visited Tashkent", "shelled Kyiv": the capital is also the place
            # otherwise a capital names its government: "Beijing warned Washington" is not in Washington
            span = doc.char_span(mention.start - offset, mention.end - offset, alignment_mode="expand")
            if span is None:
                continue
            tokens = set(range(span.start, span.end))
            if visited:  # "protesters in Tbilisi marched": where the party is, the event is
                for tok in span:
                    if tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_PREPOSITIONS and tok.head.i in tokens:
                        tokens -= {t.i for t in tok.subtree}
            out.update(tokens)
        return out


LOCATIVE_PREPOSITIONS = frozenset({"in", "at", "near", "outside", "inside"})


def _parties(party: dict | list | None) -> tuple:
    """Who a party is, for telling records of one act apart: countries or organisations."""
    return tuple(sorted((m.get("country") or "", m.get("abbrev") or "") for m in party_members(party)))
