"""Records: the story's other party as recipient of an aimed act whose sentence names none (issue 10)."""

from __future__ import annotations

from dataclasses import replace

from tieline.records import recipients_from_story
from tieline.types import EventRecord, Member, Party


def record(event: str, actor: str, recipient: str | None, n: int) -> EventRecord:
    def party(country: str) -> Party:
        return Party.of(Member(country, country, country, "GOV"))

    return EventRecord(doc_id="d", event_id=f"e{n}", event=event, mode=None, contexts=(), sectors=(),
                       actor=party(actor), recipient=party(recipient) if recipient else None, date=None,
                       date_precision=None, location=None, negated=False, future=False, hypothetical=False,
                       historical=False, cameo="040", quad=1, score=1.0, sentence="s", trigger="t",
                       spans={"sentence": [0, 1]}, rule="triggers.csv:1 meet", confidence=0.85)


def test_records_an_aimed_act_without_recipient_takes_the_storys_other_party(lexicon):
    records = [record("CONSULT", "IRN", "ARM", 1), record("AGREE", "ARM", "IRN", 2),
               record("SUPPORT", "IRN", None, 3), record("RETREAT", "IRN", None, 4)]
    out = recipients_from_story(records, lexicon)
    support, retreat = out[2], out[3]
    assert support.recipient.first.country == "ARM"
    assert support.rule.endswith("; recipient from the story") and support.confidence == 0.75
    assert "recipient" not in support.spans or support.spans.get("recipient") is None  # no span: not in the sentence
    assert retreat.recipient is None  # a resignation is done to no one
    assert out[:2] == records[:2]


def test_records_no_other_party_no_recipient(lexicon):
    records = [record("CONSULT", "GBR", "GBR", 1), record("ACCUSE", "GBR", None, 2)]
    assert recipients_from_story(records, lexicon)[1].recipient is None
    assert recipients_from_story(records, lexicon, home="FRA")[1].recipient is None  # a story about another country


def test_records_in_a_story_of_one_countrys_politics_an_aimed_act_is_aimed_at_home(lexicon):
    records = [record("ACCUSE", "GBR", None, 1), record("CONSULT", "GBR", None, 2), record("RETREAT", "GBR", None, 3)]
    accuse, consult, retreat = recipients_from_story(records, lexicon, home="GBR")
    assert accuse.recipient.first.country == "GBR" and accuse.rule.endswith("; recipient from the story")
    assert accuse.recipient.first.text is None and accuse.recipient.first.name == "United Kingdom"  # the country, not the actor
    assert consult.recipient is None  # a cabinet meeting is not news between parties
    assert retreat.recipient is None  # nor a resignation an act aimed at anyone
    stateless = record("ACCUSE", "GBR", None, 4)
    stateless = replace(stateless, actor=Party.of(replace(stateless.actor.first, country=None)))
    assert recipients_from_story([stateless], lexicon, home=None)[0].recipient is None  # no country, no home


def test_records_a_party_of_home_public_life_is_aimed_at_home_though_others_are_named(lexicon):
    # "The Muslim Council of Britain urged ..." in a British story that also names Iraq
    records = [record("ACCUSE", "GBR", "IRQ", 1), record("REQUEST", "GBR", None, 2), record("REQUEST", "GBR", None, 3)]
    records[2] = replace(records[2], actor=Party.of(replace(records[2].actor.first, type="REL")))
    government, council = recipients_from_story(records, lexicon, home="GBR")[1:]
    assert government.recipient.first.country == "IRQ"  # the government speaks abroad as well
    assert council.recipient.first.country == "GBR"


def test_records_the_most_named_then_the_first_named(lexicon):
    records = [record("CONSULT", "IRN", "ARM", 1), record("CONSULT", "IRN", "MYS", 2),
               record("AGREE", "IRN", "MYS", 3), record("ACCUSE", "IRN", None, 4)]
    assert recipients_from_story(records, lexicon)[3].recipient.first.country == "MYS"
    tied = [record("CONSULT", "IRN", "ARM", 1), record("CONSULT", "IRN", "MYS", 2), record("ACCUSE", "IRN", None, 3)]
    assert recipients_from_story(tied, lexicon)[2].recipient.first.country == "ARM"


def test_records_a_threat_with_no_target_named_is_aimed_where_it_would_happen():
    # "Hamas threatened to resume attacks in Israel": the place's country is the one threatened
    from tieline.records import implied_recipient
    from tieline.types import Actor, Attributes, Event, Location, Mention, Trigger

    hamas = Mention("Hamas", 0, 5, Actor("Hamas", "PSE", "REB"), "organization")
    threat = Event("d", 0, 1, Trigger("threatened", 6, 16, "threaten", "THREATEN", None, "130", "t"), hamas, None,
                   "s", 0)
    assert implied_recipient(threat, Attributes(location=Location("Israel", "ISR"))).country == "ISR"
    assert implied_recipient(threat, Attributes(location=Location("Gaza", "PSE"))) is None  # at home: no one
    assert implied_recipient(threat, Attributes()) is None


def test_records_members_of_a_body_agreeing_among_themselves_agree_with_the_body(lexicon):
    # "EC ministers agreed a scheme ... in Luxembourg": EC -> EC, not a meeting with Luxembourg
    from tieline.records import build_record
    from tieline.types import Actor, Attributes, Event, Location, Mention, Trigger

    def agreed(text: str) -> Event:
        actor = Mention(text, 0, len(text), Actor("European Community", None, "IGO", "EC"), "organization")
        return Event("d", 0, 1, Trigger("agreed", 20, 26, "agree", "AGREE", None, "057", "t"), actor, None, "s", 0)

    where = Attributes(location=Location("Luxembourg", "LUX"))
    ministers = build_record(agreed("EC finance ministers"), where, lexicon)
    assert ministers.recipient.first.abbrev == "EC" and "+implied-recipient" in ministers.rule
    body = build_record(agreed("The European Community"), where, lexicon)  # the body itself: the host, as before
    assert body.recipient.first.country == "LUX"


def test_records_which_phrases_name_a_bodys_members():
    from tieline.records import members_of_body
    from tieline.types import Actor, Mention

    def body(text: str) -> Mention:
        return Mention(text, 0, len(text), Actor("United Nations", None, "IGO", "UN"), "organization")

    for text in ("Members of the Security Council", "UN envoys", "Foreign ministers of the UN", "the members of the UN"):
        assert members_of_body(body(text)), text
    for text in ("The United Nations", "the UN", "United Nations Member States Council"):
        assert not members_of_body(body(text)), text
    assert not members_of_body(Mention("EU ministers", 0, 12, Actor("France", "FRA", "GOV"), "agent"))
