"""The outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence


@dataclass(frozen=True, slots=True)
class DueMessage:
    id: int
    channel: str
    address: str
    kind: str
    params: dict[str, Any]
    attempts: int
    due_at: datetime
    priority: int = 1
    topic: str | None = None
    pseudonym: str = ""  # whose handle it is (to offer the notice's choices where there are no buttons)


class OutboxRepository(Protocol):
    """Messages the bot sends on its own."""

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
        """Add a message to the outbox, once per ``key``."""
        ...

    async def enqueue_many(
        self,
        rows: Sequence[tuple[int, dict[str, Any], str]],
        due_at: datetime,
        kind: str,
        *,
        priority: int = 1,
        quiet: bool = False,
        topic: str | None = None,
    ) -> None: ...

    async def keys_in(self, topics: Collection[str]) -> set[str]:
        """The idempotency keys already written under these topics (to skip them before sealing anything)."""
        ...

    async def drop_pending(self, handle_id: int) -> None: ...

    async def drop_keys(self, prefixes: Sequence[str]) -> int:
        """Forget unsent messages whose idempotency key starts with one of ``prefixes``."""
        ...

    async def drop_topic(self, topic: str, *, prefix: bool = False) -> None: ...

    async def recover(self, now: datetime, *, every_claim: bool = False) -> int: ...

    async def claim(
        self, now: datetime, limit: int, run: str, lease_until: datetime, *, hold_quiet: bool
    ) -> list[DueMessage]: ...

    async def start_sending(self, message_id: int, run: str) -> bool: ...

    async def sent(self, message_id: int, now: datetime) -> None: ...

    async def retry(self, message_id: int, at: datetime, give_up_after: int) -> bool: ...

    async def finish(self, message_id: int, state: str) -> None: ...

    async def blocked(self, message_id: int, now: datetime) -> None: ...

    async def counts(self, topic: str) -> dict[str, int]: ...

    async def purge(self, now: datetime) -> None:
        """Delete delivered (or given up) messages of some days ago."""
