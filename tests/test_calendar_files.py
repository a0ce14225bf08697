"""Calendar files read back by an independent RFC 5545 implementation (the ``ical`` package, not the
``icalendar`` that writes them): an appointment keeps its UID, a move raises SEQUENCE, a cancellation is a
METHOD:CANCEL file; a group's file expands to exactly the meetings the bot itself reminds people of."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from ical.calendar_stream import IcsCalendarStream
from ical.event import EventStatus

from bot.runtime import Runtime
from domain.calendar_file import appointment_ics, group_ics
from domain.recurrence import Repeat, Schedule, meetings
from tests.dialog import ConsoleDriver, Turn, play
from tests.test_booking import add_counsellor, book_in_person
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def read(content: bytes | str):  # type: ignore[no-untyped-def]
    text = content.decode() if isinstance(content, bytes) else content
    return IcsCalendarStream.calendar_from_ics(text)


def ics_in(turn: Turn) -> str:
    (found,) = re.findall(r"BEGIN:VCALENDAR.*?END:VCALENDAR", turn.text, flags=re.S)
    return str(found)


def test_an_appointment_file_has_its_zone_and_is_confirmed() -> None:
    content = appointment_ics(
        code="AB12-CD34",
        start=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        minutes=45,
        title="Lịch hẹn AB12-CD34",
        zone=HCM,
        stamp=STAMP,
    )
    assert b"BEGIN:VTIMEZONE" in content and b"DTSTART;TZID=Asia/Ho_Chi_Minh:20261124T090000" in content
    calendar = read(content)
    (event,) = calendar.events
    assert event.uid == "ab12cd34@diemtua.invalid" and event.sequence == 0
    assert event.status == EventStatus.CONFIRMED
    assert event.dtstart == datetime(2026, 11, 24, 9, 0, tzinfo=HCM)
    assert event.dtend - event.dtstart == timedelta(minutes=45)


async def test_taking_the_file_then_moving_then_cancelling_keeps_the_calendar_right(runtime: Runtime) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    person = ConsoleDriver(runtime)
    await play(person, [START, ADULT])
    code, _ = await book_in_person(person)
    (first,) = read(ics_in(await person.press("Thêm vào lịch của tôi (tệp .ics)"))).events

    await person.say("/lichhen")
    await person.press(f"Đổi giờ {code}")
    await person.press("Thứ Tư, 25/11")
    await person.press("10:00")
    moved_turn = await person.press("Có, xác nhận")
    assert "đổi giờ trong lịch của mình" in moved_turn.text
    (moved,) = read(ics_in(moved_turn)).events
    assert moved.uid == first.uid and moved.sequence == 1  # the same entry, a newer version of it
    assert moved.dtstart == datetime(2026, 11, 25, 10, 0, tzinfo=HCM)

    await person.say("/lichhen")
    await person.press(f"Hủy {code}")
    cancelled_turn = await person.press("Có, hủy lịch")
    assert "xóa lịch hẹn khỏi lịch" in cancelled_turn.text
    calendar = read(ics_in(cancelled_turn))
    (cancelled,) = calendar.events
    assert "METHOD:CANCEL" in ics_in(cancelled_turn)
    assert cancelled.uid == first.uid and cancelled.sequence == 2 and cancelled.status == EventStatus.CANCELLED


async def test_no_cancellation_file_for_someone_who_never_took_one(runtime: Runtime) -> None:
    await load_sample(runtime)
    await add_counsellor(runtime)
    person = ConsoleDriver(runtime, user_id="no-calendar")
    await play(person, [START, ADULT])
    code, _ = await book_in_person(person)
    await person.say("/lichhen")
    await person.press(f"Hủy {code}")
    assert "BEGIN:VCALENDAR" not in (await person.press("Có, hủy lịch")).text


SCHEDULES = {
    "weekly, two days": Schedule(Repeat.WEEKLY, time(18, 30), frozenset({1, 5}), date(2026, 11, 23)),
    "fortnightly from a Sunday": Schedule(Repeat.FORTNIGHTLY, time(9, 0), frozenset({1}), date(2026, 11, 29)),
    "monthly, first Saturday": Schedule(Repeat.MONTHLY, time(8, 0), frozenset({5}), date(2026, 11, 2), ordinal=1),
    "monthly, last Friday, ending": Schedule(
        Repeat.MONTHLY, time(19, 0), frozenset({4}), date(2026, 11, 1), ordinal=-1, ends_on=date(2027, 3, 26)
    ),
    "weekly with one meeting off and one moved": Schedule(
        Repeat.WEEKLY,
        time(18, 30),
        frozenset({2}),
        date(2026, 11, 23),
        cancelled=frozenset({date(2026, 12, 2)}),
        moved={date(2026, 12, 9): datetime(2026, 12, 10, 17, 0, tzinfo=HCM)},
    ),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_a_group_file_expands_to_the_meetings_the_bot_reminds_of(name: str) -> None:
    schedule = SCHEDULES[name]
    content = group_ics(
        uid="group-1@diemtua.invalid", title="Buổi sinh hoạt nhóm", schedule=schedule, zone=HCM, stamp=STAMP
    )
    calendar = read(content)
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)
    expected = [m.start for m in meetings(schedule, start, end, HCM)]
    expanded = [
        event.dtstart.astimezone(UTC)
        for event in itertools.takewhile(lambda e: e.dtstart.astimezone(UTC) < end, calendar.timeline_tz(HCM))
        if event.dtstart.astimezone(UTC) >= start
    ]
    assert expanded == expected and expected
