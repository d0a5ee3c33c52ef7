"""PLOVER's rules for what a trigger's event becomes given its grammar and its parties.

Which rule applies is decided here; what each rule writes (event, mode, CAMEO code) is the data
table ``recodings.csv``. Intent: a promised or future cooperative act is AGREE, promised or
future force is THREATEN. Refusal: "will not accept refugees" is REJECT, not a negated CONSULT.
Parties: a state does not protest in the street, forcing out a UN agency is an expulsion,
troops "arriving" somewhere make no visit, and calling on a person with nothing asked is a visit.
"""

from __future__ import annotations

from spacy.tokens import Token

from tieline.coref import PERSON_KINDS, TITLES
from tieline.events.syntax import complements, failed, has_condition, negated_complement
from tieline.events.triggers import Found, TriggerMatcher
from tieline.lexicon import Lexicon
from tieline.types import Mention

COOPERATIVE_TYPES = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID"})
CONFLICT_TYPES = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST"})
# Acts that a condition turns into a threat: "will impose sanctions unless...", and those that
# "if" does too ("will impose sanctions if ...", "would resign if ..."; "will withdraw its
# troops if ..." is an offer).
CONDITIONAL_TYPES = frozenset({"RETREAT", "SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "PROTEST"})
IF_CONDITIONAL_TYPES = CONDITIONAL_TYPES - {"RETREAT"}
# Verbs whose complement carries their meaning over ("offered to send troops").
PROMISE_LEMMAS = frozenset({"offer", "promise", "pledge", "vow", "commit", "committed", "volunteer", "willing", "ready",
                            "prepared", "eager", "keen", "determined"})
# Sectors that attack only in words; and mentions that name a place, which only arms attack.
SPEAKING_SECTORS = frozenset({"PTY", "OPP", "LEG", "ELI", "JUD", "MED", "EDU", "NGO"})
PLACE_KINDS = frozenset({"country", "capital", "region"})
# Acts whose negated future or failure is a refusal, which PLOVER codes as REJECT.
REFUSABLE_TYPES = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})

Coding = tuple[str, str | None, str]  # event, mode, CAMEO code


class Recoder:
    """The re-coding rules, over the trigger table (for a complement's event) and recodings.csv."""

    def __init__(self, lexicon: Lexicon, triggers: TriggerMatcher) -> None:
        self.lexicon = lexicon
        self.triggers = triggers

    def recode(self, found: Found, verb: Token, actors: list[Mention], recipients: list[Mention], *,
               negated: bool, future: bool) -> tuple[str, str | None, str, bool]:
        """The event, mode and CAMEO code written for a trigger, and whether it stays negated."""
        pattern = found.pattern
        coding = self.intent(found, (pattern.event, pattern.mode, pattern.cameo), future)
        coding = self.by_parties(coding, actors, recipients)
        if coding[0] == "REQUEST" and courtesy_call(found.token, recipients):
            coding = self.lexicon.recode("courtesy_call", coding[0])
        if coding[0] == "ASSAULT" and attack_in_words(found, actors, recipients):
            coding = self.lexicon.recode("in_words", coding[0])
        event_type = coding[0]
        if event_type == "AGREE" and found.token.lemma_.lower() in PROMISE_LEMMAS and negated_complement(found.token):
            return (*self.lexicon.recode("vowed_not", event_type), negated)  # "vowed not to return the Golan"
        if negated and event_type in REFUSABLE_TYPES and (future or failed(verb)):
            # "will not accept refugees", "failed to reach agreement": a refusal (the negated
            # event itself is not written as positive)
            return (*self.lexicon.recode("refusal", event_type), False)
        return (*coding, negated)

    def intent(self, found: Found, coding: Coding, future: bool) -> Coding:
        """PLOVER's rules for intent: future cooperation is AGREE, promised force is THREATEN."""
        event_type, mode, _ = coding
        if found.pattern.event == "AGREE" and found.token.lemma_.lower() in PROMISE_LEMMAS:
            complement = self.triggers.complement_type(found.token) or self.triggers.promised_clause_type(found.token)
            if complement in CONFLICT_TYPES:
                return self.lexicon.recode("promised", complement)
        if not future:
            return coding
        verb = found.carrier or found.token
        if (event_type in CONDITIONAL_TYPES and has_condition(verb, "unless")) or (
                has_condition(verb, "if") and (event_type in IF_CONDITIONAL_TYPES or mode == "resign")):
            return self.lexicon.recode("conditional", event_type)
        if event_type in COOPERATIVE_TYPES | {"RETREAT", "CONCEDE"} and mode != "resign":
            return self.lexicon.recode("future_cooperation", event_type)
        if event_type in CONFLICT_TYPES:
            return self.lexicon.recode("future_force", event_type)
        return coding

    def by_parties(self, coding: Coding, actors: list[Mention], recipients: list[Mention]) -> Coding:
        """The event a trigger makes given who takes part."""
        event_type, mode, _ = coding
        if event_type == "PROTEST" and actors and all(m.actor.type in ("MIL", "COP") for m in actors):
            return self.lexicon.recode("by_security_forces", event_type)  # "troops blocked the roads"
        if event_type == "PROTEST" and actors and all(m.actor.type == "GOV" for m in actors):
            return self.lexicon.recode("by_government", event_type)
        if event_type == "COERCE" and mode == "deport" and recipients \
                and all(m.actor.type in ("IGO", "NGO") for m in recipients):
            return self.lexicon.recode("of_agency", event_type)
        if event_type == "CONSULT" and mode == "visit" and actors and all(m.actor.type == "MIL" for m in actors):
            if any("peacekeep" in m.text.lower() for m in actors):
                return self.lexicon.recode("peacekeepers", event_type)
            return self.lexicon.recode("by_troops", event_type)
        return coding


