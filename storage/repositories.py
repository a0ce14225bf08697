"""Repositories: the core's storage ports (``core.ports``) over SQLAlchemy async sessions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Date, Row, bindparam, case, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.codes import InviteCodes
from core.ports import (
    AgeGroup,
    ConsentRecord,
    ListingReports,
    PendingReplies,
    StorageUnavailable,
    StoredData,
    UpsertCounts,
    UserRecord,
)
from core.state import ConversationState
from domain.directory import ServicePoint
from domain.hours import HoursError, format_hours, parse_hours
from domain.indicators import Tally as IndicatorTally
from storage.booking_repositories import SqlBookingRepository, SqlStaffRepository
from storage.db import FOLD_WAL
from storage.delivery_repository import SqlDeliveryRepository
from storage.dialect import dialect_insert, hot_statement
from storage.dialect import upsert_insert as _insert
from storage.group_repository import SqlGroupRepository
from storage.models import (
    Base,
    Consent,
    ConversationStateRow,
    DirectoryVersion,
    ListingReport,
    PendingReply,
    ProcessedUpdate,
    SavedResult,
    ServicePointRow,
    Tally,
    User,
    per_purpose_tables,
    personal_tables,
    purpose_tables,
)
from storage.sealing import SealBroken, Sealer

log = logging.getLogger(__name__)


def _touch_statement(dialect: str) -> Any:
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


def _first_time_statement(dialect: str) -> Any:
    return dialect_insert(dialect, ProcessedUpdate).on_conflict_do_nothing(
        index_elements=[ProcessedUpdate.channel, ProcessedUpdate.key]
    )


def _user_record(row: User | Row[Any]) -> UserRecord:
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
        statement = hot_statement(self._session, _touch_statement)
        connection = await self._session.connection()
        row = (await connection.execute(statement, {"pseudonym": pseudonym, "today": today})).one()
        return _user_record(row)

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
        statement = hot_statement(self._session, _save_state_statement)
        connection = await self._session.connection()
        await connection.execute(statement, {"pseudonym": pseudonym, "data": data, "expires_at": expires_at})

    async def clear(self, pseudonym: str) -> None:
        await self._session.execute(delete(ConversationStateRow).where(ConversationStateRow.pseudonym == pseudonym))

    async def purge_expired(self, now: datetime) -> int:
        result = await self._session.execute(delete(ConversationStateRow).where(ConversationStateRow.expires_at <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SqlReplyLog:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def keep(self, channel: str, address: str, replies_json: str, lease_until: datetime) -> int:
        sealed = self._sealer.seal(json.dumps({"address": address, "replies": replies_json}, ensure_ascii=False))
        row = PendingReply(channel=channel, sealed=sealed, lease_until=lease_until)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def sent(self, reply_id: int) -> None:
        await self._session.execute(delete(PendingReply).where(PendingReply.id == reply_id))

    async def take_over(self, now: datetime, lease_until: datetime, limit: int) -> list[PendingReplies]:
        query = select(PendingReply).where(PendingReply.lease_until <= now).order_by(PendingReply.id).limit(limit)
        taken = []
        for row in await self._session.scalars(query.with_for_update(skip_locked=True)):
            row.lease_until = lease_until
            try:
                opened = json.loads(self._sealer.open(row.sealed))
            except (SealBroken, ValueError):
                await self._session.delete(row)  # sealed under a key no longer configured: cannot be sent
                continue
            taken.append(PendingReplies(row.id, row.channel, str(opened["address"]), str(opened["replies"])))
        await self._session.flush()
        return taken


class SqlUpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        statement = hot_statement(self._session, _first_time_statement)
        connection = await self._session.connection()
        result = await connection.execute(statement, {"channel": channel, "key": key[:80], "seen_at": now})
        return bool(result.rowcount)

    async def purge(self, before: datetime) -> int:
        result = await self._session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < before))
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


class SqlTallyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        week: date,
        kind: str,
        *,
        instrument: str = "",
        subject: str = "",
        level: str = "",
        province: str = "",
        amount: int = 1,
    ) -> None:
        cell = {"week": week, "kind": kind, "instrument": instrument, "subject": subject, "level": level}
        cell["province"] = province
        statement = (
            _insert(self._session, Tally)
            .values(**cell, count=max(amount, 0))
            .on_conflict_do_update(
                index_elements=list(cell),
                set_={"count": case((Tally.count + amount < 0, 0), else_=Tally.count + amount)},
            )
        )
        await self._session.execute(statement)

    async def between(self, first: date, last: date) -> list[IndicatorTally]:
        rows = await self._session.scalars(select(Tally).where(Tally.week >= first, Tally.week <= last))
        return [IndicatorTally(r.week, r.kind, r.subject, r.level, r.province, r.count) for r in rows]


class SqlSavedResultRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def add(self, pseudonym: str, instrument: str, result: dict[str, Any], *, keep: int) -> None:
        self._session.add(
            SavedResult(pseudonym=pseudonym, instrument=instrument, sealed=self._sealer.seal_json(result))
        )
        await self._session.flush()
        newest = (
            select(SavedResult.id)
            .where(SavedResult.pseudonym == pseudonym, SavedResult.instrument == instrument)
            .order_by(SavedResult.id.desc())
            .limit(keep)
        )
        await self._session.execute(
            delete(SavedResult).where(
                SavedResult.pseudonym == pseudonym,
                SavedResult.instrument == instrument,
                SavedResult.id.not_in(newest.scalar_subquery()),
            )
        )

    async def latest(self, pseudonym: str, instrument: str) -> dict[str, Any] | None:
        rows = await self._session.scalars(
            select(SavedResult.sealed)
            .where(SavedResult.pseudonym == pseudonym, SavedResult.instrument == instrument)
            .order_by(SavedResult.id.desc())
        )
        for sealed in rows:
            try:
                value = self._sealer.open_json(sealed)
            except ValueError:  # SealBroken (another secret, tampered) or damaged JSON: skip it
                log.warning("a saved result could not be opened")
                continue
            if isinstance(value, dict):
                return value
        return None


_POINT_FIELDS = (
    "name",
    "kinds",
    "address",
    "province",
    "commune",
    "lat",
    "lon",
    "phone",
    "hours",
    "notes",
    "source",
    "verified_on",
    "sample",
)


def _point_values(point: ServicePoint) -> dict[str, Any]:
    return {
        "external_id": point.external_id,
        "name": point.name,
        "kinds": ";".join(point.kinds),
        "address": point.address,
        "province": point.province,
        "commune": point.commune,
        "lat": point.lat,
        "lon": point.lon,
        "phone": point.phone,
        "hours": format_hours(point.hours),
        "notes": point.notes,
        "source": point.source,
        "verified_on": point.verified_on,
        "sample": point.sample,
    }


def _point(row: ServicePointRow) -> ServicePoint:
    try:
        hours = parse_hours(row.hours)
    except HoursError:  # stored by an older version with other rules: treat as unknown
        hours = None
    return ServicePoint(
        external_id=row.external_id,
        name=row.name,
        kinds=tuple(k for k in row.kinds.split(";") if k),
        address=row.address,
        province=row.province,
        commune=row.commune,
        lat=row.lat,
        lon=row.lon,
        phone=row.phone,
        hours=hours,
        notes=row.notes,
        source=row.source,
        verified_on=row.verified_on,
        sample=row.sample,
        id=row.id,
    )


class SqlDirectoryRepository:
    CHUNK = 1000

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def version(self) -> int:
        return int(await self._session.scalar(select(DirectoryVersion.version).where(DirectoryVersion.id == 1)) or 0)

    async def _bump(self) -> None:
        statement = (
            _insert(self._session, DirectoryVersion)
            .values(id=1, version=1)
            .on_conflict_do_update(index_elements=[DirectoryVersion.id], set_={"version": DirectoryVersion.version + 1})
        )
        await self._session.execute(statement)

    async def all_points(self) -> list[ServicePoint]:
        rows = await self._session.scalars(select(ServicePointRow).order_by(ServicePointRow.id))
        return [_point(row) for row in rows]

    async def get(self, point_id: int) -> ServicePoint | None:
        row = await self._session.get(ServicePointRow, point_id)
        return _point(row) if row else None

    async def upsert(
        self, points: Sequence[ServicePoint], now: datetime, progress: Callable[[int], None] | None = None
    ) -> UpsertCounts:
        existing: dict[str, tuple[Any, ...]] = {}
        columns = [ServicePointRow.id, ServicePointRow.external_id] + [
            getattr(ServicePointRow, name) for name in _POINT_FIELDS
        ]
        for row in await self._session.execute(select(*columns)):
            existing[row[1]] = tuple(row)
        inserted = updated = unchanged = 0
        for start in range(0, len(points), self.CHUNK):
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for point in points[start : start + self.CHUNK]:
                values = _point_values(point)
                old = existing.get(point.external_id)
                if old is None:
                    inserts.append(values | {"updated_at": now})
                elif tuple(old[2:]) != tuple(values[name] for name in _POINT_FIELDS):
                    updates.append(values | {"id": old[0], "updated_at": now})
                else:
                    unchanged += 1
            if inserts:
                await self._session.execute(insert(ServicePointRow), inserts)
            if updates:
                await self._session.execute(update(ServicePointRow), updates)
            inserted += len(inserts)
            updated += len(updates)
            if progress is not None:
                progress(len(points[start : start + self.CHUNK]))
        if inserted or updated:
            await self._bump()
        return UpsertCounts(inserted, updated, unchanged)

    async def report(self, point_id: int, reason: str, day: date) -> bool:
        if await self._session.get(ServicePointRow, point_id) is None:
            return False
        self._session.add(ListingReport(point_id=point_id, reason=reason, reported_on=day))
        await self._session.flush()
        return True

    async def reports(self) -> list[ListingReports]:
        rows = await self._session.execute(
            select(
                ListingReport.point_id,
                ListingReport.reason,
                func.count(),
                func.max(ListingReport.reported_on),
            ).group_by(ListingReport.point_id, ListingReport.reason)
        )
        grouped: dict[int, tuple[dict[str, int], date]] = {}
        for point_id, reason, count, last in rows:
            counts, latest = grouped.get(point_id, ({}, last))
            counts[reason] = int(count)
            grouped[point_id] = (counts, max(latest, last))
        out = []
        for point_id, (counts, last) in grouped.items():
            point = await self.get(point_id)
            if point is not None:
                out.append(ListingReports(point, counts, last))
        out.sort(key=lambda r: (-sum(r.counts.values()), r.point.name))
        return out


def _locked(exc: OperationalError) -> bool:
    """SQLite's "database is locked" / "busy" (another process writing longer than the busy timeout)."""
    message = str(exc.orig).lower() if exc.orig is not None else ""
    return "database is locked" in message or "database is busy" in message


