"""Exactly one process runs the scheduler: on PostgreSQL the holder of an advisory lock; another waits and
takes over when the holder stops or its connection dies.  SQLite's single process always leads."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from bot.leadership import lead
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
    try:
        a = asyncio.create_task(lead(first, a_start, a_stop, check_every=0.05))  # type: ignore[arg-type]
        await until(lambda: "a starts" in seen.events)
        b = asyncio.create_task(lead(second, b_start, b_stop, check_every=0.05))  # type: ignore[arg-type]
        await asyncio.sleep(0.5)
        assert seen.events == ["a starts"]  # b waits
        # a's connection dies (as when its process is killed): PostgreSQL releases the lock.
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
                )
            )
            await connection.commit()
        await until(lambda: "b starts" in seen.events and "a stops" in seen.events)
        # a notices within one check; meanwhile the outbox's claims keep the two from sending one row twice.
        assert seen.events.count("b starts") == 1 and seen.events.count("a starts") == 1
        b.cancel()
        await asyncio.gather(b, return_exceptions=True)
        assert seen.events[-1] == "b stops"
        a.cancel()
        await asyncio.gather(a, return_exceptions=True)
        assert seen.events.count("a starts") <= 2  # a may lead again once b let go; never two at once
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
