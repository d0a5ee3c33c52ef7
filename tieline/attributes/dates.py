"""Resolve an event's date against the story's publication date.

Reads spaCy DATE entities near the trigger ("on Thursday", "last week", "Dec. 18-21",
"mid-December", "by February", "in 2013", "two days ago") and returns the date as text with
its precision: ``YYYY-MM-DD`` (day or week), ``YYYY-MM`` (month) or ``YYYY`` (year).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from itertools import islice

from spacy.tokens import Span, Token

WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "several": 3, "few": 3, "eighteen": 18, "twelve": 12}
MONTH_RE = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
            r"|nov(?:ember)?|dec(?:ember)?)\.?")
MONTH_DAY = re.compile(MONTH_RE + r"\s+(\d{1,2})(?!\d)(?:st|nd|rd|th)?(?:\s*[-\u2013]\s*\d{1,2})?(?:,?\s+(\d{4}))?", re.I)
DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH_RE + r"(?:,?\s+(\d{4}))?", re.I)
MONTH_ONLY = re.compile(r"\b" + MONTH_RE + r"(?:\s+(\d{4}))?\b", re.I)
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# "may" is the month only after a word of time: "in May", "since May", "early May"
MAY_AS_MONTH = re.compile(r"\b(in|since|until|by|of|early|mid|late|last|next|this)[-\s]+may\b")
MAX_TREE_STEPS = 60  # news sentences are far shallower; a run-on one must not cost its depth per phrase
AGO = re.compile(r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|twelve|eighteen)"
                 r"\s+(day|week|month|year)s?\s+ago", re.I)


@dataclass(frozen=True)
class ResolvedDate:
    value: dt.date
    precision: str  # day, week, month, year

    def last_day(self) -> dt.date:
        """The last day the date can mean: "in March 2019" may be March 31st (at most
        9999-12-31: the week or month of a date at the end of the calendar ends there, issue 9)."""
        try:
            return self._last_day()
        except (OverflowError, ValueError):
            return dt.date.max

    def _last_day(self) -> dt.date:
        if self.precision == "week":
            return self.value + dt.timedelta(days=6)
        if self.precision == "month":
            return _shift_months(self.value, 1) - dt.timedelta(days=1)
        if self.precision == "year":
            return dt.date(self.value.year, 12, 31)
        return self.value

    def text(self) -> str:
        if self.precision in ("day", "week"):
            return self.value.isoformat()
        if self.precision == "month":
            return self.value.strftime("%Y-%m")
        return str(self.value.year)


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str, published: dt.date, *, future: bool = False) -> ResolvedDate | None:
    """Resolve one date expression relative to the publication date, or None.

    A date that would fall outside the calendar (before 0001-01-01 or after 9999-12-31: "yesterday"
    in a story dated 0001-01-01, as Go-based feed generators write a missing date) is not resolved:
    no such date can be written, and the caller then dates the event by its story (issue 9).
    Pure, so cached: every event of a sentence resolves the same DATE phrases.
    """
    low = text.lower().strip()
    if not low:
        return None
    try:
        return _parse_expression(low, published, future)
    except (OverflowError, ValueError):  # date arithmetic past either end of the calendar
        return None


def _relative_day(low: str, published: dt.date, future: bool) -> ResolvedDate | None:
    """ "today", "yesterday", "tomorrow"."""
    if re.search(r"\b(today|tonight|this morning|this afternoon|this evening)\b", low):
        return ResolvedDate(published, "day")
    if "yesterday" in low:
        return ResolvedDate(published - dt.timedelta(days=1), "day")
    if "tomorrow" in low:
        return ResolvedDate(published + dt.timedelta(days=1), "day")
    return None


def _ago(low: str, published: dt.date, future: bool) -> ResolvedDate | None:
    """ "three days ago", "a year ago"."""
    m = AGO.search(low)
    if not m:
        return None
    n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS.get(m.group(1), 1)
    unit = m.group(2)
    if unit == "day":
        return ResolvedDate(published - dt.timedelta(days=n), "day")
    if unit == "week":
        return ResolvedDate(published - dt.timedelta(weeks=n), "week")
    if unit == "month":
        return ResolvedDate(_shift_months(published, -n), "month")
    return ResolvedDate(dt.date(published.year - n, 1, 1), "year")


def _weekday(low: str, published: dt.date, future: bool) -> ResolvedDate | None:
    """ "on Tuesday" (the last one, or the next one of a future event), "next Monday"."""
    for name, index in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", low):
            delta = (published.weekday() - index) % 7
            if "next" in low or (future and delta != 0):
                return ResolvedDate(published + dt.timedelta(days=(index - published.weekday()) % 7 or 7), "day")
            if "last" in low and delta == 0:
                delta = 7
            return ResolvedDate(published - dt.timedelta(days=delta), "day")
    return None


def _named_period(low: str, published: dt.date, future: bool) -> ResolvedDate | None:
    """ "last week", "this month", "next year"."""
    for unit in ("week", "month", "year"):
        if re.search(rf"\b(last|past|previous)\s+{unit}\b", low):
            shift = -1
        elif re.search(rf"\b(this|current)\s+{unit}\b|earlier this {unit}|later this {unit}", low):
            shift = 0
        elif re.search(rf"\bnext\s+{unit}\b", low):
            shift = 1
        else:
            continue
        return _period(published, unit, shift)
    return None


def _period(published: dt.date, unit: str, shift: int) -> ResolvedDate:
    """The week, month or year ``shift`` periods from the one of ``published``."""
    if unit == "week":
        days = {-1: -7, 0: -published.weekday(), 1: 7 - published.weekday()}[shift]
        return ResolvedDate(published + dt.timedelta(days=days), "week")
    if unit == "month":
        return ResolvedDate(_shift_months(published, shift) if shift else published.replace(day=1), "month")
    return ResolvedDate(dt.date(published.year + shift, 1, 1), "year")


def _parse_expression(low: str, published: dt.date, future: bool) -> ResolvedDate | None:
    for parse in (_relative_day, _ago, _weekday, _named_period):
        found = parse(low, published, future)
        if found is not None:
            return found
    m = MONTH_DAY.search(low)
    day_first = None if m else DAY_MONTH.search(low)
    if m or day_first:
        if m:
            month, day, year = MONTHS[_month_key(m.group(1))], int(m.group(2)), m.group(3)
        else:
            assert day_first is not None
            day, month, year = int(day_first.group(1)), MONTHS[_month_key(day_first.group(2))], day_first.group(3)
        try:
            value = _in_year(month, day, year, published, future)
        except ValueError:
            return None
        return ResolvedDate(value, "day")
    m = MONTH_ONLY.search(low)
    if m and not (m.group(1).lower() == "may" and not MAY_AS_MONTH.search(low)):
        month = MONTHS[_month_key(m.group(1))]
        year = int(m.group(2)) if m.group(2) else None
        if year is None:
            year = published.year
            if "last" in low or (not future and month > published.month and "next" not in low):
                year -= 1
            elif ("next" in low or future) and month < published.month:
                year += 1
        return ResolvedDate(dt.date(year, month, 1), "month")
    m = YEAR.search(low)
    if m:
        return ResolvedDate(dt.date(int(m.group(1)), 1, 1), "year")
    return None


def _month_key(word: str) -> str:
    w = word.lower().rstrip(".")
    return w if w in MONTHS else w[:3]


def _in_year(month: int, day: int, year: str | None, published: dt.date, future: bool) -> dt.date:
    if year:
        return dt.date(int(year), month, day)
    value = dt.date(published.year, month, day)
    if not future and value > published + dt.timedelta(days=7):
        value = dt.date(published.year - 1, month, day)
    elif future and value < published - dt.timedelta(days=7):
        value = dt.date(published.year + 1, month, day)
    return value


def date_phrases(sent: Span) -> list[Span]:
    """The DATE and TIME phrases of a sentence that can date an event (not a year inside a name)."""
    return [ent for ent in sent.ents if ent.label_ in ("DATE", "TIME") and not _is_part_of_name(ent)]


def resolve_date(trigger: Token, published: dt.date | None, *, future: bool = False,
                 phrases: list[Span] | None = None) -> ResolvedDate | None:
    """The date of the event whose trigger is given: the DATE phrase closest to it in the tree.

    Args:
        phrases: the trigger's sentence's ``date_phrases``, when the caller has them already
            (every event of a sentence shares them).
    """
    if published is None:
        return None
    best: tuple[int, ResolvedDate] | None = None
    for ent in date_phrases(trigger.sent) if phrases is None else phrases:
        if _dates_another_clause(ent.root, trigger):
            continue
        resolved = parse_expression(ent.text, published, future=future)
        if resolved is None:
            continue
        distance = _tree_distance(trigger, ent.root)
        if best is None or distance < best[0]:
            best = (distance, resolved)
    return best[1] if best else None


# Dependencies by which a predicate's own clause hangs from another word.
CLAUSE_DEPS = frozenset({"acl", "relcl", "conj"})


def _dates_another_clause(date: Token, trigger: Token) -> bool:
    """The date hangs from a predicate the trigger does not stand under: it dates that clause's
    event ("two nationals suspected of blowing up a plane in 1988", "met Y and on Tuesday signed"),
    and taking it would make the trigger's event historical."""
    trigger_line = {trigger.i, *(t.i for t in islice(trigger.ancestors, MAX_TREE_STEPS))}
    for head in islice(date.ancestors, MAX_TREE_STEPS):
        if head.i in trigger_line:
            return False
        if head.pos_ in ("VERB", "AUX") and head.dep_ in CLAUSE_DEPS:
            return True
    return False


def _tree_distance(a: Token, b: Token) -> int:
    # each path up the tree is followed MAX_TREE_STEPS at most (issue 9)
    ancestors_a = [a, *islice(a.ancestors, MAX_TREE_STEPS)]
    ancestors_b = [b, *islice(b.ancestors, MAX_TREE_STEPS)]
    index_a = {t.i: n for n, t in enumerate(ancestors_a)}
    for n, t in enumerate(ancestors_b):
        if t.i in index_a:
            return n + index_a[t.i]
    return 99 + abs(a.i - b.i)


def _is_part_of_name(ent: Span) -> bool:
    """A year inside a name ("Kuala Lumpur Summit 2019", "Telecom 2019") dates nothing."""
    root = ent.root
    if not ent.text.strip().isdigit():
        return False
    return root.dep_ in ("nummod", "compound", "appos", "npadvmod", "nmod") and root.head.pos_ == "PROPN"
