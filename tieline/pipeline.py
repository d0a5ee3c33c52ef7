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
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
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
READ_GROUP = 16  # stories handed to the learned model at once
GROUPS_AHEAD = 2  # groups parsed while the model reads (its thread waits for the GIL now and then)


@dataclass(frozen=True)
class _Step:
    """A story between the event source's preparation and its records: its parse and what the
    source prepared (None for an off-topic story), or its problem."""

    item: ParsedDocument | Problem
    prepared: Any = None


def _groups(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    group: list[Any] = []
    for item in items:
        group.append(item)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group

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
        min_confidence: records less confident than this are not written; None: the event source's
            own floor (the record judge's, see :mod:`tieline.judge`; 0 for the rules alone).
        event_source: where events come from (see :mod:`tieline.sources`): ``rules``, ``model``,
            ``hybrid``, or ``auto`` (hybrid when the learned model is installed).
        model_path: a directory holding another learned model than the one shipped.
        model_threads: threads the learned model may use. With two or more, the model reads the
            sentences of one group of stories in a thread of its own while the next group is
            parsed (with ``model_threads - 1`` ONNX Runtime threads); with one, it reads between
            parses.
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
                 min_confidence: float | None = DEFAULTS["min_confidence"],
                 event_source: str = DEFAULTS["event_source"], model_path: Path | None = None,
                 model_threads: int = DEFAULTS["model_threads"], parse_all: bool = DEFAULTS["parse_all"]) -> None:
        self.nlp = nlp
        self.include_hypothetical, self.include_historical = include_hypothetical, include_historical
        self.lexicon = lexicon or default_lexicon()
        self.batch_size = batch_size
        self.parse_options: dict[str, Any] = {"batch_chars": batch_chars, "segment_chars": segment_chars,
                              "max_document_chars": max_document_chars, "min_english_ratio": min_english_ratio}
        self.actors = ActorFinder(nlp, self.lexicon)
        self.events = EventFinder(self.lexicon, self.actors)
        self.prefilter = None if parse_all else SentenceFilter(nlp, self.lexicon, self.actors.names)
        self.source = make_source(event_source, self.events, model_path, threads=max(1, model_threads - 1))
        self.min_confidence = self.source.floor if min_confidence is None else min_confidence
        # a thread for the model beside the parser: ONNX Runtime releases the GIL while it reads
        self.reader = ThreadPoolExecutor(1, thread_name_prefix="tieline-model") \
            if model_threads > 1 and self.source.name != "rules" else None
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
        parses = parse_documents(self.nlp, items, batch_size=self.batch_size, select=select, **self.parse_options)
        # Stories go through in groups: the event source prepares a group from its parses, its
        # model reads the whole group at once (in the reader thread, while the next group is
        # parsed), then the group's records are made, in input order.
        waiting: deque[tuple[list[_Step], Future[list[Any]] | list[Any]]] = deque()
        for group in _groups(parses, READ_GROUP):
            steps = [self._prepare(item) for item in group]
            ready = [step.prepared for step in steps if step.prepared is not None]
            read: Future[list[Any]] | list[Any] = (self.reader.submit(self._read, ready) if self.reader is not None
                                                   else self._read(ready))
            waiting.append((steps, read))
            if len(waiting) > GROUPS_AHEAD:
                yield from self._finish(*waiting.popleft())
        while waiting:
            yield from self._finish(*waiting.popleft())

    def _prepare(self, item: ParsedDocument | Problem) -> _Step:
        """What the event source reads from one parse (a problem, or nothing for an off-topic story, passes on)."""
        if isinstance(item, Problem):
            return _Step(item)
        try:
            return _Step(item, None if self.off_topic(item) else self.source.prepare(item))
        except Exception as exc:  # any stage may fail on one odd document
            log.debug("document %s failed to code", item.document.id, exc_info=True)
            return _Step(failure(item.document, "could not be coded", exc))

    def _read(self, prepared: list[Any]) -> list[Any | Exception]:
        """The model's reading of a group; when it fails, each story is read alone, so that only
        the one it fails on is lost."""
        try:
            return self.source.read(prepared)
        except Exception:
            out: list[Any | Exception] = []
            for one in prepared:
                try:
                    out.extend(self.source.read([one]))
                except Exception as exc:
                    out.append(exc)
            return out

    def _finish(self, steps: list[_Step], read: Future[list[Any]] | list[Any]) -> Iterator[CodedDocument | Problem]:
        """The group's coded documents and problems, in input order."""
        results = iter(read.result() if isinstance(read, Future) else read)
        for step in steps:
            if isinstance(step.item, Problem):
                yield step.item
                continue
            parsed = step.item
            try:
                prepared = next(results) if step.prepared is not None else None
                if isinstance(prepared, Exception):
                    raise prepared
                records = [] if prepared is None else self.code_events(parsed, self.source.events(parsed, prepared))
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
        if self.off_topic(parsed):
            return []
        return self.code_events(parsed, self.source.find_events(parsed))

    def off_topic(self, parsed: ParsedDocument) -> bool:
        """Whether a story is off the topic of international relations (sport, markets): no records."""
        if parsed.off_topic is not None:  # the first pass read it from the whole text
            return parsed.off_topic
        return document_off_topic((s for seg in parsed.segments for s in seg.doc.sents), self.lexicon.discards)

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
        records = self.source.calibrate(recipients_from_story(records, self.lexicon, home), len(parsed.document.text))
        return [r for r in records if r.confidence >= self.min_confidence]  # on the final confidence

    def story_country(self, parsed: ParsedDocument) -> str | None:
        """The ISO3 code of the country a story is clearly about, or None (see
        :meth:`tieline.coref.DocumentContext.story_country`)."""
        home = self.actors.read_story(parsed)[0].story_country()
        return home.country if home is not None else None
