"""Sending within a platform's limits, with people who are talking to the bot served first.

One :class:`SendLimiter` per bot account is shared by the replies and by the dispatcher.  It spaces
messages evenly at the overall rate, at most one per ``chat_interval`` to one chat for bulk traffic, and
a per-minute cap to group chats.  A bulk sender waits while any reply is waiting, but never for more than
``REPLIES_PER_BULK`` replies in a row, so reminders and broadcasts keep a fair share under any load.  The clock and the
sleep are injected, so the arithmetic is tested without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class SendStats:
    """What flood control did, for reports."""

    retried_after_429: int = 0
    retried_connection: int = 0
    ambiguous: int = 0  # a timeout after the request was sent: it may have arrived


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: float = 30.0  # overall
    chat_interval: float = 1.0  # seconds between bulk messages to one chat
    group_per_minute: int = 20  # to one group chat


TELEGRAM = Limits()


# Replies go first, but bulk traffic (reminders, broadcasts) keeps a fair share whatever people are doing: after
# this many replies in a row, a waiting bulk message takes the next slot (at least 1 in 5 under contention).
REPLIES_PER_BULK = 4


class SendLimiter:
    def __init__(
        self,
        limits: Limits = TELEGRAM,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        is_group: Callable[[str], bool] = lambda chat: chat.startswith("-"),
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._is_group = is_group
        self._interval = 1.0 / limits.per_second
        self._next_slot = 0.0  # the earliest time the next message may go, overall
        self._chat_next: dict[str, float] = {}
        self._group_sent: dict[str, deque[float]] = {}
        self._replies_waiting = 0
        self._replies_since_bulk = 0  # slots replies took since bulk traffic last had one
        self.waited = 0.0  # seconds spent waiting in all, for reports

    def _wait_for(self, chat: str, bulk: bool, now: float) -> float:
        wait = self._next_slot - now
        if bulk:
            wait = max(wait, self._chat_next.get(chat, 0.0) - now)
        sent = self._group_sent.get(chat)
        if sent is not None:
            while sent and sent[0] <= now - 60.0:
                sent.popleft()
            if len(sent) >= self.limits.group_per_minute:
                wait = max(wait, sent[0] + 60.0 - now)
        return wait

    def _take(self, chat: str, now: float) -> None:
        self._next_slot = max(self._next_slot, now - self._interval) + self._interval
        self._chat_next[chat] = now + self.limits.chat_interval
        if self._is_group(chat):
            self._group_sent.setdefault(chat, deque()).append(now)
        if len(self._chat_next) > 10_000:  # forget chats whose interval has long passed
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}

    async def acquire(self, chat: str, *, bulk: bool) -> None:
        """Wait until one message to ``chat`` may go, and count it."""
        if not bulk:
            self._replies_waiting += 1
        try:
            while True:
                now = self._clock()
                wait = self._wait_for(chat, bulk, now)
                if bulk and self._replies_waiting and self._replies_since_bulk < REPLIES_PER_BULK:
                    wait = max(wait, self._interval)
                if wait <= 0:
                    self._take(chat, now)
                    self._replies_since_bulk = 0 if bulk else self._replies_since_bulk + 1
                    return
                self.waited += wait
                await self._sleep(wait)
        finally:
            if not bulk:
                self._replies_waiting -= 1


class Attempts:
    """Tries of something guessable (an invitation code), limited per person and overall within a window:
    ``per_person`` tries each, ``overall`` in all, per ``window`` seconds; the clock is injected."""

    def __init__(
        self,
        per_person: int = 5,
        overall: int = 100,
        window: float = 3600.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_person, self.overall, self.window = per_person, overall, window
        self._clock = clock
        self._everyone: deque[float] = deque()
        self._people: dict[str, deque[float]] = {}

    def _expire(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()

    def allow(self, person: str) -> bool:
        """Count one try by ``person``; False (and not counted) when the person or everyone is over the limit."""
        now = self._clock()
        self._expire(self._everyone, now)
        mine = self._people.setdefault(person, deque())
        self._expire(mine, now)
        for key in [k for k, v in self._people.items() if not v and k != person]:  # forget the quiet ones
            del self._people[key]
        if len(mine) >= self.per_person or len(self._everyone) >= self.overall:
            return False
        mine.append(now)
        self._everyone.append(now)
        return True


class Inbound:
    """How fast one person's messages are taken in: a token bucket per person (``burst`` at once, then
    ``per_minute``).  Over it, the first message gets a kind "slow down" and the rest are dropped at the door,
    without waiting for the person's turn, so one account cannot hold hundreds of requests open or crowd
    out everyone else.  The clock is injected."""

    OK, WARN, DROP = "ok", "warn", "drop"

    def __init__(
        self, burst: int = 20, per_minute: float = 30.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.rate = float(burst), per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float, bool]] = {}  # person -> (tokens, when, warned)

    def admit(self, person: str) -> str:
        now = self._clock()
        tokens, then, warned = self._buckets.get(person, (self.burst, now, False))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        warned = warned and tokens < self.burst  # warned once until the person has calmed down entirely
        if len(self._buckets) > 50_000:  # forget people whose buckets are full again
            full = [k for k, (t, w, _) in self._buckets.items() if t + (now - w) * self.rate >= self.burst]
            for key in full:
                del self._buckets[key]
        if tokens >= 1:
            self._buckets[person] = (tokens - 1, now, warned)
            return self.OK
        self._buckets[person] = (tokens, now, True)
        return self.DROP if warned else self.WARN
