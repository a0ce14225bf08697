"""Dialect-specific statements shared by the repositories."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Base
from storage.sqlite_driver import HOT


def upsert_insert(session: AsyncSession, model: type[Base]) -> Any:
    """A dialect-specific INSERT that supports ON CONFLICT (SQLite and PostgreSQL both do)."""
    return dialect_insert(session.get_bind().dialect.name, model)


def hot_statement(session: AsyncSession, build: Callable[[str], Any]) -> Any:
    """A statement every event runs, built once per dialect with bound parameters instead of per call.

    Building an INSERT .. ON CONFLICT and its cache key costs about as much as running it on SQLite; the
    statements of every event (update log, user, conversation state) are built once and executed with
    parameters.  ``build`` must be a module-level function of the dialect name.
    """
    return _built(build, session.get_bind().dialect.name)


async def run_hot(session: AsyncSession, build: Callable[[str], Any], values: dict[str, Any]) -> CursorResult[Any]:
    """Execute a :func:`hot_statement` on the session's connection.

    Each ``await`` of an async session's method runs in a greenlet of its own, and each greenlet maps and unmaps
    its own stack (two system calls, about 7 µs with a thread beside it, more under load): asking the session for
    its connection before every statement doubled the greenlets of an event (12 per new person's ``/menu``).  The
    connection is asked for once per transaction and kept in the session's ``info`` beside the transaction it
    belongs to; a new transaction asks again.
    """
    connection = await hot_connection(session)
    hot = HOT.set(True)  # on SQLite, in a transaction that has written, run on the loop (storage.sqlite_driver)
    try:
        # run_sync, not execute: AsyncConnection.execute insists that the driver awaited something, and a hot
        # statement on SQLite may not.  The rows are fetched already (no server-side cursor), so the result is
        # read here as AsyncConnection.execute's own would be.
        return await connection.run_sync(_execute, hot_statement(session, build), values)
    finally:
        HOT.reset(hot)


def _execute(connection: Connection, statement: Any, values: dict[str, Any]) -> CursorResult[Any]:
    return connection.execute(statement, values)


async def hot_connection(session: AsyncSession) -> AsyncConnection:
    """The connection of the session's current transaction, fetched once per transaction (see :func:`run_hot`)."""
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_CONNECTION)
    if kept is not None and transaction is not None and kept[0] is transaction and transaction.is_active:
        return kept[1]  # type: ignore[no-any-return]
    connection = await session.connection()
    session.info[_CONNECTION] = (session.sync_session.get_transaction(), connection)
    return connection


_CONNECTION = "diemtua.hot_connection"


@cache
def _built(build: Callable[[str], Any], dialect: str) -> Any:
    return build(dialect)


def dialect_insert(dialect: str, model: type[Base]) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database dialect {dialect}")
