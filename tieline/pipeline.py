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

from tieline.actors import ActorFinder
from tieline.attributes.places import Gazetteer
from tieline.attributes.resolve import AttributeResolver
from tieline.attributes.topics import document_off_topic, sentence_off_topic
from tieline.events import EventFinder
from tieline.lexicon import Lexicon, default_lexicon
from tieline.parse import failure, parse_documents
from tieline.prefilter import SentenceFilter
from tieline.records import build_record, one_per_act, recipients_from_story
from tieline.settings import DEFAULTS
from tieline.sources import make_source
from tieline.types import (
    CodedDocument,
    Document,
    Event,
    EventRecord,
    ParsedDocument,
    Problem,
)

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
        parse_all: parse every sentence, not only those a first pass finds could hold an event
            (see :mod:`tieline.prefilter`).

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
                 model_threads: int = DEFAULTS["model_threads"], parse_all: bool = DEFAULTS["parse_all"]) -> None:
        self.nlp = nlp
        self.include_hypothetical, self.include_historical = include_hypothetical, include_historical
        self.min_confidence = min_confidence
        self.lexicon = lexicon or default_lexicon()
        self.batch_size = batch_size
        self.parse_options: dict[str, Any] = {"batch_chars": batch_chars, "segment_chars": segment_chars,
                              "max_document_chars": max_document_chars, "min_english_ratio": min_english_ratio}
        self.actors = ActorFinder(nlp, self.lexicon)
        self.events = EventFinder(self.lexicon, self.actors)
        self.prefilter = None if parse_all else SentenceFilter(nlp, self.lexicon, self.actors.names)
        self.source = make_source(event_source, self.events, model_path, threads=model_threads)
        self.gazetteer = Gazetteer(nlp, self.lexicon)
        self.attributes = AttributeResolver(self.lexicon, self.gazetteer)

    def code(self, documents: Iterable[Item]) -> Iterator[EventRecord]:
        """Event records of the documents, in order (problems are dropped; see code_documents)."""
        for item in self.code_documents(documents):
            if isinstance(item, CodedDocument):
                yield from item.records

    def code_documents(self, items: Iterable[Item]) -> Iterator[CodedDocument | Problem]:
        """One CodedDocument per readable document, and every Problem, in input order.

        A document whose coding raises is a Problem naming the exception: one document never
        ends the run (issue 9)."""
        select = self.prefilter.select if self.prefilter is not None else None
        for parsed in parse_documents(self.nlp, items, batch_size=self.batch_size, select=select,
                                      **self.parse_options):
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
        off_topic = parsed.off_topic
        if off_topic is None:  # every sentence was parsed
            off_topic = document_off_topic((s for seg in parsed.segments for s in seg.doc.sents), self.lexicon.discards)
        if off_topic:
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
        attributes = self.attributes.resolve(parsed, events)
        built = (build_record(event, attrs, self.lexicon) for event, attrs in zip(events, attributes))
        records = one_per_act(r for r in built if r is not None
                              and (self.include_hypothetical or not r.hypothetical)
                              and (self.include_historical or not r.historical))
        home = self.story_country(parsed) if any(r.recipient is None for r in records) else None
        records = self.source.calibrate(recipients_from_story(records, self.lexicon, home))
        return [r for r in records if r.confidence >= self.min_confidence]  # on the final confidence

    def story_country(self, parsed: ParsedDocument) -> str | None:
        """The ISO3 code of the country a story is clearly about, or None (see
        :meth:`tieline.coref.DocumentContext.story_country`)."""
        home = self.actors.read_story(parsed)[0].story_country()
        return home.country if home is not None else None