def attack_in_words(found: Found, actors: list[Mention], recipients: list[Mention]) -> bool:
    """ "Mr Cable attacked Labour's taxes", "Blair launched an attack on the Tories": an attack by
    a person or a party on no country or place is criticism. Armed attacks are by forces, groups
    and countries, or on places."""
    words = {found.token.lemma_.lower(), *(c.lemma_.lower() for c in found.token.children if c.dep_ == "dobj")}
    if "attack" not in words or not actors:
        return False
    by_words = all(m.kind in PERSON_KINDS or m.actor.type in SPEAKING_SECTORS for m in actors)
    return by_words and not any(m.kind in PLACE_KINDS for m in recipients)


def courtesy_call(verb: Token, recipients: list[Mention]) -> bool:
    """ "X called on Prime Minister Oli today": a visit paid to a person, not a request, which
    says what is asked ("called on Nato to co-ordinate", "called on the Emir for help")."""
    if verb.lemma_.lower() != "call":
        return False
    on = [c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("on", "upon")
          and not any(g.ent_type_ in ("DATE", "TIME") for g in c.children)]  # not "on Monday"
    objects = [g for c in on for g in c.children if g.dep_ == "pobj"]
    titled = all(g.pos_ == "PROPN" for g in objects)  # "the Emir", not "the government"
    if not recipients:  # a titled person no table knows: "called on Prime Minister KP Sharma Oli"
        return bool(objects) and titled and all(any(c.dep_ == "compound" and c.lemma_.lower() in TITLES
                                                    for c in g.children) for g in objects) and not _asked(verb, on)
    if not on or not all(m.kind in PERSON_KINDS or (m.kind == "agent" and titled) for m in recipients):
        return False
    return not _asked(verb, on)


def _asked(verb: Token, on: list[Token]) -> bool:
    """Whether a call on someone says what is asked: "called on Nato to co-ordinate", "for help"."""
    return bool(complements(verb)) or any(c.dep_ == "ccomp" or (c.dep_ == "prep" and c.lower_ == "for")
                                          for c in verb.children) \
        or any(t.dep_ == "aux" and t.lower_ == "to" for c in on for t in c.subtree)
