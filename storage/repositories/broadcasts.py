"""A leader's broadcasts to a group, and how their delivery is going."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import (
    BroadcastRecord,
)
from storage.models import (
    Broadcast,
)
from storage.sealing import Sealer


def _broadcast_record(row: Broadcast) -> BroadcastRecord:
    return BroadcastRecord(
        row.id,
        row.group_id,
        row.created_at,
        row.urgent,
        row.total,
        row.notify_handle_id,
        row.progress_at,
        row.finished_at,
        row.sent,
        row.stopped,
        row.failed,
    )


class SqlBroadcastRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def create(self, group_id: int, now: datetime, *, urgent: bool, notify_handle_id: int | None) -> int:
        row = Broadcast(
            group_id=group_id,
            created_at=now,
            urgent=urgent,
            total=0,
            notify_handle_id=notify_handle_id,
            progress_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def set_total(self, broadcast_id: int, total: int) -> None:
        await self._session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(total=total))

    async def latest(self, group_id: int) -> BroadcastRecord | None:
        row = await self._session.scalar(
            select(Broadcast).where(Broadcast.group_id == group_id).order_by(Broadcast.id.desc()).limit(1)
        )
        return _broadcast_record(row) if row else None

    async def unfinished(self) -> list[BroadcastRecord]:
        rows = await self._session.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None)))
        return [_broadcast_record(row) for row in rows]

    async def told_progress(self, broadcast_id: int, now: datetime) -> None:
        await self._session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(progress_at=now))

    async def finish(self, broadcast_id: int, now: datetime, *, sent: int, stopped: int, failed: int) -> None:
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(finished_at=now, progress_at=None, sent=sent, stopped=stopped, failed=failed)
        )
