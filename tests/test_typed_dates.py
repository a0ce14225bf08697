"""Dates as people type them: without a year, the nearest such day; a past day is returned for the caller to
refuse, never moved a year on."""

from __future__ import annotations

from datetime import date, time

from domain.typed_dates import parse_day, parse_day_time

TODAY = date(2026, 12, 1)


def test_a_day_without_a_year_is_the_nearest_one() -> None:
    assert parse_day("02/12", TODAY) == date(2026, 12, 2)
    assert parse_day("30/11", TODAY) == date(2026, 11, 30)  # yesterday, not next year
    assert parse_day("05/01", TODAY) == date(2027, 1, 5)  # next January
    assert parse_day("1.12", TODAY) == TODAY
    assert parse_day("29/02", date(2027, 2, 1)) == date(2028, 2, 29)  # the nearest 29 February
    assert parse_day("31/04", TODAY) is None


def test_a_day_with_its_year_is_that_day() -> None:
    assert parse_day("30/11/2027", TODAY) == date(2027, 11, 30)
    assert parse_day("30/11/2025", TODAY) == date(2025, 11, 30)
    assert parse_day_time("30/11 18:30", TODAY) == (date(2026, 11, 30), time(18, 30))
    assert parse_day_time("30/11", TODAY) is None
