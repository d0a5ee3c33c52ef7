import datetime as dt

import pytest

from tieline.attributes.dates import parse_expression

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
