"""Which process runs the scheduler: exactly one per deployment.

On PostgreSQL every process may try; the one holding a session-level advisory lock runs the scheduler (and
so the dispatcher), the others wait and check again every few seconds.  If the holder dies its connection
closes, PostgreSQL releases the lock, and a waiting process takes over; its first delivery run takes back
the dead one's claims.  The embedded SQLite database serves one process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import is_sqlite

log = logging.getLogger(__name__)

LOCK_KEY = 0x44_69_65_6D_54_75_61  # "DiemTua": one number for the deployment's scheduler
CHECK_EVERY = 5.0


async def _try_lock(engine: AsyncEngine) -> AsyncConnection | None:
    connection = await engine.connect()
    try:
        taken = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        await connection.commit()  # the lock is the session's; the transaction need not stay open
    except BaseException:
        await connection.close()
        raise
    if taken:
        return connection
    await connection.close()
    return None


async def lead(
    engine: AsyncEngine,
    start: Callable[[], Awaitable[None]],
    stop: Callable[[], Awaitable[None]],
    *,
    check_every: float = CHECK_EVERY,
) -> None:
    """Run ``start`` once this process leads and ``stop`` when it no longer does; until cancelled."""
    if is_sqlite(engine):
        await start()
        try:
            await asyncio.Event().wait()
        finally:
            await stop()
        return
    waiting_said = False
    while True:
        try:
            connection = await _try_lock(engine)
        except (OSError, SQLAlchemyError) as exc:
            log.warning("cannot reach the database to decide who runs the scheduler: %s", type(exc).__name__)
            connection = None
        if connection is None:
            if not waiting_said:
                log.info("another process runs the scheduler; this one waits to take over")
                waiting_said = True
            await asyncio.sleep(check_every)
            continue
        log.info("this process runs the scheduler")
        waiting_said = False
        await start()
        try:
            while True:  # hold the lock; a lost connection means another process may lead now
                await asyncio.sleep(check_every)
                await connection.scalar(text("SELECT 1"))
                await connection.commit()
        except (OSError, SQLAlchemyError) as exc:
            log.warning("lost the scheduler lock's connection (%s): stopping the scheduler", type(exc).__name__)
        finally:
            await stop()
            await _release(connection)
        await asyncio.sleep(2 * check_every)  # let a healthier process take over first


async def _release(connection: AsyncConnection) -> None:
    """Give the lock up.  Closing is not enough: a pooled connection keeps its session, and the session its
    advisory lock; so the connection is invalidated (really closed) after the unlock."""
    with contextlib.suppress(Exception):
        await connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()
