"""The outbox: messages the bot sends on its own, enqueued idempotently (a unique key), claimed with a lease and
sent once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import (
    DueMessage,
)
from storage.dialect import dialect_insert, hot_statement
from storage.models import (
    ContactHandle,
    OutboxMessage,
)
from storage.sealing import SealBroken, Sealer


def _enqueue_statement(dialect: str) -> Any:
    return dialect_insert(dialect, OutboxMessage).on_conflict_do_nothing(index_elements=["idempotency_key"])


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def enqueue(
        self,
        handle_id: int,
        due_at: datetime,
        kind: str,
        params: dict[str, Any],
        key: str,
        *,
        priority: int = 1,
        quiet: bool = False,
        topic: str | None = None,
    ) -> None:
        await self.enqueue_many([(handle_id, params, key)], due_at, kind, priority=priority, quiet=quiet, topic=topic)

    async def enqueue_many(
        self,
        rows: Sequence[tuple[int, dict[str, Any], str]],
        due_at: datetime,
        kind: str,
        *,
        priority: int = 1,
        quiet: bool = False,
        topic: str | None = None,
    ) -> None:
        """Add messages (handle, parameters, idempotency key) to the outbox; a key already there is skipped.  One
        statement, compiled once and cached, executed for many rows (SQLAlchemy batches them)."""
        if not rows:
            return
        statement = hot_statement(self._session, _enqueue_statement)
        for start in range(0, len(rows), 500):
            values = [
                {
                    "handle_id": handle_id,
                    "due_at": due_at,
                    "kind": kind,
                    "params": self._sealer.seal_json(params),
                    "idempotency_key": key,
                    "state": "pending",
                    "attempts": 0,
                    "priority": priority,
                    "quiet": quiet,
                    "topic": topic,
                }
                for handle_id, params, key in rows[start : start + 500]
            ]
            await self._session.execute(statement, values)

    async def keys_in(self, topics: Collection[str]) -> set[str]:
        found: set[str] = set()
        ordered = sorted(topics)
        for start in range(0, len(ordered), 200):
            keys = await self._session.scalars(
                select(OutboxMessage.idempotency_key).where(OutboxMessage.topic.in_(ordered[start : start + 200]))
            )
            found.update(keys)
        return found

    async def drop_pending(self, handle_id: int) -> None:
        await self._session.execute(
            delete(OutboxMessage).where(OutboxMessage.handle_id == handle_id, OutboxMessage.state == "pending")
        )

    async def drop_keys(self, prefixes: Sequence[str]) -> int:
        """Forget messages not yet sent whose idempotency key starts with one of ``prefixes`` (notices about a
        booking whose owner is gone)."""
        if not prefixes:
            return 0
        match = or_(*(OutboxMessage.idempotency_key.startswith(p, autoescape=True) for p in prefixes))
        result = await self._session.execute(
            delete(OutboxMessage).where(match, OutboxMessage.state.in_(("pending", "claimed")))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_topic(self, topic: str, *, prefix: bool = False) -> None:
        """Forget what is still waiting about one meeting (it was called off or moved), or with ``prefix``
        about every topic that starts so (a group's whole schedule changed)."""
        match = OutboxMessage.topic.startswith(topic, autoescape=True) if prefix else OutboxMessage.topic == topic
        await self._session.execute(delete(OutboxMessage).where(match, OutboxMessage.state.in_(("pending", "claimed"))))

    async def recover(self, now: datetime, *, every_claim: bool = False) -> int:
        """Claims whose dispatcher is gone: unsent ones go back to the queue; one that may have been sent
        (its request had left) is marked unknown, never sent again.  ``every_claim`` at start-up, when no
        other dispatcher can be running.  Returns how many became unknown."""
        expired = OutboxMessage.lease_until <= now if not every_claim else OutboxMessage.lease_until.is_not(None)
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "claimed", expired)
            .values(state="pending", claim=None, lease_until=None)
        )
        unknown = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "sending", expired)
            .values(state="unknown", claim=None, lease_until=None)
        )
        return int(unknown.rowcount or 0)  # type: ignore[attr-defined]

    async def claim(
        self, now: datetime, limit: int, run: str, lease_until: datetime, *, hold_quiet: bool
    ) -> list[DueMessage]:
        """Take up to ``limit`` due messages for this dispatcher run, most urgent first.  On PostgreSQL
        rows another dispatcher holds are skipped (``FOR UPDATE SKIP LOCKED``); everywhere the update
        only takes rows still pending, so no two runs hold one row."""
        stopped = select(ContactHandle.id).where(ContactHandle.stopped_at.is_not(None))
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.handle_id.in_(stopped))
            .values(state="stopped")
        )
        query = select(OutboxMessage.id).where(OutboxMessage.state == "pending", OutboxMessage.due_at <= now)
        if hold_quiet:
            query = query.where(OutboxMessage.quiet.is_(False))
        query = query.order_by(OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id).limit(limit)
        ids = list(await self._session.scalars(query.with_for_update(skip_locked=True)))
        if not ids:
            return []
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "pending")
            .values(state="claimed", claim=run, lease_until=lease_until)
        )
        rows = await self._session.execute(
            select(OutboxMessage, ContactHandle.sealed, ContactHandle.pseudonym)
            .join(ContactHandle, ContactHandle.id == OutboxMessage.handle_id)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.claim == run, OutboxMessage.state == "claimed")
            .order_by(OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
        )
        out = []
        for message, sealed, pseudonym in rows:
            try:
                where = self._sealer.open_json(sealed)
                params = self._sealer.open_json(message.params)
            except (SealBroken, ValueError):
                message.state = "failed"
                continue
            out.append(
                DueMessage(
                    message.id,
                    str(where["channel"]),
                    str(where["address"]),
                    message.kind,
                    params,
                    message.attempts,
                    message.due_at,
                    message.priority,
                    message.topic,
                    pseudonym,
                )
            )
        await self._session.flush()
        return out

    async def start_sending(self, message_id: int, run: str) -> bool:
        """Mark a claimed message as on its way, just before the request leaves; False if this run no
        longer holds it (the member left, or the claim was recovered)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claim == run, OutboxMessage.state == "claimed")
            .values(state="sending")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def sent(self, message_id: int, now: datetime) -> None:
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(state="sent", sent_at=now, claim=None, lease_until=None)
        )

    async def retry(self, message_id: int, at: datetime, give_up_after: int) -> bool:
        """Try again at ``at``; False (and the message has failed) once ``give_up_after`` tries are spent."""
        row = await self._session.get(OutboxMessage, message_id)
        if row is None:
            return False
        row.attempts += 1
        row.claim, row.lease_until = None, None
        if row.attempts >= give_up_after:
            row.state = "failed"
            return False
        row.state = "pending"
        row.due_at = at
        return True

    async def finish(self, message_id: int, state: str) -> None:
        """End a message without sending it: ``late`` (too late to be right), ``unknown``, ``failed``."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(state=state, claim=None, lease_until=None)
        )

    async def blocked(self, message_id: int, now: datetime) -> None:
        """The recipient blocked the bot: the handle is stopped; this and everything pending to it too."""
        row = await self._session.get(OutboxMessage, message_id)
        if row is None:
            return
        await self._session.execute(
            update(ContactHandle).where(ContactHandle.id == row.handle_id).values(stopped_at=now)
        )
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.handle_id == row.handle_id,
                (OutboxMessage.id == message_id) | (OutboxMessage.state == "pending"),
            )
            .values(state="stopped", claim=None, lease_until=None)
        )

    async def counts(self, topic: str) -> dict[str, int]:
        """How many messages of a topic are in each state."""
        rows = await self._session.execute(
            select(OutboxMessage.state, func.count()).where(OutboxMessage.topic == topic).group_by(OutboxMessage.state)
        )
        return {str(state): int(n) for state, n in rows}

    async def purge(self, now: datetime, keep_sent: timedelta = timedelta(days=2)) -> None:
        """Delete delivered (or given up) messages older than ``keep_sent``."""
        finished = ("sent", "stopped", "failed", "late", "unknown")
        await self._session.execute(
            delete(OutboxMessage).where(OutboxMessage.state.in_(finished), OutboxMessage.due_at <= now - keep_sent)
        )
