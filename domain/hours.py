"""Opening hours per weekday: parsed from a small, documented subset of OpenStreetMap's ``opening_hours``.

Accepted (rules separated by ";", a later rule replacing earlier ones for its days)::

    24/7
    Mo-Fr 07:30-11:30,13:30-17:00; Sa 07:30-11:30
    Mo,We,Fr 08:00-12:00
    T2-T6 07:00-16:30; CN off          (Vietnamese day names: T2 ... T7, CN)
    08:00-17:00                         (every day)

Days not named are closed.  Times are local (Asia/Ho_Chi_Minh); a closing time is after its opening
time on the same day ("24:00" allowed).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
VI_DAYS = {"t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6}
_DAY_INDEX = {d.lower(): i for i, d in enumerate(DAYS)} | VI_DAYS
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAYS_TOKEN = re.compile(r"^[A-Za-z0-9,-]+$")

Span = tuple[int, int]  # minutes since midnight: [start, end)


class HoursError(ValueError):
    """Hours that do not follow the accepted syntax; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class OpeningHours:
    week: tuple[tuple[Span, ...], ...]  # Monday first, seven entries

    def spans(self, weekday: int) -> tuple[Span, ...]:
        return self.week[weekday]


@dataclass(frozen=True, slots=True)
class Status:
    open_now: bool
    closes_at: time | None = None  # when open now
    opens_day: int | None = None  # when closed: days from today until it opens (0 = later today)
    opens_at: time | None = None
    opens_weekday: int | None = None


def _minutes(hours: str, minutes: str) -> int:
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and m):
        raise HoursError(f"{hours}:{minutes} is not a time of day")
    return h * 60 + m


def _days(token: str) -> list[int]:
    days: list[int] = []
    for part in token.lower().split(","):
        first, _, last = part.partition("-")
        if first not in _DAY_INDEX or (last and last not in _DAY_INDEX):
            raise HoursError(f'"{part}" is not a day (Mo Tu We Th Fr Sa Su, or T2 ... T7, CN)')
        start, end = _DAY_INDEX[first], _DAY_INDEX[last or first]
        day = start
        while True:  # Sa-Mo wraps round the week
            days.append(day)
            if day == end:
                break
            day = (day + 1) % 7
    return days


def parse_days(token: str) -> list[int]:
    """Days as typed ("T2-T6", "T3,T6", "Mo-Fr", "CN"), Monday = 0; raises HoursError."""
    return _days(token)


def _is_days(token: str) -> bool:
    """Whether a rule starts with days ("Mo-Fr", "T2,T4", "Su") rather than times."""
    parts = re.split(r"[,-]", token.lower())
    return bool(_DAYS_TOKEN.match(token)) and all(part in _DAY_INDEX for part in parts)


def _spans(token: str) -> tuple[Span, ...]:
    if token.lower() == "off":
        return ()
    spans: list[Span] = []
    for part in token.split(","):
        match = _SPAN.match(part.strip())
        if not match:
            raise HoursError(f'"{part}" is not a time range such as 07:30-11:30')
        start, end = _minutes(match[1], match[2]), _minutes(match[3], match[4])
        if end <= start:
            raise HoursError(f'"{part}": the closing time must be after the opening time')
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start < end:
            raise HoursError(f'"{token}": the time ranges overlap')
    return tuple(spans)


def parse_hours(text: str) -> OpeningHours | None:
    """Parse opening hours; None for an empty value (hours unknown); HoursError if malformed."""
    text = " ".join(text.split())
    if not text:
        return None
    if text == "24/7":
        return OpeningHours(tuple(((0, 24 * 60),) for _ in DAYS))
    if text.lower() == "off":
        return OpeningHours(tuple(() for _ in DAYS))
    week: list[tuple[Span, ...]] = [() for _ in DAYS]
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        head, _, rest = rule.partition(" ")
        if _is_days(head) or (head[:1].isalpha() and rest):
            days, times = _days(head), rest.replace(" ", "")
        else:
            days, times = list(range(7)), rule.replace(" ", "")
        if not times:
            raise HoursError(f'"{rule}" names days but no times')
        spans = _spans(times)
        for day in days:
            week[day] = spans
    return OpeningHours(tuple(week))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_hours(hours: OpeningHours | None) -> str:
    """The canonical text of ``hours`` (parse_hours(format_hours(h)) == h); "" when unknown."""
    if hours is None:
        return ""
    if all(spans == ((0, 24 * 60),) for spans in hours.week):
        return "24/7"
    rules: list[str] = []
    day = 0
    while day < 7:
        spans = hours.week[day]
        last = day
        while last + 1 < 7 and hours.week[last + 1] == spans:
            last += 1
        if spans:
            days = DAYS[day] if day == last else f"{DAYS[day]}-{DAYS[last]}"
            rules.append(f"{days} " + ",".join(f"{_clock(s)}-{_clock(e)}" for s, e in spans))
        day = last + 1
    return "; ".join(rules) if rules else "off"


def _as_time(minutes: int) -> time:
    return time(0, 0) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def status(hours: OpeningHours, local: datetime) -> Status:
    """Open now (and until when), or when it next opens, at the local time ``local``."""
    weekday, now = local.weekday(), local.hour * 60 + local.minute
    for start, end in hours.spans(weekday):
        if start <= now < end:
            # Open through midnight into the next day's 00:00 span: report the later closing time.
            if end == 24 * 60 and hours.spans((weekday + 1) % 7)[:1] == ((0, 24 * 60),):
                return Status(True, None)
            return Status(True, _as_time(end))
    for ahead in range(8):
        day = (weekday + ahead) % 7
        for start, _ in hours.spans(day):
            if ahead or start > now:
                return Status(False, opens_day=ahead, opens_at=_as_time(start), opens_weekday=day)
    return Status(False)
