"""Groups in the database, on SQLite and PostgreSQL: schedule round trip with single-meeting changes,
anonymous membership, leaving deletes the reminder address and its pending reminders, counts only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.recurrence import Repeat, Schedule, meetings
from storage.db import session_factory
from storage.models import ContactHandle, OutboxMessage
from storage.repositories import SqlUnitOfWork
from storage.sealing import Sealer

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SEALER = Sealer(b"group-test-secret-0123456789abc")
WEEKLY = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({1}), date(2026, 11, 1))  # Tuesdays 19:00


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine), SEALER)


async def test_a_group_schedule_round_trips_with_a_cancelled_and_a_moved_meeting(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        group = await work.groups.create(
            code="GRP12345",
            name="Nhóm Hoàn Kiếm",
            kind="relapse_prevention",
            leader_id=None,
            point_id=None,
            place="Số 1 (địa chỉ mẫu)",
            schedule=WEEKLY,
            reminder_minutes=(1440, 60),
            now=NOW,
        )
        await work.groups.change_meeting(group.id, date(2026, 11, 24), None, NOW)
        await work.groups.change_meeting(group.id, date(2026, 12, 1), datetime(2026, 12, 2, 12, 0, tzinfo=UTC), NOW)
        await work.commit()
    async with uow(engine) as work:
        found = await work.groups.by_code("GRP12345")
    assert found is not None and found.reminder_minutes == (1440, 60) and found.name == "Nhóm Hoàn Kiếm"
    upcoming = meetings(found.schedule, NOW, NOW + timedelta(days=16), HCM)
    assert [(m.original_day, m.start.astimezone(HCM).strftime("%d/%m %H:%M")) for m in upcoming] == [
        (date(2026, 12, 1), "02/12 19:00"),  # moved to Wednesday; 24/11 was called off
        (date(2026, 12, 8), "08/12 19:00"),
    ]


async def test_members_are_counted_and_leaving_deletes_their_address_and_reminders(engine: AsyncEngine) -> None:
    people = ["a" * 64, "b" * 64]
    async with uow(engine) as work:
        group = await work.groups.create(
            code="GRP00001",
            name="Nhóm gia đình",
            kind="family_support",
            leader_id=None,
            point_id=None,
            place="",
            schedule=WEEKLY,
            reminder_minutes=(60,),
            now=NOW,
        )
        members = []
        for person in people:
            await work.users.touch(person, NOW.date())
            member = await work.groups.join(group.id, person, NOW)
            assert await work.groups.join(group.id, person, NOW) == member  # joining twice is one membership
            handle = await work.handles.keep(person, "group_reminders", "telegram", "123")
            await work.groups.set_handle(member, handle)
            await work.outbox.enqueue(handle, NOW + timedelta(days=1), "group_1h", {}, f"g:{person[:1]}")
            members.append(member)
        await work.groups.rsvp(members[0], date(2026, 11, 24), True)
        await work.groups.rsvp(members[1], date(2026, 11, 24), True)
        await work.groups.rsvp(members[1], date(2026, 11, 24), False)  # changed their mind
        await work.groups.set_attendance(group.id, date(2026, 11, 24), 7)
        await work.commit()
    async with uow(engine) as work:
        assert await work.groups.member_count(group.id) == 2
        assert await work.groups.rsvp_counts(group.id, date(2026, 11, 24)) == (1, 1)
        assert await work.groups.leave(group.id, people[0])
        assert not await work.groups.leave(group.id, people[0])
        await work.commit()
    async with uow(engine) as work:
        assert await work.groups.member_count(group.id) == 1
        handles = (await work.session.scalars(select(ContactHandle.pseudonym))).all()
        pending = await work.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert handles == [people[1]] and pending == 1
