"""Benchmark: how long the scheduler's reminder planning holds up a worker's event loop.  G groups (default 20) share
N members (default 10,000), each with a consented reminder handle; every group meets in 12 hours and reminds a day
and an hour ahead.  The scheduler's job (``bot.jobs.scheduler.plan_group_reminders``) runs twice: the first run
writes a reminder per member, the second finds them all planned and writes nothing (as every later run does).

Meanwhile a ticker asks the loop for a turn every millisecond (its gaps are how long anything waits for the loop),
and another person writes to the database every 10 ms, as each message does (user, state, commit): how long each
of those takes is how long that person waits behind the planning, on SQLite for the single writer's turn.

Usage: python -m bench.planning [--members N] [--groups G] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import func, insert, select

from bench.fanout import noon_clock
from bench.meanwhile import percentile, person, quiet_writes, ticker
from bench.scratch import scratch_database
from bot.cli.app import settle_heap
from bot.config import Settings
from bot.jobs.scheduler import plan_group_reminders
from bot.runtime import Runtime, open_runtime
from core.codes import new_code
from domain.recurrence import Repeat, Schedule
from storage import migrate
from storage.db import create_engine
from storage.models import ContactHandle, GroupMember, OutboxMessage, User


async def populate(runtime: Runtime, members: int, groups: int) -> None:
    """``groups`` groups meeting in 12 hours, sharing ``members`` members who each have a sealed chat handle."""
    zone = runtime.i18n.timezone
    now = runtime.clock.now()
    start = (now + timedelta(hours=12)).astimezone(zone)
    schedule = Schedule(Repeat.WEEKLY, start.time().replace(second=0), frozenset({start.weekday()}), start.date())
    sealer = runtime.sealer
    async with runtime.unit_of_work() as uow:
        ids = []
        for g in range(groups):
            group = await uow.groups.create(
                code=new_code(), name=f"Group {g}", kind="relapse_prevention", leader_id=None, point_id=None,
                place="12 Hang Bong, Hoan Kiem", schedule=schedule, reminder_minutes=(1440, 60), now=now,
            )  # fmt: skip
            ids.append(group.id)
        await uow.commit()
    async with runtime.sessions() as session:
        for start_at in range(0, members, 1000):
            chunk = range(start_at, min(members, start_at + 1000))
            today, joined = now.date(), now - timedelta(days=1)
            await session.execute(
                insert(User), [{"pseudonym": f"{n:064x}", "first_seen": today, "last_seen": today} for n in chunk]
            )
            handles = []
            for n in chunk:  # one by one: the ids must pair with their members
                handles.append(
                    await session.scalar(
                        insert(ContactHandle).returning(ContactHandle.id).values(
                            pseudonym=f"{n:064x}", purpose="group_reminders",
                            sealed=sealer.seal_json({"channel": "telegram", "address": str(10_000_000 + n)}),
                        )
                    )
                )  # fmt: skip
            await session.execute(
                insert(GroupMember),
                [
                    {"group_id": ids[n % groups], "pseudonym": f"{n:064x}", "joined_at": joined, "handle_id": handle}
                    for n, handle in zip(chunk, handles, strict=True)
                ],
            )
        await session.commit()


async def timed_run(runtime: Runtime) -> dict[str, float]:
    gaps: list[float] = []
    waits: list[float] = []
    stop = asyncio.Event()
    ticking = asyncio.create_task(ticker(gaps, stop))
    writing = asyncio.create_task(person(runtime, waits, stop))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    written = await plan_group_reminders(runtime)
    elapsed = (time.perf_counter() - started) * 1000
    stop.set()
    await ticking
    await writing
    return {
        "written": written, "ms": elapsed, "p99_gap": percentile(gaps, 0.99), "max_gap": max(gaps),
        "p50_write": statistics.median(waits), "p99_write": percentile(waits, 0.99), "max_write": max(waits),
    }  # fmt: skip


async def main(members: int, groups: int, database_url: str | None) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url, secret_key=SecretStr("p" * 40))
        engine = create_engine(settings.db_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        async with await open_runtime(settings, clock=noon_clock(ZoneInfo(settings.timezone))) as runtime:
            await populate(runtime, members, groups)
            settle_heap()  # as the process does once started
            quiet = await quiet_writes(runtime)
            runs = [await timed_run(runtime), await timed_run(runtime)]
            async with runtime.sessions() as session:
                rows = int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
    kind = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    print(f"engine={kind} members={members} groups={groups} outbox_rows={rows}")
    print(
        f"nothing else running: another person's write p50={quiet['p50_write']:.1f}ms "
        f"p99={quiet['p99_write']:.1f}ms max={quiet['max_write']:.1f}ms"
    )
    for name, figures in zip(("first run", "second run"), runs, strict=True):
        print(
            f"{name}: written={figures['written']:.0f} took={figures['ms']:.0f}ms; another person's write "
            f"p50={figures['p50_write']:.1f}ms p99={figures['p99_write']:.1f}ms max={figures['max_write']:.1f}ms; "
            f"event-loop gaps p99={figures['p99_gap']:.1f}ms max={figures['max_gap']:.1f}ms"
        )
    return [*runs, {"rows": rows}]


async def run(members: int, groups: int, database_url: str | None) -> list[dict[str, float]]:
    """One run: print the figures and return them (each run's, then the outbox's row count)."""
    async with scratch_database(database_url) as url:
        return await main(members, groups, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.members, args.groups, args.database_url))
