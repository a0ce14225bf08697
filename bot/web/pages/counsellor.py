"""A counsellor's own pages: weekly hours on a grid of half hours (no syntax to learn; the same hours the chat
keeps), days off (warned first about the appointments already booked that day, as the chat does), and today's and
upcoming bookings by time, mode and code (never who the person is; the call-back number only where they agreed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.web.auth import Refused
from bot.web.console import COUNSELLOR, Console, Page, console_of, form_of, staff_of
from bot.web.pages.audit import record
from core.clock import week_start
from core.codes import show_code
from domain.hours import OpeningHours
from domain.slots import Availability
from domain.week_grid import Grid, cell_name, clock, grid_of, hours_of, read_cells
from handlers.booking import MODES
from handlers.callback import CALLBACK_PHONE
from handlers.days_off import add_day_off, booked_on, cancel_for_day_off
from handlers.staff import SLOT_LENGTHS

BOOKINGS_AHEAD = timedelta(days=30)


def _summary(console: Console, hours: OpeningHours | None, today: date) -> list[str]:
    if hours is None:
        return []
    lines = []
    for weekday, spans in enumerate(hours.typical_week(today)):
        if spans:
            times = ", ".join(f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}" for a, b in spans)
            lines.append(f"{console.i18n.weekday(weekday)}: {times}")
    return lines


def grid_values(console: Console, grid: Grid) -> dict[str, Any]:
    return {
        "days": [(d, console.i18n.weekday(d)) for d in range(7)],
        "rows": [(slot, clock(slot)) for slot in grid.rows()],
        "open": {cell_name(c) for c in grid.cells},
        "holidays_off": grid.holidays_off,
    }


async def hours_page(
    request: web.Request, *, grid: Grid | None = None, error: str = "", status: int = 200
) -> web.StreamResponse:
    console = console_of(request)
    async with console.unit_of_work() as uow:
        availability = await uow.staff.availability(staff_of(request).id)
    today = console.today()
    shown = grid or grid_of(availability.pattern if availability else None, today)
    values = {
        **grid_values(console, shown),
        "slot": availability.slot_minutes if availability else 45,
        "slot_lengths": SLOT_LENGTHS,
        "modes": [(m, console.i18n.gettext(label)) for m, label in MODES.items() if m != "online"],
        "chosen_modes": set(availability.modes) if availability else {"in_person"},
        "summary": _summary(console, availability.pattern if availability else None, today),
        "error": error,
        "saved": request.query.get("saved") == "1",
    }
    return console.renderer.page(request, "hours.html", values, status=status)


async def show_hours(request: web.Request) -> web.StreamResponse:
    return await hours_page(request)


async def save_hours(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = form_of(request)
    cells = read_cells(form.getall("cell", []))
    holidays_off = form.get("holidays") == "true"
    hours = hours_of(cells, holidays_off=holidays_off)
    if hours is None:
        message = console.i18n.gettext("Tick at least one half hour in the grid.")
        return await hours_page(request, grid=Grid(frozenset(), holidays_off), error=message, status=422)
    slot = int(form.get("slot", "45")) if form.get("slot", "").isdigit() else 0
    modes = tuple(m for m in ("in_person", "phone") if m in form.getall("mode", []))
    if slot not in SLOT_LENGTHS or not modes:
        message = console.i18n.gettext("Choose an appointment length and at least one way of meeting.")
        return await hours_page(request, grid=Grid(frozenset(cells), holidays_off), error=message, status=422)
    staff = staff_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        previous = await uow.staff.availability(staff.id)
        availability = (
            replace(previous, pattern=hours, slot_minutes=slot, modes=modes)
            if previous
            else Availability(hours, slot_minutes=slot, modes=modes)
        )
        await uow.staff.set_availability(staff.id, availability)
        await record(uow, staff, "hours.set", f"#{staff.id}", now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/hours?saved=1")


def _day(console: Console, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Refused(console.i18n.gettext("Choose a date."), 400) from None
    if day < console.today():
        raise Refused(console.i18n.gettext("That day has passed. Choose a day still to come."), 400)
    return day


async def days_off(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    async with console.unit_of_work() as uow:
        availability = await uow.staff.availability(staff_of(request).id)
    today = console.today()
    days = sorted(d for d in (availability.days_off if availability else ()) if d >= today)
    query = request.query
    added = {k: query.get(k, "")[:10] for k in ("added", "cancelled", "told")} if "added" in query else None
    values = {
        "days": days,
        "today": today.isoformat(),
        "has_hours": availability is not None,
        "confirm": None,
        "added": added,
    }
    return console.renderer.page(request, "days_off.html", values)


async def add_off(request: web.Request) -> web.StreamResponse:
    """Add a day off; if appointments are booked that day, show them and ask first (cancel them, telling the
    people who agreed to messages, or keep them), as the chat does."""
    console = console_of(request)
    form = form_of(request)
    day = _day(console, form.get("day", ""))
    answer = form.get("answer", "")
    staff = staff_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        if await uow.staff.availability(staff.id) is None:
            raise Refused(console.i18n.gettext("Set your weekly hours first."), 400)
        booked = await booked_on(uow, staff.id, day, console.i18n.timezone)
        if booked and answer not in ("cancel", "keep"):
            zone = console.i18n.timezone
            confirm = {
                "day": day,
                "booked": [
                    (console.i18n.datetime(b.starts_at.astimezone(zone), "HH:mm"), show_code(b.code)) for b in booked
                ],
            }
            values = {"days": [], "today": day.isoformat(), "has_hours": True, "confirm": confirm, "added": None}
            return console.renderer.page(request, "days_off.html", values)
        await add_day_off(uow, staff.id, day)
        told = 0
        if answer == "cancel":
            for booking in booked:
                told += await cancel_for_day_off(uow, staff.id, booking, now, console.i18n.timezone)
        await record(uow, staff, "dayoff.add", day.isoformat(), now)
        await uow.commit()
    cancelled = len(booked) if answer == "cancel" else 0
    raise web.HTTPSeeOther(f"/web/days-off?added={day.isoformat()}&cancelled={cancelled}&told={told}")


async def remove_off(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    day = _day(console, form_of(request).get("day", ""))
    staff = staff_of(request)
    async with console.unit_of_work() as uow:
        previous = await uow.staff.availability(staff.id)
        if previous is not None and day in previous.days_off:
            await uow.staff.set_availability(staff.id, replace(previous, days_off=previous.days_off - {day}))
            await record(uow, staff, "dayoff.remove", day.isoformat(), console.clock.now())
        await uow.commit()
    raise web.HTTPSeeOther("/web/days-off")


async def bookings(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    staff = staff_of(request)
    zone = console.i18n.timezone
    now = console.clock.now()
    start = datetime.combine(console.today(), time(), tzinfo=zone)
    _ = console.i18n.gettext
    rows = []
    async with console.unit_of_work() as uow:
        for booking in await uow.bookings.of_counsellor(staff.id, start, start + BOOKINGS_AHEAD):
            phone = await uow.handles.booking_address(booking.id, CALLBACK_PHONE.id)
            local = booking.starts_at.astimezone(zone)
            rows.append(
                {
                    "id": booking.id,
                    "day": console.i18n.date(local.date(), "EEEE dd/MM"),
                    "time": f"{local:%H:%M}",
                    "today": local.date() == start.date(),
                    "mode": _(MODES.get(booking.mode, booking.mode)),
                    "code": show_code(booking.code),
                    "family": booking.for_family,
                    "phone": phone or "",
                    "status": booking.status,
                    "can_mark": booking.starts_at <= now and booking.status == "booked",
                }
            )
    return console.renderer.page(request, "bookings.html", {"rows": rows})


async def mark(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    text = request.match_info["booking"]
    outcome = form_of(request).get("outcome", "")
    if outcome not in ("attended", "missed") or len(text) > 12:
        raise web.HTTPBadRequest()
    staff = staff_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        if await uow.bookings.mark(int(text), staff.id, outcome):  # only the counsellor's own booking
            await uow.tallies.add(week_start(now.astimezone(console.i18n.timezone).date()), f"booking_{outcome}")
            await record(uow, staff, "booking.mark", outcome, now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/bookings")


PAGES = (
    Page("GET", "/hours", show_hours, COUNSELLOR),
    Page("POST", "/hours", save_hours, COUNSELLOR),
    Page("GET", "/days-off", days_off, COUNSELLOR),
    Page("POST", "/days-off", add_off, COUNSELLOR),
    Page("POST", "/days-off/remove", remove_off, COUNSELLOR),
    Page("GET", "/bookings", bookings, COUNSELLOR),
    Page("POST", r"/bookings/{booking:\d+}/mark", mark, COUNSELLOR),
)
