"""Quiet hours and the send limiter: pure arithmetic, no waiting (the limiter's clock and sleep are fake)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.ratelimit import REPLIES_PER_BULK, Limits, SendLimiter
from domain.quiet_hours import QuietHours

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = QuietHours()


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=HANOI)


def test_quiet_hours_run_from_half_past_nine_to_seven() -> None:
    assert not QUIET.is_quiet(local(1, 21, 29), HANOI)
    assert QUIET.is_quiet(local(1, 21, 30), HANOI)
    assert QUIET.is_quiet(local(2, 3, 0).astimezone(UTC), HANOI)  # any zone in, local time decides
    assert QUIET.is_quiet(local(2, 6, 59), HANOI)
    assert not QUIET.is_quiet(local(2, 7, 0), HANOI)
    assert QUIET.ends_after(local(1, 23, 0), HANOI) == local(2, 7, 0)
    assert QUIET.ends_after(local(2, 5, 0), HANOI) == local(2, 7, 0)
    assert QUIET.begins_before(local(2, 5, 0), HANOI) == local(1, 21, 29)


def test_a_reminder_in_the_night_moves_to_the_morning_or_the_evening_before() -> None:
    meeting = local(2, 8, 0)
    assert QUIET.reminder_time(local(2, 7, 0), meeting, HANOI) == local(2, 7, 0)  # not quiet: unchanged
    assert QUIET.reminder_time(local(2, 6, 30), local(2, 7, 30), HANOI) == local(2, 7, 0)  # 30 min before
    # A 1-hour reminder for a 7:05 meeting would come too close in the morning: the evening before instead.
    assert QUIET.reminder_time(local(2, 6, 5), local(2, 7, 5), HANOI) == local(1, 21, 29)


class FakeTime:
    """Virtual time: sleepers wake in order of their wake-up time, and time jumps to it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.log: list[tuple[float, str]] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._seq), future))
        await future

    async def run(self, *coroutines: Coroutine[Any, Any, None]) -> None:
        everything = asyncio.gather(*coroutines)
        while not everything.done():
            for _ in range(5):
                await asyncio.sleep(0)
            if self._sleepers:
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                future.set_result(None)
        await everything


async def test_the_limiter_spaces_messages_evenly_and_one_per_second_to_a_chat() -> None:
    time = FakeTime()
    limiter = SendLimiter(Limits(per_second=30), clock=time.clock, sleep=time.sleep)

    async def send(chat: str) -> None:
        await limiter.acquire(chat, bulk=True)
        time.log.append((time.now, chat))

    await time.run(*(send(str(n)) for n in range(90)))
    moments = [t for t, _ in time.log]
    assert moments[-1] - moments[0] <= 3.0 + 1e-9  # 90 messages at 30 a second
    # No one-second window holds more than 31 (one message of credit after idling).
    assert max(sum(1 for t in moments if start <= t < start + 1 - 1e-9) for start in moments) <= 31
    time.log.clear()
    await time.run(*(send("42") for _ in range(3)))
    gaps = [b[0] - a[0] for a, b in zip(time.log, time.log[1:], strict=False)]
    assert all(gap >= 1.0 - 1e-9 for gap in gaps)


async def test_group_chats_get_twenty_a_minute() -> None:
    time = FakeTime()
    limiter = SendLimiter(Limits(per_second=30, chat_interval=0), clock=time.clock, sleep=time.sleep)
    start = time.now

    async def twenty_one() -> None:
        for _ in range(21):
            await limiter.acquire("-100123", bulk=True)

    await time.run(twenty_one())
    assert time.now - start >= 60.0


async def test_replies_go_ahead_of_bulk_traffic() -> None:
    time = FakeTime()
    limiter = SendLimiter(Limits(per_second=10), clock=time.clock, sleep=time.sleep)
    order: list[str] = []

    async def bulk(n: int) -> None:
        await limiter.acquire(f"bulk{n}", bulk=True)
        order.append("bulk")

    async def reply() -> None:
        await asyncio.sleep(0)  # arrives while the bulk messages are already waiting
        await limiter.acquire("person", bulk=False)
        order.append("reply")

    await time.run(*(bulk(n) for n in range(20)), reply())
    assert order.index("reply") <= 2  # overtakes the seventeen bulk messages still waiting


async def test_bulk_traffic_keeps_a_fair_share_whatever_people_send() -> None:
    """Replies are always waiting (a busy evening, or one person flooding): reminders and broadcasts still
    get at least one slot in five, instead of waiting until the talking stops."""
    time = FakeTime()
    limiter = SendLimiter(Limits(per_second=10, chat_interval=0), clock=time.clock, sleep=time.sleep)
    order: list[str] = []

    async def bulk(n: int) -> None:
        await limiter.acquire(f"bulk{n}", bulk=True)
        order.append("bulk")

    async def replies(person: int) -> None:
        for _ in range(40):
            await limiter.acquire(f"person{person}", bulk=False)
            order.append("reply")

    await time.run(*(bulk(n) for n in range(20)), *(replies(p) for p in range(4)))
    first_hundred = order[:100]
    assert first_hundred.count("bulk") >= 100 // (REPLIES_PER_BULK + 1)  # while replies were never lacking
    assert order.count("bulk") == 20 and order.count("reply") == 160
