"""Recurring group meetings: weekly on given weekdays, every other week, or monthly on the n-th weekday,
at a local time; single meetings cancelled or moved; and the reminder times before each meeting.

Pure arithmetic on dates and aware datetimes; the zone is a parameter.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class Repeat(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"  # every other week, counted from ``starts_on``
    MONTHLY = "monthly"  # the n-th (or last) given weekday of each month


@dataclass(frozen=True, slots=True)
class Schedule:
    repeat: Repeat
    at: time  # local time of day
    weekdays: frozenset[int]  # Monday = 0
    starts_on: date
    ordinal: int = 1  # for MONTHLY: 1..4, or -1 for the last such weekday
    minutes: int = 90
    ends_on: date | None = None
    cancelled: frozenset[date] = field(default_factory=frozenset)  # single meetings called off (by original day)
    moved: Mapping[date, datetime] = field(default_factory=dict)  # original day -> new local start

    def __post_init__(self) -> None:
        if not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday), at least one")
        if self.repeat is Repeat.MONTHLY and (len(self.weekdays) != 1 or self.ordinal not in (1, 2, 3, 4, -1)):
            raise ValueError("a monthly meeting is on one weekday, the 1st to 4th or the last of the month")
        if not 15 <= self.minutes <= 480:
            raise ValueError("a meeting lasts 15 minutes to 8 hours")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("the schedule ends before it starts")


@dataclass(frozen=True, slots=True)
class Meeting:
    original_day: date  # identifies the meeting even when it is moved
    start: datetime  # aware, UTC
    moved: bool = False


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date | None:
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    if ordinal == -1:
        return days[-1]
    return days[ordinal - 1] if ordinal <= len(days) else None


def _days(schedule: Schedule, first: date, last: date) -> Iterator[date]:
    """The schedule's regular meeting days in [first, last], in order."""
    first = max(first, schedule.starts_on)
    if schedule.ends_on is not None:
        last = min(last, schedule.ends_on)
    if schedule.repeat is Repeat.MONTHLY:
        (weekday,) = schedule.weekdays
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            day = _nth_weekday(year, month, weekday, schedule.ordinal)
            if day is not None and first <= day <= last:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return
    anchor_week = schedule.starts_on - timedelta(days=schedule.starts_on.weekday())
    day = first
    while day <= last:
        if day.weekday() in schedule.weekdays:
            weeks = (day - anchor_week).days // 7
            if schedule.repeat is Repeat.WEEKLY or weeks % 2 == 0:
                yield day
        day += timedelta(days=1)


def first_day(schedule: Schedule) -> date | None:
    """The schedule's first regular meeting day (before cancellations and moves), if it has one."""
    return next(_days(schedule, schedule.starts_on, schedule.starts_on + timedelta(days=400)), None)


def meetings(schedule: Schedule, start: datetime, end: datetime, zone: ZoneInfo) -> list[Meeting]:
    """Meetings that begin in [start, end), after cancellations and moves, in order of start."""
    first = start.astimezone(zone).date() - timedelta(days=31)  # a meeting moved from the past into the window
    last = end.astimezone(zone).date() + timedelta(days=31)
    found = []
    for day in _days(schedule, first, last):
        if day in schedule.cancelled:
            continue
        moved = schedule.moved.get(day)
        local = moved if moved is not None else datetime.combine(day, schedule.at, tzinfo=zone)
        begins = local.astimezone(UTC)
        if start <= begins < end:
            found.append(Meeting(day, begins, moved is not None))
    found.sort(key=lambda m: m.start)
    return found


def next_meeting(schedule: Schedule, now: datetime, zone: ZoneInfo, horizon_days: int = 400) -> Meeting | None:
    upcoming = meetings(schedule, now, now + timedelta(days=horizon_days), zone)
    return upcoming[0] if upcoming else None


def reminder_times(meeting: Meeting, offsets: tuple[timedelta, ...]) -> list[tuple[timedelta, datetime]]:
    """(offset, when) for each reminder before the meeting, earliest first."""
    return sorted(((offset, meeting.start - offset) for offset in offsets), key=lambda item: item[1])


def schedule_to_dict(schedule: Schedule) -> dict[str, object]:
    """The regular part of a schedule, for storage (cancellations and moves are stored row by row)."""
    return {
        "repeat": schedule.repeat.value,
        "at": schedule.at.strftime("%H:%M"),
        "weekdays": sorted(schedule.weekdays),
        "starts_on": schedule.starts_on.isoformat(),
        "ordinal": schedule.ordinal,
        "minutes": schedule.minutes,
        "ends_on": schedule.ends_on.isoformat() if schedule.ends_on else None,
    }


def schedule_from_dict(
    data: Mapping[str, object],
    cancelled: frozenset[date] = frozenset(),
    moved: Mapping[date, datetime] | None = None,
) -> Schedule:
    ends_on = data.get("ends_on")
    return Schedule(
        Repeat(str(data["repeat"])),
        time.fromisoformat(str(data["at"])),
        frozenset(int(d) for d in data["weekdays"]),  # type: ignore[attr-defined]
        date.fromisoformat(str(data["starts_on"])),
        ordinal=int(data.get("ordinal", 1)),  # type: ignore[call-overload]
        minutes=int(data.get("minutes", 90)),  # type: ignore[call-overload]
        ends_on=date.fromisoformat(str(ends_on)) if ends_on else None,
        cancelled=cancelled,
        moved=dict(moved or {}),
    )
