"""/forget by one person keeps other people's data and tells them what changed: a counsellor's bookings are
cancelled with an apology to those who can be reached; a person's erasure withdraws the counsellor's waiting
notices about them; a leader's groups go on without a leader, shown so to operators."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.jobs.delivery import deliver_due
from bot.jobs.scheduler import purge_expired_state
from bot.runtime import Runtime
from core.clock import ManualClock
from fakes.telegram_server import FakeTelegram
from storage.models import Booking, ContactHandle, Group, GroupMember, OutboxMessage
from tests.dialog import TelegramDriver, play
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample
from tests.test_groups import leader_with_group, new_member_by_link
from tests.test_reminders import book, book_with_reminders, staff_with_notifications, texts_to

APOLOGY = "Thành thật xin lỗi bạn: lịch hẹn vào Thứ Tư, 25/11 lúc 09:00 đã bị hủy"


async def count(runtime: Runtime, model: type[Booking] | type[ContactHandle] | type[OutboxMessage]) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_counsellor_who_erases_their_data_cancels_their_bookings_and_the_people_are_told(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    await load_sample(runtime)
    counsellor = await staff_with_notifications(runtime, fake_telegram, telegram)
    reachable = TelegramDriver(fake_telegram, telegram, user_id=8300001)
    await play(reachable, [START, ADULT])
    await book_with_reminders(reachable, "Thứ Tư, 25/11", "09:00")
    unreachable = TelegramDriver(fake_telegram, telegram, user_id=8300002)
    await play(unreachable, [START, ADULT])
    await book(unreachable, "Thứ Tư, 25/11", "10:00")
    await deliver_due(runtime, {"telegram": telegram})

    turn = await counsellor.say("/forget")
    assert "đang có 2 lịch hẹn sắp tới" in turn.text and "sẽ được báo" in turn.text
    await counsellor.press("Có, xóa toàn bộ")
    assert await count(runtime, Booking) == 0
    await deliver_due(runtime, {"telegram": telegram})
    assert any(APOLOGY in text and "/lichhen" in text for text in texts_to(fake_telegram, 8300001))
    # The day before, no reminder of the cancelled appointment; the address carried the apology only.
    clock.set(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    before = len(texts_to(fake_telegram, 8300001))
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 0
    assert len(texts_to(fake_telegram, 8300001)) == before
    await purge_expired_state(runtime)
    assert await count(runtime, ContactHandle) == 0
    assert "chưa có lịch hẹn nào" in (await reachable.say("/lichhen")).text


async def test_a_person_who_erases_their_data_withdraws_the_notices_about_them(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await staff_with_notifications(runtime, fake_telegram, telegram)
    person = TelegramDriver(fake_telegram, telegram, user_id=8300003)
    await play(person, [START, ADULT])
    code = await book(person, "Thứ Tư, 25/11", "09:00")  # the counsellor's notice waits in the outbox
    await person.say("/forget")
    await person.press("Có, xóa toàn bộ")
    await deliver_due(runtime, {"telegram": telegram})
    told = texts_to(fake_telegram, 8000001)
    assert not any("Lịch hẹn mới" in text and code in text for text in told)
    assert any(code in text and "đã bị hủy" in text for text in told)


async def test_a_leader_who_erases_their_data_leaves_the_group_running_without_a_leader(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    await load_sample(runtime)
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    leader, start, _code = await leader_with_group(runtime, fake_telegram, telegram)
    await new_member_by_link(fake_telegram, telegram, 8300010, start)
    await leader.say("/forget")
    await leader.press("Có, xóa toàn bộ")
    async with runtime.sessions() as session:
        (group,) = (await session.scalars(select(Group))).all()
        members = await session.scalar(select(func.count()).select_from(GroupMember))
    assert group.leader_id is None and members == 1
    clock.set(datetime(2026, 11, 23, 11, 31, tzinfo=UTC))  # the day before, 18:31: the member is still reminded
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 1
    assert texts_to(fake_telegram, 8300010)[-1].startswith("Nhắc lịch: Nhóm Bình Minh")
