"""The channels' bookkeeping: handled updates and replies kept until sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from core.ports.people import UserRecord
from core.state import ConversationState


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

    async def sent(self, reply_ids: Sequence[int]) -> None:
        """Forget these kept replies: they have been sent (or refused for good)."""
        ...

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


@dataclass(frozen=True, slots=True)
class Arrival:
    """Who an event is from, as the conversation needs them: their record and their live conversation state."""

    user: UserRecord
    state: ConversationState | None  # None: none, or it has expired


class Arrivals(Protocol):
    """Every event's first statement: what an event needs before its handler runs, read and written at once."""

    async def arrive(
        self, channel: str, delivery_key: str, pseudonym: str, today: date, now: datetime
    ) -> Arrival | None:
        """Record the delivery (when it has a key), create the person or note them as seen ``today``, and read
        their live conversation state, in as few round trips as the engine allows; None for a delivery recorded
        before (a redelivery, which changes nothing)."""
        ...
