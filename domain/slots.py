"""Appointment slots: a counsellor's weekly pattern, days off, slot length, buffer, notice and horizon
turned into the start times a person may book.

Pure arithmetic on aware datetimes.  Viet Nam keeps no daylight saving time, but the zone is a parameter,
so nothing here assumes it.  The weekly pattern uses the opening-hours syntax (:mod:`domain.hours`):
``Mo-Fr 08:00-11:30,13:30-16:30``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.hours import OpeningHours

MODES = ("in_person", "phone", "online")


@dataclass(frozen=True, slots=True)
class Availability:
    pattern: OpeningHours  # working windows per weekday, local time
    slot_minutes: int = 45
    buffer_minutes: int = 15
    notice: timedelta = timedelta(hours=2)  # the earliest a slot may start after "now"
    horizon_days: int = 14  # how many days ahead people may book (today counts as day 0)
    modes: tuple[str, ...] = ("in_person",)
    days_off: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not 5 <= self.slot_minutes <= 240:
            raise ValueError("a slot lasts 5 to 240 minutes")
        if not 0 <= self.buffer_minutes <= 120:
            raise ValueError("a buffer is 0 to 120 minutes")
        if not 0 <= self.horizon_days <= 90:
            raise ValueError("people can book 0 to 90 days ahead")
        if self.notice < timedelta(0):
            raise ValueError("notice cannot be negative")
        if not self.modes or any(mode not in MODES for mode in self.modes):
            raise ValueError(f"modes are some of {', '.join(MODES)}")


def day_starts(availability: Availability, day: date, zone: ZoneInfo) -> list[datetime]:
    """Every slot start of one local day, in UTC, before notice and bookings are considered."""
    if day in availability.days_off:
        return []
    step = availability.slot_minutes + availability.buffer_minutes
    starts = []
    for window_start, window_end in availability.pattern.spans_on(day):
        minute = window_start
        while minute + availability.slot_minutes <= window_end:
            local = datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minute)
            starts.append(local.astimezone(UTC))
            minute += step
    return starts


def free_slots(
    availability: Availability, *, now: datetime, zone: ZoneInfo, booked: Iterable[datetime] = ()
) -> list[datetime]:
    """Bookable slot starts (UTC, in order): within the horizon, after the notice, not already booked."""
    taken = {moment.astimezone(UTC) for moment in booked}
    earliest = now + availability.notice
    today = now.astimezone(zone).date()
    out = []
    for offset in range(availability.horizon_days + 1):
        for start in day_starts(availability, today + timedelta(days=offset), zone):
            if start >= earliest and start not in taken:
                out.append(start)
    return out


def is_slot(availability: Availability, start: datetime, zone: ZoneInfo) -> bool:
    """Whether ``start`` is one of the pattern's slot starts (notice and bookings aside)."""
    return start.astimezone(UTC) in day_starts(availability, start.astimezone(zone).date(), zone)


def by_day(starts: Iterable[datetime], zone: ZoneInfo) -> dict[date, list[datetime]]:
    days: dict[date, list[datetime]] = {}
    for start in starts:
        days.setdefault(start.astimezone(zone).date(), []).append(start)
    return days
