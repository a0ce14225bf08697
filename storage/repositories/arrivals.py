"""Every event's first statement: its delivery recorded, its person created or touched, their conversation
state read.  One round trip on PostgreSQL (the delivery's insert in a data-modifying CTE); two on SQLite,
which has no such CTE (the delivery's insert, then the person's upsert returning their state)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import Arrival
from storage.dialect import run_hot
from storage.models import ConversationStateRow, ProcessedUpdate
from storage.repositories.people import SqlStateRepository, touch_statement, user_record
from storage.repositories.updates import SqlUpdateLog


def _arrive_statement(dialect: str) -> Any:
    """The person's upsert, returning their record and their state's sealed data and expiry (compared here, not
    in SQL: the expiry is stored rounded up to the hour, and so would be a bound "now")."""
    own = ConversationStateRow.pseudonym == bindparam("pseudonym")
    data = select(ConversationStateRow.data).where(own).scalar_subquery().label("state_data")
    expires = select(ConversationStateRow.expires_at).where(own).scalar_subquery().label("state_expires")
    return touch_statement(dialect).returning(data, expires)


def _keyed_arrive_statement(dialect: str) -> Any:
    """PostgreSQL: the delivery's insert joins the same statement; ``first_time`` counts the row it inserted."""
    seen = (
        postgresql.insert(ProcessedUpdate)
        .values(channel=bindparam("channel"), key=bindparam("key"), seen_at=bindparam("seen_at"))
        .on_conflict_do_nothing(index_elements=[ProcessedUpdate.channel, ProcessedUpdate.key])
        .returning(ProcessedUpdate.id)
        .cte("seen")
    )
    first = select(func.count()).select_from(seen).scalar_subquery().label("first_time")
    return _arrive_statement(dialect).add_cte(seen).returning(first)


class SqlArrivals:
    def __init__(self, session: AsyncSession, updates: SqlUpdateLog, states: SqlStateRepository) -> None:
        self._session = session
        self._updates = updates
        self._states = states

    async def arrive(
        self, channel: str, delivery_key: str, pseudonym: str, today: date, now: datetime
    ) -> Arrival | None:
        values: dict[str, Any] = {"pseudonym": pseudonym, "today": today}
        build = _arrive_statement
        if delivery_key:
            if self._session.get_bind().dialect.name == "postgresql":
                build = _keyed_arrive_statement
                values |= {"channel": channel, "key": delivery_key[:80], "seen_at": now}
            elif not await self._updates.first_time(channel, delivery_key, now):
                return None
        row = (await run_hot(self._session, build, values)).one()
        if build is _keyed_arrive_statement and not row.first_time:
            return None
        live = row.state_data is not None and row.state_expires > now
        return Arrival(user_record(row), self._states.unseal(row.state_data) if live else None)
