"""The channels' bookkeeping: the keys of handled updates (a redelivered one changes nothing) and the replies
kept until sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import (
    PendingReplies,
)
from storage.dialect import dialect_insert, run_hot
from storage.models import (
    MarkedMessage,
    PendingReply,
    ProcessedUpdate,
)
from storage.sealing import SealBroken, Sealer


def _first_time_statement(dialect: str) -> Any:
    return dialect_insert(dialect, ProcessedUpdate).on_conflict_do_nothing(
        index_elements=[ProcessedUpdate.channel, ProcessedUpdate.key]
    )


def _keep_statement(dialect: str) -> Any:
    return dialect_insert(dialect, PendingReply).returning(PendingReply.id)


def _sent_statement(dialect: str) -> Any:
    return delete(PendingReply).where(PendingReply.id.in_(bindparam("ids", expanding=True)))


class SqlReplyLog:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def keep(
        self, channel: str, address: str, replies_json: str, lease_until: datetime, mark: str | None = None
    ) -> int:
        kept: dict[str, Any] = {"address": address, "replies": replies_json}
        if mark is not None:
            kept["mark"] = mark
        sealed = self._sealer.seal(json.dumps(kept, ensure_ascii=False))
        values = {"channel": channel, "sealed": sealed, "lease_until": lease_until}
        return int((await run_hot(self._session, _keep_statement, values)).scalar_one())

    async def sent(self, reply_ids: Sequence[int]) -> None:
        if reply_ids:
            await run_hot(self._session, _sent_statement, {"ids": list(reply_ids)})

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
            mark = opened.get("mark")
            address, replies = str(opened["address"]), str(opened["replies"])
            taken.append(PendingReplies(row.id, row.channel, address, replies, str(mark) if mark else None))
        await self._session.flush()
        return taken

    async def remember(self, mark: str, message_ids: Sequence[int], now: datetime) -> None:
        self._session.add_all(MarkedMessage(mark=mark, message_id=i, at=now) for i in message_ids)
        await self._session.flush()

    async def which_mark(self, marks: Sequence[str], message_id: int) -> str | None:
        if not marks:
            return None
        found = await self._session.scalar(
            select(MarkedMessage.mark)
            .where(MarkedMessage.mark.in_(list(marks)), MarkedMessage.message_id == message_id)
            .limit(1)
        )
        return str(found) if found is not None else None

    async def take_marked(self, marks: Sequence[str]) -> list[int]:
        if not marks:
            return []
        where = MarkedMessage.mark.in_(list(marks))
        found = set(await self._session.scalars(select(MarkedMessage.message_id).where(where)))
        await self._session.execute(delete(MarkedMessage).where(where))
        return sorted(found)

    async def purge_marked(self, before: datetime) -> int:
        result = await self._session.execute(delete(MarkedMessage).where(MarkedMessage.at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SqlUpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        result = await run_hot(
            self._session, _first_time_statement, {"channel": channel, "key": key[:80], "seen_at": now}
        )
        return bool(result.rowcount)

    async def purge(self, before: datetime) -> int:
        result = await self._session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
