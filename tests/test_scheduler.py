"""The scheduler's own jobs, each run by APScheduler itself (not called from the test): purging, planning
and delivering; a job that fails is a warning in the log; a job APScheduler would not await is refused."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.channels.console import INFO
from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.jobs.scheduler import MIN_REAL_INTERVAL, Scheduler, create_scheduler
from bot.logsetup import configure_logging
from bot.runtime import Runtime
from core.clock import ManualClock, ShiftedClock
from core.events import TextMessage
from fakes.telegram_server import FakeTelegram
from storage.models import ConversationStateRow, OutboxMessage
from tests.test_finder import load_sample
from tests.test_groups import leader_with_group, local, new_member_by_link, texts


async def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait (real time) until the scheduler has done what ``check`` looks for."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert asyncio.get_running_loop().time() < deadline, "the scheduler did not do it in time"
        await asyncio.sleep(0.05)


async def count(runtime: Runtime, model: type[ConversationStateRow] | type[OutboxMessage]) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_purge_job_runs_under_apscheduler(runtime: Runtime, clock: ManualClock) -> None:
    await runtime.conversation.handle(TextMessage("p" * 64, "console", "/start"), INFO)
    assert await count(runtime, ConversationStateRow) == 1
    clock.advance(runtime.settings.state_ttl + timedelta(minutes=1))
    scheduler = create_scheduler(runtime)
    scheduler.start()
    try:
        await eventually(lambda: _none_left(runtime))
    finally:
        await scheduler.stop()


async def _none_left(runtime: Runtime) -> bool:
    return await count(runtime, ConversationStateRow) == 0


async def test_planning_and_delivery_run_under_apscheduler(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    """A member's reminder: planned by the planning job, sent by the delivery job, both run by APScheduler."""
    await load_sample(runtime)
    clock.set(local(23, 9))
    _leader, start, _code = await leader_with_group(runtime, fake_telegram, telegram)
    await new_member_by_link(fake_telegram, telegram, 8200001, start)
    clock.set(local(23, 18, 31))  # the day before the meeting: the 24-hour reminder is due
    assert not any("Nhắc lịch" in t for t in texts(fake_telegram, 8200001))
    scheduler = create_scheduler(runtime, senders={"telegram": telegram})
    scheduler.start()
    try:
        await eventually(lambda: any(t.startswith("Nhắc lịch: Nhóm Bình Minh") for t in texts(fake_telegram, 8200001)))
    finally:
        await scheduler.stop()
    assert sum("Nhắc lịch" in t for t in texts(fake_telegram, 8200001)) == 1


async def test_a_failing_job_is_a_warning_in_the_log(runtime: Runtime) -> None:
    """As the process logs (``configure_logging``): the failure is said, its message (which may quote what a
    person wrote, or SQL parameters) is not."""

    async def boom() -> None:
        raise RuntimeError("a message that must not reach the log: 0912345678")

    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        scheduler = create_scheduler(runtime)
        scheduler.add("boom", boom, timedelta(seconds=1))
        scheduler.start()
        try:
            said = "WARNING bot.jobs.scheduler: scheduled job boom failed: RuntimeError"
            await eventually(lambda: said in stream.getvalue())
        finally:
            await scheduler.stop()
    finally:
        logging.getLogger().removeHandler(handler)
    assert "0912345678" not in stream.getvalue()


def test_a_job_apscheduler_would_not_await_is_refused(runtime: Runtime) -> None:
    class Job:  # an async __call__: APScheduler 3 runs it in a thread and drops the coroutine
        async def __call__(self) -> None:
            return None

    scheduler = Scheduler(runtime)
    with pytest.raises(TypeError, match="never await"):
        scheduler.add("job", Job(), timedelta(seconds=5))


def test_a_faster_test_clock_shortens_the_intervals(runtime: Runtime) -> None:
    runtime.clock = ShiftedClock(datetime.now(UTC), rate=60)
    scheduler = Scheduler(runtime)

    async def job() -> None:
        return None

    scheduler.add("ten_minutes", job, timedelta(minutes=10))
    scheduler.add("five_seconds", job, timedelta(seconds=5))
    ten, five = scheduler.aps.get_job("ten_minutes"), scheduler.aps.get_job("five_seconds")
    assert ten is not None and five is not None
    assert ten.trigger.interval == timedelta(seconds=10)
    assert five.trigger.interval == timedelta(seconds=MIN_REAL_INTERVAL)
