"""Where an event happened: place names near the trigger, looked up in the offline gazetteer
(``places.csv`` for cities and regions with coordinates, ``countries.csv`` for countries)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from tieline.coref import labels_a_topic
from tieline.lexicon import Lexicon
from tieline.types import Location

PLACE_ENTITY_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "EVENT"})
FEATURE_RANK = {"capital": 0, "city": 1, "region": 2, "country": 3}
FAR = 99  # the tree distance of a place not linked to the trigger within MAX_TREE_STEPS
MAX_TREE_STEPS = 60  # issue 9: a path up the tree is followed this far at most; news sentences are far shallower


@dataclass(frozen=True)
class _Matched:
    """The doc last matched, its matches by sentence start, and the places found per sentence."""

    doc: Doc | None
    matches: dict[int, list[tuple[int, int]]]
    places: dict[int, list[tuple[Span, Location, str]]]


class Gazetteer:
    """Place names matched in text, each with its best-known location."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        vocab = nlp.vocab
        self.make_doc = nlp.make_doc
        self.locations: dict[str, tuple[Location, str, int]] = {}
        for place in lexicon.places:
            current = self.locations.get(place.name)
            if current is None or place.population > current[2]:
                self.locations[place.name] = (lexicon.location_of(place), place.feature, place.population)
        for country in lexicon.countries:
            for name in (country.name, *country.aliases):
                if name not in self.locations or self.locations[name][1] not in ("capital",):
                    self.locations[name] = (Location(country.name, country.iso3, None, None), "country", 10**10)
        self.matcher = PhraseMatcher(vocab, attr="ORTH")
        self._last = _Matched(None, {}, {})
        names = [n for n in self.locations if len(n) > 2]
        for start in range(0, len(names), 2000):
            self.matcher.add("PLACE", [self.make_doc(n) for n in names[start:start + 2000]])

    def lookup(self, name: str) -> Location | None:
        """The location of a place name, or None."""
        found = self.locations.get(name)
        return found[0] if found else None

    def places_in(self, sent: Span) -> list[tuple[Span, Location, str]]:
        """Places named in a sentence (inside a place-like entity), longest first.

        Each parsed segment is matched once and each sentence looked at once, however many events
        it holds: scanning the segment's matches once per event made a long sentence cost the
        square of its length (issue 9)."""
        doc = sent.doc
        last = self._last  # one read: the state of one doc, whatever another thread does
        if last.doc is not doc:
            last = self._last = _Matched(doc, self._group_matches(doc), {})
        found = last.places.get(sent.start)
        if found is None:
            found = last.places[sent.start] = self._find_places(doc, sent, last.matches.get(sent.start, []))
        return found

    def _group_matches(self, doc: Doc) -> dict[int, list[tuple[int, int]]]:
        """The matches of a doc, longest first, under the start of the sentence each begins in."""
        starts = [s.start for s in doc.sents]
        grouped: dict[int, list[tuple[int, int]]] = {}
        for _, start, end in sorted(self.matcher(doc), key=lambda m: -(m[2] - m[1])):
            grouped.setdefault(starts[bisect_right(starts, start) - 1], []).append((start, end))
        return grouped

    def _find_places(self, doc: Doc, sent: Span, matches: list[tuple[int, int]]) -> list[tuple[Span, Location, str]]:
        out: list[tuple[Span, Location, str]] = []
        taken: set[int] = set()
        for start, end in matches:
            if end > sent.end:
                continue
            span = doc[start:end]
            if any(i in taken for i in range(span.start, span.end)):
                continue
            if not any(t.ent_type_ in PLACE_ENTITY_LABELS for t in span):
                continue
            location, feature, _ = self.locations[span.text]
            taken.update(range(span.start, span.end))
            out.append((span, location, feature))
        return out


def resolve_location(trigger: Token, gazetteer: Gazetteer, exclude: set[int]) -> Location | None:
    """The place closest to the trigger in the tree, skipping tokens of the actor and recipient."""
    best: tuple[tuple[int, int], Location] | None = None
    trigger_path: dict[int, int] | None = None
    for span, location, feature in gazetteer.places_in(trigger.sent):
        if any(t.i in exclude for t in span) or not _names_a_place(span) or _part_of_other_place(span):
            continue
        if trigger_path is None:
            trigger_path = _path_up(trigger)
        distance = _distance(trigger_path, span.root)
        key = (distance, FEATURE_RANK.get(feature, 4))
        if best is None or key < best[0]:
            best = (key, location)
    return best[1] if best else None


