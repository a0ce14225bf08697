"""Contact handles: a person's chat address (or phone number), sealed, kept only under a consent and for as long
as its purpose needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ContactHandle,
)
from storage.sealing import SealBroken, Sealer


def _booking_handle(column: Any, booking_id: int, purpose: str) -> Any:
    """``column`` of the newest contact handle kept for one booking and purpose."""
    return (
        select(column)
        .where(ContactHandle.booking_id == booking_id, ContactHandle.purpose == purpose)
        .order_by(ContactHandle.id.desc())
        .limit(1)
    )


class SqlHandleRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def keep(
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

    async def find(self, pseudonym: str, purpose: str, booking_id: int | None = None) -> int | None:
        query = select(ContactHandle.id).where(ContactHandle.pseudonym == pseudonym, ContactHandle.purpose == purpose)
        if booking_id is not None:
            query = query.where(ContactHandle.booking_id == booking_id)
        return await self._session.scalar(query.order_by(ContactHandle.id.desc()).limit(1))

    async def address(self, pseudonym: str, purpose: str) -> tuple[str, str] | None:
        sealed = await self._session.scalar(
            select(ContactHandle.sealed)
            .where(ContactHandle.pseudonym == pseudonym, ContactHandle.purpose == purpose)
            .order_by(ContactHandle.id.desc())
            .limit(1)
        )
        if sealed is None:
            return None
        try:
            opened = self._sealer.open_json(sealed)
            return str(opened["channel"]), str(opened["address"])
        except (SealBroken, ValueError, KeyError):
            return None

    async def drop(self, pseudonym: str, purpose: str) -> None:
        await self._session.execute(
            delete(ContactHandle).where(ContactHandle.pseudonym == pseudonym, ContactHandle.purpose == purpose)
        )

    async def of_booking(self, booking_id: int, purpose: str) -> int | None:
        handle = await self._session.scalar(_booking_handle(ContactHandle.id, booking_id, purpose))
        return int(handle) if handle is not None else None

    async def booking_address(self, booking_id: int, purpose: str) -> str | None:
        """The address kept for one booking and purpose (a call-back number), opened; None if none."""
        sealed = await self._session.scalar(_booking_handle(ContactHandle.sealed, booking_id, purpose))
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

    async def detach(self, handle_id: int, delete_after: datetime) -> None:
        """Keep a booking's chat address past the booking (to say it is cancelled), until ``delete_after``."""
        await self._session.execute(
            update(ContactHandle)
            .where(ContactHandle.id == handle_id)
            .values(booking_id=None, delete_after=delete_after)
        )

    async def resume(self, pseudonym: str) -> None:
        """The person is talking to the bot again (so they unblocked it): their handles work again."""
        await self._session.execute(
            update(ContactHandle)
            .where(ContactHandle.pseudonym == pseudonym, ContactHandle.stopped_at.is_not(None))
            .values(stopped_at=None)
        )

    async def purge(self, now: datetime) -> int:
        """Delete handles past their time (their messages go with them)."""
        handles = await self._session.execute(
            delete(ContactHandle).where(ContactHandle.delete_after.is_not(None), ContactHandle.delete_after <= now)
        )
        return int(handles.rowcount or 0)  # type: ignore[attr-defined]
