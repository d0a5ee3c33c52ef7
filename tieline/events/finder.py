"""The rule source of events: triggers, their parties, and the event each makes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from tieline.actors import ActorFinder
from tieline.attributes.contexts import find_terms
from tieline.attributes.modality import is_future, is_hypothetical, is_negated, is_unrealised
from tieline.coref import DocumentContext
from tieline.events.parties import PAIRED_TYPES, PartyFinder, combine, compound, reciprocal_pairs, takes_part
from tieline.events.recoding import Recoder
from tieline.events.syntax import complements, reports_an_act
from tieline.events.triggers import Found, TriggerMatcher, of_a_body
from tieline.lexicon import Lexicon
from tieline.records import AMONG_MEMBERS_TYPES, PROSECUTION_LEMMAS, members_of_body
from tieline.types import Event, Mention, Name, ParsedDocument, Trigger

NON_ANSWERS = frozenset({"comment", "elaborate", "say", "confirm", "disclose", "specify", "identify", "name",
                         "give", "discuss", "speculate"})
# Who a government advises rather than threatens.
PUBLIC_NOUNS = frozenset({"citizen", "resident", "national", "traveller", "traveler", "tourist", "public",
                          "visitor", "people", "population", "passenger", "student", "expatriate"})
# Violence is often reported without its perpetrator ("three soldiers were killed by a bomb"):
# such events are kept, and the records stage names an unidentified actor where it happened.
UNATTRIBUTED_TYPES = frozenset({"ASSAULT", "PROTEST", "COERCE"})


@dataclass
class Parties:
    """Who takes part in one trigger's event, as the tree names them."""

    subject: Token | None
    actors: list[Mention]
    recipients: list[Mention]
    actor_heads: set[int]


