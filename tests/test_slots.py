"""Slot arithmetic, as tables: patterns, days off, slot length and buffer, notice, horizon, bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.hours import parse_hours
from domain.slots import Availability, by_day, day_starts, free_slots, is_slot

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 23)


def pattern(text: str) -> Availability:
    hours = parse_hours(text)
    assert hours is not None
    return Availability(hours)


def local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HCM).astimezone(UTC)


def times(starts: list[datetime]) -> list[str]:
    return [s.astimezone(HCM).strftime("%H:%M") for s in starts]


@pytest.mark.parametrize(
    ("text", "slot", "buffer", "expected"),
    [
        ("Mo 08:00-10:00", 45, 15, ["08:00", "09:00"]),  # 09:00-09:45, then 10:00 would end 10:45
        ("Mo 08:00-10:00", 60, 0, ["08:00", "09:00"]),
        ("Mo 08:00-10:00", 30, 0, ["08:00", "08:30", "09:00", "09:30"]),
        ("Mo 08:00-10:00", 30, 10, ["08:00", "08:40", "09:20"]),  # 09:20-09:50 fits, 10:00 does not
        ("Mo 08:00-11:30,13:30-16:30", 45, 15, ["08:00", "09:00", "10:00", "13:30", "14:30", "15:30"]),
        ("Mo 08:00-08:30", 45, 15, []),  # a window shorter than a slot
        ("Tu 08:00-10:00", 45, 15, []),  # not Monday
        ("Mo 22:00-24:00", 60, 0, ["22:00", "23:00"]),
    ],
)
def test_one_day_of_slots(text: str, slot: int, buffer: int, expected: list[str]) -> None:
    hours = parse_hours(text)
    assert hours is not None
    availability = Availability(hours, slot_minutes=slot, buffer_minutes=buffer)
    assert times(day_starts(availability, MONDAY, HCM)) == expected


def test_public_holidays_have_no_slots_when_the_hours_say_so() -> None:
    tet = date(2027, 2, 8)  # a Monday of Tết 2027
    holidays_off = Availability(pattern("T2-T6 08:00-10:00; lễ nghỉ").pattern, slot_minutes=60, buffer_minutes=0)
    assert day_starts(holidays_off, tet, HCM) == []
    assert times(day_starts(holidays_off, tet + timedelta(days=7), HCM)) == ["08:00", "09:00"]
    every_weekday = Availability(pattern("T2-T6 08:00-10:00").pattern, slot_minutes=60, buffer_minutes=0)
    assert times(day_starts(every_weekday, tet, HCM)) == ["08:00", "09:00"]


def test_days_off_have_no_slots() -> None:
    hours = parse_hours("Mo-Fr 08:00-10:00")
    assert hours is not None
    availability = Availability(hours, days_off=frozenset({MONDAY}))
    assert day_starts(availability, MONDAY, HCM) == []
    assert times(day_starts(availability, MONDAY + timedelta(days=1), HCM)) == ["08:00", "09:00"]


@pytest.mark.parametrize(
    ("now_local", "notice_hours", "first"),
    [
        ("07:00", 0, "08:00"),
        ("07:00", 1, "08:00"),  # exactly the notice: allowed
        ("07:01", 1, "09:00"),
        ("08:30", 2, "13:30"),
        ("16:00", 2, "Tu 08:00"),
    ],
)
def test_notice(now_local: str, notice_hours: int, first: str) -> None:
    hours = parse_hours("Mo-Fr 08:00-11:30,13:30-16:30")
    assert hours is not None
    availability = Availability(hours, notice=timedelta(hours=notice_hours))
    slots = free_slots(availability, now=local(MONDAY, now_local), zone=HCM)
    start = slots[0].astimezone(HCM)
    label = start.strftime("%H:%M") if start.date() == MONDAY else "Tu " + start.strftime("%H:%M")
    assert label == first


@pytest.mark.parametrize(("horizon", "last_day"), [(0, MONDAY), (1, MONDAY + timedelta(1)), (7, MONDAY + timedelta(7))])
def test_horizon_counts_today_as_day_zero(horizon: int, last_day: date) -> None:
    hours = parse_hours("08:00-09:00")
    assert hours is not None
    availability = Availability(hours, slot_minutes=60, buffer_minutes=0, horizon_days=horizon, notice=timedelta(0))
    slots = free_slots(availability, now=local(MONDAY, "07:00"), zone=HCM)
    assert max(by_day(slots, HCM)) == last_day and len(slots) == horizon + 1


def test_booked_slots_are_not_offered_and_other_zones_agree() -> None:
    hours = parse_hours("Mo 08:00-10:00")
    assert hours is not None
    availability = Availability(hours, notice=timedelta(0), horizon_days=0)
    booked = [local(MONDAY, "08:00").astimezone(ZoneInfo("Europe/Paris"))]  # the same instant, written elsewhere
    assert times(free_slots(availability, now=local(MONDAY, "07:00"), zone=HCM, booked=booked)) == ["09:00"]


def test_is_slot_accepts_only_pattern_starts() -> None:
    availability = pattern("Mo 08:00-10:00")
    assert is_slot(availability, local(MONDAY, "09:00"), HCM)
    assert not is_slot(availability, local(MONDAY, "09:30"), HCM)
    assert not is_slot(availability, local(MONDAY + timedelta(1), "09:00"), HCM)


@pytest.mark.parametrize(
    "changes",
    [
        {"slot_minutes": 0},
        {"slot_minutes": 300},
        {"buffer_minutes": -1},
        {"horizon_days": 365},
        {"notice": timedelta(hours=-1)},
        {"modes": ()},
        {"modes": ("carrier_pigeon",)},
    ],
)
def test_nonsense_availability_is_refused(changes: dict[str, object]) -> None:
    hours = parse_hours("Mo 08:00-10:00")
    assert hours is not None
    with pytest.raises(ValueError):
        Availability(hours, **changes)  # type: ignore[arg-type]
