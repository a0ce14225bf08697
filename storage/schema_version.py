"""Which schema revision a database is at, and which one this code needs, without importing Alembic.

Every process checks this at start-up; Alembic itself (about a third of a second and several megabytes to import)
is loaded only when there is something to migrate (``storage.migrate``).  The head is read from the migration
files' ``revision`` lines; the tests check both readings against Alembic's own.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"
_REVISION = re.compile(r'^revision(?::\s*str)?\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
_DOWN = re.compile(r'^down_revision(?::[^=]+)?=\s*(?:["\']([^"\']+)["\']|None)', re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The one revision no other migration revises (the chain is linear)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is None or down is None:
            raise RuntimeError(f"{path.name}: no revision or down_revision line")
        revisions.add(found.group(1))
        if down.group(1):
            revised.add(down.group(1))
    heads = revisions - revised
    if len(heads) > 1:
        raise RuntimeError(f"more than one migration head: {sorted(heads)}")
    return next(iter(heads), None)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None for an empty database)."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(select(column("version_num")).select_from(table(VERSION_TABLE))).scalar()

    async with engine.connect() as connection:
        return await connection.run_sync(read)
