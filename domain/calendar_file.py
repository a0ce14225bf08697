"""Appointments and group meetings as iCalendar (RFC 5545) files, for the person's own calendar.

Discreet like the reminders: an appointment's title says "appointment" and the code; the place is given only for an
in-person appointment.  Times are local, with the zone's VTIMEZONE in the file, so a recurring meeting stays at its
local time and any calendar shows it in its own zone.

An appointment keeps one UID for its life: a move sends the same UID with a higher SEQUENCE (the number of moves),
so calendars replace the old entry; a cancellation sends METHOD:CANCEL with STATUS:CANCELLED and a higher SEQUENCE
still, so they remove it (RFC 5546 §3.2.5).  A group's file carries its rule (RRULE), the single meetings called
off (EXDATE) and those moved (excluded from the rule, then given as events of their own).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.recurrence import Repeat, Schedule, first_day

PRODUCT = "-//Diem Tua//Appointments//VI"
ORGANIZER = "mailto:no-reply@diemtua.invalid"  # iTIP wants an organizer; this one receives nothing
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

if TYPE_CHECKING:
    from icalendar import Alarm, Calendar, Event, vCalAddress


def _calendar(method: str) -> Calendar:
    from icalendar import Calendar  # imported with the first file, not with the process

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def _organizer(name: str) -> vCalAddress:
    from icalendar import vCalAddress

    organizer = vCalAddress(ORGANIZER)
    organizer.params["cn"] = name
    return organizer


def _alarm(title: str, before: timedelta) -> Alarm:
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", -before)
    return alarm


def _finish(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def appointment_ics(
    *,
    code: str,
    start: datetime,
    minutes: int,
    title: str,
    zone: ZoneInfo,
    stamp: datetime,
    location: str = "",
    sequence: int = 0,
    cancelled: bool = False,
    organizer: str = "Điểm Tựa",  # the bot's name (noqa: i18n)
) -> bytes:
    """One appointment; ``sequence`` is the number of moves so far (a cancellation adds one more)."""
    from icalendar import Event

    calendar = _calendar("CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{code.replace('-', '').lower()}@diemtua.invalid")
    event.add("dtstamp", stamp)
    event.add("sequence", sequence + 1 if cancelled else sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer(organizer))
    local = start.astimezone(zone)
    event.add("dtstart", local)
    event.add("dtend", local + timedelta(minutes=minutes))
    event.add("summary", title)
    if location:
        event.add("location", location)
    if not cancelled:
        event.add_component(_alarm(title, timedelta(hours=2)))
    calendar.add_component(event)
    return _finish(calendar)


def _rule(schedule: Schedule, zone: ZoneInfo) -> dict[str, object]:
    days = [_DAYS[d] for d in sorted(schedule.weekdays)]
    rule: dict[str, object]
    if schedule.repeat is Repeat.MONTHLY:
        rule = {"freq": "monthly", "byday": [f"{schedule.ordinal}{days[0]}"]}
    else:
        rule = {"freq": "weekly", "byday": days, "wkst": "MO"}
        if schedule.repeat is Repeat.FORTNIGHTLY:
            rule["interval"] = 2
    if schedule.ends_on is not None:  # UNTIL in UTC, inclusive of the last day's meeting
        last = datetime.combine(schedule.ends_on, schedule.at, tzinfo=zone)
        rule["until"] = last.astimezone(ZoneInfo("UTC"))
    return rule


def group_ics(
    *,
    uid: str,
    title: str,
    schedule: Schedule,
    zone: ZoneInfo,
    stamp: datetime,
    location: str = "",
    description: str = "",
    sequence: int = 0,
    organizer: str = "Điểm Tựa",  # the bot's name (noqa: i18n)
) -> bytes:
    """A group's meetings: the rule, the meetings called off and the ones moved, in one file."""
    from icalendar import Event

    calendar = _calendar("PUBLISH")
    day = first_day(schedule)
    if day is None:
        raise ValueError("the schedule has no meeting")
    first = datetime.combine(day, schedule.at, tzinfo=zone)
    length = timedelta(minutes=schedule.minutes)

    def event(start: datetime) -> Event:
        item = Event()
        item.add("uid", uid)
        item.add("dtstamp", stamp)
        item.add("sequence", sequence)
        item.add("organizer", _organizer(organizer))
        item.add("dtstart", start)
        item.add("dtend", start + length)
        item.add("summary", title)
        if location:
            item.add("location", location)
        if description:
            item.add("description", description)
        return item

    series = event(first)
    series.add("rrule", _rule(schedule, zone))
    called_off = sorted(set(schedule.cancelled) | set(schedule.moved))
    if called_off:
        series.add("exdate", [datetime.combine(day, schedule.at, tzinfo=zone) for day in called_off])
    series.add_component(_alarm(title, timedelta(hours=2)))
    calendar.add_component(series)
    for day, moved_to in sorted(schedule.moved.items()):
        # The moved meeting as an event of its own: the original is excluded above, so every calendar shows it
        # once (some readers ignore RECURRENCE-ID overrides; none shows an EXDATE'd occurrence).
        single = event(moved_to.astimezone(zone) if moved_to.tzinfo else moved_to.replace(tzinfo=zone))
        single["uid"] = f"{day.isoformat()}.{uid}"
        calendar.add_component(single)
    return _finish(calendar)
