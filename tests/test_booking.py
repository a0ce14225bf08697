"""Booking as people meet it: a counsellor redeems an invitation and publishes times, a person books,
gets a code, moves and cancels; the counsellor sees only codes; 50 people racing for one slot."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import icalendar
from sqlalchemy import select

from bot.channels.console import INFO
from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.config import Settings
from bot.jobs.scheduler import purge_expired_state
from bot.runtime import Runtime
from core.events import ChoiceMade, TextMessage
from domain.hours import parse_hours
from domain.slots import Availability
from fakes.telegram_server import FakeTelegram
from storage.models import Booking, Tally
from tests.dialog import ConsoleDriver, Driver, TelegramDriver, Turn, play
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample

CODE = re.compile(r"Mã đặt lịch của bạn: ([A-Z0-9]{4}-[A-Z0-9]{4})")
HOAN_KIEM = "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm"


async def invite_counsellor(runtime: Runtime, code: str) -> None:
    """An invitation for a counsellor at the Hoàn Kiếm sample point."""
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        point = next(p for p in await uow.directory.all_points() if p.external_id == "sample-hn-hk-01")
        await uow.staff.create_invite(code, "counsellor", point.id, now, now + timedelta(days=7))
        await uow.commit()


async def add_counsellor(runtime: Runtime, pseudonym: str = "c" * 64) -> int:
    """A counsellor at the Hoàn Kiếm sample point, Monday to Saturday, in person and by phone."""
    now = runtime.clock.now()
    pattern = parse_hours("Mo-Sa 08:00-11:30,13:30-16:30")
    assert pattern is not None
    async with runtime.unit_of_work() as uow:
        point = next(p for p in await uow.directory.all_points() if p.external_id == "sample-hn-hk-01")
        await uow.users.touch(pseudonym, now.date())
        await uow.staff.create_invite(pseudonym[:10], "counsellor", point.id, now, now + timedelta(days=1))
        staff = await uow.staff.redeem((pseudonym[:10]), pseudonym, now)
        assert staff is not None
        await uow.staff.set_availability(staff.id, Availability(pattern, modes=("in_person", "phone")))
        await uow.commit()
    return staff.id


async def book_in_person(person: Driver, day: str = "Thứ Ba, 24/11", time: str = "09:00") -> tuple[str, Turn]:
    """Book at the Hoàn Kiếm sample point; returns the booking code and the confirmation."""
    await person.press("Đặt lịch tư vấn")
    await person.press(HOAN_KIEM)
    await person.press(day)
    await person.press(time)
    booked = await person.press("Có, xác nhận")
    code = CODE.search(booked.text)
    assert code is not None, booked.text
    return code.group(1), booked


async def test_book_move_and_cancel(driver: Driver, runtime: Runtime) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    await play(driver, [START, ADULT])
    turn = await driver.press("Đặt lịch tư vấn")
    assert "không cần cho biết tên" in turn.text
    assert turn.choices == [HOAN_KIEM, "Tư vấn viên bất kỳ, qua điện thoại", "Menu chính"]
    turn = await driver.press(HOAN_KIEM)
    # Monday 09:00 in Hà Nội, two hours' notice: Monday still has the afternoon; Sunday is off.
    assert turn.choices[:3] == ["Thứ Hai, 23/11", "Thứ Ba, 24/11", "Thứ Tư, 25/11"]
    assert "Chủ Nhật, 29/11" not in turn.choices
    turn = await driver.press("Thứ Ba, 24/11")
    assert turn.choices == ["08:00", "09:00", "10:00", "13:30", "14:30", "15:30", "Ngày khác"]
    turn = await driver.press("09:00")
    assert "Đặt lịch Thứ Ba, 24/11 lúc 09:00, gặp trực tiếp tại " + HOAN_KIEM in turn.text
    turn = await driver.press("Có, xác nhận")
    match = CODE.search(turn.text)
    assert match is not None and "Đã đặt lịch: Thứ Ba, 24/11 lúc 09:00" in turn.text
    code = match.group(1)

    turn = await driver.say("/stop")  # says what stopping means for the appointment, and changes nothing yet
    assert "Lịch hẹn của bạn vẫn được giữ" in turn.text and turn.choices == ["Có, dừng tin nhắn", "Không, giữ lại"]
    await driver.press("Không, giữ lại")
    turn = await driver.say("/lichhen")
    assert f"(mã {code})" in turn.text
    turn = await driver.press(f"Đổi giờ {code}")
    assert "Lịch hẹn hiện tại của bạn là Thứ Ba, 24/11 lúc 09:00" in turn.text
    await driver.press("Thứ Tư, 25/11")
    turn = await driver.press("14:30")
    assert "Chuyển lịch hẹn của bạn sang Thứ Tư, 25/11 lúc 14:30" in turn.text
    turn = await driver.press("Có, xác nhận")
    assert "đã được chuyển sang Thứ Tư, 25/11 lúc 14:30" in turn.text and code in turn.text

    turn = await driver.say("/lichhen")
    turn = await driver.press(f"Hủy {code}")
    assert "Hủy lịch hẹn Thứ Tư, 25/11 lúc 14:30?" in turn.text
    turn = await driver.press("Có, hủy lịch")
    assert "đã được hủy" in turn.text
    turn = await driver.say("/lichhen")
    assert "chưa có lịch hẹn nào" in turn.text
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Booking))).all() == []
        counted = {(t.kind, t.subject, t.province, t.count) for t in await session.scalars(select(Tally))}
    # Anonymous weekly counts: made and moved at a point in Hà Nội, then cancelled.
    assert {c for c in counted if c[0].startswith("booking")} == {
        ("booking", "in_person", "ha-noi", 1),
        ("booking_moved", "in_person", "ha-noi", 1),
        ("booking_cancelled", "in_person", "", 1),
    }


async def test_the_counsellor_sees_codes_and_times_never_people(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await invite_counsellor(runtime, "ABCD2345EF")
    counsellor = TelegramDriver(fake_telegram, telegram, user_id=7000001)
    await play(counsellor, [START, ADULT])
    assert "không hợp lệ" in (await counsellor.say("/staff WRONG-CODE")).text
    turn = await counsellor.say("/staff abcd-2345-ef")
    assert "tư vấn viên" in turn.text and turn.choices == ["Có, tôi đồng ý", "Không, cảm ơn"]
    turn = await counsellor.press("Không, cảm ơn")
    assert "không gửi thông báo" in turn.text
    assert turn.choices == [
        "Lịch hẹn hôm nay và sắp tới",
        "Trò chuyện trực tiếp: ca trực của tôi",
        "Đặt giờ làm việc trong tuần",
        "Thêm ngày nghỉ",
        "Ngày nghỉ của tôi",
        "Đăng nhập bảng điều khiển web",
        "Menu chính",
    ]
    latecomer = TelegramDriver(fake_telegram, telegram, user_id=7000002)
    await play(latecomer, [START, ADULT])
    assert "không hợp lệ" in (await latecomer.say("/staff ABCD2345EF")).text  # used once already

    async with runtime.unit_of_work() as uow:
        (staff,) = await uow.staff.counsellors()
        pattern = parse_hours("Mo-Sa 08:00-11:30")
        assert pattern is not None
        await uow.staff.set_availability(staff.id, Availability(pattern, notice=timedelta(0)))
        await uow.commit()
    person = TelegramDriver(fake_telegram, telegram, user_id=7000003)
    await play(person, [START, ADULT])
    await person.press("Đặt lịch tư vấn")
    await person.press(HOAN_KIEM)
    await person.press("Thứ Hai, 23/11")
    await person.press("10:00")
    code = CODE.search((await person.press("Có, xác nhận")).text)
    assert code is not None

    runtime.clock.advance(timedelta(hours=1, minutes=30))  # type: ignore[attr-defined]
    turn = await counsellor.press("Lịch hẹn hôm nay và sắp tới")
    assert f"Thứ Hai, 23/11 lúc 10:00 · gặp trực tiếp · {code.group(1)}" in turn.text
    assert str(person.user_id) not in turn.text
    turn = await counsellor.press(f"{code.group(1)} đã đến")
    assert "đã đến" in turn.text and f"{code.group(1)} đã đến" not in turn.choices


async def test_forged_cancel_of_someone_elses_booking_is_refused(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    owner = TelegramDriver(fake_telegram, telegram, user_id=7100001)
    await play(owner, [START, ADULT])
    await owner.press("Đặt lịch tư vấn")
    await owner.press("Tư vấn viên bất kỳ, qua điện thoại")
    await owner.press("Thứ Ba, 24/11")
    await owner.press("08:00")
    assert CODE.search((await owner.press("Có, xác nhận")).text)
    async with runtime.sessions() as session:
        (booking_id,) = (await session.scalars(select(Booking.id))).all()

    thief = TelegramDriver(fake_telegram, telegram, user_id=7100002)
    await play(thief, [START, ADULT])
    await thief.say("/lichhen")
    mine = (f"book.mine:{booking_id}:{action}" for action in ("cancel_ok", "cancel", "move", "ics"))
    for forged in (*mine, "book.ok", "appts"):
        answer = await thief.press_data(forged)
        assert answer.text and "Đã đặt lịch" not in answer.text and "đã được hủy" not in answer.text
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Booking.id))).all() == [booking_id]


async def test_fifty_people_confirm_the_same_slot_at_once_and_one_gets_it(any_runtime: Runtime) -> None:
    runtime = any_runtime
    await load_sample(runtime)
    await add_counsellor(runtime)
    people = [ConsoleDriver(runtime, user_id=f"racer-{n}") for n in range(50)]
    for person in people:  # everyone walks up to the same confirmation
        await play(person, [START, ADULT])
        await person.press("Đặt lịch tư vấn")
        await person.press(HOAN_KIEM)
        await person.press("Thứ Ba, 24/11")
        await person.press("09:00")
    users = [runtime.pseudonyms.of("console", f"racer-{n}") for n in range(50)]
    outcomes = await asyncio.gather(
        *(runtime.conversation.handle(ChoiceMade(user, "console", "book.ok"), INFO) for user in users)
    )
    texts = [" ".join(r.text for r in outcome.replies) for outcome in outcomes]
    assert sum("Đã đặt lịch" in t for t in texts) == 1
    losers = [o for o, t in zip(outcomes, texts, strict=True) if "Đã đặt lịch" not in t]
    for outcome in losers:
        (reply,) = outcome.replies
        assert "vừa có người đặt giờ đó trước bạn" in reply.text and "còn trống" in reply.text
        assert [c.label for c in reply.choices][:2] == ["Thứ Hai, 23/11 lúc 13:30", "Thứ Hai, 23/11 lúc 14:30"]
    async with runtime.sessions() as session:
        assert len((await session.scalars(select(Booking))).all()) == 1
    # A loser takes one of the offered times and gets it.
    reply = (await runtime.conversation.handle(TextMessage(users[-1], "console", "1"), INFO)).replies[0]
    assert "Đặt lịch Thứ Hai, 23/11 lúc 13:30" in reply.text


async def test_a_calendar_file_for_the_appointment(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    person = TelegramDriver(fake_telegram, telegram, user_id=7200001)
    await play(person, [START, ADULT])
    await person.press("Đặt lịch tư vấn")
    await person.press(HOAN_KIEM)
    await person.press("Thứ Ba, 24/11")
    await person.press("09:00")
    code = CODE.search((await person.press("Có, xác nhận")).text)
    assert code is not None
    turn = await person.press("Thêm vào lịch của tôi (tệp .ics)")
    assert "tệp lịch" in turn.text
    (document,) = [m for m in fake_telegram.messages(person.user_id) if m.method == "sendDocument"]
    assert document.params["document"] == "<file>"
    ((name, content),) = fake_telegram.uploads
    assert name == f"lich-hen-{code.group(1)}.ics" and content.startswith(b"BEGIN:VCALENDAR")
    # A file goes as a multipart form; everything else as a JSON body (bot.channels.telegram.json_session).
    assert "sendDocument" not in fake_telegram.json_bodies and "sendMessage" in fake_telegram.json_bodies


async def test_the_calendar_file_itself(runtime: Runtime) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    person = ConsoleDriver(runtime)
    await play(person, [START, ADULT])
    await person.press("Đặt lịch tư vấn")
    await person.press(HOAN_KIEM)
    await person.press("Thứ Ba, 24/11")
    await person.press("09:00")
    code = CODE.search((await person.press("Có, xác nhận")).text)
    assert code is not None
    turn = await person.press("Thêm vào lịch của tôi (tệp .ics)")
    ics = turn.text[turn.text.index("BEGIN:VCALENDAR") : turn.text.index("END:VCALENDAR") + len("END:VCALENDAR")]
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event["summary"]) == f"Lịch hẹn {code.group(1)}"
    assert "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm" in str(event["location"])
    assert not any(word in ics.lower() for word in ("tư vấn viên", "ma túy", "methadone", "nghiện"))


async def test_a_call_back_number_is_kept_sealed_for_the_counsellor_of_that_booking_only(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, settings: Settings
) -> None:
    await load_sample(runtime)
    staff_id = await add_counsellor(runtime, pseudonym=runtime.pseudonyms.of("telegram", 7300009))
    counsellor = TelegramDriver(fake_telegram, telegram, user_id=7300009)
    await play(counsellor, [START, ADULT])
    person = TelegramDriver(fake_telegram, telegram, user_id=7300001)
    await play(person, [START, ADULT])
    await person.press("Đặt lịch tư vấn")
    await person.press("Tư vấn viên bất kỳ, qua điện thoại")
    await person.press("Thứ Ba, 24/11")
    await person.press("10:00")
    booked = await person.press("Có, xác nhận")
    code = CODE.search(booked.text)
    assert code is not None
    # A phone appointment asks for the number at once, under its own consent, in words that fit a call.
    assert "tư vấn viên sẽ gọi cho bạn và đọc mã này" in booked.text and "khi đến" not in booked.text
    assert "cần số điện thoại của bạn" in booked.text and "mã hóa" in booked.text
    assert booked.choices[:2] == ["Đồng ý: cho số của tôi", "Không cho số"]
    turn = await person.press("Đồng ý: cho số của tôi")
    assert "chia sẻ số điện thoại" in turn.text
    assert "không phải số điện thoại" in (await person.say("call me maybe")).text
    assert "liên hệ của người khác" in (await person.share_contact_of_someone_else("+84 988 000 111")).text
    turn = await person.share_contact("+84 912 345 678")
    assert "Chỉ tư vấn viên của lịch hẹn này" in turn.text

    blob = b"".join(p.read_bytes() for p in (settings.data_dir).glob("diemtua.sqlite3*"))
    assert b"0912345678" not in blob and b"912 345 678" not in blob
    turn = await counsellor.say("/staff")
    turn = await counsellor.press("Lịch hẹn hôm nay và sắp tới")
    assert f"{code.group(1)} · ☎ 0912345678" in turn.text
    async with runtime.unit_of_work() as uow:
        (booking,) = await uow.bookings.of_counsellor(
            staff_id, runtime.clock.now(), runtime.clock.now() + timedelta(days=7)
        )
        assert await uow.handles.booking_address(booking.id, "callback_phone") == "0912345678"
    runtime.clock.advance(timedelta(days=4, hours=1))  # type: ignore[attr-defined]
    await purge_expired_state(runtime)
    async with runtime.unit_of_work() as uow:
        assert await uow.handles.booking_address(booking.id, "callback_phone") is None


async def test_a_phone_appointment_without_a_number_says_how_the_call_can_still_happen(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime, pseudonym=runtime.pseudonyms.of("telegram", 7300019))
    counsellor = TelegramDriver(fake_telegram, telegram, user_id=7300019)
    await play(counsellor, [START, ADULT])
    person = TelegramDriver(fake_telegram, telegram, user_id=7300011)
    await play(person, [START, ADULT])
    await person.press("Đặt lịch tư vấn")
    await person.press("Tư vấn viên bất kỳ, qua điện thoại")
    await person.press("Thứ Ba, 24/11")
    await person.press("10:00")
    code = CODE.search((await person.press("Có, xác nhận")).text)
    assert code is not None
    turn = await person.press("Không cho số")
    # the counsellor's point has a phone: the person can call it at the time and give the code
    assert f"gọi 0000 000 001 và đọc mã {code.group(1)}" in turn.text
    turn = await person.say("/lichhen")
    assert "☎ chưa có số điện thoại" in turn.text
    assert f"Cho số để gọi cho lịch hẹn {code.group(1)}" in turn.choices
    await counsellor.say("/staff")
    listing = await counsellor.press("Lịch hẹn hôm nay và sắp tới")
    assert f"{code.group(1)} · ☎ chưa có số điện thoại" in listing.text
    turn = await person.press(f"Cho số để gọi cho lịch hẹn {code.group(1)}")
    assert turn.choices == ["Có, tôi đồng ý", "Không, cảm ơn"]
    await person.press("Có, tôi đồng ý")
    # Another request typed where the number is awaited is answered as that request; the offer stays in /lichhen.
    turn = await person.say("ai đọc được tin nhắn này")
    assert "Những gì đang được lưu về bạn" in turn.text and "không phải số điện thoại" not in turn.text
    await person.say("/lichhen")
    await person.press(f"Cho số để gọi cho lịch hẹn {code.group(1)}")
    await person.press("Có, tôi đồng ý")
    await person.say("0912 345 678")
    turn = await person.say("/lichhen")
    assert "☎ tư vấn viên sẽ gọi cho bạn" in turn.text
    assert not any(choice.startswith("Cho số") for choice in turn.choices)


async def test_an_in_person_booking_keeps_the_call_back_offer_after_the_calendar_file(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    person = TelegramDriver(fake_telegram, telegram, user_id=7300021)
    await play(person, [START, ADULT])
    code, booked = await book_in_person(person, time="10:00")
    assert "khi đến" in booked.text and "Nhờ tư vấn viên gọi cho tôi" in booked.choices
    turn = await person.press("Thêm vào lịch của tôi (tệp .ics)")
    assert "Nhờ tư vấn viên gọi cho tôi" in turn.choices
    turn = await person.say("/lichhen")
    assert f"Nhờ gọi lại trước lịch hẹn {code}" in turn.choices


async def test_a_counsellor_sets_hours_and_a_day_off_in_the_chat(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    await invite_counsellor(runtime, "HOURS23456")
    counsellor = TelegramDriver(fake_telegram, telegram, user_id=7400001)
    await play(counsellor, [START, ADULT])
    await counsellor.say("/staff HOURS-23456")
    await counsellor.press("Không, cảm ơn")
    await counsellor.press("Đặt giờ làm việc trong tuần")
    assert "chưa đọc được giờ" in (await counsellor.say("every day 8h")).text
    turn = await counsellor.say("T3,T5 08:00-10:00")
    assert turn.choices == ["30 phút", "45 phút", "60 phút"]
    await counsellor.press("60 phút")
    turn = await counsellor.press("Gặp trực tiếp")
    assert "Đã lưu: Thứ Ba, Thứ Năm 08:00–10:00, mỗi buổi 60 phút" in turn.text
    await counsellor.press("Thêm ngày nghỉ")
    assert "Bạn hãy gõ ngày" in (await counsellor.say("31/02")).text
    assert "Ngày 20/11/2026 đã qua" in (await counsellor.say("20/11")).text  # not 20/11 next year
    assert "không nhận lịch hẹn vào Thứ Ba, 24/11" in (await counsellor.say("24/11")).text

    person = TelegramDriver(fake_telegram, telegram, user_id=7400002)
    await play(person, [START, ADULT])
    await person.press("Đặt lịch tư vấn")
    turn = await person.press(HOAN_KIEM)
    assert turn.choices[:2] == ["Thứ Năm, 26/11", "Thứ Ba, 01/12"]  # Tuesday 24/11 is the day off
    # 08:00-09:00, then a 15-minute buffer: 09:15 would end after 10:00.
    assert (await person.press("Thứ Năm, 26/11")).choices == ["08:00", "Ngày khác"]


async def test_later_dates_reach_the_whole_booking_horizon(runtime: Runtime) -> None:
    """Seven days at a time, then "later dates" up to the counsellor's horizon (14 days), not only a week."""
    await load_sample(runtime)
    await add_counsellor(runtime)
    driver = ConsoleDriver(runtime, user_id="later-dates")
    await play(driver, [START, ADULT])
    await driver.press("Đặt lịch tư vấn")
    turn = await driver.press(HOAN_KIEM)
    assert turn.choices[:7] == [
        "Thứ Hai, 23/11",
        "Thứ Ba, 24/11",
        "Thứ Tư, 25/11",
        "Thứ Năm, 26/11",
        "Thứ Sáu, 27/11",
        "Thứ Bảy, 28/11",
        "Thứ Hai, 30/11",
    ]
    assert turn.choices[7:] == ["Ngày sau nữa", "Menu chính"]
    turn = await driver.press("Ngày sau nữa")
    assert turn.choices == [
        "Thứ Ba, 01/12",
        "Thứ Tư, 02/12",
        "Thứ Năm, 03/12",
        "Thứ Sáu, 04/12",
        "Thứ Bảy, 05/12",
        "Thứ Hai, 07/12",
        "Menu chính",
    ]
    turn = await driver.press("Thứ Hai, 07/12")  # the last day of the horizon still books
    assert "08:00" in turn.choices


async def test_the_counsellor_menu_is_reachable_from_the_main_menu(runtime: Runtime) -> None:
    await load_sample(runtime)
    await invite_counsellor(runtime, "MENU234567")
    counsellor = ConsoleDriver(runtime, user_id="counsellor-menu")
    await play(counsellor, [START, ADULT])
    await counsellor.say("/staff MENU-234567")  # the console has no address: no notifications to offer
    turn = await counsellor.say("/menu")
    assert turn.choices[-1] == "Menu tư vấn viên"
    turn = await counsellor.press("Menu tư vấn viên")
    assert "Đặt giờ làm việc trong tuần" in turn.choices
    person = ConsoleDriver(runtime, user_id="not-staff")
    await play(person, [START, ADULT])
    assert "Menu tư vấn viên" not in (await person.say("/menu")).choices