class EventFinder:
    """Triggers and their parties in parsed documents.

    Args:
        lexicon: the data tables (triggers, light verbs, re-codings, contexts).
        actors: actor resolution, with the document context of coreference.
    """

    def __init__(self, lexicon: Lexicon, actors: ActorFinder) -> None:
        self.lexicon = lexicon
        self.actors = actors
        self.triggers = TriggerMatcher(lexicon)
        self.parties = PartyFinder(actors)
        self.recoder = Recoder(lexicon, self.triggers)

    def find_triggers(self, sent: Span) -> list[Found]:
        """The triggers of a sentence (:meth:`TriggerMatcher.find_triggers`)."""
        return self.triggers.find_triggers(sent)

    def learn_persons(self, sent: Span, names: dict[int, Name], offset: int, ctx: DocumentContext) -> None:
        """Persons introduced in a sentence (:meth:`PartyFinder.learn_persons`)."""
        self.parties.learn_persons(sent, names, offset, ctx)

    # ---- whole documents ----------------------------------------------------------------------
    def find_events(self, parsed: ParsedDocument) -> Iterator[Event]:
        """Every event of a parsed document, sentence by sentence in text order."""
        ctx, segment_names = self.actors.read_story(parsed)
        for seg_index, (segment, names) in enumerate(zip(parsed.segments, segment_names, strict=True)):
            for sent in segment.doc.sents:
                ctx.begin_sentence(sent, names, segment.offset)
                self.learn_persons(sent, names, segment.offset, ctx)
                for found in self.find_triggers(sent):
                    for pattern in (found.pattern, *found.alternatives):
                        events = self.build_events(replace(found, pattern=pattern), parsed.document.id, seg_index,
                                                   segment.offset, names, ctx)
                        if events:
                            yield from events
                            break

    # ---- one trigger ----------------------------------------------------------------------------
    def build_events(self, found: Found, doc_id: str, segment: int, offset: int, names: dict[int, Name],
                     ctx: DocumentContext) -> list[Event]:
        """The events one trigger makes: none when it reports no political act."""
        tok = found.token
        verb = found.carrier if found.carrier is not None else tok
        pattern = found.pattern
        parties = self._parties(found, verb, names, offset, ctx)
        if self._not_an_act(found, verb, parties.subject):
            return []
        if pattern.requires == "complement" and tok.pos_ == "ADJ" and not parties.recipients \
                and self.triggers.complement_type(tok) is None:
            return []  # "eager to put the issue behind it": no interaction promised
        self._between(found, verb, parties, names, offset, ctx)
        if not parties.actors and not self._unattributed(found, verb, parties):
            return []
        actors, recipients, subject = parties.actors, parties.recipients, parties.subject
        future = is_future(verb)
        event_type, mode, cameo, negated = self.recoder.recode(found, verb, actors, recipients,
                                                               negated=is_negated(verb), future=future)
        pairs = [(a, r) for a, r in self._pairs(verb, actors, recipients, event_type, pattern.event)
                 if takes_part(event_type, a, r)]
        if pattern.requires == "pair" and not any(r is not None for _, r in pairs) and not (
                event_type in AMONG_MEMBERS_TYPES and len(actors) == 1 and members_of_body(actors[0])):
            return []  # "the ministers met" names no meeting, "EC ministers met" one among the body's members
        if pattern.requires in ("recipient", "obligation", "aim") and not recipients:
            return []
        for m in actors:
            ctx.observe(m, subject if subject is not None else tok)
        for m in recipients:
            ctx.observe(m, tok)
        if pairs and pairs[0][0] is not None and pairs[0][1] is not None and event_type in PAIRED_TYPES:
            ctx.observe_pair(pairs[0][0], pairs[0][1])

        sent = tok.sent
        trigger = Trigger(tok.text, offset + tok.idx, offset + tok.idx + len(tok.text), tok.lemma_.lower(),
                          event_type, mode, cameo, pattern.rule)
        explicit = sum(1 for m in actors + recipients if m.kind not in ("pronoun", "definite"))
        confidence = 0.55 + 0.1 * min(explicit, 2) - (0.1 if found.carrier is not None else 0.0)
        unnamed = not recipients and _with_unnamed_partner(found)
        hypothetical = is_hypothetical(verb)
        out = []
        for actor, co_actors, recipient, co_recipients in compound(pairs):
            conf = confidence + (0.1 if recipient is not None else 0.0)
            out.append(Event(doc_id, segment, tok.i, trigger, actor, recipient, sent.text.strip(),
                             offset + sent.start_char, negated, future, hypothetical, False, round(min(conf, 0.95), 2),
                             ctx.sentence, co_actors, co_recipients, unnamed_partner=unnamed))
        return out

    def _parties(self, found: Found, verb: Token, names: dict[int, Name], offset: int,
                 ctx: DocumentContext) -> Parties:
        """The actor (the subject, or the event noun's owner) and the recipients."""
        tok, pattern, find = found.token, found.pattern, self.parties
        subject = find.subject(verb)
        actors: list[Mention] = []
        actor_heads: set[int] = set()
        if subject is not None:
            actors = find.resolve(subject, names, offset, ctx, allow_places=False)
            actor_heads = {subject.i, *(c.i for c in subject.conjuncts)}
            if not actors and subject.pos_ in ("NOUN", "PROPN"):
                actors = find.search(subject, names, offset, ctx, allow_places=False, skip=set())
        if found.standalone:
            subject, actor_heads = None, set()
            actors = find.noun_owner(tok, names, offset, ctx)
            members = of_a_body(tok) if not actors and pattern.event == "CONSULT" else None
            if members is not None:  # "a meeting of EC farm ministers": among the body's members
                res = find.actors.resolve(members, names, offset, ctx, allow_places=False)
                actors = [m for m in (res.mentions if res is not None else ()) if members_of_body(m)]
        if not actors and found.carrier is not None:
            actors = find.noun_owner(tok, names, offset, ctx)
        if not actors and pattern.event == "ASSAULT":  # "killed in Israeli tank shelling", "by a US drone strike"
            for prep in (c for c in verb.children if c.dep_ in ("prep", "agent") and c.lower_ in ("in", "by")):
                for noun in (g for g in prep.children if g.dep_ == "pobj"):
                    actors = actors or find.noun_owner(noun, names, offset, ctx)
        recipients = find.recipients(found, actor_heads, names, offset, ctx, actors)
        return Parties(subject, actors, recipients, actor_heads)

    def _between(self, found: Found, verb: Token, parties: Parties, names: dict[int, Name], offset: int,
                 ctx: DocumentContext) -> None:
        """"talks were held between X and Y": X is the actor, Y the recipient."""
        between = self.parties.between(found, names, offset, ctx)
        subject = parties.subject
        if len(between) > 1 and (subject is None or subject.dep_ != "nsubj" or subject.head is not verb):
            parties.actors, parties.recipients = between[:1], between[1:]
        elif between and not parties.recipients:
            actors = parties.actors
            parties.recipients = [m for m in between if not actors or m.actor != actors[0].actor]
            if not actors:
                parties.actors, parties.recipients = parties.recipients[:1], parties.recipients[1:]

    def _not_an_act(self, found: Found, verb: Token, subject: Token | None) -> bool:
        """What the trigger's grammar says is no act: "declined to comment", "warned its citizens
        against travelling", "efforts to free them", "barred from visiting"."""
        tok, event = found.token, found.pattern.event
        if event == "REJECT" and any(c.lemma_.lower() in NON_ANSWERS for c in complements(tok)):
            return True  # "declined to comment": no refusal of anything political
        if event == "THREATEN" and any(c.dep_ == "dobj" and c.lemma_.lower() in PUBLIC_NOUNS for c in tok.children):
            return True  # "warned its citizens against travelling to the US": advice, not a threat
        if found.pattern.requires == "aim" and complements(tok):
            return True  # "sought to exploit the vacuum": an attempt (which the trigger still holds), not a request
        if is_unrealised(verb):
            return True  # "efforts to free them", "calls for the rulers to step down": an aim, not a deed
        if event == "ASSAULT" and self._names_a_hazard(subject):
            return True  # "the country's deadliest earthquake killed 24": a disaster, whoever's it is
        if event == "SUPPORT" and tok.dep_ == "acl" and tok.tag_ == "VBG":
            return True  # "the coalition supporting the government said ...": who it is, not what it did
        kept_from = verb
        while kept_from.dep_ == "conj" and kept_from.head is not kept_from:
            kept_from = kept_from.head  # "prevent people from being drawn in and travelling there"
        return kept_from.dep_ == "pcomp" and kept_from.head.lower_ in ("against", "from", "without") \
            and kept_from.tag_ in ("VBG", "VBN")  # "cautioned citizens against travelling": not done

    def _names_a_hazard(self, subject: Token | None) -> bool:
        """Whether a subject names a disaster or disease ("the virus", "a gas explosion in a coal mine")."""
        if subject is None:
            return False
        lemma = subject.lemma_.lower()
        words = {lemma, *(f"{c.lemma_.lower()} {lemma}" for c in subject.children if c.dep_ in ("compound", "amod"))}
        return not words.isdisjoint(self.lexicon.hazards)

    def _unattributed(self, found: Found, verb: Token, parties: Parties) -> bool:
        """Whether an event without an actor is kept: violence, protest and coercion reported as
        acts of a conflict, not as crime ("the virus has killed 2,600" has no attacker; an arrest
        with neither agent nor identified detainee is crime news)."""
        pattern, subject = found.pattern, parties.subject
        # "was charged with", "were convicted": by the state
        unattributed = pattern.event in UNATTRIBUTED_TYPES or (pattern.event, pattern.mode) == ("ACCUSE", "investigate") \
            or (pattern.event in ("ACCUSE", "SANCTION") and verb.lemma_.lower() in PROSECUTION_LEMMAS
                and bool(parties.recipients) and any(c.dep_ == "auxpass" for c in verb.children))
        return not (not unattributed or not reports_an_act(verb)
                    or self._names_a_hazard(subject)
                    or (pattern.event == "ASSAULT" and not self._armed_conflict(found.token.sent, parties.recipients))
                    or (pattern.event == "COERCE" and not parties.recipients))

    def _pairs(self, verb: Token, actors: list[Mention], recipients: list[Mention],
               event_type: str, written_as: str) -> list[tuple[Mention | None, Mention | None]]:
        reciprocal = len(actors) > 1 and any(t.lower_ == "other" and t.head.i == verb.i or
                                             (t.lower_ == "other" and t.head.head.i == verb.i)
                                             for t in verb.subtree if t.dep_ in ("dobj", "pobj", "amod", "det"))
        if reciprocal and not recipients:  # "accused each other": both ways
            return reciprocal_pairs(actors)
        return combine(actors, recipients, event_type, written_as=written_as)

    def _armed_conflict(self, sent: Span, recipients: list[Mention]) -> bool:
        """Unattributed violence is political when it hits a state party or the sentence speaks of
        war or terror (bombs, shelling, militants), not of crime."""
        if any(m.actor.type in ("MIL", "COP", "GOV", "IGO") for m in recipients):
            return True
        return bool({"military", "terrorism"} & set(find_terms(sent, self.lexicon.contexts)))


def _with_unnamed_partner(found: Found) -> bool:
    """ "held talks with officials": a partner the text does not name."""
    carrier_children = found.carrier.children if found.carrier is not None else ()
    return any(
        c.dep_ == "prep" and c.lower_ == "with" and any(g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")
                                                        for g in c.children)
        for c in (*found.token.children, *carrier_children))
