"""An appointment as an iCalendar (.ics) file, for the person's own calendar.

Discreet like the reminders: the title says "appointment" and the code; the place is given only for an
in-person appointment.  Times are written in UTC, so any calendar shows them in its own zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

PRODUCT = "-//Diem Tua//Appointments//VI"


def appointment_ics(
    *, code: str, start: datetime, minutes: int, title: str, location: str = "", stamp: datetime
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{code.replace('-', '').lower()}@diemtua.invalid")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", title)
    if location:
        event.add("location", location)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(hours=-2))
    event.add_component(alarm)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
