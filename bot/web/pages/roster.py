"""The duty roster for operators: when counsellors are usually on duty for live talks, nationwide or in one
province, set on the same grid of half hours as a counsellor's hours (what ``python -m bot staff roster`` sets in
OpenStreetMap syntax).  People are told these hours when nobody is on duty."""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import Refused
from bot.web.console import OPERATOR, Console, Page, console_of, form_of, staff_of
from bot.web.pages.audit import record
from bot.web.pages.counsellor import grid_values
from core.ports.talks import TALKS
from domain.hours import format_hours, parse_hours
from domain.week_grid import Grid, grid_of, hours_of, read_cells
from handlers.report import place_name


def _province(console: Console, text: str) -> str | None:
    if not text:
        return None
    if text not in console.gazetteer.provinces:
        raise Refused(console.i18n.gettext("There is no such province."), 400)
    return text


async def roster(request: web.Request, *, grid: Grid | None = None, error: str = "") -> web.StreamResponse:
    console = console_of(request)
    province = _province(console, request.query.get("province", ""))
    async with console.unit_of_work() as uow:
        current = (await uow.get(TALKS).rosters()).get(province)
    today = console.today()
    shown = grid or grid_of(parse_hours(current) if current else None, today)
    provinces = sorted(console.gazetteer.provinces.values(), key=lambda p: p.name)
    values = {
        **grid_values(console, shown),
        "province": province or "",
        "where": place_name(console.i18n, console.gazetteer, province),
        "provinces": [(p.id, p.name) for p in provinces],
        "current": current or "",
        "error": error,
    }
    return console.renderer.page(request, "roster.html", values, status=422 if error else 200)


async def show(request: web.Request) -> web.StreamResponse:
    return await roster(request)


async def save(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = form_of(request)
    province = _province(console, form.get("province", ""))
    clear = form.get("action") == "clear"
    hours = (
        None if clear else hours_of(read_cells(form.getall("cell", [])), holidays_off=form.get("holidays") == "true")
    )
    if hours is None and not clear:
        return await roster(
            request,
            grid=Grid(frozenset(), False),
            error=console.i18n.gettext("Tick at least one half hour in the grid."),
        )
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        await uow.get(TALKS).set_roster(province, None if hours is None else format_hours(hours))
        await record(uow, staff_of(request), "roster.set", province or "nationwide", now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/talks")


PAGES = (Page("GET", "/roster", show, OPERATOR), Page("POST", "/roster", save, OPERATOR))
