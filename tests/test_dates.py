import datetime as dt

import pytest

from tieline.attributes.dates import ResolvedDate, parse_expression, resolve_date

SAT = dt.date(2019, 12, 21)  # a Saturday


@pytest.mark.parametrize("text, future, expected, precision", [
    ("on Thursday", False, "2019-12-19", "day"),
    ("Thursday", True, "2019-12-26", "day"),
    ("today", False, "2019-12-21", "day"),
    ("yesterday", False, "2019-12-20", "day"),
    ("last week", False, "2019-12-14", "week"),
    ("last month", False, "2019-11", "month"),
    ("next month", True, "2020-01", "month"),
    ("Dec. 18-21", False, "2019-12-18", "day"),
    ("Sept. 9-12", False, "2019-09-09", "day"),
    ("September 29", False, "2019-09-29", "day"),
    ("29 September 2015", False, "2015-09-29", "day"),
    ("mid-December", False, "2019-12", "month"),
    ("early December", False, "2019-12", "month"),
    ("by February", True, "2020-02", "month"),
    ("last November", False, "2018-11", "month"),
    ("in 2013", False, "2013", "year"),
    ("18 years ago", False, "2001", "year"),
    ("two days ago", False, "2019-12-19", "day"),
])
def test_dates_relative_expressions(text, future, expected, precision):
    resolved = parse_expression(text, SAT, future=future)
    assert resolved is not None
    assert (resolved.text(), resolved.precision) == (expected, precision)


def test_dates_may_needs_a_date_context():
    assert parse_expression("may", SAT) is None
    assert parse_expression("in May", SAT).text() == "2019-05"


# issue 9: a placeholder publication date at either end of the calendar ("0001-01-01" from Go
# feed generators) must not end the run; a date that would fall outside it is not resolved.
@pytest.mark.parametrize("published, text", [
    (dt.date.min, "yesterday"),
    (dt.date.min, "two days ago"),
    (dt.date.min, "last week"),
    (dt.date.min, "3 weeks ago"),
    (dt.date.min, "last month"),
    (dt.date.min, "two months ago"),
    (dt.date.min, "last year"),
    (dt.date.min, "18 years ago"),
    (dt.date.min, "on Thursday"),
    (dt.date.min, "last November"),
    (dt.date.min, "September 29"),
    (dt.date.max, "tomorrow"),
    (dt.date.max, "next week"),
    (dt.date.max, "next month"),
    (dt.date.max, "next year"),
    (dt.date.max, "next Monday"),
    (dt.date.max, "September 29"),
    (dt.date(2019, 12, 21), "99999999999 days ago"),
    (dt.date(2019, 12, 21), "5000 years ago"),
    (dt.date(2019, 12, 21), "9" * 5000 + " weeks ago"),
])
def test_dates_out_of_range_is_not_resolved(published, text):
    for future in (False, True):
        resolved = parse_expression(text, published, future=future)
        if resolved is not None:  # in range: a date, and its last day, that can be written
            assert dt.date.min <= resolved.value <= resolved.last_day() <= dt.date.max
            assert resolved.text()


@pytest.mark.parametrize("published, text, expected", [
    (dt.date.min, "today", "0001-01-01"),
    (dt.date.min, "tomorrow", "0001-01-02"),
    (dt.date.max, "yesterday", "9999-12-30"),
    (dt.date.max, "this month", "9999-12"),
    (dt.date.max, "this year", "9999"),
])
def test_dates_in_range_at_the_ends_of_the_calendar(published, text, expected):
    assert parse_expression(text, published).text() == expected


@pytest.mark.parametrize("value, precision", [
    (dt.date(9999, 12, 27), "week"), (dt.date(9999, 12, 1), "month"), (dt.date(9999, 1, 1), "year"),
])
def test_dates_last_day_stays_in_the_calendar(value, precision):
    assert ResolvedDate(value, precision).last_day() == dt.date.max


def test_dates_a_date_in_a_clause_about_a_party_dates_that_clause(make_doc):
    # "Libya offered men suspected in 1988": the year dates the suspicion, not the offer
    suspected = make_doc("""
        Libya PROPN nsubj 1 ent=GPE
        offered VERB ROOT 1 offer
        men NOUN dobj 1 man
        suspected VERB acl 2 suspect
        in ADP prep 3
        1988 NUM pobj 4 ent=DATE
    """)
    assert resolve_date(suspected[1], dt.date(1992, 1, 10)) is None
    # "Libya offered talks in 1988": the offer's own date
    offered = make_doc("""
        Libya PROPN nsubj 1 ent=GPE
        offered VERB ROOT 1 offer
        talks NOUN dobj 1 talk
        in ADP prep 1
        1988 NUM pobj 3 ent=DATE
    """)
    assert resolve_date(offered[1], dt.date(1992, 1, 10)) == ResolvedDate(dt.date(1988, 1, 1), "year")
