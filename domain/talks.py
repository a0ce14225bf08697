"""Live talks with on-duty counsellors (issue 19): the arithmetic of the queue, without I/O.

A person waiting is known to counsellors by an alias made for that talk only ("#K7Q2"), never by anything that
links two talks.  Who is offered a waiting talk, where the person stands in the queue, how long the wait may be,
when a counsellor has gone silent, and the coarse times a talk row keeps are plain functions of plain values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.hours import OpeningHours, status

# No 0/O, 1/I/L, 5/S, 2/Z: an alias read aloud or copied by hand is not mistaken for another.
ALIAS_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
ALIAS_LENGTH = 4
COARSE = timedelta(minutes=15)  # a talk row keeps its start and end to the quarter hour
WAIT_BANDS = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))  # for the weekly figures


def alias_from(random: bytes) -> str:
    """A talk's alias from fresh random bytes (``secrets.token_bytes(8)``), "#" and four letters or digits."""
    if len(random) < ALIAS_LENGTH:
        raise ValueError("an alias needs at least four random bytes")
    number = int.from_bytes(random, "big")
    letters = []
    for _ in range(ALIAS_LENGTH):
        number, index = divmod(number, len(ALIAS_ALPHABET))
        letters.append(ALIAS_ALPHABET[index])
    return "#" + "".join(letters)


@dataclass(frozen=True, slots=True)
class Waiting:
    talk: int
    since: datetime
    province: str | None = None  # the person's chosen province, if they chose one


@dataclass(frozen=True, slots=True)
class OnDuty:
    counsellor: int
    since: datetime
    talks: int  # talks they hold now
    capacity: int  # talks they take at once
    province: str | None = None  # of their point

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.talks)


def in_order(waiting: Sequence[Waiting]) -> list[Waiting]:
    """First come, first served (the talk id breaks a tie)."""
    return sorted(waiting, key=lambda w: (w.since, w.talk))


def position(waiting: Sequence[Waiting], talk: int) -> int | None:
    """Where ``talk`` stands in the queue, 1 for the next one; None when it is not waiting."""
    for place, entry in enumerate(in_order(waiting), start=1):
        if entry.talk == talk:
            return place
    return None


def offer_to(entry: Waiting, on_duty: Sequence[OnDuty]) -> list[int]:
    """The counsellors a waiting talk is offered to, in order: those with room only; of the person's province
    first; then the least busy; then the one on duty longest."""
    free = [c for c in on_duty if c.free > 0]
    free.sort(key=lambda c: (entry.province is None or c.province != entry.province, c.talks, c.since, c.counsellor))
    return [c.counsellor for c in free]


@dataclass(frozen=True, slots=True)
class Estimate:
    """An honest range for the wait, in whole minutes; ``soon`` when someone has room now."""

    low: int
    high: int

    @property
    def soon(self) -> bool:
        return self.high == 0


def estimate_wait(place: int, on_duty: Sequence[OnDuty], typical_talk: timedelta) -> Estimate | None:
    """How long the person at ``place`` may wait: None when nobody is on duty (the bot says when someone usually
    is instead).  With room for them now, no wait; else the talks ahead of them beyond the free places end, a
    round at a time, after about half to one whole typical talk each."""
    if not on_duty:
        return None
    free = sum(c.free for c in on_duty)
    if place <= free:
        return Estimate(0, 0)
    capacity = sum(max(c.capacity, 1) for c in on_duty)
    rounds = math.ceil((place - free) / capacity)
    minutes = typical_talk.total_seconds() / 60
    return Estimate(max(1, round(minutes * (rounds - 0.5))), max(1, round(minutes * rounds)))


def silent(last_seen: datetime, now: datetime, limit: timedelta) -> bool:
    """Whether a counsellor has said nothing in a talk for ``limit`` (their talks are then offered again)."""
    return now - last_seen >= limit


def coarse(moment: datetime) -> datetime:
    """A time as a talk row keeps it: down to the quarter hour, so rows cannot be matched to messages by time."""
    floor = moment.replace(second=0, microsecond=0)
    return floor - timedelta(minutes=floor.minute % (COARSE.seconds // 60))


def wait_band(wait: timedelta) -> int:
    """The band a wait falls in for the weekly figures: 0 under 5 minutes, 1 under 15, 2 under an hour, 3 more."""
    return next((band for band, limit in enumerate(WAIT_BANDS) if wait < limit), len(WAIT_BANDS))


@dataclass(frozen=True, slots=True)
class Usually:
    """When someone is usually on duty: now, or ``days`` from today (0 = later today) at ``at``."""

    now: bool
    days: int | None = None
    at: time | None = None


def usually_on(rosters: Sequence[OpeningHours], local: datetime) -> Usually | None:
    """From the usual duty hours of points or provinces (OSM opening-hours syntax, local time): whether someone is
    usually on duty now, else the soonest time someone usually is; None when no roster says (within a week)."""
    soonest: tuple[int, time] | None = None
    for roster in rosters:
        state = status(roster, local)
        if state.open_now:
            return Usually(True)
        if state.opens_day is not None and state.opens_at is not None:
            candidate = (state.opens_day, state.opens_at)
            soonest = candidate if soonest is None else min(soonest, candidate)
    return Usually(False, *soonest) if soonest is not None else None
