"""The channels' bookkeeping: handled updates and replies kept until sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PendingReplies:
    id: int
    channel: str
    address: str
    replies_json: str


class ReplyLog(Protocol):
    """Replies kept with the event that caused them, until sent (``core.replies``)."""

    async def keep(self, channel: str, address: str, replies_json: str, lease_until: datetime) -> int: ...

    async def sent(self, reply_id: int) -> None: ...

    async def take_over(self, now: datetime, lease_until: datetime, limit: int) -> list[PendingReplies]:
        """Replies whose lease has run out (their process died before sending them), leased anew."""
        ...


class UpdateLog(Protocol):
    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        """Record a delivery; False if it was recorded before (a redelivery)."""
        ...

    async def purge(self, before: datetime) -> int: ...
