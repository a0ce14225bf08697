"""What else ``python -m bot staff`` and ``points`` do, for operators in the browser: a counsellor's availability in
full (the grid, appointment length, the gap between appointments, notice, how far ahead, ways of meeting), the
blocks from live talks (by the talk's alias only) and lifting one, and the sample points for an empty directory."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.web.auth import Refused
from bot.web.console import OPERATOR, Console, Page, console_of, form_of, staff_of
from bot.web.pages.audit import record
from bot.web.pages.counsellor import grid_values
from core.hotlines import SHIPPED_DATA
from core.ports import StaffRecord
from core.ports.talks import TALKS
from core.threads import off_loop
from domain.directory import ServicePoint
from domain.pointfile import parse_csv
from domain.slots import MODES, Availability
from domain.week_grid import Grid, grid_of, hours_of, read_cells
from handlers.booking import MODES as MODE_NAMES

SAMPLE = SHIPPED_DATA / "sample" / "points.csv"
DEFAULT_SLOT, DEFAULT_BUFFER, DEFAULT_NOTICE_HOURS, DEFAULT_HORIZON = 45, 15, 2, 14  # as the CLI's options
LIMITS = {"slot": (5, 240), "buffer": (0, 120), "notice": (0, 720), "horizon": (0, 90)}


async def _counsellor(request: web.Request) -> StaffRecord:
    text = request.match_info["member"]
    async with console_of(request).unit_of_work() as uow:
        member = await uow.staff.get(int(text)) if len(text) <= 12 else None
    if member is None or member.role != "counsellor":
        raise web.HTTPNotFound()
    return member


async def _hours_page(
    request: web.Request, member: StaffRecord, *, grid: Grid | None = None, error: str = ""
) -> web.StreamResponse:
    console = console_of(request)
    async with console.unit_of_work() as uow:
        availability = await uow.staff.availability(member.id)
    today = console.today()
    values = {
        **grid_values(console, grid or grid_of(availability.pattern if availability else None, today)),
        "member": member,
        "slot": availability.slot_minutes if availability else DEFAULT_SLOT,
        "buffer": availability.buffer_minutes if availability else DEFAULT_BUFFER,
        "notice": int(availability.notice.total_seconds() // 3600) if availability else DEFAULT_NOTICE_HOURS,
        "horizon": availability.horizon_days if availability else DEFAULT_HORIZON,
        "modes": [(m, console.i18n.gettext(MODE_NAMES.get(m, m))) for m in MODES],
        "chosen_modes": set(availability.modes) if availability else {"in_person"},
        "days_off": sorted(d for d in (availability.days_off if availability else ()) if d >= today),
        "error": error,
    }
    return console.renderer.page(request, "staff_hours.html", values, status=422 if error else 200)


async def show_hours(request: web.Request) -> web.StreamResponse:
    return await _hours_page(request, await _counsellor(request))


def _number(form_value: str, name: str) -> int:
    low, high = LIMITS[name]
    if not form_value.isdigit() or not low <= int(form_value) <= high:
        raise ValueError(name)
    return int(form_value)


async def save_hours(request: web.Request) -> web.StreamResponse:
    """What ``staff availability`` sets, from the browser: the days off already set are kept."""
    console = console_of(request)
    member = await _counsellor(request)
    form = form_of(request)
    cells = read_cells(form.getall("cell", []))
    holidays_off = form.get("holidays") == "true"
    hours = hours_of(cells, holidays_off=holidays_off)
    grid = Grid(frozenset(cells), holidays_off)
    if hours is None:
        return await _hours_page(
            request, member, grid=grid, error=console.i18n.gettext("Tick at least one half hour in the grid.")
        )
    try:
        numbers = {name: _number(form.get(name, ""), name) for name in LIMITS}
    except ValueError:
        message = console.i18n.gettext(
            "Check the numbers: an appointment lasts 5 to 240 minutes, the gap is 0 to 120 minutes, the notice 0 to "
            "720 hours, and people book 0 to 90 days ahead."
        )
        return await _hours_page(request, member, grid=grid, error=message)
    modes = tuple(m for m in MODES if m in form.getall("mode", []))
    if not modes:
        return await _hours_page(
            request, member, grid=grid, error=console.i18n.gettext("Choose at least one way of meeting.")
        )
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        previous = await uow.staff.availability(member.id)
        availability = Availability(
            hours,
            slot_minutes=numbers["slot"],
            buffer_minutes=numbers["buffer"],
            notice=timedelta(hours=numbers["notice"]),
            horizon_days=numbers["horizon"],
            modes=modes,
            days_off=previous.days_off if previous else frozenset(),
        )
        await uow.staff.set_availability(member.id, availability)
        await record(uow, staff_of(request), "staff.hours", f"#{member.id}", now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/staff")


async def blocks(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    async with console.unit_of_work() as uow:
        found = await uow.get(TALKS).blocks(console.clock.now())
    zone = console.i18n.timezone
    rows = [(alias, console.i18n.date(until.astimezone(zone).date(), "dd/MM/yyyy")) for alias, until in found]
    return console.renderer.page(request, "blocks.html", {"rows": rows})


async def lift(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    alias = form_of(request).get("alias", "")[:8]
    async with console.unit_of_work() as uow:
        if not await uow.get(TALKS).lift(alias):
            raise web.HTTPNotFound()
        await record(uow, staff_of(request), "talk.lift", alias, console.clock.now())
        await uow.commit()
    raise web.HTTPSeeOther("/web/blocks")


def _sample(console: Console) -> list[ServicePoint]:
    return [point for _, point in parse_csv(SAMPLE.read_text(encoding="utf-8"), console.gazetteer).accepted]


async def load_sample(request: web.Request) -> web.StreamResponse:
    """The shipped sample points (marked as samples), into an empty directory only, as ``points load-sample``."""
    console = console_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        if await console.listings.current(uow):
            raise Refused(
                console.i18n.gettext("The directory is not empty: sample data is loaded only into an empty one."), 400
            )
        points = await off_loop(_sample, console)
        counts = await uow.directory.upsert(points, now)
        await record(uow, staff_of(request), "points.sample", str(counts.inserted), now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/points")


PAGES = (
    Page("GET", r"/staff/{member:\d+}/hours", show_hours, OPERATOR),
    Page("POST", r"/staff/{member:\d+}/hours", save_hours, OPERATOR),
    Page("GET", "/blocks", blocks, OPERATOR),
    Page("POST", "/blocks/lift", lift, OPERATOR),
    Page("POST", "/points/load-sample", load_sample, OPERATOR),
)
