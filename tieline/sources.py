"""Where events come from: the events stage's seam.

Every source turns a parsed document into :class:`~tieline.types.Event` objects, which the
attributes and records stages take from there; the setting ``event_source`` picks one:

* ``rules``: :class:`RuleSource`, the trigger tables and the dependency tree
  (:mod:`tieline.events`) alone;
* ``model``: :class:`ModelSource`, the learned pair classifier (:mod:`tieline.model`) over the
  actor mentions the rules find (:mod:`tieline.learned`), alone;
* ``hybrid``: :class:`ModelSource` with the rules: the model judges every rule event whose pair
  it can read (dropping those it is sure report nothing) and adds the events the rules missed;
* ``auto``: hybrid when the learned model is installed, else rules.

The rules keep the jobs they are good at in every source: finding actors and resolving them to
keys, and, for a model event, the trigger word that negation, modality, date and place are read
from. ``rule`` on a record says what fired: a trigger row, ``model``, or both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from spacy.tokens import Doc, Span, Token

from tieline.attributes.modality import is_future, is_hypothetical, is_negated
from tieline.events import EventFinder, Found
from tieline.judge import (  # noqa: F401  (who wrote a record: also read from here)
    BOTH,
    INFERRED_PARTY_MARKS,
    MODEL,
    RULES,
    RULES_UNJUDGED,
    RecordJudge,
    load_judge,
    record_source,
)
from tieline.learned import NONE_LABEL, SentenceMentions, candidate_pairs, find_sentence_mentions, render_sentence
from tieline.lexicon import Lexicon
from tieline.model import PairModel, model_available
from tieline.settings import EVENT_SOURCES
from tieline.types import Event, EventRecord, Mention, ParsedDocument, Trigger

VERB_POS = frozenset({"VERB", "AUX"})


def calibration_key(rule: str) -> tuple[str, float | None]:
    """The calibration table a record is read in, and the model's probability: its source, with
    ``+inferred`` when a party was not named in its sentence but inferred (those are right less
    often)."""
    source, probability = record_source(rule)
    return (f"{source}+inferred" if any(mark in rule for mark in INFERRED_PARTY_MARKS) else source), probability


PartyKey = tuple[str | None, str | None, str | None]


Prepared = Any  # what a source reads from a parse before its model reads (its own type per source)


class EventSource(Protocol):
    """A parsed document in, its events out (in text order), in three steps so that a learned
    model can read many documents at once, in a thread beside the parser:
    :meth:`prepare` (all that needs the parse), :meth:`read` (the model's reading: no spaCy
    object touched, the GIL released), :meth:`events`. :meth:`find_events` does all three."""

    name: str

    def find_events(self, parsed: ParsedDocument) -> list[Event]: ...

    def prepare(self, parsed: ParsedDocument) -> Prepared: ...

    def read(self, prepared: Sequence[Prepared]) -> list[Prepared]: ...

    def events(self, parsed: ParsedDocument, prepared: Prepared) -> list[Event]: ...

    @property
    def floor(self) -> float:
        """The confidence below which records are left out unless the caller asks for them."""
        ...

    def calibrate(self, records: list[EventRecord], story_length: int) -> list[EventRecord]:
        """The records of a document (``story_length`` characters long) with their final confidence."""
        ...


class RuleSource:
    """The trigger tables alone (:class:`tieline.events.EventFinder`)."""

    name = "rules"
    floor = 0.0

    def __init__(self, finder: EventFinder) -> None:
        self.finder = finder

    def find_events(self, parsed: ParsedDocument) -> list[Event]:
        return list(self.finder.find_events(parsed))

    prepare = find_events  # the rules' events are all there is

    def read(self, prepared: Sequence[list[Event]]) -> list[list[Event]]:
        return list(prepared)

    def events(self, parsed: ParsedDocument, prepared: list[Event]) -> list[Event]:
        return prepared

    def calibrate(self, records: list[EventRecord], story_length: int) -> list[EventRecord]:
        return records  # the rules' confidence is their own estimate


@dataclass(frozen=True)
class Candidates:
    """What :meth:`ModelSource.decide` chooses from, per sentence with actor mentions: its
    candidate pairs and their probabilities; and the rules' events of the document."""

    sentences: list[SentenceMentions]
    pairs: list[list[tuple[int, int | None]]]
    probs: list[np.ndarray]  # empty until the model has read the sentences
    rule_events: list[Event]
    inputs: list[tuple[str, list[int], list[tuple[int, int | None]]]] = field(default_factory=list)  # what it reads


