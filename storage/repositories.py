"""Repositories: the core's storage ports (``core.ports``) over SQLAlchemy async sessions."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ports import AgeGroup, ConsentRecord, StoredData, UserRecord
from core.state import ConversationState
from storage.models import Base, Consent, ConversationStateRow, Tally, User, personal_tables


def _insert(session: AsyncSession, model: type[Base]) -> Any:
    """A dialect-specific INSERT that supports ON CONFLICT (SQLite and PostgreSQL both do)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database dialect {dialect}")


def _user_record(row: User) -> UserRecord:
    return UserRecord(
        pseudonym=row.pseudonym,
        age_group=AgeGroup(row.age_group) if row.age_group else None,
        stopped=row.stopped,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )


def _consent_record(row: Consent) -> ConsentRecord:
    return ConsentRecord(row.purpose, row.text_version, row.granted_at, row.withdrawn_at)


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, pseudonym: str) -> UserRecord | None:
        row = await self._session.get(User, pseudonym)
        return _user_record(row) if row else None

    async def touch(self, pseudonym: str, today: date) -> UserRecord:
        statement = (
            _insert(self._session, User)
            .values(pseudonym=pseudonym, stopped=False, first_seen=today, last_seen=today)
            .on_conflict_do_update(index_elements=[User.pseudonym], set_={"last_seen": today})
            .returning(User)
        )
        row = (await self._session.execute(statement)).scalar_one()
        return _user_record(row)

    async def set_age_group(self, pseudonym: str, group: AgeGroup) -> None:
        await self._session.execute(update(User).where(User.pseudonym == pseudonym).values(age_group=group.value))

    async def set_stopped(self, pseudonym: str, stopped: bool) -> None:
        await self._session.execute(update(User).where(User.pseudonym == pseudonym).values(stopped=stopped))


class SqlStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, pseudonym: str, now: datetime) -> ConversationState | None:
        row = await self._session.get(ConversationStateRow, pseudonym)
        if row is None or row.expires_at <= now:
            return None
        return ConversationState.from_json(row.data)

    async def save(self, pseudonym: str, state: ConversationState, expires_at: datetime) -> None:
        data = state.to_json()
        statement = (
            _insert(self._session, ConversationStateRow)
            .values(pseudonym=pseudonym, data=data, expires_at=expires_at)
            .on_conflict_do_update(
                index_elements=[ConversationStateRow.pseudonym], set_={"data": data, "expires_at": expires_at}
            )
        )
        await self._session.execute(statement)

    async def clear(self, pseudonym: str) -> None:
        await self._session.execute(delete(ConversationStateRow).where(ConversationStateRow.pseudonym == pseudonym))

    async def purge_expired(self, now: datetime) -> int:
        result = await self._session.execute(delete(ConversationStateRow).where(ConversationStateRow.expires_at <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SqlConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def grant(self, pseudonym: str, purpose: str, text_version: str, at: datetime) -> None:
        active = await self._active_row(pseudonym, purpose)
        if active is not None and active.text_version == text_version:
            return
        if active is not None:  # a newer text replaces the old grant
            active.withdrawn_at = at
        self._session.add(Consent(pseudonym=pseudonym, purpose=purpose, text_version=text_version, granted_at=at))
        await self._session.flush()

    async def withdraw(self, pseudonym: str, purpose: str, at: datetime) -> bool:
        active = await self._active_row(pseudonym, purpose)
        if active is None:
            return False
        active.withdrawn_at = at
        await self._session.flush()
        return True

    async def active(self, pseudonym: str) -> list[ConsentRecord]:
        return [c for c in await self.history(pseudonym) if c.active]

    async def history(self, pseudonym: str) -> list[ConsentRecord]:
        rows = await self._session.scalars(
            select(Consent).where(Consent.pseudonym == pseudonym).order_by(Consent.granted_at, Consent.id)
        )
        return [_consent_record(row) for row in rows]

    async def _active_row(self, pseudonym: str, purpose: str) -> Consent | None:
        return await self._session.scalar(
            select(Consent).where(
                Consent.pseudonym == pseudonym, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
            )
        )


class SqlPrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.erased = False

    async def describe(self, pseudonym: str, now: datetime) -> StoredData:
        user = await SqlUserRepository(self._session).get(pseudonym)
        state_row = await self._session.get(ConversationStateRow, pseudonym)
        live = state_row is not None and state_row.expires_at > now
        consents = await SqlConsentRepository(self._session).history(pseudonym)
        known = {"users", "conversation_states", "consents"}
        other: dict[str, int] = {}
        for name in personal_tables():
            if name in known:
                continue
            table = Base.metadata.tables[name]
            count = await self._session.scalar(
                select(func.count()).select_from(table).where(table.c.pseudonym == pseudonym)
            )
            if count:
                other[name] = int(count)
        return StoredData(
            user=user,
            state=ConversationState.from_json(state_row.data) if live and state_row else None,
            state_expires_at=state_row.expires_at if live and state_row else None,
            consents=consents,
            other_rows=other,
        )

    async def erase(self, pseudonym: str) -> int:
        removed = 0
        for name in personal_tables():
            table = Base.metadata.tables[name]
            result = await self._session.execute(delete(table).where(table.c.pseudonym == pseudonym))
            removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
        self.erased = True
        return removed


class SqlTallyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, week: date, kind: str, *, instrument: str = "", subject: str = "", level: str = "", province: str = ""
    ) -> None:
        cell = {"week": week, "kind": kind, "instrument": instrument, "subject": subject, "level": level}
        cell["province"] = province
        statement = (
            _insert(self._session, Tally)
            .values(**cell, count=1)
            .on_conflict_do_update(index_elements=list(cell), set_={"count": Tally.count + 1})
        )
        await self._session.execute(statement)


class SqlUnitOfWork:
    """One session, one transaction; rolled back unless committed."""

    users: SqlUserRepository
    states: SqlStateRepository
    consents: SqlConsentRepository
    privacy: SqlPrivacyRepository
    tallies: SqlTallyRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], writer: asyncio.Lock | None = None) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        # SQLite has a single writer: transactions of this process take turns through a first-come,
        # first-served lock instead of sleeping in SQLite's busy handler (see docs/performance.md).
        self._writer = writer

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    async def __aenter__(self) -> Self:
        if self._writer is not None:
            await self._writer.acquire()
        self._session = self._sessions()
        self.users = SqlUserRepository(self._session)
        self.states = SqlStateRepository(self._session)
        self.consents = SqlConsentRepository(self._session)
        self.privacy = SqlPrivacyRepository(self._session)
        self.tallies = SqlTallyRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None
            if self._writer is not None:
                self._writer.release()

    async def commit(self) -> None:
        await self.session.commit()
        if self.privacy.erased and self.session.get_bind().dialect.name == "sqlite":
            # An erasure must not linger in the write-ahead log: fold it into the main file now.
            await self.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            await self.session.commit()
            self.privacy.erased = False

    async def rollback(self) -> None:
        await self.session.rollback()
