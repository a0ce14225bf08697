"""Contact handles."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class HandleRepository(Protocol):
    """Contact handles: addresses kept, sealed, under a consent."""

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
        """Keep where to reach someone, sealed, for ``purpose`` (the caller has the consent)."""
        ...

    async def find(self, pseudonym: str, purpose: str, booking_id: int | None = None) -> int | None: ...

    async def address(self, pseudonym: str, purpose: str) -> tuple[str, str] | None:
        """The newest chat address kept for ``purpose``, opened: (channel, address); None if none."""
        ...

    async def drop(self, pseudonym: str, purpose: str) -> None:
        """Delete what is kept for ``purpose`` (its purpose is over)."""
        ...

    async def set_delete_after(self, handle_id: int, when: datetime) -> None: ...

    async def booking_address(self, booking_id: int, purpose: str) -> str | None: ...

    async def of_booking(self, booking_id: int, purpose: str) -> int | None: ...

    async def detach(self, handle_id: int, delete_after: datetime) -> None:
        """Keep a booking's chat address past the booking, until ``delete_after``."""
        ...

    async def resume(self, pseudonym: str) -> None: ...

    async def purge(self, now: datetime) -> int:
        """Delete handles past their time (their messages go with them); how many."""
