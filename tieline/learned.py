"""Candidates for a learned event coder: the actor mentions the rules find, paired in a sentence.

The learned event source of :mod:`tieline.sources` reads these. The rules keep the job of finding actors and resolving them to
keys (:mod:`tieline.actors`, with the document context of :mod:`tieline.coref`); a learned model
decides, for each (actor mention, recipient mention or none) pair of a sentence, which of the 16
PLOVER types the sentence reports between them, or none. Training and run time share the
candidate generation below, so what the model sees in training is what it sees when coding.

* find: :func:`find_sentence_mentions` walks a parsed document sentence by sentence, resolving
  every noun-phrase head with :meth:`ActorFinder.resolve` (so surnames, pronouns and "the two
  sides" resolve as they do for the rules); nested mentions give way to the phrase around them,
  and one mention per actor is kept.
* build: :func:`candidate_pairs` pairs them; :func:`render_sentence` marks every mention once,
  for a model that encodes a sentence once and scores all its pairs from the mention positions.
* label: :func:`label_pairs` gives a pair a gold type when a gold event of the story has that
  type, its sentence overlaps the candidate's, and the pair's keys match the gold keys the way
  the scorer matches them (:func:`tieline.evaluate.event_matches`).

Nothing here imports torch: :mod:`tieline.model` scores the pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span

from tieline.actors import PERSONAL_PRONOUNS, POINTING_NOUNS, ActorFinder
from tieline.coref import DocumentContext
from tieline.evaluate import event_matches
from tieline.events import EventFinder
from tieline.lexicon import EVENT_TYPES
from tieline.records import record_party
from tieline.types import Mention, ParsedDocument

NONE_LABEL = "none"
LABELS: tuple[str, ...] = (NONE_LABEL, *sorted(EVENT_TYPES))
HEAD_POS = frozenset({"NOUN", "PROPN", "PRON", "ADJ"})
MAX_MENTIONS = 8  # per sentence; pairs grow with the square
KIND_RANK = {"user": 0, "leader": 0, "person": 0, "organization": 0, "agent": 1, "metonym": 1, "firm": 1,
             "adjective": 2, "country": 2, "pronoun": 3, "definite": 3, "capital": 4, "region": 4}
BARE_KINDS = frozenset({"country", "adjective", "capital", "region", "metonym"})
PLACE_WORDS = frozenset({"in", "at", "near", "inside", "outside", "across", "throughout", "from", "to", "into"})
MENTION_OPEN, MENTION_CLOSE = "«", "»"  # single word pieces in the MiniLM (BERT uncased) vocabulary


@dataclass(frozen=True)
class SentenceMentions:
    """One sentence of a document (character offsets in the document text) and its actor mentions."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    mentions: tuple[Mention, ...]
    segment: int = 0  # which parsed segment holds the sentence
    span: Span | None = field(default=None, compare=False, repr=False)  # the sentence in its segment's Doc


def actor_key(mention: Mention) -> tuple[str | None, str | None, str | None]:
    a = mention.actor
    return (a.country, a.abbrev, a.type)


def find_sentence_mentions(parsed: ParsedDocument, actors: ActorFinder,
                           events: EventFinder | None = None) -> Iterator[SentenceMentions]:
    """Every sentence of a parsed document with the actor mentions resolved in it, in text order.

    Args:
        parsed: the document and its spaCy parses.
        actors: the rules' actor finder (tables and resolution).
        events: when given, its ``learn_persons`` introduces titled persons as the rules do.
    """
    ctx, segment_names = actors.read_story(parsed)
    index = 0
    for seg_index, (segment, names) in enumerate(zip(parsed.segments, segment_names)):
        offset = segment.offset
        for sent in segment.doc.sents:
            ctx.begin_sentence(sent, names, offset)
            if events is not None:
                events.learn_persons(sent, names, offset, ctx)
            mentions = _sentence_mentions(sent, names, offset, actors, ctx)
            start = offset + sent.start_char
            text = sent.text
            yield SentenceMentions(parsed.document.id, index, start, start + len(text), text, tuple(mentions),
                                   seg_index, sent)
            index += 1


def _sentence_mentions(sent: Span, names: Mapping[int, Any], offset: int, actors: ActorFinder,
                       ctx: DocumentContext) -> list[Mention]:
    found: list[tuple[Mention, Any]] = []
    for tok in sent:
        if tok.pos_ not in HEAD_POS or not _may_name_party(tok, names, actors):
            continue
        res = actors.resolve(tok, names, offset, ctx, allow_places=False)  # type: ignore[arg-type]
        if res is None:
            continue
        for m in res.mentions:
            if m.start >= 0:
                found.append((m, tok))
    # the phrase around a nested mention speaks for it: "Iranian police" over "Iranian"
    kept = [(m, t) for m, t in found
            if not any(o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
                       for o, _ in found)]
    best: dict[tuple, tuple[int, Mention, Any]] = {}
    for m, tok in kept:
        rank = _rank(m, tok)
        if any(o.start == m.start and o.end == m.end and o.actor != m.actor for o, _ in kept):
            rank = 7  # "the ministers of Iran and Afghanistan" is both: the country's own name marks it better
        # one mark per country named; but persons and bodies of one country stay apart, for
        # domestic events ("Mr Letwin accused the chancellor": GBR -> GBR)
        key = (m.actor,) if m.kind in BARE_KINDS else (m.actor, m.start)
        if key not in best or (rank, m.start) < (best[key][0], best[key][1].start):
            best[key] = (rank, m, tok)
    chosen = sorted(best.values(), key=lambda rmt: (rmt[0], rmt[1].start))[:MAX_MENTIONS]
    out: list[Mention] = []
    for _, m, tok in sorted(chosen, key=lambda rmt: rmt[1].start):
        out.append(m)
        ctx.observe(m, tok)
    return out


