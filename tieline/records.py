"""Build output records: an event with its attributes, CAMEO code, quad class, PLOVER score
and evidence. Also home of the published JSON Schema of a record."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from typing import Any

from tieline.lexicon import Lexicon
from tieline.states import with_states
from tieline.types import Actor, Attributes, Event, EventRecord, Member, Mention, Party

SELF_MEETING_TYPES = frozenset({"CONSULT"})  # a cabinet meeting is no news between parties (optional at most)
# Sectors of a country's own public life: what they say and do is aimed at home, even when the
# story names other countries ("the Muslim Council of Britain urged ...").
DOMESTIC_SECTORS = frozenset({"LEG", "PTY", "BUS", "REL", "JUD", "CVL", "OPP", "NGO"})
# Events that, with no recipient named, are aimed at a government at home (a protest, a
# crackdown): the recipient is the government or people of the country where it happened.
DOMESTIC_TYPES = {"PROTEST": "GOV", "COERCE": "CVL", "CONCEDE": "CVL", "ASSAULT": "CVL"}
# Visits, meetings, aid and undertakings abroad with no counterpart named are with the host country,
# and a threat of what would happen abroad ("threatened to resume attacks in Israel") is aimed at it.
HOSTED_TYPES = frozenset({"CONSULT", "AGREE", "AID", "COOPERATE", "SANCTION", "MOBILIZE", "THREATEN"})
DEFAULT_CONTEXTS = {"CONSULT": "diplomatic", "AGREE": "diplomatic", "SUPPORT": "diplomatic"}
# A prosecutor's and a court's acts: told in the passive with no agent ("was charged with"), they
# are the state's, and the state of the one charged, wherever the crime was.
PROSECUTION_LEMMAS = frozenset({"charge", "indict", "sentence", "convict"})
# The members of one international body meeting or agreeing among themselves ("EC ministers
# agreed a scheme", "members of the Security Council met") meet the body: EC -> EC, not the host.
AMONG_MEMBERS_TYPES = frozenset({"CONSULT", "AGREE"})
# (in lower case, or opening the phrase before "of": "Members of the Security Council", not "United Nations")
_MEMBER_NOUNS = "ministers|members|leaders|governors|delegates|representatives|heads|envoys|ambassadors|states|countries|nations"
MEMBERS = re.compile(rf"^(?i:(?:the )?(?:\w+ )?(?:{_MEMBER_NOUNS}) of )|\b(?:{_MEMBER_NOUNS})\b")


def quad_class(cameo: str) -> int:
    """GDELT/ICEWS quad class of a CAMEO code: 1 verbal cooperation, 2 material cooperation,
    3 verbal conflict, 4 material conflict."""
    root = int(cameo[:2])
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    if root <= 13:
        return 3
    return 4


def plover_score(lexicon: Lexicon, event: str, mode: str | None) -> float:
    if mode is not None and (event, mode) in lexicon.modes:
        return lexicon.modes[(event, mode)][0]
    return lexicon.event_types[event].score


def record_party(mention: Mention | None, actor: Actor | None = None) -> dict[str, Any] | None:
    """A mention (or an actor no words name) as the JSON object of one party member."""
    member = record_member(mention, actor)
    return member.to_dict() if member is not None else None


def record_member(mention: Mention | None, actor: Actor | None = None) -> Member | None:
    """The member a mention names, or an actor no words name (``text`` None); None for neither."""
    if mention is not None:
        return Member.of(mention.actor, mention.text)
    return Member.of(actor) if actor is not None else None


def _party(first: Mention, others: tuple[Mention, ...]) -> Party:
    return Party(tuple(Member.of(m.actor, m.text) for m in (first, *others)))


def _span(mention: Mention | None) -> list[int] | None:
    if mention is None or mention.start < 0:
        return None
    return [mention.start, mention.end]


def named_country(actor: Actor, lexicon: Lexicon) -> Actor:
    """An inferred country party under the country table's name ("United Kingdom", not "GBR")."""
    country = lexicon.countries_by_iso3.get(actor.country or "")
    return Actor(country.name if country else actor.name, actor.country, actor.type)


