"""What is kept about a person: their record, the conversation's state, consents, saved self-check results and
what /privacy shows and erases."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Row, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import (
    AgeGroup,
    ConsentRecord,
    StoredData,
    UserRecord,
)
from core.state import ConversationState
from storage.dialect import dialect_insert, run_hot
from storage.models import (
    Base,
    Consent,
    ConversationStateRow,
    User,
    per_purpose_tables,
    personal_tables,
    purpose_tables,
)
from storage.sealing import SealBroken, Sealer

log = logging.getLogger(__name__)


def touch_statement(dialect: str) -> Any:
    insert_user = dialect_insert(dialect, User)
    today: Any = bindparam("today", type_=Date)
    return (
        insert_user.values(pseudonym=bindparam("pseudonym"), stopped=False, first_seen=today, last_seen=today)
        .on_conflict_do_update(index_elements=[User.pseudonym], set_={"last_seen": insert_user.excluded.last_seen})
        .returning(User)
    )


def _save_state_statement(dialect: str) -> Any:
    insert_state = dialect_insert(dialect, ConversationStateRow)
    excluded = insert_state.excluded
    return insert_state.on_conflict_do_update(
        index_elements=[ConversationStateRow.pseudonym], set_={"data": excluded.data, "expires_at": excluded.expires_at}
    )


def user_record(row: User | Row[Any]) -> UserRecord:
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
        return user_record(row) if row else None

    async def touch(self, pseudonym: str, today: date) -> UserRecord:
        row = (await run_hot(self._session, touch_statement, {"pseudonym": pseudonym, "today": today})).one()
        return user_record(row)

    async def set_age_group(self, pseudonym: str, group: AgeGroup) -> None:
        await self._session.execute(update(User).where(User.pseudonym == pseudonym).values(age_group=group.value))

    async def set_stopped(self, pseudonym: str, stopped: bool) -> None:
        await self._session.execute(update(User).where(User.pseudonym == pseudonym).values(stopped=stopped))


class SqlStateRepository:
    """Conversation state, sealed at rest: it can hold answers in progress."""

    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    def unseal(self, data: str) -> ConversationState:
        try:
            return ConversationState.from_json(self._sealer.open(data))
        except SealBroken:  # another secret, or damaged: start afresh rather than fail
            log.warning("a conversation state could not be opened")
            return ConversationState()

    async def load(self, pseudonym: str, now: datetime) -> ConversationState | None:
        row = await self._session.get(ConversationStateRow, pseudonym)
        if row is None or row.expires_at <= now:
            return None
        return self.unseal(row.data)

    async def save(self, pseudonym: str, state: ConversationState, expires_at: datetime) -> None:
        data = self._sealer.seal(state.to_json())
        await run_hot(
            self._session, _save_state_statement, {"pseudonym": pseudonym, "data": data, "expires_at": expires_at}
        )

    async def clear(self, pseudonym: str) -> None:
        await self._session.execute(delete(ConversationStateRow).where(ConversationStateRow.pseudonym == pseudonym))

    async def purge_expired(self, now: datetime) -> int:
        result = await self._session.execute(delete(ConversationStateRow).where(ConversationStateRow.expires_at <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SqlConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.deleted_data = False  # a withdrawal deleted what was kept for its purpose

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
        for name in purpose_tables(purpose) + per_purpose_tables():  # what was kept goes with the consent
            table = Base.metadata.tables[name]
            condition = table.c.pseudonym == pseudonym
            if "purpose" in table.c:
                condition = condition & (table.c.purpose == purpose)
            result = await self._session.execute(delete(table).where(condition))
            self.deleted_data = self.deleted_data or bool(result.rowcount)  # type: ignore[attr-defined]
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
    def __init__(self, session: AsyncSession, states: SqlStateRepository) -> None:
        self._session = session
        self._states = states
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
            state=self._states.unseal(state_row.data) if live and state_row else None,
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