def _path_up(token: Token) -> dict[int, int]:
    """Steps from a token up to each of its first MAX_TREE_STEPS ancestors, by token index."""
    path = {token.i: 0}
    for n, ancestor in enumerate(token.ancestors, 1):
        if n > MAX_TREE_STEPS:
            break
        path[ancestor.i] = n
    return path


def _distance(trigger_path: dict[int, int], b: Token) -> int:
    """Steps in the tree from the trigger (its path up, from _path_up) to a token."""
    if b.i in trigger_path:
        return trigger_path[b.i]
    for n, t in enumerate(b.ancestors, 1):
        if t.i in trigger_path:
            return n + trigger_path[t.i]
        if n >= MAX_TREE_STEPS:
            break
    return FAR


AREA_NOUNS = frozenset("province region city town village district capital area border state county territory "
                       "countryside south north east west coast centre center outskirts part heart suburb "
                       "edge interior".split())
TOPIC_PREPOSITIONS = frozenset({"about", "regarding", "concerning", "re"})
FLIGHT_WORDS = frozenset({"fly", "flight", "overflight", "hover", "pass", "crash", "shoot", "airspace", "drone", "jet"})
PLACE_HEAD_DEPS = frozenset({"compound", "appos", "nmod", "flat", "conj", "amod", "npadvmod"})


def _names_a_place(span: Span) -> bool:
    """True when the name is used as a place ("in Tashkent", "the Kuala Lumpur Summit", "visited
    Hungary"), not as an owner or a modifier ("Iran's sector", "Iranian officials")."""
    tok = span.root
    if labels_a_topic(tok) and not (tok.head.dep_ == "pobj" and tok.head.head.lower_ in ("in", "during")):
        return False  # "demonstrated against plans for the Iraq war": what the war is about; "killed in the Iraq war" is there
    if tok.dep_ == "poss" or any(c.dep_ == "case" for c in tok.children):
        if tok.dep_ == "poss" and tok.head.lemma_.lower() in AREA_NOUNS:
            tok = tok.head  # "in Afghanistan's eastern Paktika province"
        else:
            return False
    for _ in range(4):
        if tok.dep_ == "pobj":
            preposition = tok.head
            if preposition.lower_ in TOPIC_PREPOSITIONS or (
                    preposition.lower_ == "over" and preposition.head.lemma_.lower() not in FLIGHT_WORDS):
                return False  # "warned Washington over Taiwan", "talks about Syria": a topic
            return preposition.lower_ != "of" or preposition.head.lemma_.lower() in AREA_NOUNS
        if tok.dep_ in ("dobj", "npadvmod") and tok.ent_type_ in ("GPE", "LOC", "FAC", "EVENT", "ORG"):
            return True
        if tok.dep_ not in PLACE_HEAD_DEPS or tok.head is tok:
            return False
        tok = tok.head
    return False


# Words that make a longer, different place of a name: "Scarborough Shoal" is not Scarborough.
FEATURE_WORDS = frozenset("shoal island islands strait bay river sea mountains mountain heights valley reef lake "
                          "peninsula gulf canal desert plain plains coast glacier channel".split())


def _part_of_other_place(span: Span) -> bool:
    """A name inside a longer proper name is not that place: "Scarborough Shoal" is not
    Scarborough, and "New York", where the gazetteer lacked it, is not York."""
    doc = span.doc
    if span.end < len(doc) and doc[span.end].lower_ in FEATURE_WORDS and doc[span.end].is_title:
        return True
    before = doc[span.start - 1] if span.start > 0 else None
    return before is not None and span[0].ent_iob_ == "I" and before.pos_ == "PROPN" and before.is_title \
        and before.lower_ not in PART_WORDS  # "Western Cambodia", "West Darfur" are parts of the place


# Words naming a part of a place, not another place: "Western Cambodia" is in Cambodia.
PART_WORDS = frozenset("north south east west northern southern eastern western central upper lower greater "
                       "northeast northwest southeast southwest northeastern northwestern southeastern "
                       "southwestern".split())
