"""The dispatcher over the outbox, on SQLite and PostgreSQL: two runs at once never send a row twice; a run
that died leaves its unsent claims to the next one and its in-flight message marked unknown, never resent;
quiet hours hold bulk messages; the late rule drops and counts."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.channels.base import Delivery
from bot.channels.telegram.render import INFO
from bot.jobs.delivery import deliver_due
from bot.runtime import Runtime
from core.clock import ManualClock
from core.events import Choice, Reply
from core.ratelimit import Limits, SendLimiter
from storage.models import OutboxMessage

NOON_HANOI = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội


class RecordingSender:
    def __init__(self, pause: float = 0.0) -> None:
        self.limiter = SendLimiter(Limits(per_second=100_000, chat_interval=0))
        self.info = INFO
        self.sent: list[str] = []
        self.pause = pause

    async def deliver(self, address: str, text: str, choices: Sequence[Choice] = ()) -> Delivery:
        await asyncio.sleep(self.pause)
        self.sent.append(address)
        return Delivery.SENT

    async def send_replies(self, address: str, replies: Sequence[Reply], sent: list[int] | None = None) -> bool:
        raise AssertionError("no event's replies were left unsent here")


async def fill(
    runtime: Runtime, count: int, *, kind: str = "group_broadcast", quiet: bool = False, first: int = 0
) -> None:
    """``count`` people (numbered from ``first``, chat 1000 + number) with a due message each."""
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        rows = []
        for n in range(first, first + count):
            pseudonym = f"{n:064x}"
            await uow.users.touch(pseudonym, now.date())
            handle = await uow.handles.keep(pseudonym, "group_reminders", "telegram", str(1000 + n))
            rows.append((handle, {"group": "Nhóm A", "text": "xin chào"}, f"{kind}:{n}"))
        await uow.outbox.enqueue_many(rows, now, kind, priority=2, quiet=quiet, topic="b:1")
        await uow.commit()


async def states(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
        return {str(state): int(n) for state, n in rows}


async def test_two_dispatchers_at_once_send_every_message_exactly_once(
    any_runtime: Runtime, clock: ManualClock
) -> None:
    clock.set(NOON_HANOI)
    await fill(any_runtime, 300)
    first, second = RecordingSender(pause=0.001), RecordingSender(pause=0.001)
    reports = await asyncio.gather(
        deliver_due(any_runtime, {"telegram": first}, batch=20),
        deliver_due(any_runtime, {"telegram": second}, batch=20),
    )
    copies = Counter(first.sent + second.sent)
    assert len(copies) == 300 and set(copies.values()) == {1}
    assert sum(r.sent for r in reports) == 300
    assert await states(any_runtime) == {"sent": 300}


async def test_a_dead_run_leaves_its_unsent_claims_to_the_next_and_its_message_in_flight_unknown(
    any_runtime: Runtime, clock: ManualClock
) -> None:
    clock.set(NOON_HANOI)
    await fill(any_runtime, 10)
    async with any_runtime.unit_of_work() as uow:  # a run claims everything, then dies sending the first
        claimed = await uow.outbox.claim(
            clock.now(), 100, "deadbeef", clock.now() + timedelta(minutes=5), hold_quiet=False
        )
        assert await uow.outbox.start_sending(claimed[0].id, "deadbeef")
        await uow.commit()
    sender = RecordingSender()
    assert (await deliver_due(any_runtime, {"telegram": sender})).sent == 0  # its lease still holds
    report = await deliver_due(any_runtime, {"telegram": sender}, startup=True)
    assert (report.sent, report.unknown) == (9, 1)
    assert claimed[0].address not in sender.sent and len(set(sender.sent)) == 9
    assert await states(any_runtime) == {"sent": 9, "unknown": 1}

    # Without a restart, a claim is taken back once its lease is over.
    await fill_more(any_runtime)
    async with any_runtime.unit_of_work() as uow:
        await uow.outbox.claim(clock.now(), 100, "cafebabe", clock.now() + timedelta(minutes=5), hold_quiet=False)
        await uow.commit()
    clock.advance(timedelta(minutes=6))
    assert (await deliver_due(any_runtime, {"telegram": sender})).sent == 1


async def fill_more(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        await uow.users.touch("f" * 64, runtime.clock.now().date())
        handle = await uow.handles.keep("f" * 64, "group_reminders", "telegram", "4242")
        await uow.outbox.enqueue(handle, runtime.clock.now(), "group_broadcast", {"group": "A", "text": "b"}, "x")
        await uow.commit()


async def test_quiet_hours_hold_bulk_messages_but_not_urgent_ones(any_runtime: Runtime, clock: ManualClock) -> None:
    clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))  # 23:00 in Hà Nội
    await fill(any_runtime, 3, quiet=True)
    sender = RecordingSender()
    assert (await deliver_due(any_runtime, {"telegram": sender})).sent == 0
    await fill_more(any_runtime)  # not quiet (urgent)
    assert (await deliver_due(any_runtime, {"telegram": sender})).sent == 1
    clock.set(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))  # 07:00
    assert (await deliver_due(any_runtime, {"telegram": sender})).sent == 3


async def test_the_late_rule_drops_a_group_reminder_and_counts_it(any_runtime: Runtime, clock: ManualClock) -> None:
    clock.set(NOON_HANOI)
    meeting = NOON_HANOI + timedelta(hours=1)
    async with any_runtime.unit_of_work() as uow:
        await uow.users.touch("e" * 64, clock.now().date())
        handle = await uow.handles.keep("e" * 64, "group_reminders", "telegram", "77")
        params = {"group": "A", "at": meeting.isoformat(), "place": "", "member": 1, "day": "2026-12-01", "offset": 60}
        await uow.outbox.enqueue(handle, NOON_HANOI, "group_reminder", params, "an hour before")
        tomorrow = {**params, "at": (meeting + timedelta(days=1)).isoformat(), "offset": 1440}
        await uow.outbox.enqueue(handle, NOON_HANOI, "group_reminder", tomorrow, "a day before")
        await uow.commit()
    clock.advance(timedelta(minutes=15, seconds=10))  # a 1-hour reminder may be 15 minutes late, a 24-hour one 6 h
    sender = RecordingSender()
    report = await deliver_due(any_runtime, {"telegram": sender})
    assert (report.sent, report.late) == (1, 1)
    async with any_runtime.unit_of_work() as uow:  # only the delivered one counts, in the anonymous figures
        week = date(2026, 11, 30)  # the Monday of the week of 1 December
        counted = [(t.kind, t.count) for t in await uow.tallies.between(week - timedelta(days=7), week)]
    assert counted == [("reminder_sent", 1)]