def party_key(mention: Mention | None) -> PartyKey | None:
    if mention is None:
        return None
    a = mention.actor
    return (a.country, a.abbrev, a.type)


class ModelSource:
    """The learned pair classifier over the rules' actor mentions; with ``with_rules``, also the
    rules' events, judged by the model.

    Args:
        finder: the rules (actor resolution, trigger tables).
        model: the loaded pair classifier.
        with_rules: hybrid (True) or the model alone (False).
        judge: what sets each record's confidence and the floor below which records are left out
            (:mod:`tieline.judge`); without one, the model's calibration table sets the confidence.
    """

    def __init__(self, finder: EventFinder, model: PairModel, *, with_rules: bool = True,
                 judge: RecordJudge | None = None) -> None:
        self.finder = finder
        self.model = model
        self.with_rules = with_rules
        self.name = "hybrid" if with_rules else "model"
        self.lexicon: Lexicon = finder.lexicon
        self.none_index = model.labels.index(NONE_LABEL)
        self.judge = judge
        # "A met B" and "B met A" are one meeting: of the two directions the model finds, the surer stays
        self.symmetric = frozenset(name for name, kind in self.lexicon.event_types.items() if kind.symmetric)

    def find_events(self, parsed: ParsedDocument) -> list[Event]:
        return self.decide(parsed, self.candidates(parsed))

    def prepare(self, parsed: ParsedDocument) -> Candidates:
        """The rules' events and the sentences the model is to read, rendered; no probabilities yet."""
        rule_events = list(self.finder.find_events(parsed)) if self.with_rules else []
        with_rule_events = {e.sentence_start for e in rule_events}
        sentences = [s for s in find_sentence_mentions(parsed, self.finder.actors, self.finder)
                     if s.mentions and parsed.may_hold_event(s.start, s.end) and self.worth_reading(s, with_rule_events)]
        pairs = [candidate_pairs(s) for s in sentences]
        inputs = [(text, list(marks), p) for (text, marks), p in zip(map(render_sentence, sentences), pairs)]
        return Candidates(sentences, pairs, [], rule_events, inputs)

    def read(self, prepared: Sequence[Candidates]) -> list[Candidates]:
        """The candidates of several documents with the model's probabilities. Each document is
        read on its own: the int8 model scales its activations over a whole batch, so sentences
        batched across documents would score differently with other neighbours, and records
        would depend on how a run split its input (workers, partitions)."""
        return [replace(c, probs=self.model.score(c.inputs), inputs=[]) for c in prepared]

    def events(self, parsed: ParsedDocument, prepared: Candidates) -> list[Event]:
        return self.decide(parsed, prepared)

    @property
    def floor(self) -> float:
        return self.judge.floor if self.judge is not None else 0.0

    def calibrate(self, records: list[EventRecord], story_length: int) -> list[EventRecord]:
        """Each record's confidence becomes the record judge's probability that it is right
        (:mod:`tieline.judge`), on the finished records. A model directory without a judge falls
        back on the share of dev records like it that were right: same source, same bin of the
        model's probability, party named or inferred (``scripts/train_model.py tune``)."""
        if self.judge is not None:
            return self.judge.judge(records, story_length)
        table = self.model.info.calibration
        out = []
        for record in records:
            key, probability = calibration_key(record.rule)
            calibrated = table(key, probability)
            if calibrated is None:
                calibrated = table(key.split("+", 1)[0], probability)
            out.append(record if calibrated is None else replace(record, confidence=round(calibrated, 3)))
        return out

    def candidates(self, parsed: ParsedDocument) -> Candidates:
        """The work that does not depend on the decoding settings: mentions, pairs, the model's
        probabilities, and the rules' events."""
        return self.read([self.prepare(parsed)])[0]

    def worth_reading(self, sentence: SentenceMentions, with_rule_events: set[int]) -> bool:
        """Whether the model reads a sentence with actor mentions: every one, or (``sentences:
        cued``) those naming two countries or organisations or holding a rule event for the model
        to judge. Reading is the model's cost, and a sentence naming one party rarely reports an
        event the rules miss. Two sectors of one country ("Mr Brown", "an MP") make two parties
        only when the model may write pairs of one country (``domestic_threshold``). Sentences
        parsed only as the context of others (:mod:`tieline.prefilter`) are not read."""
        if self.model.info.sentences == "all" or sentence.start in with_rule_events:
            return True
        parties = {party_key(m) for m in sentence.mentions}
        return len({key[:2] for key in parties if key}) > 1 or (
            self.model.info.domestic_threshold <= 1.0 and len(parties) > 1)

    def decide(self, parsed: ParsedDocument, candidates: Candidates) -> list[Event]:
        """The events written: the rules' events the model does not veto, and the model's own."""
        if len(candidates.probs) != len(candidates.sentences):
            raise ValueError("the model has not read these candidates (ModelSource.read)")
        judged: dict[tuple[int, PartyKey, PartyKey | None], np.ndarray] = {}
        for sentence, sentence_pairs, p in zip(candidates.sentences, candidates.pairs, candidates.probs):
            for (a, r), row in zip(sentence_pairs, p):
                if not np.isnan(row[0]):
                    recipient = sentence.mentions[r] if r is not None else None
                    judged[(sentence.start, party_key(sentence.mentions[a]), party_key(recipient))] = row  # type: ignore[index]
        out: list[Event] = []
        confirmed: set[tuple[int, str, PartyKey | None, PartyKey | None]] = set()
        written: set[tuple[int, str]] = set()  # (sentence, type) the rules wrote
        for event in candidates.rule_events:
            kept = self._judge(event, judged)
            if kept is not None:
                out.append(kept)
                confirmed.add((event.sentence_start, event.trigger.event, party_key(event.actor),
                               party_key(event.recipient)))
                written.add((event.sentence_start, event.trigger.event))
        coded = {start for start, _ in written}
        for sentence, sentence_pairs, p in zip(candidates.sentences, candidates.pairs, candidates.probs):
            for a, r, label, probability in self._decode(sentence, sentence_pairs, p, sentence.start not in coded):
                actor = sentence.mentions[a]
                recipient = sentence.mentions[r] if r is not None else None
                keys = (party_key(actor), party_key(recipient))
                if (sentence.start, label, *keys) in confirmed or (
                        label in self.symmetric and (sentence.start, label, keys[1], keys[0]) in confirmed):
                    continue  # the rules wrote it, and the model agreed
                if self.model.info.defer_to_rules and (sentence.start, label) in written:
                    continue  # the rules wrote this type here, between parties of their own reading
                model_event = self._model_event(parsed, sentence, actor, recipient, label, probability)
                if model_event is not None:
                    out.append(model_event)
        out.sort(key=lambda e: (e.sentence_start, e.trigger.start))
        return out

    # ---- the rules' events, judged -----------------------------------------------------------------
    def _judge(self, event: Event, judged: dict[tuple[int, PartyKey, PartyKey | None], np.ndarray]) -> Event | None:
        """The rule event, or None when the model is sure its pair reports nothing. Its rule says
        what the model thought (its confidence is calibrated with the records, :meth:`calibrate`): ``<row> + model 0.83`` when the
        model agrees, ``<row>; model 0.12`` when it gives the type less than the threshold."""
        row = judged.get((event.sentence_start, party_key(event.actor), party_key(event.recipient)))  # type: ignore[arg-type]
        if row is None:
            return event
        if row[self.none_index] >= self.model.info.veto:
            return None
        probability = float(row[self.model.labels.index(event.trigger.event)])
        judgement = " + model" if probability >= self.model.info.threshold else "; model"
        return replace(event, trigger=replace(event.trigger, rule=f"{event.trigger.rule}{judgement} {probability:.2f}"))

    # ---- the model's own events ---------------------------------------------------------------------
    def _decode(self, sentence: SentenceMentions, pairs: Sequence[tuple[int, int | None]],
                probs: np.ndarray, uncoded: bool = False) -> list[tuple[int, int | None, str, float]]:
        """The pairs the model writes: each pair's likeliest type, when sure enough (in a sentence
        the rules wrote nothing in, ``uncoded``, to the lower ``uncoded_threshold``); one
        direction of a symmetric pair; with ``top_only``, one pair per type."""
        info = self.model.info
        threshold = info.threshold
        if uncoded and info.uncoded_threshold is not None:
            threshold = min(threshold, info.uncoded_threshold)
        found: list[tuple[int, int | None, str, float]] = []
        for (a, r), row in zip(pairs, probs):
            if np.isnan(row[0]):
                continue
            masked = row.copy()
            masked[self.none_index] = -1.0
            best = int(masked.argmax())
            country = sentence.mentions[a].actor.country
            domestic = r is not None and country is not None and sentence.mentions[r].actor.country == country
            if row[best] >= (info.domestic_threshold if domestic else threshold):
                found.append((a, r, self.model.labels[best], float(row[best])))
        # one pair per type and sentence (top_only), else one direction of a symmetric pair
        best_of: dict[tuple, tuple[int, int | None, str, float]] = {}
        for item in found:
            a, r, label, probability = item
            if info.top_only:
                key: tuple = (label,)
            elif label in self.symmetric and r is not None:
                key = (label, frozenset((a, r)))
            else:
                key = (label, a, r)
            if key not in best_of or probability > best_of[key][3]:
                best_of[key] = item
        return list(best_of.values())

    def _model_event(self, parsed: ParsedDocument, sentence: SentenceMentions, actor: Mention,
                     recipient: Mention | None, label: str, probability: float) -> Event | None:
        segment = parsed.segments[sentence.segment]
        sent = sentence.span
        if sent is None:
            return None
        a_tok = _token_of(segment.doc, actor, segment.offset) or sent.root
        r_tok = _token_of(segment.doc, recipient, segment.offset) if recipient is not None else None
        found = self._rule_trigger(sent, label, a_tok)
        if found is not None:
            tok = found.token
            verb = found.carrier if found.carrier is not None else tok
            mode, cameo, rule = found.pattern.mode, found.pattern.cameo, f"model {probability:.2f} at {found.pattern.rule}"
        else:
            tok = verb = governing_word(a_tok, r_tok, sent)
            mode, cameo, rule = None, self.lexicon.event_types[label].cameo, f"model {probability:.2f}"
        offset = segment.offset
        trigger = Trigger(tok.text, offset + tok.idx, offset + tok.idx + len(tok.text), tok.lemma_.lower(),
                          label, mode, cameo, rule)
        return Event(sentence.doc_id, sentence.segment, tok.i, trigger, actor, recipient, sent.text.strip(),
                     offset + sent.start_char, is_negated(verb), is_future(verb), is_hypothetical(verb), False,
                     round(probability, 3), sentence.index)

    def _rule_trigger(self, sent: Span, label: str, near: Token) -> Found | None:
        """A trigger word of the model's type in the sentence, the nearest to the actor: the row
        fired, though the rules could not find its parties."""
        found = [f for f in self.finder.find_triggers(sent)
                 if any(p.event == label for p in (f.pattern, *f.alternatives))]
        if not found:
            return None
        best = min(found, key=lambda f: abs(f.token.i - near.i))
        pattern = next(p for p in (best.pattern, *best.alternatives) if p.event == label)
        return replace(best, pattern=pattern, alternatives=())


