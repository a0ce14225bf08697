"""Broadcasts to groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    group_id: int
    created_at: datetime
    urgent: bool
    total: int
    notify_handle_id: int | None
    progress_at: datetime | None
    finished_at: datetime | None
    sent: int
    stopped: int
    failed: int


class BroadcastRepository(Protocol):
    """A leader's messages to a group, and how their delivery goes."""

    async def create(self, group_id: int, now: datetime, *, urgent: bool, notify_handle_id: int | None) -> int: ...

    async def set_total(self, broadcast_id: int, total: int) -> None: ...

    async def latest(self, group_id: int) -> BroadcastRecord | None: ...

    async def unfinished(self) -> list[BroadcastRecord]: ...

    async def told_progress(self, broadcast_id: int, now: datetime) -> None: ...

    async def finish(self, broadcast_id: int, now: datetime, *, sent: int, stopped: int, failed: int) -> None: ...
