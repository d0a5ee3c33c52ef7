"""Each event's attributes in one pass over a story: date, place, contexts, fields, and whether
it is background (historical).

What one sentence says (its date phrases, contexts, fields) is read once for all its events. An
event that names no date or place takes the previous event's when that was told within a few
sentences; an event with no place happens at the dateline's place, or, for a state's own act or
statement, at home. The words naming an event's parties are no place of it ("Beijing warned
Washington" did not happen in Washington).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from tieline.attributes.contexts import find_terms, top_contexts
from tieline.attributes.dates import date_phrases, resolve_date
from tieline.attributes.places import Gazetteer, resolve_location
from tieline.lexicon import Lexicon
from tieline.parse import dateline_place
from tieline.types import Attributes, Event, Location, ParsedDocument

# An event that ended over a month before its story is told as background: the news of it was
# coded (or missed) then, and coding it again would date old news as new.
HISTORICAL_DAYS = 31
SEAT_SECTORS = frozenset({"GOV", "LEG", "JUD"})
SEAT_TYPES = frozenset({"ACCUSE", "REQUEST", "REJECT", "THREATEN", "SUPPORT", "SANCTION", "COERCE", "CONCEDE"})
CARRY_SENTENCES = 3  # an undated / unplaced event takes the previous event's date / place this close
LOCATIVE_PREPOSITIONS = frozenset({"in", "at", "near", "outside", "inside"})

Told = tuple[int, str | None, str | None, Location | None]  # sentence, date, precision, place of the last event


class AttributeResolver:
    """The attributes stage: dates, places, contexts and fields of a story's events.

    Args:
        lexicon: the data tables (contexts, fields, event types, countries).
        gazetteer: the places the story may name.
    """

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer) -> None:
        self.lexicon = lexicon
        self.gazetteer = gazetteer

    def resolve(self, parsed: ParsedDocument, events: list[Event]) -> list[Attributes]:
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
        last: Told | None = None
        dateline = self.gazetteer.lookup(dateline_place(parsed.document.text) or "")
        for event in events:
            doc = parsed.segments[event.segment].doc
            token = doc[event.token]
            key = (event.segment, token.sent.start)
            if key not in said_in:
                said_in[key] = (date_phrases(token.sent), tuple(find_terms(token.sent, self.lexicon.fields)))
            phrases, sectors = said_in[key]
            resolved = resolve_date(token, published, future=event.future, phrases=phrases)
            if resolved is not None and published is not None and event.future and event.trigger.event == "AGREE" \
                    and resolved.value > published:
                resolved = None  # "agreed to visit next month": the agreement is dated, not the visit
            near = last if last is not None and _near(last[0], event) else None
            date: str | None
            precision: str | None
            if resolved is not None:
                date, precision = resolved.text(), resolved.precision
            elif near is not None and near[1]:
                date, precision = near[1], near[2]
            elif published is not None:
                date, precision = published.isoformat(), "day"
            else:
                date, precision = None, None
            location = self._place(doc, token, event, parsed.segments[event.segment].offset,
                                   near[3] if near is not None else None, dateline)
            contexts = sentence_contexts[key] + [c for c in doc_contexts if c not in sentence_contexts[key]]
            historical = bool(resolved and published and (published - resolved.last_day()).days > HISTORICAL_DAYS)
            out.append(Attributes(date, precision, location, tuple(contexts), sectors, historical))
            last = (event.sentence_index, date, precision, location)
        return out

    def _place(self, doc: Doc, token: Token, event: Event, offset: int, near_place: Location | None,
               dateline: Location | None) -> Location | None:
        """Where the event happened: a place its sentence names (not its parties' words), else
        the previous event's place when it was told close by, else the dateline's, else home."""
        exclude = self.party_tokens(doc, event, offset)
        location = resolve_location(token, self.gazetteer, exclude)
        if near_place is not None and (location is None or (event.future and event.trigger.event == "AGREE")):
            location = near_place  # an undertaking is made where the story is, not where it will happen
        if location is None:
            location = dateline or self.seat_of(event)
        return location

    def seat_of(self, event: Event) -> Location | None:
        """A state's own act or statement with no place named happens at home: the country, with
        its capital's coordinates."""
        if event.actor is None or event.actor.actor.type not in SEAT_SECTORS or event.trigger.event not in SEAT_TYPES:
            return None
        country = self.lexicon.countries_by_iso3.get(event.actor.actor.country or "")
        if country is None:
            return None
        return Location(country.name, country.iso3, country.lat, country.lon)

    def party_tokens(self, doc: Doc, event: Event, offset: int) -> set[int]:
        """The tokens naming the event's parties, which name no place of it, except a capital
        visited or attacked ("visited Tashkent") and the place a party is in ("protesters in
        Tbilisi marched")."""
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


def _near(previous_sentence: int, event: Event) -> bool:
    return event.sentence_index - previous_sentence <= CARRY_SENTENCES
