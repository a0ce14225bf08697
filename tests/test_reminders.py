"""Reminders and staff notifications through the outbox: only with consent, discreet, delivered by the
dispatcher after a restart, moved with the booking, gone after the appointment or on withdrawal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.channels.base import Delivery
from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.channels.telegram.render import INFO
from bot.jobs.delivery import deliver_due
from bot.jobs.scheduler import purge_expired_state
from bot.runtime import Runtime, open_runtime
from core.clock import ManualClock
from core.events import Choice, Reply
from core.ratelimit import Limits, SendLimiter
from domain.hours import parse_hours
from domain.slots import Availability
from fakes.telegram_server import FakeTelegram
from storage.models import ContactHandle, OutboxMessage
from tests.dialog import TelegramDriver, play
from tests.test_booking import CODE, HOAN_KIEM
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample

AGREE = "Có, tôi đồng ý"
DISCREET = ("tư vấn", "ma túy", "methadone", "nghiện", "điều trị")


async def staff_with_notifications(runtime: Runtime, fake: FakeTelegram, telegram: AiogramTelegram) -> TelegramDriver:
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        point = next(p for p in await uow.directory.all_points() if p.external_id == "sample-hn-hk-01")
        await uow.staff.create_invite("STAFF12345", "counsellor", point.id, now, now + timedelta(days=1))
        await uow.commit()
    counsellor = TelegramDriver(fake, telegram, user_id=8000001)
    await play(counsellor, [START, ADULT])
    turn = await counsellor.say("/staff STAFF-12345")
    assert "mã hóa" in turn.text and turn.choices == [AGREE, "Không, cảm ơn"]
    assert "báo cho bạn" in (await counsellor.press(AGREE)).text
    async with runtime.unit_of_work() as uow:
        (staff,) = await uow.staff.counsellors()
        pattern = parse_hours("Mo-Sa 08:00-11:30,13:30-16:30")
        assert pattern is not None
        await uow.staff.set_availability(staff.id, Availability(pattern))
        await uow.commit()
    return counsellor


def texts_to(fake: FakeTelegram, user_id: int) -> list[str]:
    return [m.text for m in fake.messages(user_id) if m.method == "sendMessage"]


async def book(person: TelegramDriver, day: str, time: str) -> str:
    await person.press("Đặt lịch tư vấn")
    await person.press(HOAN_KIEM)
    await person.press(day)
    await person.press(time)
    turn = await person.press("Có, xác nhận")
    match = CODE.search(turn.text)
    assert match is not None
    return match.group(1)


async def book_with_reminders(person: TelegramDriver, day: str, time: str) -> str:
    """Book, then agree to be reminded; returns the booking code."""
    code = await book(person, day, time)
    turn = await person.press("Nhắc tôi trước giờ hẹn")
    assert "không bao giờ nhắc đến ma túy" in turn.text and turn.choices == [AGREE, "Không, cảm ơn"]
    assert "Xong: mình sẽ nhắc bạn" in (await person.press(AGREE)).text
    return code


async def test_reminders_with_consent_survive_a_restart_and_follow_a_move(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    await load_sample(runtime)
    counsellor = await staff_with_notifications(runtime, fake_telegram, telegram)
    person = TelegramDriver(fake_telegram, telegram, user_id=8000002)
    await play(person, [START, ADULT])
    code = await book_with_reminders(person, "Thứ Tư, 25/11", "09:00")

    senders = {"telegram": telegram}
    report = await deliver_due(runtime, senders)
    assert report.sent == 1  # the counsellor's notice; the reminders are not due yet
    assert f"Lịch hẹn mới: Thứ Tư, 25/11 lúc 09:00, gặp trực tiếp, mã {code}." in texts_to(fake_telegram, 8000001)
    before = len(texts_to(fake_telegram, 8000002))

    # Tuesday 09:00, and the bot was restarted in between: a new runtime on the same database.
    clock.set(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    async with await open_runtime(runtime.settings, clock=clock) as restarted:
        assert (await deliver_due(restarted, senders)).sent == 1
    reminder = texts_to(fake_telegram, 8000002)[before:]
    assert reminder == [
        f"Nhắc lịch: ngày mai bạn có một lịch hẹn, Thứ Tư, 25/11 lúc 09:00. Mã của bạn: {code}. "
        "Muốn đổi hoặc hủy, hãy gửi /lichhen."
    ]
    assert not any(word in reminder[0].lower() for word in DISCREET)
    assert (await deliver_due(runtime, senders)).sent == 0  # sent once, not twice

    await person.say("/lichhen")
    await person.press(f"Đổi giờ {code}")
    await person.press("Thứ Tư, 25/11")
    await person.press("14:30")
    assert "Lời nhắc cũng đã được chuyển theo" in (await person.press("Có, xác nhận")).text
    await deliver_due(runtime, senders)
    assert f"Lịch hẹn {code} đã được chuyển sang Thứ Tư, 25/11 lúc 14:30." in texts_to(fake_telegram, 8000001)

    clock.set(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))  # Tuesday 14:30: a day before the new time
    before = len(texts_to(fake_telegram, 8000002))
    assert (await deliver_due(runtime, senders)).sent == 1
    assert "ngày mai bạn có một lịch hẹn, Thứ Tư, 25/11 lúc 14:30" in texts_to(fake_telegram, 8000002)[before]
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # Wednesday 07:00: the old two-hour reminder is gone
    assert (await deliver_due(runtime, senders)).sent == 0
    clock.set(datetime(2026, 11, 25, 5, 30, tzinfo=UTC))  # 12:30
    before = len(texts_to(fake_telegram, 8000002))
    assert (await deliver_due(runtime, senders)).sent == 1
    assert texts_to(fake_telegram, 8000002)[before:] == [
        f"Nhắc lịch: hôm nay bạn có hẹn lúc 14:30. Mã của bạn: {code}."
    ]

    clock.set(datetime(2026, 11, 25, 8, 16, tzinfo=UTC))  # after the appointment: the address is deleted
    await purge_expired_state(runtime)
    async with runtime.sessions() as session:
        purposes = (await session.scalars(select(ContactHandle.purpose))).all()
    assert purposes == ["staff_notifications"]
    assert counsellor.user_id == 8000001


async def test_without_consent_nothing_is_kept_and_a_cancellation_clears_the_outbox(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await staff_with_notifications(runtime, fake_telegram, telegram)
    person = TelegramDriver(fake_telegram, telegram, user_id=8000003)
    await play(person, [START, ADULT])
    code = await book(person, "Thứ Tư, 25/11", "10:00")
    async with runtime.sessions() as session:
        assert (await session.scalars(select(ContactHandle.purpose))).all() == ["staff_notifications"]

    other = TelegramDriver(fake_telegram, telegram, user_id=8000004)
    await play(other, [START, ADULT])
    other_code = await book(other, "Thứ Tư, 25/11", "13:30")
    await other.press("Nhắc tôi trước giờ hẹn")
    await other.press(AGREE)
    await other.say("/lichhen")
    await other.press(f"Hủy {other_code}")
    await other.press("Có, hủy lịch")
    async with runtime.sessions() as session:
        pending = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind.like("appointment%"))
        )
        handles = (await session.scalars(select(ContactHandle.purpose))).all()
    assert pending == 0 and handles == ["staff_notifications"]
    await deliver_due(runtime, {"telegram": telegram})
    counsellor_texts = texts_to(fake_telegram, 8000001)
    assert any(f"Lịch hẹn {other_code} lúc Thứ Tư, 25/11 lúc 13:30 đã bị hủy." in t for t in counsellor_texts)
    assert any(code in t for t in counsellor_texts)


async def test_withdrawing_reminder_consent_deletes_the_address_and_pending_reminders(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await staff_with_notifications(runtime, fake_telegram, telegram)
    person = TelegramDriver(fake_telegram, telegram, user_id=8000005)
    await play(person, [START, ADULT])
    await book(person, "Thứ Sáu, 27/11", "09:00")
    await person.press("Nhắc tôi trước giờ hẹn")
    await person.press(AGREE)
    await person.say("/privacy")
    assert "đã rút lại" in (await person.press("Rút lại: Nhắc lịch hẹn")).text
    async with runtime.sessions() as session:
        handles = (await session.scalars(select(ContactHandle.purpose))).all()
        reminders = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind.like("appointment%"))
        )
    assert handles == ["staff_notifications"] and reminders == 0


class FlakySender:
    def __init__(self, outcomes: list[Delivery]) -> None:
        self.outcomes = outcomes
        self.calls: list[str] = []
        self.limiter = SendLimiter(Limits(per_second=10_000, chat_interval=0))
        self.info = INFO

    async def deliver(self, address: str, text: str, choices: Sequence[Choice] = ()) -> Delivery:
        self.calls.append(address)
        return self.outcomes.pop(0) if self.outcomes else Delivery.SENT

    async def send_replies(self, address: str, replies: Sequence[Reply], sent: list[int] | None = None) -> bool:
        raise AssertionError("no event's replies were left unsent here")


async def test_transient_failures_back_off_and_a_block_drops_what_is_pending(
    runtime: Runtime, clock: ManualClock
) -> None:
    async with runtime.unit_of_work() as uow:
        for who in ("a" * 64, "b" * 64):
            await uow.users.touch(who, clock.now().date())
        flaky = await uow.handles.keep("a" * 64, "appointment_reminders", "telegram", "111")
        gone = await uow.handles.keep("b" * 64, "appointment_reminders", "telegram", "222")
        params = {"at": (clock.now() + timedelta(hours=2)).isoformat(), "code": "ABCD-EFGH"}
        await uow.outbox.enqueue(flaky, clock.now(), "appointment_2h", params, "k1")
        await uow.outbox.enqueue(flaky, clock.now(), "appointment_2h", params, "k1")  # idempotent
        await uow.outbox.enqueue(gone, clock.now(), "appointment_2h", params, "k2")
        await uow.outbox.enqueue(gone, clock.now() + timedelta(hours=1), "appointment_24h", params, "k3")
        await uow.commit()
    sender = FlakySender([Delivery.RETRY, Delivery.BLOCKED])
    report = await deliver_due(runtime, {"telegram": sender})
    assert (report.sent, report.retried, report.stopped) == (0, 1, 1)
    assert (await deliver_due(runtime, {"telegram": sender})).sent == 0  # backing off
    clock.advance(timedelta(minutes=1))
    assert (await deliver_due(runtime, {"telegram": sender})).sent == 1
    clock.advance(timedelta(hours=2))
    assert (await deliver_due(runtime, {"telegram": sender})).sent == 0  # the blocked chat gets nothing more
    assert sender.calls == ["111", "222", "111"]

    async with runtime.unit_of_work() as uow:
        await uow.outbox.enqueue(flaky, clock.now(), "staff_booked", params, "k4")
        await uow.commit()
    always = FlakySender([Delivery.RETRY] * 20)
    for _ in range(10):
        await deliver_due(runtime, {"telegram": always})
        clock.advance(timedelta(hours=2))
    assert len(always.calls) == 6  # gave up after a bounded number of tries

    async with runtime.unit_of_work() as uow:  # a reminder found hours late is not sent at all
        await uow.outbox.enqueue(flaky, clock.now() - timedelta(hours=7), "appointment_24h", params, "k5")
        await uow.commit()
    late = FlakySender([])
    report = await deliver_due(runtime, {"telegram": late})
    assert report.late == 1 and late.calls == []


async def test_a_day_off_over_booked_appointments_asks_then_cancels_and_tells_the_people(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    counsellor = await staff_with_notifications(runtime, fake_telegram, telegram)
    told = TelegramDriver(fake_telegram, telegram, user_id=8000031)
    await play(told, [START, ADULT])
    told_code = await book_with_reminders(told, "Thứ Tư, 25/11", "09:00")
    silent = TelegramDriver(fake_telegram, telegram, user_id=8000032)
    await play(silent, [START, ADULT])
    silent_code = await book(silent, "Thứ Tư, 25/11", "10:00")
    senders = {"telegram": telegram}
    await deliver_due(runtime, senders)

    await counsellor.say("/staff")
    await counsellor.press("Thêm ngày nghỉ")
    turn = await counsellor.say("25/11")
    assert "Bạn có 2 lịch hẹn vào Thứ Tư, 25/11" in turn.text and told_code in turn.text and silent_code in turn.text
    assert turn.choices == ["Hủy và báo cho người đã đặt", "Giữ lại: chỉ không nhận lịch mới ngày đó", "Hủy"]
    turn = await counsellor.press("Hủy và báo cho người đã đặt")
    assert "Đã hủy 2 lịch hẹn" in turn.text and "1 người đã đồng ý nhận tin nhắn" in turn.text

    before = len(texts_to(fake_telegram, 8000031))
    assert (await deliver_due(runtime, senders)).sent == 1
    (notice,) = texts_to(fake_telegram, 8000031)[before:]
    assert f"lịch hẹn của bạn vào Thứ Tư, 25/11 lúc 09:00 (mã {told_code}) đã bị hủy" in notice
    assert not any(word in notice.lower() for word in DISCREET[1:])
    turn = await told.press("Đặt lịch khác")  # the notice's own button starts a new booking
    assert HOAN_KIEM in turn.choices
    assert "chưa có lịch hẹn nào" in (await silent.say("/lichhen")).text
    async with runtime.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ContactHandle)) == 2  # staff + apology
        (staff,) = await uow.staff.counsellors()
        availability = await uow.staff.availability(staff.id)
        assert availability is not None and datetime(2026, 11, 25).date() in availability.days_off

    # The day off is listed and can be removed: the day is bookable again.
    await counsellor.say("/staff")
    turn = await counsellor.press("Ngày nghỉ của tôi")
    assert "Thứ Tư, 25/11" in turn.text
    turn = await counsellor.press("Bỏ ngày nghỉ 25/11")
    assert "không còn là ngày nghỉ" in turn.text
    await silent.press("Đặt lịch tư vấn")
    assert "Thứ Tư, 25/11" in (await silent.press(HOAN_KIEM)).choices


async def test_a_day_off_can_keep_the_appointments_already_booked(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    counsellor = await staff_with_notifications(runtime, fake_telegram, telegram)
    person = TelegramDriver(fake_telegram, telegram, user_id=8000041)
    await play(person, [START, ADULT])
    code = await book(person, "Thứ Tư, 25/11", "09:00")
    await counsellor.say("/staff")
    await counsellor.press("Thêm ngày nghỉ")
    await counsellor.say("25/11")
    turn = await counsellor.press("Giữ lại: chỉ không nhận lịch mới ngày đó")
    assert "Các lịch hẹn đã đặt vẫn giữ nguyên" in turn.text
    assert code in (await person.say("/lichhen")).text
    other = TelegramDriver(fake_telegram, telegram, user_id=8000042)
    await play(other, [START, ADULT])
    await other.press("Đặt lịch tư vấn")
    assert "Thứ Tư, 25/11" not in (await other.press(HOAN_KIEM)).choices
