"""Self-help groups end to end through the Telegram fake server: a peer leader creates a weekly group,
two people join (by link and by code), both get their reminders at the right local times and answer them,
a broadcast reaches everyone with progress shown, leaving stops messages at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import func, select

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.jobs.delivery import deliver_due
from bot.jobs.scheduler import plan_group_reminders
from bot.runtime import Runtime
from core.clock import ManualClock
from core.ports import GroupRecord
from domain.recurrence import Repeat, Schedule
from fakes.telegram_server import FakeTelegram
from handlers.groups.shared import GroupCalendar
from storage.models import ContactHandle, GroupMember, OutboxMessage
from tests.dialog import ConsoleDriver, Driver, TelegramDriver, Turn, play, press, say
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample

AGREE = "Có, tôi đồng ý"
LINK = re.compile(r"https://t\.me/diemtua_test_bot\?start=(g_[A-Z0-9]{8})")
CODE = re.compile(r"Mã nhóm: ([A-Z0-9]{4}-[A-Z0-9]{4})")


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A time in Hà Nội, 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


async def weekly_group(
    runtime: Runtime,
    code: str,
    name: str,
    *,
    kind: str = "other",
    place: str = "",
    reminders: tuple[int, ...] = (1440,),
) -> GroupRecord:
    """A group meeting every Tuesday at 18:30 from Monday 23/11/2026, made directly in storage."""
    async with runtime.unit_of_work() as uow:
        group = await uow.groups.create(
            code=code,
            name=name,
            kind=kind,
            leader_id=None,
            point_id=None,
            place=place,
            schedule=Schedule(Repeat.WEEKLY, time(18, 30), frozenset({1}), date(2026, 11, 23)),
            reminder_minutes=reminders,
            now=runtime.clock.now(),
        )
        await uow.commit()
    return group


async def new_member_by_link(fake: FakeTelegram, telegram: AiogramTelegram, user_id: int, start: str) -> None:
    """Someone new opens the group's link, answers the age question and joins with reminders."""
    member = TelegramDriver(fake, telegram, user_id=user_id)
    await member.say(f"/start {start}")
    await member.press("Từ 16 tuổi trở lên")
    await member.press("Tham gia, có nhắc lịch")


async def open_panel(leader: TelegramDriver) -> Turn:
    """The leader's group, from /nhom."""
    assert "Nhóm Bình Minh" in (await leader.say("/nhom")).choices
    return await leader.press("Nhóm Bình Minh")


def texts(fake: FakeTelegram, user_id: int) -> list[str]:
    return [m.text for m in fake.messages(user_id) if m.method == "sendMessage"]


async def leader_with_group(
    runtime: Runtime, fake: FakeTelegram, telegram: AiogramTelegram
) -> tuple[TelegramDriver, str, str]:
    """A peer leader redeems an invitation and creates a weekly group in the chat; returns the driver,
    the join link's start parameter and the typed code."""
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        point = next(p for p in await uow.directory.all_points() if p.external_id == "sample-hn-hk-01")
        await uow.staff.create_invite("LEAD23456", "leader", point.id, now, now + timedelta(days=1))
        await uow.commit()
    leader = TelegramDriver(fake, telegram, user_id=8100001)
    await play(leader, [START, ADULT])
    turn = await leader.say("/staff LEAD-23456")
    assert "trưởng nhóm" in turn.text and turn.choices == [AGREE, "Không, cảm ơn"]
    turn = await leader.press(AGREE)
    assert "tin nhắn gửi nhóm" in turn.text and turn.choices == ["Tạo nhóm mới", "Menu chính"]
    assert "Nhóm tên là gì" in (await leader.press("Tạo nhóm mới")).text
    turn = await leader.say("Nhóm Bình Minh")
    assert turn.choices[:3] == ["Nhóm dự phòng tái nghiện – duy trì hồi phục", "Nhóm hỗ trợ gia đình", "Nhóm khác"]
    turn = await leader.press("Nhóm dự phòng tái nghiện – duy trì hồi phục")
    assert "sinh hoạt ở đâu" in turn.text and turn.choices[0].startswith("Tại ")
    await leader.press(turn.choices[0])
    assert "T3 18:30" in (await leader.press("Hằng tuần")).text
    assert "chưa đọc được" in (await leader.say("thứ ba tối")).text  # kindly asked again
    assert "Nhắc thành viên khi nào" in (await leader.say("T3 18:30")).text
    turn = await leader.press("Trước 1 ngày và trước 1 giờ")
    assert "hằng tuần vào Thứ Ba, lúc 18:30" in turn.text and "trước 1 ngày / trước 1 giờ" in turn.text
    turn = await leader.press("Tạo nhóm")
    assert "Nhóm đã sẵn sàng" in turn.text and "Thành viên: 0" in turn.text
    link, code = LINK.search(turn.text), CODE.search(turn.text)
    assert link is not None and code is not None
    return leader, link.group(1), code.group(1)


