"""Engines: SQLite (embedded default) and PostgreSQL (scale-out), configured for privacy.

SQLite runs with ``secure_delete`` (deleted rows are overwritten, not left in free pages), foreign keys on
(so deleting a user cascades), WAL and a busy timeout.  Both engines hide bound parameters from error
messages and logs, so a failing statement never prints a pseudonym.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import sqlite_driver

SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
)


# Fold the write-ahead log into the main file and empty it, so that deleted or replaced values (a /forget,
# old ciphertexts after a key rotation) do not linger in the WAL file.
FOLD_WAL = text("PRAGMA wal_checkpoint(TRUNCATE)")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # No ping when a connection leaves the pool: it is one more round trip for every event.  A connection lost
    # under a PostgreSQL restart fails its first statement instead; SQLAlchemy then retires every connection of
    # the pool, the unit of work raises StorageUnavailable, and the conversation handles the event again on a
    # fresh connection (tests/test_faults.py).  A SQLite file cannot go stale.
    if parsed.get_backend_name() == "sqlite" and parsed.get_driver_name() == "aiosqlite":
        kwargs.setdefault("module", sqlite_driver.module())  # one thread hop per statement
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
