"""A throw-away database for a benchmark: a fresh PostgreSQL database (dropped afterwards) when given a
PostgreSQL URL, so a run never finds or leaves rows in a shared one; otherwise the embedded SQLite file."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine


@contextlib.asynccontextmanager
async def scratch_database(url: str | None) -> AsyncIterator[str | None]:
    if not url or not url.startswith("postgresql"):
        yield url
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"diemtua_bench_{uuid.uuid4().hex[:10]}"
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
