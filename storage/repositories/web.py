"""The web console's links, sessions and audit log; found by the unit of work through :data:`IMPLEMENTS`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports.web import WEB, AuditEntry
from core.web_tokens import LINK_VALID, SESSION_IDLE, SESSION_LONGEST, WebSession
from storage.models.base import coarsen
from storage.models.web import WebAuditRow, WebLink, WebSessionRow
from storage.sealing import Sealer


class SqlWebRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session

    async def add_link(self, token_hash: str, staff_id: int, now: datetime) -> None:
        self._session.add(WebLink(token_hash=token_hash, staff_id=staff_id, created_at=now))
        await self._session.flush()

    async def use_link(self, token_hash: str, now: datetime) -> int | None:
        claimed = await self._session.execute(
            update(WebLink)
            .where(
                WebLink.token_hash == token_hash,
                WebLink.used_at.is_(None),
                WebLink.created_at > now - LINK_VALID,
                WebLink.created_at <= now,
            )
            .values(used_at=now)
            .returning(WebLink.staff_id)
        )
        return claimed.scalar()

    async def open_session(self, token_hash: str, staff_id: int, now: datetime) -> None:
        self._session.add(WebSessionRow(token_hash=token_hash, staff_id=staff_id, created_at=now, last_seen=now))
        await self._session.flush()

    async def session(self, token_hash: str, now: datetime) -> WebSession | None:
        row = await self._session.scalar(select(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
        if row is None:
            return None
        found = WebSession(row.staff_id, row.created_at, row.last_seen)
        if not found.alive(now):
            await self._session.delete(row)
            await self._session.flush()
            return None
        if coarsen(now, "minute") != row.last_seen:  # kept to the minute: written at most once a minute
            row.last_seen = now
            await self._session.flush()
        return found

    async def close_session(self, token_hash: str) -> None:
        await self._session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))

    async def sign_out_everywhere(self, staff_id: int) -> int:
        sessions = await self._session.execute(delete(WebSessionRow).where(WebSessionRow.staff_id == staff_id))
        links = await self._session.execute(
            delete(WebLink).where(WebLink.staff_id == staff_id, WebLink.used_at.is_(None))
        )
        return int(sessions.rowcount or 0) + int(links.rowcount or 0)  # type: ignore[attr-defined]

    async def sessions_of(self, staff_id: int, now: datetime) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(WebSessionRow)
            .where(
                WebSessionRow.staff_id == staff_id,
                WebSessionRow.last_seen > now - SESSION_IDLE,
                WebSessionRow.created_at > now - SESSION_LONGEST,
            )
        )
        return int(count or 0)

    async def purge(self, now: datetime) -> int:
        links = await self._session.execute(
            delete(WebLink).where(or_(WebLink.used_at.is_not(None), WebLink.created_at <= now - LINK_VALID))
        )
        sessions = await self._session.execute(
            delete(WebSessionRow).where(
                or_(WebSessionRow.last_seen <= now - SESSION_IDLE, WebSessionRow.created_at <= now - SESSION_LONGEST)
            )
        )
        return int(links.rowcount or 0) + int(sessions.rowcount or 0)  # type: ignore[attr-defined]

    async def audit(self, staff_id: int, role: str, action: str, subject: str, now: datetime) -> None:
        self._session.add(WebAuditRow(at=now, staff_id=staff_id, role=role, action=action, subject=subject[:120]))
        await self._session.flush()

    async def audit_log(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        rows = await self._session.scalars(
            select(WebAuditRow).order_by(WebAuditRow.at.desc(), WebAuditRow.id.desc()).limit(limit).offset(offset)
        )
        return [AuditEntry(r.at, r.staff_id, r.role, r.action, r.subject) for r in rows]


IMPLEMENTS = {WEB.name: SqlWebRepository}
