"""Opening hours: OSM's whole grammar (evaluated by opening-hours-py), Viet Nam's public holidays (Tết included,
which moves with the lunar calendar), Vietnamese typed in front of the grammar, and "open now / opens at".

The expected answers are written by hand from the OSM specification and the holiday calendar published for each
year (Tết 2027 is 6 February; the official days off run 4–10 February), not read off the implementation.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from domain.hours import HoursError, Status, format_hours, holiday, parse_hours, status

OFFICE = "Mo-Fr 07:30-11:30,13:30-17:00; Sa 07:30-11:30"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def hours(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_hours(text)
    assert parsed is not None
    return parsed


def test_office_hours_per_day() -> None:
    office = hours(OFFICE)
    assert office.spans_on(date(2026, 11, 30)) == ((450, 690), (810, 1020))  # a Monday
    assert office.spans_on(date(2026, 12, 5)) == ((450, 690),)  # Saturday
    assert office.spans_on(date(2026, 12, 6)) == ()  # Sunday


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        (OFFICE, OFFICE),
        ("24/7", "24/7"),
        ("T2-T6 07:00-16:30; CN nghỉ", "Mo-Fr 07:00-16:30"),
        ("T2-T6 7h30-11h30, 13h30-17h; lễ nghỉ", "Mo-Fr 07:30-11:30,13:30-17:00; PH closed"),
        ("  mo-fr   08:00-12:00 ", "Mo-Fr 08:00-12:00"),
        ('T2-T6 08:00-11:30 "gọi trước T7"', 'Mo-Fr 08:00-11:30 "gọi trước T7"'),
    ],
)
def test_vietnamese_and_osm_forms_are_stored_in_the_grammar(text: str, stored: str) -> None:
    parsed = parse_hours(text)
    assert format_hours(parsed) == stored
    assert parse_hours(format_hours(parsed)) == parsed


def test_empty_means_unknown() -> None:
    assert parse_hours("") is None and parse_hours("   ") is None and format_hours(None) == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("thu 08:00-12:00", '"thu" is not a day'),
        ("Mo-Fr sáng", '"sáng" is not a day'),
        ("Mo 25:00-26:00", "write the days, then the times"),
        ("Mo-Fr 08:00-", "write the days, then the times"),
    ],
)
def test_unreadable_hours_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(HoursError, match=reason):
        parse_hours(text)


def test_the_error_is_a_message_to_translate() -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours("thu 08:00")
    assert caught.value.explain(lambda msgid: msgid.replace("is not a day", "không phải là ngày")).startswith(
        '"thu" không phải là ngày'
    )


# Each row: expression, local time, expected status.  2026-12-04 is a Friday.
REFERENCE = [
    # office hours, before, during, between, after, on the weekend
    (OFFICE, "2026-11-30 09:00", Status(True, closes_at=time(11, 30))),
    (OFFICE, "2026-11-30 11:30", Status(False, opens_day=0, opens_at=time(13, 30), opens_weekday=0)),
    (OFFICE, "2026-11-30 17:00", Status(False, opens_day=1, opens_at=time(7, 30), opens_weekday=1)),
    (OFFICE, "2026-12-05 12:00", Status(False, opens_day=2, opens_at=time(7, 30), opens_weekday=0)),
    # overnight ranges close on the next day
    ("Mo-Fr 22:00-02:00", "2026-12-01 23:00", Status(True, closes_at=time(2, 0))),
    ("Mo-Fr 22:00-02:00", "2026-12-05 01:00", Status(True, closes_at=time(2, 0))),  # Friday night's spill
    ("Mo-Fr 22:00-02:00", "2026-12-05 03:00", Status(False, opens_day=2, opens_at=time(22), opens_weekday=0)),
    # the case: Friday 23:00 closes at 02:00 on Saturday, not at midnight
    ("Mo-Fr 08:00-24:00; Sa 00:00-02:00", "2026-12-04 23:00", Status(True, closes_at=time(2, 0))),
    # round the clock except Sunday
    ("24/7; Su off", "2026-12-06 10:00", Status(False, opens_day=1, opens_at=time(0, 0), opens_weekday=0)),
    ("24/7; Su off", "2026-12-05 10:00", Status(True, closes_at=time(0, 0))),
    ("24/7", "2026-12-05 10:00", Status(True, closes_at=None)),
    # an additional rule after a comma adds to the day instead of replacing it
    ("Mo-Fr 08:00-12:00, We 14:00-16:00", "2026-12-02 15:00", Status(True, closes_at=time(16, 0))),
    (
        "Mo-Fr 08:00-12:00; We 14:00-16:00",
        "2026-12-02 09:00",
        Status(False, opens_day=0, opens_at=time(14), opens_weekday=2),
    ),
    # the first Monday of the month
    ("Mo[1] 08:00-10:00", "2026-12-07 09:00", Status(True, closes_at=time(10, 0))),
    ("Mo[1] 08:00-10:00", "2026-12-14 09:00", Status(False)),  # next first Monday is more than a week away
    # month and date selectors
    (
        "Mo-Fr 08:00-17:00; Dec 24 off",
        "2026-12-24 09:00",
        Status(False, opens_day=1, opens_at=time(8), opens_weekday=4),
    ),
    ("Jan-Nov Mo-Fr 08:00-17:00", "2026-12-02 09:00", Status(False)),
    # public holidays: National Day (fixed) and Tết (lunar, moves every year)
    (
        "Mo-Fr 08:00-11:30; PH off",
        "2026-09-02 09:00",
        Status(False, opens_day=1, opens_at=time(8), opens_weekday=3, holiday="Quốc khánh"),
    ),
    (
        "T2-T6 08:00-11:30; lễ nghỉ",
        "2027-02-08 09:00",  # Monday, the third day of Tết 2027
        Status(False, opens_day=3, opens_at=time(8), opens_weekday=3, holiday="Mùng ba Tết Nguyên Đán"),
    ),
    (
        "Mo-Fr 08:00-11:30; PH off",
        "2026-02-17 09:00",  # Tết 2026, a Tuesday
        Status(False, opens_day=6, opens_at=time(8), opens_weekday=0, holiday="Tết Nguyên Đán"),  # 16–20/2 off
    ),
    # without "PH off" a holiday is an ordinary day
    ("Mo-Fr 08:00-11:30", "2027-02-08 09:00", Status(True, closes_at=time(11, 30))),
    # holiday hours of their own
    (
        "Mo-Fr 08:00-17:00; PH 09:00-11:00",
        "2027-02-08 12:00",
        Status(False, opens_day=1, opens_at=time(9), opens_weekday=1),
    ),
    ("Mo,PH 09:00-10:00", "2027-02-09 08:00", Status(False, opens_day=0, opens_at=time(9), opens_weekday=1)),
]


@pytest.mark.parametrize(("text", "when", "expected"), REFERENCE, ids=[f"{t} @ {w}" for t, w, _ in REFERENCE])
def test_status_matches_the_reference_answers(text: str, when: str, expected: Status) -> None:
    assert status(hours(text), at(when)) == expected


def test_tet_moves_with_the_lunar_calendar() -> None:
    assert holiday(date(2026, 2, 17)) is not None and holiday(date(2027, 2, 6)) is not None
    assert holiday(date(2027, 2, 17)) is None and holiday(date(2026, 2, 6)) is None
    assert all(holiday(date(2027, 2, day)) for day in range(4, 11))  # the official days off for Tết 2027


def test_closures_name_the_coming_holidays_on_which_it_is_shut() -> None:
    office = hours("Mo-Fr 08:00-11:30; PH off")
    closed = office.closures(date(2027, 2, 1), 14)
    assert [h.day for h in closed] == [date(2027, 2, d) for d in (4, 5, 8, 9, 10)]  # weekdays of Tết only
    assert hours("Mo-Fr 08:00-11:30").closures(date(2027, 2, 1), 14) == []


def test_typical_week_skips_holidays() -> None:
    office = hours("Mo-Fr 08:00-11:30; PH off")
    week = office.typical_week(date(2027, 2, 4))  # Tết: every weekday of the coming days is a holiday
    assert week[:5] == (((480, 690),),) * 5 and week[5:] == ((), ())


def test_an_open_end_is_open_after_its_start() -> None:
    assert status(hours("Mo-Fr 08:00+"), at("2026-12-01 09:00")).open_now
    assert not status(hours("Mo-Fr 08:00+"), at("2026-12-01 07:00")).open_now
