"""Opening hours: the accepted syntax, its errors, the canonical form, and "open now / opens at"."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.hours import HoursError, Status, format_hours, parse_hours, status

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = "Mo-Fr 07:30-11:30,13:30-17:00; Sa 07:30-11:30"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-11-23 is a Monday: day 0."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=HCM)


def test_office_hours_parse_per_weekday() -> None:
    hours = parse_hours(OFFICE)
    assert hours is not None
    assert hours.spans(0) == ((450, 690), (810, 1020))
    assert hours.spans(5) == ((450, 690),)
    assert hours.spans(6) == ()


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (OFFICE, OFFICE),
        ("24/7", "24/7"),
        ("08:00-17:00", "Mo-Su 08:00-17:00"),
        ("T2-T6 07:00-16:30; CN off", "Mo-Fr 07:00-16:30"),
        ("Mo,We,Fr 08:00-12:00", "Mo 08:00-12:00; We 08:00-12:00; Fr 08:00-12:00"),
        ("Mo-Su 08:00-17:00; Su off", "Mo-Sa 08:00-17:00"),
        ("Sa-Mo 09:00-10:00", "Mo 09:00-10:00; Sa-Su 09:00-10:00"),
        ("Mo-Fr 18:00-24:00", "Mo-Fr 18:00-24:00"),
        ("  mo-fr   08:00-12:00 ", "Mo-Fr 08:00-12:00"),
        ("off", "off"),
    ],
)
def test_accepted_forms_and_their_canonical_text(text: str, canonical: str) -> None:
    hours = parse_hours(text)
    assert format_hours(hours) == canonical
    assert parse_hours(format_hours(hours)) == hours


def test_empty_means_unknown() -> None:
    assert parse_hours("") is None and parse_hours("   ") is None and format_hours(None) == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Mo-Fr 8h-17h", "is not a time range"),
        ("Xx 08:00-12:00", "is not a day"),
        ("Mo-Fr 17:00-08:00", "closing time must be after"),
        ("Mo 08:00-12:00,11:00-13:00", "overlap"),
        ("Mo 25:00-26:00", "is not a time of day"),
        ("Mo 08:60-09:00", "is not a time of day"),
        ("Mo-Fr", "names days but no times"),
    ],
)
def test_malformed_hours_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(HoursError, match=reason):
        parse_hours(text)


def test_status_open_now_until_closing() -> None:
    hours = parse_hours(OFFICE)
    assert hours is not None
    assert status(hours, at(0, 9)) == Status(True, closes_at=time(11, 30))
    assert status(hours, at(0, 11, 30)) == Status(False, opens_day=0, opens_at=time(13, 30), opens_weekday=0)
    assert status(hours, at(0, 17)) == Status(False, opens_day=1, opens_at=time(7, 30), opens_weekday=1)
    # Saturday afternoon: next opening is Monday morning, two days on.
    assert status(hours, at(5, 12)) == Status(False, opens_day=2, opens_at=time(7, 30), opens_weekday=0)
    assert status(hours, at(0, 6)) == Status(False, opens_day=0, opens_at=time(7, 30), opens_weekday=0)


def test_status_round_the_clock_and_never() -> None:
    always = parse_hours("24/7")
    never = parse_hours("off")
    assert always is not None and never is not None
    assert status(always, at(3, 23, 59)) == Status(True, closes_at=None)
    assert status(never, at(3, 12)) == Status(False)
    evening = parse_hours("Mo-Su 18:00-24:00")
    assert evening is not None
    assert status(evening, at(0, 23)) == Status(True, closes_at=time(0, 0))
