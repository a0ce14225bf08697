"""Opening hours in OpenStreetMap's ``opening_hours`` syntax, evaluated by a maintained implementation.

The whole grammar is accepted (https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification): rules
after ";" replace earlier ones for their days, additional rules after ",", overnight ranges
(``Mo-Fr 22:00-02:00``), ``24/7; Su off``, months and dates (``Dec 24 off``), the n-th weekday of a month
(``Mo[1]``), open ends (``08:00+``), fallback rules (``||``), comments (``"hẹn trước"``, noqa: i18n) and
public holidays (``PH off``).  `opening-hours-py <https://pypi.org/project/opening-hours-py/>`_ evaluates the grammar.

Its own calendar for Viet Nam knows only the fixed-date holidays (1/1, 30/4, 1/5, 2/9): Tết and the Hùng Kings'
day follow the lunar calendar, and the Government adds substitute days off.  Those come from the maintained
`holidays <https://pypi.org/project/holidays/>`_ package (``holidays.VN``, names in Vietnamese).  An expression
is therefore evaluated without a country; on a day that is a public holiday in Viet Nam the same expression is
evaluated with ``PH`` standing for that day's weekday, which is what ``PH`` means on that day and only that day.

Vietnamese is accepted in front of the grammar, so counsellors and programme staff can type what they say:
``T2``…``T7`` and ``CN`` for the days, ``nghỉ`` for off, ``lễ`` for public holidays
(``T2-T6 07:30-11:30; lễ nghỉ``).  What is stored is the library's normalised form of the expression.

Times are local (Asia/Ho_Chi_Minh, no daylight saving): the functions take and give naive local times.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
from opening_hours import OpeningHours as _Evaluator
from opening_hours import State

from core.i18n import N_

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
VI_DAYS = {"t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6}
_DAY_INDEX = {d.lower(): i for i, d in enumerate(DAYS)} | VI_DAYS
DAY_MINUTES = 24 * 60
_LOOKAHEAD_DAYS = 8  # "opens …" looks a week and a day ahead; beyond that it is "closed"

Span = tuple[int, int]  # minutes since that day's midnight: [start, end)

# Vietnamese words typed in front of the grammar (matched as whole words, without regard to case).
_VI_WORDS = {
    **{vi: DAYS[i] for vi, i in VI_DAYS.items()},
    "nghỉ": "off",  # (noqa: i18n) typed input
    "nghi": "off",
    "đóng": "off",  # (noqa: i18n) typed input
    "lễ": "PH",  # (noqa: i18n) typed input
    "le": "PH",
}
_VI_WORD = re.compile(r"(?<![\w\"])(" + "|".join(map(re.escape, _VI_WORDS)) + r")(?![\w\"])", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"')
# Words of the OSM grammar: any other word in an expression that does not parse is named in the error.
_GRAMMAR_WORDS = {
    *(d.lower() for d in DAYS),
    *("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    *("ph", "sh", "off", "closed", "open", "unknown", "week", "easter"),
    *("sunrise", "sunset", "dawn", "dusk", "day", "days"),
}
_WORD = re.compile(r"[^\W\d_]+")


class HoursError(ValueError):
    """Hours that cannot be read.  ``reason`` is an English msgid with ``{fields}``, ``values`` fill them:
    translate with ``error.explain(_)``; ``str(error)`` is the English text."""

    def __init__(self, reason: str, **values: str) -> None:
        self.reason, self.values = reason, values
        super().__init__(reason.format(**values))

    def explain(self, translate: Callable[[str], str]) -> str:
        return translate(self.reason).format(**self.values)


NOT_A_DAY = N_('"{word}" is not a day (T2 … T7, CN, or Mo … Su)')
UNREADABLE = N_('write the days, then the times, for example "T2-T6 07:30-11:30,13:30-17:00"')
EMPTY = N_("the hours are empty")


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str  # Vietnamese, as the holidays package names it


@dataclass(frozen=True, slots=True)
class Status:
    open_now: bool
    closes_at: time | None = None  # when open now; None when it stays open for more than a week
    opens_day: int | None = None  # when closed: days from today until it opens (0 = later today)
    opens_at: time | None = None
    opens_weekday: int | None = None
    holiday: str | None = None  # today is this public holiday (and the point is closed for it)


@functools.cache
def _holidays(year: int) -> dict[date, str]:
    calendar = holidays.country_holidays("VN", years=year, language="vi", categories=holidays.PUBLIC)
    return dict(calendar.items())


def holiday(day: date) -> Holiday | None:
    """The Vietnamese public holiday on ``day`` (the Lunar New Year and substitute days off included), if any."""
    name = _holidays(day.year).get(day)
    return Holiday(day, name) if name else None


@functools.cache
def _evaluator(expression: str) -> _Evaluator:
    return _Evaluator(expression, country=None, auto_country=False, auto_timezone=False)


_PH = re.compile(r"(?<![\w\"])PH(?![\w\"])")


@functools.cache
def _on_holiday(expression: str, weekday: int) -> _Evaluator:
    """``expression`` as it reads on a public holiday falling on ``weekday``: PH is that weekday."""
    parts = _QUOTED.split(expression)
    quoted = _QUOTED.findall(expression)
    rewritten = "".join(
        _PH.sub(DAYS[weekday], part) + (quoted[i] if i < len(quoted) else "") for i, part in enumerate(parts)
    )
    try:
        return _evaluator(rewritten)
    except Exception:  # a PH form with no weekday equivalent ("PH Mo-Fr"): fall back to the plain reading
        return _evaluator(expression)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    expression: str  # normalised OSM syntax

    def _for(self, day: date) -> _Evaluator:
        if "PH" in self.expression and holiday(day):
            return _on_holiday(self.expression, day.weekday())
        return _evaluator(self.expression)

    def _intervals(self, day: date) -> list[tuple[datetime, datetime, bool, str]]:
        start = datetime.combine(day, time())
        return [
            (a, b, state == State.OPEN, comment)
            for a, b, state, comment in self._for(day).intervals(start, start + timedelta(days=1))
        ]

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The open spans within ``day`` (an overnight range is split at midnight)."""
        midnight = datetime.combine(day, time())
        return tuple(
            (int((a - midnight).total_seconds()) // 60, int((b - midnight).total_seconds()) // 60)
            for a, b, is_open, _ in self._intervals(day)
            if is_open
        )

    def typical_week(self, today: date) -> tuple[tuple[Span, ...], ...]:
        """Spans per weekday (Monday first), each from its next day on or after ``today`` that is no holiday."""
        week: dict[int, tuple[Span, ...]] = {}
        day = today
        while len(week) < 7:
            if holiday(day) is None and day.weekday() not in week:
                week[day.weekday()] = self.spans_on(day)
            day += timedelta(days=1)
        return tuple(week[weekday] for weekday in range(7))

    def closures(self, today: date, days: int) -> list[Holiday]:
        """Public holidays in the next ``days`` days (from ``today``) on which these hours are closed all day."""
        week = self.typical_week(today)
        found = []
        for offset in range(days):
            day = today + timedelta(days=offset)
            off = holiday(day)
            if off and week[day.weekday()] and not self.spans_on(day):
                found.append(off)
        return found


def status(hours: OpeningHours, local: datetime) -> Status:
    """Open now (and until when, overnight included), or when it next opens, at the local time ``local``."""
    local = local.replace(tzinfo=None, second=0, microsecond=0)
    today = local.date()
    off = holiday(today)
    timeline = [iv for offset in range(_LOOKAHEAD_DAYS) for iv in hours._intervals(today + timedelta(days=offset))]
    for index, (start, end, is_open, _) in enumerate(timeline):
        if not start <= local < end:
            continue
        if is_open:
            closing = end
            for later_start, later_end, later_open, _ in timeline[index + 1 :]:
                if not later_open or later_start != closing:
                    break
                closing = later_end
            if closing >= timeline[-1][1]:
                return Status(True, None)
            return Status(True, closing.time())
        for later_start, _, later_open, _ in timeline[index + 1 :]:
            if later_open:
                return Status(
                    False,
                    opens_day=(later_start.date() - today).days,
                    opens_at=later_start.time(),
                    opens_weekday=later_start.weekday(),
                    holiday=off.name if off and not hours.spans_on(today) else None,
                )
        break
    return Status(False, holiday=off.name if off else None)


_HOUR_H = re.compile(r"(?<![\w:])(\d{1,2})h(\d{2})?(?![\w:])", re.IGNORECASE)


def _translate(text: str) -> str:
    """Vietnamese day names, words and "8h30" times → the OSM grammar (quoted comments are left alone)."""
    parts = _QUOTED.split(text)
    quoted = _QUOTED.findall(text)
    out = []
    for i, part in enumerate(parts):
        part = _HOUR_H.sub(lambda m: f"{int(m.group(1)):02d}:{m.group(2) or '00'}", part)
        out.append(_VI_WORD.sub(lambda m: _VI_WORDS[m.group(1).lower()], part))
        if i < len(quoted):
            out.append(quoted[i])
    return "".join(out)


def parse_hours(text: str) -> OpeningHours | None:
    """Parse opening hours; None for an empty value (hours unknown); HoursError if they cannot be read."""
    text = " ".join(text.split())
    if not text:
        return None
    expression = _translate(text)
    try:
        parsed = _Evaluator(expression, country=None, auto_country=False, auto_timezone=False)
    except Exception as exc:  # the library raises its own SyntaxError subclass
        for word in _WORD.findall(_QUOTED.sub("", expression)):
            if word.lower() not in _GRAMMAR_WORDS:
                raise HoursError(NOT_A_DAY, word=word) from exc
        raise HoursError(UNREADABLE) from exc
    return OpeningHours(str(parsed.normalize()))


def format_hours(hours: OpeningHours | None) -> str:
    """The stored text of ``hours`` (parse_hours(format_hours(h)) == h); "" when unknown."""
    return "" if hours is None else hours.expression


def parse_days(token: str) -> list[int]:
    """Days as typed ("T2-T6", "T3,T6", "Mo-Fr", "CN"), Monday = 0; raises HoursError."""
    days: list[int] = []
    for part in token.lower().split(","):
        first, _, last = part.partition("-")
        if first not in _DAY_INDEX or (last and last not in _DAY_INDEX):
            raise HoursError(NOT_A_DAY, word=part)
        start, end = _DAY_INDEX[first], _DAY_INDEX[last or first]
        day = start
        while True:  # Sa-Mo wraps round the week
            days.append(day)
            if day == end:
                break
            day = (day + 1) % 7
    return days