def implied_recipient(event: Event, attributes: Attributes) -> Actor | None:
    """The recipient the text leaves implicit (see DOMESTIC_TYPES and HOSTED_TYPES)."""
    if event.recipient is not None:
        return None
    place = attributes.location.country if attributes.location else None
    kind = event.trigger.event
    actor_country = event.actor.actor.country if event.actor is not None else None
    if kind in DOMESTIC_TYPES:
        # violence is placed where it happened; a protest or crackdown with no place is at home
        police = event.actor is not None and event.actor.actor.type == "COP"  # police act at home
        country = place if kind == "ASSAULT" and not police else (place or actor_country)
        if country is None:
            return None
        return Actor(country, country, DOMESTIC_TYPES[kind])
    investigation = (kind, event.trigger.mode) == ("ACCUSE", "investigate")  # "sent staff to Bosnia to investigate"
    if event.unnamed_partner:
        return None  # "in discussion with the DfID about Syria": the partner is named, just not known
    if (kind in HOSTED_TYPES or investigation) and place and place != actor_country:
        return Actor(place, place, "GOV")
    return None


def among_members(event: Event) -> bool:
    """Whether the members of an international body meet or agree among themselves (see
    AMONG_MEMBERS_TYPES): the body's ministers or members, with no partner named."""
    actor = event.actor
    return (actor is not None and event.recipient is None and not event.co_actors and not event.unnamed_partner
            and event.trigger.event in AMONG_MEMBERS_TYPES and members_of_body(actor))


def members_of_body(mention: Mention) -> bool:
    """ "EC ministers", "Members of the Security Council", "Leaders of the G7": a body's members."""
    return mention.actor.type == "IGO" and bool(mention.actor.abbrev) and MEMBERS.search(mention.text) is not None


def implied_actor(event: Event, attributes: Attributes) -> Actor | None:
    """An unidentified actor (protesters, attackers) where an unattributed event happened."""
    if event.actor is not None:
        return None
    place = attributes.location.country if attributes.location else None
    if event.recipient is not None and event.trigger.lemma in PROSECUTION_LEMMAS:
        place = event.recipient.actor.country or place  # "a British soldier charged with murder in Iraq": by Britain
    if not place and event.trigger.event in ("PROTEST", "COERCE", "ACCUSE") and event.recipient is not None:
        # protesters against a government are its people; one detained or charged where the
        # story does not say is held by the authorities of his own country
        place = event.recipient.actor.country
    if not place:
        return None
    if event.trigger.event in ("COERCE", "ACCUSE", "SANCTION"):  # "was arrested in Lebanon": by the authorities there
        return Actor("authorities", place, "GOV")
    return Actor("unidentified", place, "CVL" if event.trigger.event == "PROTEST" else "UNK")


