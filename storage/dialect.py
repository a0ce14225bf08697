"""Dialect-specific statements shared by the repositories."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base


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


@cache
def _built(build: Callable[[str], Any], dialect: str) -> Any:
    return build(dialect)


def dialect_insert(dialect: str, model: type[Base]) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database dialect {dialect}")
