"""Benchmark: fan-out of group reminders through the fake Telegram Bot API server and its flood limits.

A group of N members (each with a consented chat handle) has a meeting in an hour; the scheduler's planning
writes one reminder per member, and the dispatcher sends them through aiogram (the real channel, its
shared limiter and flood control) to the fake server, which answers 429 like Telegram when a limit is
passed.  Meanwhile one person keeps talking to the bot, to show replies going ahead of the bulk traffic.

Reported: throughput as a fraction of Telegram's 30 messages/s, messages lost (a member with none),
doubled (a member with two), 429 answers (each one waited out and retried by the flood control), rows not
sent, and the reply latency during the fan-out.

Usage: python -m bench.fanout [--members N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import func, select

from bench.scratch import scratch_database
from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.config import Settings
from bot.jobs.delivery import deliver_due
from bot.runtime import Runtime, open_runtime
from core.codes import new_code
from domain.recurrence import Repeat, Schedule
from fakes.telegram_server import FakeTelegram
from services.group_outbox import plan_all
from storage import migrate
from storage.db import create_engine
from storage.models import OutboxMessage

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
FIRST_CHAT = 10_000_000
PROBE_CHAT = 999_999_999


class ShiftedClock:
    """Real time, moved so that the run starts at a chosen local time (out of the quiet hours)."""

    def __init__(self, starts_at: datetime) -> None:
        self._offset = starts_at - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def noon_clock(zone: ZoneInfo, minute: int = 0) -> ShiftedClock:
    return ShiftedClock(datetime(2026, 12, 1, 12, minute, 5, tzinfo=zone).astimezone(UTC))


async def populate(runtime: Runtime, members: int, *, meeting_in: timedelta | None) -> int:
    """A group with ``members`` members, each with a reminder handle (chat FIRST_CHAT + n); returns its id."""
    zone = runtime.i18n.timezone
    now = runtime.clock.now()
    start = (now + (meeting_in or timedelta(days=3))).astimezone(zone)
    async with runtime.unit_of_work() as uow:
        group = await uow.groups.create(
            code=new_code(),
            name="Nhóm Bình Minh",  # sample data (noqa: i18n)
            kind="relapse_prevention",
            leader_id=None,
            point_id=None,
            place="12 Hàng Bông, Hoàn Kiếm, Hà Nội",  # sample data (noqa: i18n)
            schedule=Schedule(
                Repeat.WEEKLY, start.time().replace(second=0), frozenset({start.weekday()}), start.date()
            ),
            reminder_minutes=(60,),
            now=now,
        )
        for n in range(members):
            pseudonym = f"{n:064x}"
            await uow.users.touch(pseudonym, now.date())
            handle = await uow.handles.keep(pseudonym, "group_reminders", "telegram", str(FIRST_CHAT + n))
            member = await uow.groups.join(group.id, pseudonym, now - timedelta(days=1))
            await uow.groups.set_handle(member, handle)
        await uow.commit()
    return group.id


async def probe(fake: FakeTelegram, latencies: list[float], stop: asyncio.Event) -> None:
    """Someone talking to the bot during the fan-out: how long each answer takes."""
    fake.user_sends(PROBE_CHAT, "/start")  # one answer: the welcome with the age question's buttons
    await fake.wait_for(PROBE_CHAT, 1, timeout=60)
    fake.user_presses(PROBE_CHAT, "age:adult")
    await fake.wait_for(PROBE_CHAT, 2, timeout=60)
    while not stop.is_set():
        before = len(fake.messages(PROBE_CHAT))
        started = time.perf_counter()
        fake.user_sends(PROBE_CHAT, "/menu")
        await fake.wait_for(PROBE_CHAT, before + 1, timeout=60)
        latencies.append(time.perf_counter() - started)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 3)


async def main(members: int, database_url: str | None) -> dict[str, int]:
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url, secret_key=SecretStr("b" * 40))
        engine = create_engine(settings.db_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        zone = ZoneInfo(settings.timezone)
        async with await open_runtime(settings, clock=noon_clock(zone)) as runtime:
            await populate(runtime, members, meeting_in=timedelta(minutes=60))
            planned = await plan_all(runtime.unit_of_work, runtime.i18n, runtime.clock.now())
            channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TOKEN, api_url=fake.url)
            polling = asyncio.create_task(channel.run_polling(handle_signals=False, polling_timeout=1))
            latencies: list[float] = []
            stop = asyncio.Event()
            prober = asyncio.create_task(probe(fake, latencies, stop))
            started = time.perf_counter()
            report = await deliver_due(runtime, {"telegram": channel}, startup=True)
            elapsed = time.perf_counter() - started
            stop.set()
            await prober
            await channel.stop()
            await polling
            async with runtime.sessions() as session:
                rows = await session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
                states = {str(state): int(n) for state, n in rows}
    await fake.stop()
    per_chat = Counter(
        chat for chat, messages in fake.sent.items() if FIRST_CHAT <= chat < FIRST_CHAT + members for _ in messages
    )
    lost = sum(1 for n in range(members) if per_chat[FIRST_CHAT + n] == 0)
    doubled = sum(1 for n in range(members) if per_chat[FIRST_CHAT + n] > 1)
    rate = report.sent / elapsed
    kind = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    print(f"engine={kind} members={members} planned={planned} sent={report.sent} seconds={elapsed:.1f}")
    print(f"rate={rate:.2f}/s fraction_of_30={rate / 30:.1%} lost={lost} doubled={doubled}")
    print(
        f"http_429={fake.too_many_requests} retried_after_429={channel.flood.stats.retried_after_429} "
        f"early_retries={fake.early_retries} outbox_states={states} report={report}"
    )
    if latencies:
        print(
            f"reply_latency_ms n={len(latencies)} median={statistics.median(latencies) * 1000:.0f} "
            f"max={max(latencies) * 1000:.0f}"
        )
    return {"planned": planned, "sent": report.sent, "lost": lost, "doubled": doubled, "replies": len(latencies)}


async def run(members: int, database_url: str | None) -> dict[str, int]:
    """One run: print the figures, and return the counts (planned, sent, lost, doubled, probe replies)."""
    async with scratch_database(database_url) as url:
        return await main(members, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.members, args.database_url))