class SqlUnitOfWork:
    """One session, one transaction; rolled back unless committed."""

    users: SqlUserRepository
    states: SqlStateRepository
    consents: SqlConsentRepository
    privacy: SqlPrivacyRepository
    tallies: SqlTallyRepository
    saved_results: SqlSavedResultRepository
    directory: SqlDirectoryRepository
    staff: SqlStaffRepository
    bookings: SqlBookingRepository
    delivery: SqlDeliveryRepository
    groups: SqlGroupRepository
    updates: SqlUpdateLog
    replies: SqlReplyLog

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sealer: Sealer,
        writer: asyncio.Lock | None = None,
        codes: InviteCodes | None = None,
    ) -> None:
        self._sessions = sessions
        self._sealer = sealer
        self._codes = codes
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
        self.states = SqlStateRepository(self._session, self._sealer)
        self.consents = SqlConsentRepository(self._session)
        self.privacy = SqlPrivacyRepository(self._session, self.states)
        self.tallies = SqlTallyRepository(self._session)
        self.saved_results = SqlSavedResultRepository(self._session, self._sealer)
        self.directory = SqlDirectoryRepository(self._session)
        self.staff = SqlStaffRepository(self._session, self._codes)
        self.bookings = SqlBookingRepository(self._session)
        self.delivery = SqlDeliveryRepository(self._session, self._sealer)
        self.updates = SqlUpdateLog(self._session)
        self.replies = SqlReplyLog(self._session, self._sealer)
        self.groups = SqlGroupRepository(self._session)
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
                with contextlib.suppress(DBAPIError):  # a lost connection has nothing left to roll back
                    await session.rollback()
        finally:
            await session.close()
            self._session = None
            if self._writer is not None:
                self._writer.release()
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            raise StorageUnavailable("the database connection was lost") from exc
        if isinstance(exc, OperationalError) and _locked(exc):
            raise StorageUnavailable("the database is locked by another writer") from exc

    async def commit(self) -> None:
        await self.session.commit()
        if (self.privacy.erased or self.consents.deleted_data) and self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(FOLD_WAL)  # a deletion must not linger in the write-ahead log
            await self.session.commit()
            self.privacy.erased = self.consents.deleted_data = False

    async def rollback(self) -> None:
        await self.session.rollback()
