"""Self-help groups, their members, meeting changes, replies and attendance."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import (
    GroupRecord,
    Membership,
)
from domain.meeting_guide import slug
from domain.recurrence import Schedule, schedule_from_dict, schedule_to_dict
from storage.dialect import upsert_insert
from storage.models import (
    ContactHandle,
    Group,
    GroupAttendance,
    GroupException,
    GroupMember,
    GroupRsvp,
)


class SqlGroupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _record(self, row: Group) -> GroupRecord:
        changes = await self._session.scalars(select(GroupException).where(GroupException.group_id == row.id))
        cancelled, moved = set(), {}
        for change in changes:
            if change.moved_to is None:
                cancelled.add(change.original_day)
            else:
                moved[change.original_day] = change.moved_to
        schedule = schedule_from_dict(json.loads(row.schedule), frozenset(cancelled), moved)
        offsets = tuple(int(m) for m in row.reminder_minutes.split(";") if m)
        return GroupRecord(
            row.id,
            row.code,
            row.name,
            row.kind,
            row.leader_id,
            row.point_id,
            row.place,
            schedule,
            offsets,
            row.revision,
            row.slug,
        )

    async def _changed(self, group_id: int, now: datetime) -> None:
        await self._session.execute(
            update(Group).where(Group.id == group_id).values(revision=Group.revision + 1, updated_at=now)
        )

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
    ) -> GroupRecord:
        row = Group(
            code=code,
            name=name,
            kind=kind,
            leader_id=leader_id,
            point_id=point_id,
            place=place,
            schedule=json.dumps(schedule_to_dict(schedule)),
            reminder_minutes=";".join(str(m) for m in reminder_minutes),
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        row.slug = slug(name, row.id)  # made once: a rename keeps it (readers keep favourites by it)
        await self._session.flush()
        return await self._record(row)

    async def get(self, group_id: int) -> GroupRecord | None:
        row = await self._session.get(Group, group_id)
        return await self._record(row) if row else None

    async def all_groups(self) -> list[tuple[GroupRecord, datetime]]:
        """Every group with when it last changed, for exports."""
        rows = await self._session.scalars(select(Group).order_by(Group.id))
        return [(await self._record(row), row.updated_at) for row in rows]

    async def by_code(self, code: str) -> GroupRecord | None:
        row = await self._session.scalar(select(Group).where(Group.code == code))
        return await self._record(row) if row else None

    async def change_meeting(self, group_id: int, original_day: date, moved_to: datetime | None, now: datetime) -> None:
        """Call one meeting off (``moved_to`` None) or move it."""
        await self._changed(group_id, now)
        statement = (
            upsert_insert(self._session, GroupException)
            .values(group_id=group_id, original_day=original_day, moved_to=moved_to)
            .on_conflict_do_update(
                index_elements=[GroupException.group_id, GroupException.original_day], set_={"moved_to": moved_to}
            )
        )
        await self._session.execute(statement)

    async def join(self, group_id: int, pseudonym: str, now: datetime) -> int:
        existing = await self._session.scalar(
            select(GroupMember.id).where(GroupMember.group_id == group_id, GroupMember.pseudonym == pseudonym)
        )
        if existing is not None:
            return existing
        row = GroupMember(group_id=group_id, pseudonym=pseudonym, joined_at=now)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def set_handle(self, member_id: int, handle_id: int | None) -> None:
        row = await self._session.get(GroupMember, member_id)
        if row is not None:
            row.handle_id = handle_id
            await self._session.flush()

    async def leave(self, group_id: int, pseudonym: str) -> bool:
        """Leave at once: the membership and the reminder address go (pending reminders with it)."""
        row = await self._session.scalar(
            select(GroupMember).where(GroupMember.group_id == group_id, GroupMember.pseudonym == pseudonym)
        )
        if row is None:
            return False
        if row.handle_id is not None:
            await self._session.execute(delete(ContactHandle).where(ContactHandle.id == row.handle_id))
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def member_count(self, group_id: int) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group_id)
        )
        return int(count or 0)

    async def rsvp(self, member_id: int, original_day: date, coming: bool) -> None:
        statement = (
            upsert_insert(self._session, GroupRsvp)
            .values(member_id=member_id, original_day=original_day, coming=coming)
            .on_conflict_do_update(
                index_elements=[GroupRsvp.member_id, GroupRsvp.original_day], set_={"coming": coming}
            )
        )
        await self._session.execute(statement)

    async def rsvp_counts(self, group_id: int, original_day: date) -> tuple[int, int]:
        """(coming, not coming) for one meeting: numbers only."""
        rows = await self._session.execute(
            select(GroupRsvp.coming, func.count())
            .join(GroupMember, GroupMember.id == GroupRsvp.member_id)
            .where(GroupMember.group_id == group_id, GroupRsvp.original_day == original_day)
            .group_by(GroupRsvp.coming)
        )
        counts = {bool(coming): int(n) for coming, n in rows}
        return counts.get(True, 0), counts.get(False, 0)

    async def set_attendance(self, group_id: int, original_day: date, count: int) -> None:
        statement = (
            upsert_insert(self._session, GroupAttendance)
            .values(group_id=group_id, original_day=original_day, count=count)
            .on_conflict_do_update(
                index_elements=[GroupAttendance.group_id, GroupAttendance.original_day], set_={"count": count}
            )
        )
        await self._session.execute(statement)

    async def purge_replies(self, before: date) -> int:
        """Forget members' "I'll come" / "I can't come" for meetings before ``before``."""
        result = await self._session.execute(delete(GroupRsvp).where(GroupRsvp.original_day < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def attendance(self, group_id: int, original_day: date) -> int | None:
        count = await self._session.scalar(
            select(GroupAttendance.count).where(
                GroupAttendance.group_id == group_id, GroupAttendance.original_day == original_day
            )
        )
        return int(count) if count is not None else None

    async def of_leader(self, leader_id: int) -> list[GroupRecord]:
        rows = await self._session.scalars(select(Group).where(Group.leader_id == leader_id).order_by(Group.id))
        return [await self._record(row) for row in rows]

    async def update(self, group_id: int, now: datetime, **fields: Any) -> None:
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "schedule":
                values[name] = json.dumps(schedule_to_dict(value))
            elif name == "reminder_minutes":
                values[name] = ";".join(str(m) for m in value)
            elif name in ("name", "kind", "point_id", "place"):
                values[name] = value
            else:
                raise ValueError(f"a group has no field {name!r} to change")
        if values:
            await self._session.execute(update(Group).where(Group.id == group_id).values(**values))
            await self._changed(group_id, now)

    async def memberships(self, pseudonym: str) -> list[tuple[GroupRecord, int]]:
        rows = await self._session.execute(
            select(Group, GroupMember.id)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(GroupMember.pseudonym == pseudonym)
            .order_by(GroupMember.id)
        )
        return [(await self._record(group), int(member_id)) for group, member_id in rows]

    async def member(self, member_id: int) -> Membership | None:
        row = await self._session.get(GroupMember, member_id)
        return _membership(row) if row else None

    async def recipients(self, group_id: int) -> list[Membership]:
        rows = await self._session.scalars(
            select(GroupMember)
            .where(GroupMember.group_id == group_id, GroupMember.handle_id.is_not(None))
            .order_by(GroupMember.id)
        )
        return [_membership(row) for row in rows]


def _membership(row: GroupMember) -> Membership:
    return Membership(row.id, row.group_id, row.pseudonym, row.joined_at, row.handle_id)
