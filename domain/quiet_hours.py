"""Quiet hours: bulk messages (group reminders, broadcasts) are not delivered at night, local time.

Pure arithmetic on aware datetimes; the zone is a parameter.  A reminder that would fall in the quiet
hours is moved out of them: to the morning if that is still well before the meeting, else to the evening
before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time = time(21, 30)  # quiet from here...
    end: time = time(7, 0)  # ...until here, the next morning

    def is_quiet(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first moment at or after ``moment`` outside the quiet hours."""
        if not self.is_quiet(moment, zone):
            return moment
        local = moment.astimezone(zone)
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(moment.tzinfo)

    def begins_before(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The last moment before the quiet period that contains ``moment`` (``moment`` if not quiet)."""
        if not self.is_quiet(moment, zone):
            return moment
        local = moment.astimezone(zone)
        day = local.date() if local.time() >= self.start else local.date() - timedelta(days=1)
        start = datetime.combine(day, self.start, tzinfo=zone) - timedelta(minutes=1)
        return start.astimezone(moment.tzinfo)

    def reminder_time(
        self, due: datetime, meeting: datetime, zone: ZoneInfo, margin: timedelta = timedelta(minutes=15)
    ) -> datetime:
        """When to send a reminder meant for ``due``: out of the quiet hours, at least ``margin`` before
        the meeting where the morning allows it, else the evening before."""
        if not self.is_quiet(due, zone):
            return due
        morning = self.ends_after(due, zone)
        if morning <= meeting - margin:
            return morning
        return self.begins_before(due, zone)
