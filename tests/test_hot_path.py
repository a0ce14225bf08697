"""The statements every event runs: the session's connection asked for once per transaction, and on SQLite the small
ones run on the event loop once their transaction holds the write lock, while a statement that may wait for another
writer still waits on the database's thread (docs/performance.md, issue 21)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.sqlite_driver
from core.state import ConversationState
from storage import migrate
from storage.db import create_engine, session_factory
from storage.models import User
from storage.repositories import SqlUnitOfWork
from storage.sealing import Sealer

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)
ALICE = "a" * 64
SEALER = Sealer(b"hot-path-test-secret-0123456789")


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hot.sqlite3'}")
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine), SEALER)


async def test_a_transaction_asks_for_its_connection_once_and_the_next_asks_again(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        asked = 0
        connection = work.session.connection

        async def counted(**kw: Any) -> Any:
            nonlocal asked
            asked += 1
            return await connection(**kw)

        work.session.connection = counted  # type: ignore[method-assign,assignment]
        first = await work.users.touch(ALICE, TODAY)
        await work.states.save(ALICE, ConversationState(step="asked_age"), NOW + timedelta(hours=1))
        kept = await work.replies.keep("telegram", "1", "[]", NOW)
        assert asked == 1
        await work.commit()
        again = await work.users.touch(ALICE, TODAY)
        await work.replies.sent([kept])
        assert asked == 2
        await work.commit()
    assert first.pseudonym == again.pseudonym == ALICE
    async with uow(engine) as work:
        state = await work.states.load(ALICE, NOW)
        assert state is not None and state.step == "asked_age"
        assert await work.replies.take_over(NOW + timedelta(days=1), NOW, 10) == []  # the kept reply is gone


def threads_of_statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """(first word of each statement, whether it ran on this thread), as SQLite's driver runs them."""
    seen: list[tuple[str, bool]] = []
    here = threading.get_ident()
    run: Callable[..., Any] = storage.sqlite_driver._run

    def recorded(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Any:
        seen.append((operation.split()[0].upper(), threading.get_ident() == here))
        return run(connection, operation, parameters, many)

    monkeypatch.setattr(storage.sqlite_driver, "_run", recorded)
    return seen


async def test_sqlite_runs_a_hot_statement_on_the_loop_only_once_its_transaction_has_written(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = threads_of_statements(monkeypatch)
    async with uow(sqlite_engine) as work:
        await work.session.execute(select(User))  # a read: no transaction, no lock
        await work.users.touch(ALICE, TODAY)  # the first write: it may wait for another writer
        await work.states.save(ALICE, ConversationState(step="asked_age"), NOW + timedelta(hours=1))
        await work.replies.keep("telegram", "1", "[]", NOW)
        await work.session.execute(select(User))  # not a hot statement: it could be a long one
        await work.commit()
    assert seen == [("SELECT", False), ("INSERT", False), ("INSERT", True), ("INSERT", True), ("SELECT", False)]


async def test_a_first_write_waits_for_another_process_writer_without_holding_up_the_loop(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "hot.sqlite3", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def release() -> None:
        await asyncio.sleep(0.4)
        holder.execute("COMMIT")

    ticking, releasing = asyncio.create_task(ticker()), asyncio.create_task(release())
    try:
        async with uow(sqlite_engine) as work:
            await work.users.touch(ALICE, TODAY)
            await work.states.save(ALICE, ConversationState(step="asked_age"), NOW + timedelta(hours=1))
            await work.commit()
        waited = ticks
    finally:
        ticking.cancel()
        await releasing
        holder.close()
    assert waited >= 20  # the loop went on (about 40 ticks of 10 ms) while the write waited in SQLite's busy handler
    async with uow(sqlite_engine) as work:
        assert (await work.states.load(ALICE, NOW)) is not None


async def test_a_unit_of_work_gives_its_connection_back_whatever_it_did(engine: AsyncEngine) -> None:
    pool = engine.sync_engine.pool
    async with uow(engine) as work:  # committed, holding nothing
        await work.users.touch(ALICE, TODAY)
        await work.commit()
    async with uow(engine) as work:  # committed, holding loaded objects
        assert (await work.session.get(User, ALICE)) is not None
        await work.commit()
    async with uow(engine) as work:  # not committed: rolled back
        await work.users.touch("b" * 64, TODAY)
    async with uow(engine) as work:  # read only
        await work.session.execute(select(User))
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    async with uow(engine) as work:
        assert (await work.users.get("b" * 64)) is None
