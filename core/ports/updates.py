"""The channels' bookkeeping: handled updates and replies kept until sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PendingReplies:
    id: int
    channel: str
    address: str
    replies_json: str
    mark: str | None = None  # remember the numbers of the messages sent under it (core.events.Passed.mark)


class ReplyLog(Protocol):
    """Replies kept with the event that caused them, until sent (``core.replies``)."""

    async def keep(
        self, channel: str, address: str, replies_json: str, lease_until: datetime, mark: str | None = None
    ) -> int: ...

    async def sent(self, reply_id: int) -> None: ...

    async def take_over(self, now: datetime, lease_until: datetime, limit: int) -> list[PendingReplies]:
        """Replies whose lease has run out (their process died before sending them), leased anew."""
        ...

    async def remember(self, mark: str, message_ids: Sequence[int], now: datetime) -> None:
        """Remember these message numbers of a chat under ``mark``, to delete them from the chat later."""
        ...

    async def which_mark(self, marks: Sequence[str], message_id: int) -> str | None:
        """Which of ``marks`` the message ``message_id`` was remembered under, if any."""
        ...

    async def take_marked(self, marks: Sequence[str]) -> list[int]:
        """The message numbers remembered under ``marks``, forgotten as they are returned."""
        ...

    async def purge_marked(self, before: datetime) -> int:
        """Forget what was remembered before ``before`` (too old to delete)."""
        ...


class UpdateLog(Protocol):
    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        """Record a delivery; False if it was recorded before (a redelivery)."""
        ...

    async def purge(self, before: datetime) -> int: ...
