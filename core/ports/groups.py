"""Self-help groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from domain.recurrence import Schedule


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    code: str
    name: str
    kind: str  # relapse_prevention | family_support | other
    leader_id: int | None
    point_id: int | None
    place: str
    schedule: Schedule
    reminder_minutes: tuple[int, ...]
    revision: int = 0  # changes so far: its calendar file's SEQUENCE
    slug: str = ""  # its public key in the Meeting Guide feed, made once from the first name


@dataclass(frozen=True, slots=True)
class Membership:
    id: int
    group_id: int
    pseudonym: str
    joined_at: datetime
    handle_id: int | None


class GroupRepository(Protocol):
    async def create(
        self,
        *,
        code: str,
        name: str,
        kind: str,
        leader_id: int | None,
        point_id: int | None,
        place: str,
        schedule: Schedule,
        reminder_minutes: tuple[int, ...],
        now: datetime,
    ) -> GroupRecord: ...

    async def get(self, group_id: int) -> GroupRecord | None: ...

    async def by_code(self, code: str) -> GroupRecord | None: ...

    async def all_groups(self) -> list[tuple[GroupRecord, datetime]]:
        """Every group with when it last changed (itself or one of its meetings)."""
        ...

    async def change_meeting(
        self, group_id: int, original_day: date, moved_to: datetime | None, now: datetime
    ) -> None: ...

    async def join(self, group_id: int, pseudonym: str, now: datetime) -> int: ...

    async def set_handle(self, member_id: int, handle_id: int | None) -> None: ...

    async def leave(self, group_id: int, pseudonym: str) -> bool: ...

    async def member_count(self, group_id: int) -> int: ...

    async def rsvp(self, member_id: int, original_day: date, coming: bool) -> None: ...

    async def rsvp_counts(self, group_id: int, original_day: date) -> tuple[int, int]: ...

    async def set_attendance(self, group_id: int, original_day: date, count: int) -> None: ...

    async def attendance(self, group_id: int, original_day: date) -> int | None: ...

    async def purge_replies(self, before: date) -> int: ...

    async def of_leader(self, leader_id: int) -> list[GroupRecord]: ...

    async def update(self, group_id: int, now: datetime, **fields: Any) -> None:
        """Change name, kind, point_id, place, schedule or reminder_minutes."""
        ...

    async def memberships(self, pseudonym: str) -> list[tuple[GroupRecord, int]]:
        """The person's groups, each with their membership id."""
        ...

    async def member(self, member_id: int) -> Membership | None: ...

    async def recipients(self, group_id: int) -> list[Membership]:
        """Members who get messages (they agreed, and their address is kept)."""
        ...