def governing_word(actor: Token, recipient: Token | None, sent: Span) -> Token:
    """The word the two parties hang from: the nearest verb governing both mentions (or, with no
    recipient, the actor's), else the sentence's root. It stands in as the trigger of a model
    event that no trigger row fired on, so that negation and modality are read from it."""
    chain = [actor, *actor.ancestors]
    if recipient is not None:
        above_recipient = {t.i for t in (recipient, *recipient.ancestors)}
        common = next((t for t in chain if t.i in above_recipient), None)
        if common is not None:
            chain = [common, *common.ancestors]
    for tok in chain:
        if tok.pos_ in VERB_POS and tok.i not in (actor.i, recipient.i if recipient is not None else -1):
            return tok
    return sent.root


def _token_of(doc: Doc, mention: Mention | None, offset: int) -> Token | None:
    if mention is None or mention.start < 0:
        return None
    span = doc.char_span(mention.start - offset, mention.end - offset, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def make_source(name: str, finder: EventFinder, model_path: Path | None = None, *, threads: int = 1) -> EventSource:
    """The event source a setting names (see the module's docstring).

    Raises:
        ModelError: ``model`` or ``hybrid`` was asked for and the learned model cannot be loaded.
        ValueError: no such source.
    """
    if name not in EVENT_SOURCES:
        raise ValueError(f"event_source must be one of {', '.join(EVENT_SOURCES)}, not {name!r}")
    if name == "rules" or (name == "auto" and not model_available(model_path)):
        return RuleSource(finder)
    model = PairModel(model_path, threads=threads)
    return ModelSource(finder, model, with_rules=name != "model", judge=load_judge(model.path))
