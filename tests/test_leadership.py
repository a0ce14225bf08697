"""Exactly one process runs the scheduler: on PostgreSQL the holder of an advisory lock; another waits and
takes over when the holder stops or its connection dies.  SQLite's single process always leads."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from bot.jobs.leadership import lead
from storage.db import create_engine


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    def pair(self, name: str) -> tuple[object, object]:
        async def start() -> None:
            self.events.append(f"{name} starts")

        async def stop() -> None:
            self.events.append(f"{name} stops")

        return start, stop


async def until(check: object, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_second_process_waits_and_takes_over_when_the_first_dies(postgres_url: str) -> None:
    first, second, admin = create_engine(postgres_url), create_engine(postgres_url), create_engine(postgres_url)
    seen = Recorder()
    a_start, a_stop = seen.pair("a")
    b_start, b_stop = seen.pair("b")

    def leaders() -> int:  # how many lead right now
        return sum(seen.events.count(f"{n} starts") - seen.events.count(f"{n} stops") for n in "ab")

    try:
        a = asyncio.create_task(lead(first, a_start, a_stop, check_every=0.05))  # type: ignore[arg-type]
        await until(lambda: "a starts" in seen.events)
        b = asyncio.create_task(lead(second, b_start, b_stop, check_every=0.05))  # type: ignore[arg-type]
        await asyncio.sleep(0.5)
        assert seen.events == ["a starts"]  # b waits
        # a's connection dies under it: a stops leading, and b (which waited) takes over.
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND s.datname = current_database() "
                    "AND l.pid <> pg_backend_pid()"
                )
            )
            await connection.commit()
        await until(lambda: "a stops" in seen.events and "b starts" in seen.events)
        assert leaders() == 1
        # b's process ends (its task is cancelled and its connection closed): a takes over again.
        b.cancel()
        await asyncio.gather(b, return_exceptions=True)
        await until(lambda: seen.events.count("a starts") == 2)
        assert seen.events[-2:] == ["b stops", "a starts"] and leaders() == 1
        a.cancel()
        await asyncio.gather(a, return_exceptions=True)
        assert leaders() == 0
    finally:
        for engine in (first, second, admin):
            await engine.dispose()


async def test_sqlite_always_leads(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    seen = Recorder()
    start, stop = seen.pair("only")
    task = asyncio.create_task(lead(engine, start, stop))  # type: ignore[arg-type]
    await until(lambda: seen.events == ["only starts"])
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert seen.events == ["only starts", "only stops"]
    await engine.dispose()