async def test_a_weekly_group_from_creation_to_leaving(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    fake = fake_telegram
    await load_sample(runtime)
    clock.set(local(23, 9))  # Monday 23/11, 09:00 in Hà Nội
    leader, start, code = await leader_with_group(runtime, fake, telegram)

    by_link = TelegramDriver(fake, telegram, user_id=8100002)
    turn = await by_link.say(f"/start {start}")
    assert "bao nhiêu tuổi" in turn.text  # the age question comes first, and the link is remembered
    turn = await by_link.press("Từ 16 tuổi trở lên")
    assert "Nhóm Bình Minh" in turn.text and "không bao giờ biết là ai" in turn.text
    assert turn.choices == ["Tham gia, có nhắc lịch", "Tham gia, không cần nhắc lịch", "Để sau"]
    turn = await by_link.press("Tham gia, có nhắc lịch")
    assert "Chào mừng bạn đến với Nhóm Bình Minh" in turn.text and "Thứ Ba, 24/11 lúc 18:30" in turn.text

    by_code = TelegramDriver(fake, telegram, user_id=8100003)
    await play(by_code, [START, ADULT])
    turn = await by_code.say(code.lower())  # typed at any moment, in any case
    assert "Tham gia nhóm tự lực" in turn.text
    await by_code.press("Tham gia, có nhắc lịch")

    panel = await open_panel(leader)
    assert "Thành viên: 2 (2 người nhận nhắc lịch)" in panel.text

    # The day before, at 18:30 local time: both are reminded, with "I'll come" / "I can't come".
    clock.set(local(23, 18, 29))
    await deliver_due(runtime, {"telegram": telegram})
    assert not any("Nhắc lịch" in t for t in texts(fake, 8100002))
    clock.set(local(23, 18, 30))
    await plan_group_reminders(runtime)
    report = await deliver_due(runtime, {"telegram": telegram})
    assert report.sent == 2
    for member in (by_link, by_code):
        reminder = fake.messages(member.user_id)[-1]
        assert reminder.text == (
            "Nhắc lịch: Nhóm Bình Minh sinh hoạt vào Thứ Ba, 24/11 lúc 18:30, tại [Mẫu] Điểm tư vấn cộng đồng "
            "Hoàn Kiếm, 12 Hàng Bông, Hoàn Kiếm, Hà Nội."
        ) or reminder.text.startswith("Nhắc lịch: Nhóm Bình Minh sinh hoạt vào Thứ Ba, 24/11 lúc 18:30")
        assert reminder.labels == ["Tôi sẽ đến", "Tôi không đến được"]
    assert "mình đã ghi nhận bạn sẽ đến" in (await by_link.press("Tôi sẽ đến")).text
    assert "Mong gặp bạn buổi sau" in (await by_code.press("Tôi không đến được")).text
    # A reminder's button pressed by someone else changes nothing.
    forged = fake.messages(by_link.user_id)[-2].buttons[1]["callback_data"]
    assert "không còn hiệu lực" in (await by_code.press_data(forged)).text
    turn = await open_panel(leader)
    assert "sẽ đến: 1, không đến được: 1" in turn.text

    # An hour before: the second reminder, planned by the scheduler's job, once only.
    clock.set(local(24, 17, 30))
    await plan_group_reminders(runtime)
    await plan_group_reminders(runtime)
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 2
    assert sum("Nhắc lịch" in t for t in texts(fake, 8100002)) == 2

    # A broadcast: write, preview, confirm, progress, report.  Words of a crisis in a message written for the
    # group do not open urgent help.
    await leader.press("Gửi tin nhắn cho nhóm")
    turn = await leader.say("Tối nay nhóm có khách mời là bác sĩ, nói về phòng chống quá liều, đến đúng giờ nhé!")
    assert "2 thành viên sẽ nhận được tin như sau" in turn.text
    assert "Tin nhắn từ Nhóm Bình Minh:\n\nTối nay nhóm có khách mời" in turn.text
    turn = await leader.press("Gửi")
    assert "đã gửi 0/2" in turn.text
    await deliver_due(runtime, {"telegram": telegram}, budget=1)
    assert "Tin nhắn cho Nhóm Bình Minh: đã gửi 1/2." in (await leader.press("Tiến độ gửi")).text
    await deliver_due(runtime, {"telegram": telegram})
    for user_id in (8100002, 8100003):
        assert texts(fake, user_id)[-1].startswith("Tin nhắn từ Nhóm Bình Minh:")
    assert "Đã gửi xong tin nhắn cho Nhóm Bình Minh: 2/2 người đã nhận; 0 người đã chặn bot" in texts(fake, 8100001)[-1]

    # Leaving deletes the chat address at once: the next reminders and broadcasts go to the other only.
    turn = await by_code.say("/roinhom")
    assert turn.choices == ["Rời Nhóm Bình Minh", "Ở lại"]
    turn = await by_code.press("Rời Nhóm Bình Minh")  # asked once more: nothing is deleted yet
    assert turn.choices == ["Có, rời nhóm", "Ở lại"] and "Rời Nhóm Bình Minh?" in turn.text
    assert "Thông tin tài khoản chat dùng để nhắc lịch đã được xóa" in (await by_code.press("Có, rời nhóm")).text
    async with runtime.sessions() as session:
        members = await session.scalar(select(func.count()).select_from(GroupMember))
        handles = await session.scalar(
            select(func.count()).select_from(ContactHandle).where(ContactHandle.purpose == "group_reminders")
        )
    assert (members, handles) == (1, 1)
    before = len(texts(fake, 8100003))
    clock.set(local(30, 18, 30))  # the next Monday evening: next week's first reminder
    await plan_group_reminders(runtime)
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 1
    assert len(texts(fake, 8100003)) == before
    assert "Thứ Ba, 01/12 lúc 18:30" in texts(fake, 8100002)[-1]


async def test_a_called_off_or_moved_meeting_is_announced_and_its_reminders_follow(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    fake = fake_telegram
    await load_sample(runtime)
    clock.set(local(23, 9))
    leader, start, _code = await leader_with_group(runtime, fake, telegram)
    await new_member_by_link(fake, telegram, 8100004, start)

    await leader.press("Hủy buổi sinh hoạt tới")
    turn = await leader.press("Có, hủy buổi này")
    assert "đã được hủy; 1 thành viên sẽ được báo" in turn.text and "Buổi tới: Thứ Ba, 01/12" in turn.text
    await deliver_due(runtime, {"telegram": telegram})
    assert texts(fake, 8100004)[-1] == (
        "Nhóm Bình Minh: buổi sinh hoạt Thứ Ba, 24/11 sẽ không diễn ra. Hẹn gặp bạn ở buổi sau."
    )
    clock.set(local(23, 18, 30))  # the cancelled meeting's reminder is gone
    await plan_group_reminders(runtime)
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 0

    await leader.press("Dời buổi sinh hoạt tới")
    assert "Bạn gõ ngày và giờ sắp tới" in (await leader.say("hôm qua")).text  # asked again, kindly
    # A day that has passed is refused (it once became the same day next year), with the year it meant.
    turn = await leader.say("20/11 19:00")
    assert "Thứ Sáu, 20/11 lúc 19:00 đã qua" in turn.text and "sắp tới" in turn.text
    turn = await leader.say("02/12 19:00")  # asked before anything changes
    assert "Dời buổi sinh hoạt Thứ Ba, 01/12 sang Thứ Tư, 02/12 lúc 19:00?" in turn.text
    await deliver_due(runtime, {"telegram": telegram})
    assert "dời" not in texts(fake, 8100004)[-1]
    turn = await leader.press("Có, dời buổi này")
    assert "đã được dời sang Thứ Tư, 02/12 lúc 19:00; 1 thành viên sẽ được báo" in turn.text
    await deliver_due(runtime, {"telegram": telegram})
    assert "đã được dời sang Thứ Tư, 02/12 lúc 19:00" in texts(fake, 8100004)[-1]
    clock.set(local(1, 19, 0, month=12))  # a day before the moved meeting
    await plan_group_reminders(runtime)
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 1
    assert "Thứ Tư, 02/12 lúc 19:00" in texts(fake, 8100004)[-1]


async def test_broadcasts_wait_for_the_morning_unless_urgent_and_blocked_members_are_counted(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    fake = fake_telegram
    await load_sample(runtime)
    clock.set(local(23, 9))
    leader, start, _code = await leader_with_group(runtime, fake, telegram)
    for user in (8100005, 8100006):
        await new_member_by_link(fake, telegram, user, start)
    clock.set(local(23, 22, 0))  # 22:00: quiet hours
    await leader.press("Gửi tin nhắn cho nhóm")
    await leader.say("Nhắc mọi người: mai họp sớm 30 phút.")
    turn = await leader.press("Gửi")
    assert "giờ yên tĩnh" in turn.text
    assert (await deliver_due(runtime, {"telegram": telegram})).sent == 0
    await open_panel(leader)
    await leader.press("Gửi tin nhắn cho nhóm")
    await leader.say("Khẩn: buổi mai chuyển sang phòng 2.")
    await leader.press("Gửi ngay, việc khẩn")
    fake.blocked.add(8100006)
    report = await deliver_due(runtime, {"telegram": telegram})
    assert (report.sent, report.stopped) == (2, 1)  # the member's copy and the leader's report; one blocked
    assert texts(fake, 8100005)[-1].endswith("Khẩn: buổi mai chuyển sang phòng 2.")
    clock.set(local(24, 7, 0))
    report = await deliver_due(runtime, {"telegram": telegram})
    assert report.sent >= 1 and texts(fake, 8100005)[-1].endswith("mai họp sớm 30 phút.")
    async with runtime.sessions() as session:
        to_blocked = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "stopped")
        )
    # The urgent broadcast, the held one and the evening's reminder: nothing more went to the blocked chat.
    assert to_blocked == 3
    reports = [t for t in texts(fake, 8100001) if t.startswith("Đã gửi xong")]
    assert any("1/2 người đã nhận; 1 người đã chặn bot" in t for t in reports)


async def test_join_by_code_answer_a_reminder_and_leave_on_every_channel(
    driver: Driver, runtime: Runtime, clock: ManualClock
) -> None:
    """The group dialog through the console, Telegram (aiogram and python-telegram-bot) and Zalo (polling
    and webhook): on Zalo the reminder's choices are numbered, and typing the number answers it."""
    clock.set(local(23, 9))
    place = "12 Hàng Bông, Hoàn Kiếm, Hà Nội"
    group = await weekly_group(
        runtime, "HJKM2345", "Nhóm Bình Minh", kind="relapse_prevention", place=place, reminders=(1440, 60)
    )
    console = driver.name == "console"  # no address to keep: joining without reminders is all it offers
    join = "Tham gia" if console else "Tham gia, có nhắc lịch"
    await play(
        driver,
        [
            START,
            ADULT,
            say("hjkm-2345", "Nhóm Bình Minh", "hằng tuần vào Thứ Ba, lúc 18:30", "không bao giờ biết là ai"),
            press(join, "Chào mừng bạn đến với Nhóm Bình Minh", "/roinhom"),
        ],
    )
    if not console:
        sender = driver.channel  # type: ignore[attr-defined]
        since = driver.count()  # type: ignore[attr-defined]
        clock.set(local(23, 18, 30))
        assert (await deliver_due(runtime, {sender.info.name: sender})).sent == 1
        reminder = driver.receive(since)  # type: ignore[attr-defined]
        assert "Nhắc lịch: Nhóm Bình Minh sinh hoạt vào Thứ Ba, 24/11 lúc 18:30" in reminder.text
        assert reminder.choices == ["Tôi sẽ đến", "Tôi không đến được"]
        await play(driver, [press("Tôi sẽ đến", "mình đã ghi nhận bạn sẽ đến")])
        async with runtime.unit_of_work() as uow:
            assert await uow.groups.rsvp_counts(group.id, date(2026, 11, 24)) == (1, 0)
    await play(
        driver,
        [
            say("/roinhom", "Bạn muốn rời nhóm nào", choices=("Rời Nhóm Bình Minh", "Ở lại")),
            press("Rời Nhóm Bình Minh", "Rời Nhóm Bình Minh?", choices=("Có, rời nhóm", "Ở lại")),
            press("Có, rời nhóm", "Bạn đã rời Nhóm Bình Minh"),
        ],
    )
    if not console:
        clock.set(local(24, 17, 30))
        await plan_group_reminders(runtime)
        assert (await deliver_due(runtime, {sender.info.name: sender})).sent == 0


async def test_a_meeting_moved_into_next_year_says_the_year(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    await load_sample(runtime)
    clock.set(local(23, 9))
    leader, _start, _code = await leader_with_group(runtime, fake_telegram, telegram)
    await leader.press("Dời buổi sinh hoạt tới")
    turn = await leader.say("05/01 19:00")
    assert "sang Thứ Ba, 05/01/2027 lúc 19:00?" in turn.text
    turn = await leader.say("03/12 19:00")  # another date typed instead of confirming
    assert "sang Thứ Năm, 03/12 lúc 19:00?" in turn.text
    turn = await leader.press("Có, dời buổi này")
    assert "đã được dời sang Thứ Năm, 03/12 lúc 19:00" in turn.text


async def test_a_leader_writing_to_a_group_nobody_would_receive_is_told_why(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    await load_sample(runtime)
    clock.set(local(23, 9))
    leader, _start, _code = await leader_with_group(runtime, fake_telegram, telegram)
    await leader.press("Gửi tin nhắn cho nhóm")
    turn = await leader.say("Chào cả nhóm.")
    assert "chưa ai tham gia nhóm" in turn.text and "0 thành viên" not in turn.text


async def test_a_member_takes_the_groups_meetings_as_a_calendar_file_discreetly(runtime: Runtime) -> None:
    group = await weekly_group(runtime, "HJKM2346", "Nhóm dự phòng tái nghiện Q8", place="12 Hàng Bông")
    member = ConsoleDriver(runtime, user_id="calendar-member")
    await play(member, [START, ADULT, say("hjkm-2346", "Nhóm dự phòng tái nghiện Q8"), press("Tham gia", "Chào mừng")])
    turn = await member.press("Thêm các buổi sinh hoạt vào lịch của tôi (tệp .ics)")
    ics = turn.text[turn.text.index("BEGIN:VCALENDAR") : turn.text.index("END:VCALENDAR") + len("END:VCALENDAR")]
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Buổi sinh hoạt nhóm"  # the name, which says what it is for, is not the title
    assert "nghiện" not in str(event["summary"]) and str(event["location"]) == "12 Hàng Bông"
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU;WKST=MO" in ics
    assert event["uid"] == f"group-{group.id}@diemtua.invalid" and event["sequence"] == 0
    # After the leader calls a meeting off, the file taken again is a newer version with that meeting excluded.
    async with runtime.unit_of_work() as uow:
        await uow.groups.change_meeting(group.id, date(2026, 12, 1), None, runtime.clock.now())
        await uow.commit()
    turn = await member.say("/nhom")
    assert "Tệp lịch: Nhóm dự phòng tái nghiện Q8" in turn.choices
    turn = await member.press("Tệp lịch: Nhóm dự phòng tái nghiện Q8")
    ics = turn.text[turn.text.index("BEGIN:VCALENDAR") : turn.text.index("END:VCALENDAR") + len("END:VCALENDAR")]
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert event["sequence"] == 1 and "EXDATE;TZID=Asia/Ho_Chi_Minh:20261201T183000" in ics


async def test_a_forged_calendar_button_for_someone_elses_membership_gives_no_file(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    group = await weekly_group(runtime, "HJKM2347", "Nhóm A")
    async with runtime.unit_of_work() as uow:
        await uow.users.touch("o" * 64, runtime.clock.now().date())
        other = await uow.groups.join(group.id, "o" * 64, runtime.clock.now())
        await uow.commit()
    stranger = TelegramDriver(fake_telegram, telegram, user_id=7700001)
    await play(stranger, [START, ADULT])
    await stranger.press_data(GroupCalendar(other).pack())
    assert not [m for m in fake_telegram.messages(7700001) if m.method == "sendDocument"]
    assert fake_telegram.uploads == []


async def test_members_told_of_a_meeting_moved_into_next_year_see_the_year(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    await load_sample(runtime)
    clock.set(local(23, 9))
    leader, start, _code = await leader_with_group(runtime, fake_telegram, telegram)
    await new_member_by_link(fake_telegram, telegram, 8100002, start)
    before = len(texts(fake_telegram, 8100002))
    await leader.press("Dời buổi sinh hoạt tới")
    await leader.say("05/01 19:00")
    await leader.press("Có, dời buổi này")
    await deliver_due(runtime, {"telegram": telegram})
    told = [t for t in texts(fake_telegram, 8100002)[before:] if "đã được dời" in t or "dời sang" in t]
    assert told and "05/01/2027 lúc 19:00" in told[0], texts(fake_telegram, 8100002)[before:]
