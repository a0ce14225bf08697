"""Programme figures for managers: the indicators by week, for the country or one province, with a chart and a
CSV download; the same anonymous weekly counts and the same small-cell rules as ``python -m bot report`` and
``/baocao`` ("<5" for 1 to 4, "≥ n" for a withheld sum).  And the live talks now, as counts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

from bot.charts import chart_png
from bot.web.auth import Refused
from bot.web.console import MANAGER, OPERATOR, Console, Page, console_of
from core.ports.talks import TALKS
from core.threads import off_loop
from domain.indicators import Report, whole_weeks
from handlers.report import csv_text, period_text, place_name, report_lines, week_label
from services.reports import programme_report

DEFAULT_WEEKS = 8
MAX_WEEKS = 106


@dataclass(frozen=True, slots=True)
class Asked:
    first: date
    last: date
    province: str | None


def _asked(console: Console, request: web.Request) -> Asked:
    _ = console.i18n.gettext
    today = console.today()
    query = request.query
    try:
        last = date.fromisoformat(query["to"]) if query.get("to") else today
        first = date.fromisoformat(query["from"]) if query.get("from") else last - timedelta(weeks=DEFAULT_WEEKS)
    except ValueError:
        raise Refused(_("A date is not valid: use the date pickers."), 400) from None
    if last < first or (last - first).days > MAX_WEEKS * 7:
        raise Refused(_("Choose a period of two years at most, with its start before its end."), 400)
    province = query.get("province") or None
    if province is not None and province not in console.gazetteer.provinces:
        raise Refused(_("There is no such province."), 400)
    return Asked(first, last, province)


async def _report(console: Console, asked: Asked) -> Report | None:
    today = console.today()
    weeks = whole_weeks(asked.first, asked.last, today)
    if not weeks:
        return None
    async with console.reading() as uow:
        return await programme_report(uow, weeks, province=asked.province)


async def reports(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    asked = _asked(console, request)
    made = await _report(console, asked)
    i18n = console.i18n
    query = "&".join(f"{k}={v}" for k, v in (("from", asked.first), ("to", asked.last)) if v)
    if asked.province:
        query += f"&province={asked.province}"
    provinces = sorted(console.gazetteer.provinces.values(), key=lambda p: p.name)
    values = {
        "asked": asked,
        "provinces": [(p.id, p.name) for p in provinces],
        "where": place_name(i18n, console.gazetteer, asked.province),
        "weeks": [week_label(i18n, w) for w in made.weeks] if made else [],
        "period": period_text(i18n, made.weeks) if made else "",
        "lines": report_lines(made, i18n) if made else [],
        "query": query,
    }
    return console.renderer.page(request, "reports.html", values)


async def download(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    made = await _report(console, _asked(console, request))
    if made is None:
        raise Refused(console.i18n.gettext("No whole week of that period has ended yet."), 400)
    name = f"diemtua-{made.weeks[0].isoformat()}-{made.weeks[-1].isoformat()}" + (
        f"-{made.province}" if made.province else ""
    )
    return web.Response(
        text=csv_text(made, report_lines(made, console.i18n), console.i18n),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _png(made: Report, console: Console) -> bytes:
    """The CLI's chart, as PNG."""
    where = place_name(console.i18n, console.gazetteer, made.province)
    return chart_png(made, report_lines(made, console.i18n), console.i18n, where, dpi=90)


async def chart(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    made = await _report(console, _asked(console, request))
    if made is None:
        raise web.HTTPNotFound()
    return web.Response(body=await off_loop(_png, made, console), content_type="image/png")


async def live_talks(request: web.Request) -> web.StreamResponse:
    """Counts only: how many wait, the longest wait, how many talks are open, who is on duty (by number)."""
    console = console_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        repo = uow.get(TALKS)
        waiting, duties, rosters = await repo.waiting(), await repo.on_duty(), await repo.rosters()
    longest = max((int((now - t.requested_at).total_seconds() // 60) for t in waiting), default=0)
    values = {
        "waiting": len(waiting),
        "longest": max(0, longest),
        "open": sum(d.talks for d in duties),
        "on_duty": len(duties),
        "rosters": sorted(
            (
                (place_name(console.i18n, console.gazetteer, where), hours, where or "")
                for where, hours in rosters.items()
            ),
            key=lambda r: (r[2] != "", r[0]),
        ),
    }
    return console.renderer.page(request, "talks.html", values)


PAGES = (
    Page("GET", "/reports", reports, MANAGER),
    Page("GET", "/reports.csv", download, MANAGER),
    Page("GET", "/reports/chart.png", chart, MANAGER),
    Page("GET", "/talks", live_talks, MANAGER | OPERATOR),
)
