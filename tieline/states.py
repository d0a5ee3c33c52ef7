"""The codes of their time (issue 13): a story of 1987 about Moscow is about the Soviet Union,
one about Bonn about West Germany. A party whose country was part of a state of the past on the
event's date carries that state's code as ``country_then`` (SUN, DDR, FRG, YUG, CSK, as ICEWS
and Phoenix code them), beside the ISO3 code of today in ``country``, which the analyses count
by and the gold standard keys on. The states and their last days are tieline/data/historical_states.csv.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tieline.lexicon import HistoricalState, Lexicon
from tieline.partial_date import first_day
from tieline.types import Member, Party


def state_then(member: Member, day: dt.date | None, lexicon: Lexicon) -> HistoricalState | None:
    """The state of the past ``member``'s country was part of on ``day``, if any: one meant only
    when named (East Germany) when the member's words or name name it, else the other (West
    Germany)."""
    if day is None or member.country is None:
        return None
    states = [s for s in lexicon.historical_states if s.member == member.country and day <= s.until]
    words = " ".join(filter(None, (member.text, member.name))).casefold()
    for state in states:
        if state.named and any(name.casefold() in words for name in state.names):
            return state
    return next((s for s in states if not s.named), None)


def with_states(party: Party | None, date: str | None, lexicon: Lexicon) -> Party | None:
    """``party`` with each member's ``country_then`` set for the event's ``date``."""
    day = first_day(date)
    if party is None or day is None or not lexicon.historical_states:
        return party
    members = []
    for member in party.members:
        state = state_then(member, day, lexicon)
        members.append(replace(member, country_then=state.code) if state is not None else member)
    return Party(tuple(members))


def cow_number(member: Member, lexicon: Lexicon) -> str:
    """The Correlates of War number of a member's state at the time (its state of the past when
    it has one), else of its country; empty when neither has one."""
    if member.country_then:
        for state in lexicon.historical_states:
            if state.code == member.country_then:
                return state.cow
    country = lexicon.countries_by_iso3.get(member.country or "")
    return country.cow if country is not None else ""
