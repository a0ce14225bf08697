"""Time, injected: everything that needs "now" asks a clock object.

Production code gets :class:`SystemClock`; tests get :class:`ManualClock` and move it by hand, so
schedules, expiries and reminders are tested without sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """A clock that starts at a given instant and runs ``rate`` times faster than real time.

    For tests of the running process only (``DIEMTUA_CLOCK_START`` / ``DIEMTUA_CLOCK_RATE``): it lets a test
    see a reminder due tomorrow arrive in seconds.  The scheduler divides its intervals by ``rate``."""

    def __init__(self, start: datetime, rate: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware start time")
        if not rate > 0:
            raise ValueError("ShiftedClock needs a positive rate")
        self.start = start.astimezone(UTC)
        self.rate = rate
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.rate)


def clock_rate(clock: Clock) -> float:
    """How many seconds of the clock pass in one real second (1 but for a :class:`ShiftedClock`)."""
    return clock.rate if isinstance(clock, ShiftedClock) else 1.0


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware times")
        self._now = when.astimezone(UTC)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: the finest time anonymous counters record."""
    return day - timedelta(days=day.weekday())


def at_once(now: datetime) -> datetime:
    """The due time written for a message to send now: the start of the current hour.  It goes at once (it is
    already due), and the outbox does not keep the second a person's action caused it (docs/privacy.md)."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