def event_id(event: Event) -> str:
    key = "|".join(str(v) for v in (event.doc_id, event.trigger.start, event.trigger.event,
                                     event.actor.start if event.actor else "", event.actor.actor if event.actor else "",
                                     event.recipient.start if event.recipient else "",
                                     event.recipient.actor if event.recipient else ""))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def build_record(event: Event, attributes: Attributes, lexicon: Lexicon) -> EventRecord | None:
    """The output record of an event, or None when no actor can be named."""
    trigger = event.trigger
    if event.actor is not None:
        actor = _party(event.actor, event.co_actors)
    else:
        unidentified = implied_actor(event, attributes)
        if unidentified is None:
            return None
        actor = Party.of(Member.of(unidentified))
    recipient = _party(event.recipient, event.co_recipients) if event.recipient is not None else None
    implied = None
    if recipient is None and among_members(event):
        recipient, implied = actor, event.actor.actor  # type: ignore[union-attr]
    if recipient is None:
        implied = implied_recipient(event, attributes)
        if implied is not None:
            implied = named_country(implied, lexicon)
            recipient = Party.of(Member.of(implied))
    # the codes of their time: the Soviet Union's, West Germany's... (issue 13)
    actor = with_states(actor, attributes.date, lexicon) or actor
    recipient = with_states(recipient, attributes.date, lexicon)
    contexts = list(attributes.contexts)
    default = DEFAULT_CONTEXTS.get(trigger.event)
    if default and default not in contexts:
        contexts.append(default)
    location = None
    if attributes.location is not None:
        location = attributes.location.to_dict()
    rule = trigger.rule + (" +implied-recipient" if implied is not None else "") \
        + (" +unidentified-actor" if event.actor is None else "")
    return EventRecord(
        doc_id=event.doc_id,
        event_id=event_id(event),
        event=trigger.event,
        mode=trigger.mode,
        contexts=tuple(contexts),
        sectors=attributes.sectors,
        actor=actor,
        recipient=recipient,
        date=attributes.date,
        date_precision=attributes.date_precision,
        location=location,
        negated=event.negated,
        future=event.future,
        hypothetical=event.hypothetical,
        historical=attributes.historical,
        cameo=trigger.cameo,
        quad=quad_class(trigger.cameo),
        score=plover_score(lexicon, trigger.event, trigger.mode),
        sentence=event.sentence,
        trigger=trigger.text,
        spans={"sentence": [event.sentence_start, event.sentence_start + len(event.sentence)],
               "trigger": [trigger.start, trigger.end], "actor": _span(event.actor),
               "recipient": _span(event.recipient),
               **({"co_actors": [_span(m) for m in event.co_actors]} if event.co_actors else {}),
               **({"co_recipients": [_span(m) for m in event.co_recipients]} if event.co_recipients else {})},
        rule=rule,
        confidence=round(event.confidence - (0.1 if implied is not None else 0.0)
                         - (0.15 if event.actor is None else 0.0), 2),
    )


def recipients_from_story(records: list[EventRecord], lexicon: Lexicon, home: str | None = None) -> list[EventRecord]:
    """Records of acts done to someone (meetings, statements, sanctions: ``aimed`` in
    events.csv) whose sentence names no recipient take the story's other party: the country its
    records name most often, the actor's own aside. "The minister welcomed the decision" in a
    story of Iran and Armenia is aimed at Armenia. Such a recipient has no span in the sentence;
    the rule says where it came from and the confidence drops (issue 10: on the corpus's dev
    split, 45 of 141 false positives were such records whose recipient the story named).

    When the story is about the actor's own country (``home``, see
    :meth:`tieline.coref.DocumentContext.story_country`) and the records name no other, or the
    actor is of the country's own public life (a party, a court, a church, a firm), the act is aimed
    at home: the guidelines code the parties, critics and officials of one country as that country."""
    counts: dict[str, int] = {}
    party_of: dict[str, Member] = {}
    for record in records:
        members = record.actor.members + (record.recipient.members if record.recipient is not None else ())
        for member in members:
            country = member.country
            if country:
                counts[country] = counts.get(country, 0) + 1
                party_of.setdefault(country, member)
    out = []
    for record in records:
        if record.recipient is None and lexicon.event_types[record.event].aimed:
            own = record.actor.countries()
            # the most named; between equals, the first named
            others = [c for c in sorted(counts, key=lambda c: -counts[c]) if c not in own]
            recipient = Party.of(party_of[others[0]]) if others else None
            domestic = {m.type for m in record.actor.members} <= DOMESTIC_SECTORS
            if (not others or domestic) and home is not None and own == {home} \
                    and record.event not in SELF_MEETING_TYPES:
                # a story of one country's politics: aimed at its own ("Mr Ancram condemned the
                # document"), named as the country, not as the actor's own mention
                recipient = Party.of(Member.of(named_country(Actor(home, home, None), lexicon)))
            if recipient is not None:
                record = replace(record, recipient=recipient,
                                 rule=f"{record.rule}; recipient from the story",
                                 confidence=round(max(record.confidence - 0.1, 0.0), 2))
        out.append(record)
    return out


def record_schema() -> dict[str, Any]:
    """The JSON Schema every record validates against."""
    text = (resources.files("tieline") / "data" / "record.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def one_per_act(records: Iterable[EventRecord]) -> list[EventRecord]:
    """The records in order, one per act (:meth:`EventRecord.act`): "shot and wounded two
    soldiers" is one assault, not two."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for record in records:
        act = record.act()
        if act not in seen:
            seen.add(act)
            out.append(record)
    return out
