"""Group meeting schedules, as tables: weekly, every other week, monthly n-th weekday, cancellations,
moves, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.recurrence import Meeting, Repeat, Schedule, meetings, next_meeting, reminder_times

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOV_1 = datetime(2026, 11, 1, tzinfo=HCM)
JAN_1 = datetime(2027, 1, 1, tzinfo=HCM)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def days(schedule: Schedule, start: datetime = NOV_1, end: datetime = JAN_1) -> list[str]:
    return [m.start.astimezone(HCM).strftime("%a %d/%m %H:%M") for m in meetings(schedule, start, end, HCM)]


def test_weekly_on_two_weekdays_at_a_local_time() -> None:
    schedule = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({TUE, SAT}), date(2026, 11, 20))
    assert days(schedule)[:5] == ["Sat 21/11 19:00", "Tue 24/11 19:00", "Sat 28/11 19:00", "Tue 01/12 19:00",
                                  "Sat 05/12 19:00"]  # fmt: skip
    assert meetings(schedule, NOV_1, JAN_1, HCM)[0].start == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_every_other_week_counts_from_the_first_week() -> None:
    schedule = Schedule(Repeat.FORTNIGHTLY, time(9, 30), frozenset({SUN}), date(2026, 11, 8))
    assert days(schedule)[:4] == ["Sun 08/11 09:30", "Sun 22/11 09:30", "Sun 06/12 09:30", "Sun 20/12 09:30"]


@pytest.mark.parametrize(
    ("ordinal", "weekday", "expected"),
    [
        (1, MON, ["Mon 02/11", "Mon 07/12"]),
        (2, THU, ["Thu 12/11", "Thu 10/12"]),
        (4, FRI, ["Fri 27/11", "Fri 25/12"]),
        (-1, TUE, ["Tue 24/11", "Tue 29/12"]),
        (-1, MON, ["Mon 30/11", "Mon 28/12"]),
    ],
)
def test_monthly_on_the_nth_or_last_weekday(ordinal: int, weekday: int, expected: list[str]) -> None:
    schedule = Schedule(Repeat.MONTHLY, time(18, 0), frozenset({weekday}), date(2026, 11, 1), ordinal=ordinal)
    assert [d[:9] for d in days(schedule)] == expected


def test_a_cancelled_meeting_is_skipped_and_a_moved_one_keeps_its_identity() -> None:
    moved_to = datetime(2026, 11, 26, 18, 0, tzinfo=HCM)
    schedule = Schedule(
        Repeat.WEEKLY,
        time(19, 0),
        frozenset({TUE}),
        date(2026, 11, 1),
        cancelled=frozenset({date(2026, 11, 17)}),
        moved={date(2026, 11, 24): moved_to},
    )
    found = meetings(schedule, datetime(2026, 11, 15, tzinfo=HCM), datetime(2026, 12, 5, tzinfo=HCM), HCM)
    assert found == [
        Meeting(date(2026, 11, 24), moved_to.astimezone(UTC), moved=True),
        Meeting(date(2026, 12, 1), datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
    ]


def test_a_meeting_moved_into_the_window_from_before_it_is_found() -> None:
    schedule = Schedule(
        Repeat.MONTHLY,
        time(18, 0),
        frozenset({MON}),
        date(2026, 10, 1),
        moved={date(2026, 10, 5): datetime(2026, 11, 3, 18, 0, tzinfo=HCM)},
    )
    assert days(schedule)[:2] == ["Mon 02/11 18:00", "Tue 03/11 18:00"]


def test_start_and_end_dates_bound_the_schedule() -> None:
    schedule = Schedule(Repeat.WEEKLY, time(8, 0), frozenset({WED}), date(2026, 11, 11), ends_on=date(2026, 11, 25))
    assert days(schedule) == ["Wed 11/11 08:00", "Wed 18/11 08:00", "Wed 25/11 08:00"]


def test_next_meeting_and_reminders() -> None:
    schedule = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({TUE}), date(2026, 11, 1))
    now = datetime(2026, 11, 24, 19, 0, tzinfo=HCM)  # exactly at a meeting's start: that one counts
    meeting = next_meeting(schedule, now, HCM)
    assert meeting is not None and meeting.start == now.astimezone(UTC)
    later = next_meeting(schedule, now + timedelta(minutes=1), HCM)
    assert later is not None and later.original_day == date(2026, 12, 1)
    times = reminder_times(later, (timedelta(hours=1), timedelta(hours=24)))
    assert [(o, w.astimezone(HCM).strftime("%d/%m %H:%M")) for o, w in times] == [
        (timedelta(hours=24), "30/11 19:00"),
        (timedelta(hours=1), "01/12 18:00"),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"repeat": Repeat.MONTHLY, "weekdays": frozenset({MON, TUE})},
        {"repeat": Repeat.MONTHLY, "ordinal": 5},
        {"minutes": 5},
        {"ends_on": date(2026, 1, 1)},
    ],
)
def test_nonsense_schedules_are_refused(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "repeat": Repeat.WEEKLY,
        "at": time(19, 0),
        "weekdays": frozenset({TUE}),
        "starts_on": date(2026, 11, 1),
    }
    with pytest.raises(ValueError):
        Schedule(**(base | kwargs))  # type: ignore[arg-type]
