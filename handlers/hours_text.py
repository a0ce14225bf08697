"""Opening hours and working hours as people read them, in the Vietnamese they are shown in (examples quoted):
"Thứ Hai–Thứ Sáu: 07:30–11:30", "open now, until 17:00", "closed today (Quốc khánh)".  (noqa: i18n)
Shared by the finder (a point's hours) and the staff menu (a counsellor's hours)."""

from __future__ import annotations

from datetime import time, timedelta

from core.conversation import Context
from domain.hours import DAY_MINUTES, Holiday, OpeningHours, Span, holiday, status

HOLIDAY_DAYS_AHEAD = 14  # public holidays this close are named with a point's hours


def hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _clock(minutes: int) -> str:
    minutes = min(minutes, DAY_MINUTES)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _spans(ctx: Context, spans: tuple[Span, ...]) -> str:
    return ", ".join(f"{_clock(s)}–{_clock(e)}" for s, e in spans) if spans else ctx._("closed")


def _holiday_runs(ctx: Context, closures: list[Holiday]) -> str:
    """Closures joined into runs of consecutive holidays, each named once:
    "04/02–10/02 (Tết Nguyên Đán)".  (noqa: i18n)"""
    runs: list[list[Holiday]] = []
    for closed in closures:
        previous = runs[-1][-1].day if runs else None
        if previous and all(holiday(previous + timedelta(days=n)) for n in range(1, (closed.day - previous).days)):
            runs[-1].append(closed)
        else:
            runs.append([closed])
    parts = []
    for run in runs:
        names = [h.name for h in run]
        # The name most of the run's names contain, the holidays' own names:
        # "Tết Nguyên Đán" for "Mùng hai Tết Nguyên Đán", ...  (noqa: i18n)
        name = max(names, key=lambda n: (sum(n in other for other in names), -len(n)))
        first, last = ctx.i18n.date(run[0].day, "dd/MM"), ctx.i18n.date(run[-1].day, "dd/MM")
        parts.append(f"{first} ({name})" if first == last else f"{first}–{last} ({name})")
    return ", ".join(parts)


def week_lines(ctx: Context, hours: OpeningHours) -> list[str]:
    """One line per run of weekdays with the same hours, Monday first, for the coming week; then the public
    holidays of the next two weeks on which it is closed."""
    today = ctx.now.astimezone(ctx.i18n.timezone).date()
    week = hours.typical_week(today)
    lines = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and week[last + 1] == week[day]:
            last += 1
        days = ctx.i18n.weekday(day) if day == last else f"{ctx.i18n.weekday(day)}–{ctx.i18n.weekday(last)}"
        lines.append(f"{days}: {_spans(ctx, week[day])}")
        day = last + 1
    closures = hours.closures(today, HOLIDAY_DAYS_AHEAD)
    if closures:
        days_off = _holiday_runs(ctx, closures)
        lines.append(ctx._("Closed on public holidays: {days}").format(days=days_off))
    return lines


def _day_runs(ctx: Context, days: list[int]) -> str:
    """[0, 1, 2, 3, 4, 6] → "Thứ Hai–Thứ Sáu, Chủ Nhật".  (noqa: i18n)"""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        ctx.i18n.weekday(run[0]) if len(run) == 1 else f"{ctx.i18n.weekday(run[0])}–{ctx.i18n.weekday(run[-1])}"
        for run in runs
    )


def describe(ctx: Context, hours: OpeningHours) -> str:
    """The open days of the coming week on one line, days with the same hours together
    ("Thứ Hai–Thứ Sáu 08:00–11:30; Thứ Bảy 08:00–10:00"; noqa: i18n), then closures on the next public
    holidays."""
    today = ctx.now.astimezone(ctx.i18n.timezone).date()
    week = hours.typical_week(today)
    groups: dict[tuple[Span, ...], list[int]] = {}
    for day, spans in enumerate(week):
        if spans:
            groups.setdefault(spans, []).append(day)
    text = "; ".join(f"{_day_runs(ctx, days)} {_spans(ctx, spans)}" for spans, days in groups.items())
    closures = hours.closures(today, HOLIDAY_DAYS_AHEAD)
    if closures:
        days_off = _holiday_runs(ctx, closures)
        text += " (" + ctx._("Closed on public holidays: {days}").format(days=days_off) + ")"
    return text or ctx._("closed")


def now_text(ctx: Context, hours: OpeningHours | None) -> str:
    """Open now (until when) or when it opens next; a holiday closure is named."""
    if hours is None:
        return ctx._("Opening hours not listed: please call before you go")
    now = status(hours, ctx.now.astimezone(ctx.i18n.timezone))
    if now.open_now:
        if now.closes_at is None:
            return ctx._("Open 24 hours")
        return ctx._("Open now, until {time}").format(time=hhmm(now.closes_at))
    closed = (
        ctx._("Closed today for a public holiday ({holiday})").format(holiday=now.holiday)
        if now.holiday
        else ctx._("Closed now")
    )
    if now.opens_at is None or now.opens_day is None or now.opens_weekday is None:
        return ctx._("Closed") if not now.holiday else closed
    if now.opens_day == 0:
        return ctx._("{closed}, opens at {time}").format(closed=closed, time=hhmm(now.opens_at))
    if now.opens_day == 1:
        return ctx._("{closed}, opens tomorrow at {time}").format(closed=closed, time=hhmm(now.opens_at))
    return ctx._("{closed}, opens {day} at {time}").format(
        closed=closed, day=ctx.i18n.weekday(now.opens_weekday), time=hhmm(now.opens_at)
    )
