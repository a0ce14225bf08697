"""The home page: what the signed-in staff member's role can do, and how to sign out everywhere."""

from __future__ import annotations

from aiohttp import web

from bot.web.console import STAFF, Page, console_of, staff_of
from core.ports.web import WEB
from services.staff import ROLE_NAMES


async def home(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    staff = staff_of(request)
    async with console.unit_of_work() as uow:
        sessions = await uow.get(WEB).sessions_of(staff.id, console.clock.now())
    values = {"role_name": console.i18n.gettext(ROLE_NAMES[staff.role]), "sessions": sessions}
    return console.renderer.page(request, "home.html", values)


async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/web/")


PAGES = (Page("GET", "/", home, STAFF), Page("GET", "", root, None))
