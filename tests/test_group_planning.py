"""The scheduler's reminder planning (``services.group_outbox.plan_all``): only what is missing is written, in
small transactions, and two workers planning at once never double a reminder."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from bot.runtime import Runtime
from core.clock import ManualClock
from core.ports import GroupRecord, Membership
from domain.recurrence import Repeat, Schedule
from services import group_outbox
from services.group_outbox import plan_all, reminders_due
from storage.models import OutboxMessage
from tests.test_groups import local, weekly_group


async def members_with_handles(runtime: Runtime, group: GroupRecord, count: int, *, first: int = 0) -> None:
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        for n in range(first, first + count):
            pseudonym = f"{n:064x}"
            await uow.users.touch(pseudonym, now.date())
            handle = await uow.handles.keep(pseudonym, "group_reminders", "telegram", str(7_000_000 + n))
            member = await uow.groups.join(group.id, pseudonym, now - timedelta(days=1))
            await uow.groups.set_handle(member, handle)
        await uow.commit()


@contextmanager
def outbox_inserts(runtime: Runtime) -> Iterator[list[int]]:
    """How many rows each INSERT into the outbox carried, while the block runs."""
    sizes: list[int] = []
    engine = runtime.engine.sync_engine

    def seen(conn: object, cursor: object, statement: str, parameters: object, context: object, many: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            sizes.append(len(parameters) if many and isinstance(parameters, list | tuple) else 1)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sizes
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def outbox_rows(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.params).order_by(OutboxMessage.idempotency_key)
        )
        return [(str(key), str(params)) for key, params in rows]


async def test_planning_writes_only_what_is_missing_in_small_transactions(
    any_runtime: Runtime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = any_runtime
    clock.set(local(23, 9))
    first = await weekly_group(runtime, "PLANA1", "Nhóm A", reminders=(1440, 60))
    second = await weekly_group(runtime, "PLANB2", "Nhóm B")
    await members_with_handles(runtime, first, 7)
    await members_with_handles(runtime, second, 4, first=100)
    monkeypatch.setattr(group_outbox, "PLAN_CHUNK", 3)

    opened = 0

    def units() -> object:
        nonlocal opened
        opened += 1
        return runtime.unit_of_work()

    clock.set(local(23, 18, 30))  # a day before Tuesday's meeting: every reminder due by then is written
    with outbox_inserts(runtime) as inserts:
        written = await plan_all(units, runtime.i18n, clock.now())  # type: ignore[arg-type]
    assert written == 7 * 2 + 4  # group A reminds a day and an hour ahead, group B a day ahead
    # One transaction lists the groups, one per group reads its members, one per chunk of at most 3 writes.
    assert opened == 1 + 2 + 2 * math.ceil(7 / 3) + math.ceil(4 / 3)
    assert sum(inserts) == 18 and max(inserts) <= 3
    planned = await outbox_rows(runtime)
    assert len(planned) == 18 and len({key for key, _ in planned}) == 18

    # The next run (every ten minutes) finds them all planned: nothing is sealed or inserted again.
    opened = 0
    with outbox_inserts(runtime) as inserts:
        assert await plan_all(units, runtime.i18n, clock.now()) == 0  # type: ignore[arg-type]
    assert inserts == [] and opened == 1 + 2
    assert await outbox_rows(runtime) == planned  # the same rows, their sealed parameters untouched

    # A member who joins group A later gets their two, alone.
    await members_with_handles(runtime, first, 1, first=50)
    with outbox_inserts(runtime) as inserts:
        assert await plan_all(runtime.unit_of_work, runtime.i18n, clock.now()) == 2
    assert sum(inserts) == 2
    after = await outbox_rows(runtime)
    assert len(after) == 20 and set(planned) < set(after)


async def test_two_workers_planning_at_once_write_each_reminder_once(any_runtime: Runtime, clock: ManualClock) -> None:
    runtime = any_runtime
    clock.set(local(23, 9))
    group = await weekly_group(runtime, "PLANC3", "Nhóm C")
    await members_with_handles(runtime, group, 12)
    clock.set(local(23, 18, 30))
    written = await asyncio.gather(*(plan_all(runtime.unit_of_work, runtime.i18n, clock.now()) for _ in range(3)))
    async with runtime.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert rows == 12
    assert sum(written) >= 12  # each counts what it sent to be written; the unique key kept one of each


def test_reminders_due_name_member_meeting_and_lead_time_and_skip_later_joiners() -> None:
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    group = GroupRecord(
        id=5, code="X", name="Nhóm D", kind="other", leader_id=None, point_id=None, place="",
        schedule=Schedule(Repeat.WEEKLY, time(18, 30), frozenset({1}), date(2026, 11, 23)),
        reminder_minutes=(1440, 60),
    )  # fmt: skip
    now = local(23, 20)  # both reminders of Tuesday's 18:30 meeting are due within a day
    early = Membership(1, 5, "a" * 64, local(20, 9), 11)
    late = Membership(2, 5, "b" * 64, local(23, 19), 12)  # joined after the 24-hour reminder was due
    unreachable = Membership(3, 5, "c" * 64, local(20, 9), None)
    due = reminders_due(group, [early, late, unreachable], "at home", now, zone)
    assert [(batch.due_at, [row[2] for row in batch.rows]) for batch in due] == [
        (local(23, 18, 30), ["g:1:202611241130:1440"]),
        (local(24, 17, 30), ["g:1:202611241130:60", "g:2:202611241130:60"]),
    ]
    assert {batch.topic for batch in due} == {"g:5:2026-11-24"}
    assert due[1].rows[1][1] == {
        "group": "Nhóm D", "at": "2026-11-24T11:30:00+00:00", "place": "at home", "day": "2026-11-24", "offset": 60,
        "member": 2,
    }  # fmt: skip
