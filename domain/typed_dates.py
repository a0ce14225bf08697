"""Dates and times as people type them: "24/12", "24/12 18:30", "T3,T6 18:30".  Pure parsing."""

from __future__ import annotations

import re
from datetime import date, time

from core.i18n import N_
from domain.hours import HoursError, parse_days

_CLOCK = re.compile(r"^(\d{1,2})[:hgH.](\d{2})?$")


def parse_day(text: str, today: date) -> date | None:
    """ "24/12" or "24/12/2026" as a day.  Without a year, the nearest such day, before or after today: on
    1 December "30/11" is yesterday and "05/01" next January.  A day that has passed is returned as it is, for
    the caller to refuse kindly, never moved a year on."""
    parts = [p for p in text.strip().replace("-", "/").replace(".", "/").split("/") if p]
    if len(parts) not in (2, 3) or not all(p.isdecimal() for p in parts):
        return None
    day, month = int(parts[0]), int(parts[1])
    if len(parts) == 3:
        return _day(int(parts[2]), month, day)
    found = [d for year in (today.year - 1, today.year, today.year + 1) if (d := _day(year, month, day))]
    return min(found, key=lambda d: abs((d - today).days)) if found else None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_clock(text: str) -> time | None:
    """ "18:30", "18h30", "18h" or "7.05" as a time of day; None if it is not one."""
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def parse_day_time(text: str, today: date) -> tuple[date, time] | None:
    """ "25/12 18:30": a day (as :func:`parse_day`) and a time; None if either part is missing or wrong."""
    parts = text.split()
    if len(parts) != 2:
        return None
    day, clock = parse_day(parts[0], today), parse_clock(parts[1])
    return (day, clock) if day is not None and clock is not None else None


def parse_weekdays_time(text: str) -> tuple[frozenset[int], time]:
    """ "T3 18:30" or "T3,T6 18:30" (or "Tu,Fr 18:30"): weekdays (Monday = 0) and a time of day."""
    parts = text.replace(", ", ",").split()
    if len(parts) != 2:
        raise HoursError(N_("type the day(s), a space, then the time"))
    days = frozenset(parse_days(parts[0]))
    clock = parse_clock(parts[1])
    if clock is None:
        raise HoursError(N_('"{word}" is not a time of day'), word=parts[1])
    return days, clock
