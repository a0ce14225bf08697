"""Contact handles and the outbox over SQLAlchemy.

A handle's address is sealed; so are a message's parameters.  Enqueueing is idempotent (a unique key),
so a retried transaction or a second dispatcher never sends one reminder twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import DueMessage
from storage.dialect import upsert_insert as _insert
from storage.models import ContactHandle, OutboxMessage
from storage.sealing import SealBroken, Sealer


class SqlDeliveryRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def keep_handle(
        self,
        pseudonym: str,
        purpose: str,
        channel: str,
        address: str,
        *,
        booking_id: int | None = None,
        delete_after: datetime | None = None,
    ) -> int:
        row = ContactHandle(
            pseudonym=pseudonym,
            purpose=purpose,
            sealed=self._sealer.seal_json({"channel": channel, "address": address}),
            booking_id=booking_id,
            delete_after=delete_after,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def handle_for(self, pseudonym: str, purpose: str, booking_id: int | None = None) -> int | None:
        query = select(ContactHandle.id).where(ContactHandle.pseudonym == pseudonym, ContactHandle.purpose == purpose)
        if booking_id is not None:
            query = query.where(ContactHandle.booking_id == booking_id)
        return await self._session.scalar(query.order_by(ContactHandle.id.desc()).limit(1))

    async def booking_address(self, booking_id: int, purpose: str) -> str | None:
        """The address kept for one booking and purpose (a call-back number), opened; None if none."""
        sealed = await self._session.scalar(
            select(ContactHandle.sealed)
            .where(ContactHandle.booking_id == booking_id, ContactHandle.purpose == purpose)
            .order_by(ContactHandle.id.desc())
            .limit(1)
        )
        if sealed is None:
            return None
        try:
            return str(self._sealer.open_json(sealed)["address"])
        except (SealBroken, ValueError, KeyError):
            return None

    async def set_delete_after(self, handle_id: int, when: datetime) -> None:
        await self._session.execute(
            update(ContactHandle).where(ContactHandle.id == handle_id).values(delete_after=when)
        )

    async def enqueue(self, handle_id: int, due_at: datetime, kind: str, params: dict[str, Any], key: str) -> None:
        statement = (
            _insert(self._session, OutboxMessage)
            .values(
                handle_id=handle_id,
                due_at=due_at,
                kind=kind,
                params=self._sealer.seal_json(params),
                idempotency_key=key,
                state="pending",
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=[OutboxMessage.idempotency_key])
        )
        await self._session.execute(statement)

    async def drop_pending(self, handle_id: int) -> None:
        await self._session.execute(
            delete(OutboxMessage).where(OutboxMessage.handle_id == handle_id, OutboxMessage.state == "pending")
        )

    async def due(self, now: datetime, limit: int = 100) -> list[DueMessage]:
        rows = await self._session.execute(
            select(OutboxMessage, ContactHandle.sealed)
            .join(ContactHandle, ContactHandle.id == OutboxMessage.handle_id)
            .where(OutboxMessage.state == "pending", OutboxMessage.due_at <= now)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
        out = []
        for message, sealed in rows:
            try:
                where = self._sealer.open_json(sealed)
                params = self._sealer.open_json(message.params)
            except (SealBroken, ValueError):
                message.state = "dead"
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
                )
            )
        await self._session.flush()
        return out

    async def sent(self, message_id: int, now: datetime) -> None:
        await self._session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(state="sent", sent_at=now)
        )

    async def retry(self, message_id: int, at: datetime, give_up_after: int) -> bool:
        """Try again at ``at``; False (and the message is dead) once ``give_up_after`` tries are spent."""
        row = await self._session.get(OutboxMessage, message_id)
        if row is None:
            return False
        row.attempts += 1
        if row.attempts >= give_up_after:
            row.state = "dead"
            return False
        row.due_at = at
        return True

    async def drop(self, message_id: int) -> None:
        """Give up on one message (it is too late to be useful)."""
        await self._session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(state="dead"))

    async def blocked(self, message_id: int) -> None:
        """The recipient blocked the bot: drop this message and everything else pending to that handle."""
        row = await self._session.get(OutboxMessage, message_id)
        if row is not None:
            await self._session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.handle_id == row.handle_id, OutboxMessage.state == "pending")
                .values(state="dead")
            )

    async def purge(self, now: datetime, keep_sent: timedelta = timedelta(days=2)) -> int:
        """Delete handles past their time (their messages go with them) and old delivered messages."""
        handles = await self._session.execute(
            delete(ContactHandle).where(ContactHandle.delete_after.is_not(None), ContactHandle.delete_after <= now)
        )
        await self._session.execute(
            delete(OutboxMessage).where(OutboxMessage.state != "pending", OutboxMessage.due_at <= now - keep_sent)
        )
        return int(handles.rowcount or 0)  # type: ignore[attr-defined]