def _may_name_party(tok: Any, names: Mapping[int, Any], actors: ActorFinder) -> bool:
    """Whether a common noun or adjective can head an actor phrase at all: a table name, a role
    noun ("minister", "security forces"), a word that points back ("the country", "both sides"),
    or a name among its modifiers ("Iranian entities"). Nine in ten such words are none of these
    ("growth", "talks"), and resolving each is the largest cost of finding the model's candidates."""
    if tok.pos_ not in ("NOUN", "ADJ") or tok.i in names or tok.ent_type_ == "PERSON":
        return True
    agents = actors.lexicon.agents
    lemma = tok.lemma_.lower()
    if lemma in agents or tok.lower_ in agents or tok.lower_ in POINTING_NOUNS or tok.lower_ in PERSONAL_PRONOUNS:
        return True
    if tok.i > 0 and f"{tok.doc[tok.i - 1].lower_} {lemma}" in agents:
        return True
    return any(t.i in names for t in actors.phrase_tokens(tok))


def _rank(mention: Mention, tok: Any) -> int:
    """How surely a mention names a party (lower is surer): a person or a body before a bare
    country, a capital or a place phrase ("at the Kuala Lumpur Summit") last."""
    rank = KIND_RANK.get(mention.kind, 3)
    if mention.kind in ("capital", "country", "region") and tok.dep_ == "pobj" and tok.head.lower_ in PLACE_WORDS:
        rank = 6
    if tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN") and mention.kind in ("capital", "region", "country"):
        rank = max(rank, 5)  # "the Kuala Lumpur Summit"
    return rank


def candidate_pairs(sentence: SentenceMentions) -> list[tuple[int, int | None]]:
    """(actor index, recipient index or None) over the sentence's mentions."""
    n = len(sentence.mentions)
    pairs: list[tuple[int, int | None]] = []
    for a in range(n):
        pairs.append((a, None))
        for r in range(n):
            if r != a:
                pairs.append((a, r))
    return pairs


def _insert(text: str, base: int, marks: list[tuple[int, int, str, str]]) -> tuple[str, list[int]]:
    """The text with open/close marks around spans; returns also where each open mark starts."""
    events = []
    for n, (s, e, o, c) in enumerate(marks):
        events.append((s - base, 1, n, o))
        events.append((e - base, 0, n, c))
    events.sort(key=lambda x: (x[0], x[1]))
    out, last, where = [], 0, [0] * len(marks)
    length = 0
    for pos, is_open, n, mark in events:
        piece = text[last:pos]
        out.append(piece)
        length += len(piece)
        if is_open:
            out.append(mark + " ")
            where[n] = length
            length += len(mark) + 1
        else:
            out.append(" " + mark)
            length += len(mark) + 1
        last = pos
    out.append(text[last:])
    return "".join(out), where


def render_sentence(sentence: SentenceMentions) -> tuple[str, list[int]]:
    """The sentence with every mention marked « ... »; and the character offset of each open mark
    in the rendered text (where a model reads the mention from)."""
    spans = list(dict.fromkeys((m.start, m.end) for m in sentence.mentions))  # a joined phrase is marked once
    text, where = _insert(sentence.text, sentence.start, [(s, e, MENTION_OPEN, MENTION_CLOSE) for s, e in spans])
    return text, [where[spans.index((m.start, m.end))] for m in sentence.mentions]


def label_pairs(sentence: SentenceMentions, pairs: list[tuple[int, int | None]],
                gold_events: Iterable[Mapping[str, Any]]) -> list[tuple[str, int | None]]:
    """Per pair, the gold type it carries (or ``none``) and the index of the gold event matched.

    A pair carries type T when a gold event of type T (or with T among its alternatives, though
    the label is the gold's own type) has its evidence sentence overlapping this sentence and its
    keys match the pair's parties as the scorer matches them. Required events win over optional."""
    golds = [(n, g) for n, g in enumerate(gold_events)
             if _overlaps(evidence_sentence(g), sentence.start, sentence.end)]
    golds.sort(key=lambda ng: bool(ng[1].get("optional")))
    out: list[tuple[str, int | None]] = []
    for a, r in pairs:
        pred = {"actor": record_party(sentence.mentions[a]),
                "recipient": record_party(sentence.mentions[r]) if r is not None else None}
        label: tuple[str, int | None] = (NONE_LABEL, None)
        for n, g in golds:
            if event_matches(g, {**pred, "event": g["event"]}):
                label = (g["event"], n)
                break
        out.append(label)
    return out


def evidence_sentence(gold: Mapping[str, Any]) -> Any:
    evidence = gold.get("evidence")
    return evidence.get("sentence") if isinstance(evidence, dict) else None


def _overlaps(span: Any, start: int, end: int) -> bool:
    return isinstance(span, list) and len(span) == 2 and span[0] < end and start < span[1]
