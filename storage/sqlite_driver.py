"""SQLite through aiosqlite with one thread hop per statement.

SQLAlchemy's aiosqlite adapter makes a cursor, executes, fetches and closes it in four hops to aiosqlite's
thread and back (each a queue put, a wake-up of the event loop and a greenlet switch), and rolls back an idle
connection in one more when it goes back to the pool: about twenty hops for every event, a third of its CPU time
(docs/performance.md).  Here a statement is executed, fetched and closed in one function run on aiosqlite's thread,
and the rollback of a connection with no transaction open is skipped.  Everything else is SQLAlchemy's adapter
(errors, isolation, termination), given to the engine as its DB-API module (``create_engine(module=...)``).

A hot statement (:func:`storage.dialect.run_hot`: the few small statements of every event) in a transaction that
has already written runs on the event loop's thread, without a hop at all.  Such a transaction holds SQLite's write
lock (the ``sqlite3`` module opens a transaction only before a statement that writes, and that statement takes the
lock or fails), so nothing it runs can wait for another connection: what is left is a few microseconds of SQLite's
own work, less than the hop.  The first write (which may wait for another process's writer, in the busy handler),
the commit (which writes the log to disk), and every other statement (which may touch many rows) still go to the
thread.

It uses two of aiosqlite's internals, ``Connection._execute`` (run a function on the connection's thread) and
``Connection._conn`` (the sqlite3 connection, used only by that function: on the thread, or here for a hot
statement); ``tests/test_storage.py`` runs every statement kind through it, so a change of either fails there first.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from contextvars import ContextVar
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

Done = tuple[Any, int, int | None, list[Any]]  # description, rowcount, lastrowid, rows

# Set by storage.dialect.run_hot while it executes a hot statement: a row or a few, fit to run on the event loop.
HOT: ContextVar[bool] = ContextVar("diemtua_sqlite_hot", default=False)


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Done:
    """On aiosqlite's thread: the whole statement, its cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor with nothing open on the thread: each execute brings back the description, counts and rows."""

    __slots__ = ("_done",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = deque()
        self._done: Done = (None, -1, None, [])

    @property
    def description(self) -> Any:
        return self._done[0]

    @property
    def rowcount(self) -> int:
        return self._done[1]

    @property
    def lastrowid(self) -> Any:
        return self._done[2]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Fetching is from rows already here: nothing to size."""

    async def _async_soft_close(self) -> None:
        """Nothing is open on the thread."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._hop(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._hop(operation, seq_of_parameters, many=True)

    def _hop(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            raw = connection._conn
            if not many and HOT.get() and raw.in_transaction:  # it holds the write lock: nothing to wait for
                self._done = _run(raw, operation, parameters, many)
            else:
                self._done = await_(connection._execute(_run, raw, operation, parameters, many))  # type: ignore[no-untyped-call]
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._rows = deque(self._done[3])


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # a subclass (mypy reads the base's as exact)

    def rollback(self) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        if connection._connection is not None and not connection._connection.in_transaction:
            return  # nothing to roll back (a connection back in the pool after its commit)
        super().rollback()


class OneHopModule(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        kw.setdefault("check_same_thread", False)  # in_transaction is read on the event loop's thread
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection))


def module() -> OneHopModule:
    return OneHopModule(aiosqlite, sqlite3)
