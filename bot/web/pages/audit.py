"""The audit log, for operators: which staff member (by number and role) did what, and when; nothing about
clients."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.web.console import OPERATOR, Page, console_of, page_number
from core.i18n import N_
from core.ports import StaffRecord
from core.ports.web import WEB
from services.staff import ROLE_NAMES
from storage.repositories import SqlUnitOfWork

PER_PAGE = 100
ACTIONS = {
    "signin": N_("signed in"),
    "point.add": N_("added a service point"),
    "point.edit": N_("edited a service point"),
    "point.close": N_("closed a service point"),
    "point.verify": N_("marked a listing verified"),
    "points.import": N_("imported service points"),
    "points.export": N_("exported the directory"),
    "staff.invite": N_("invited a staff member"),
    "staff.change": N_("changed a staff member's role or point"),
    "staff.revoke": N_("revoked a staff member"),
    "hours.set": N_("set their weekly hours"),
    "dayoff.add": N_("added a day off"),
    "dayoff.remove": N_("removed a day off"),
    "booking.mark": N_("marked a booking attended or missed"),
    "roster.set": N_("changed the duty roster"),
    "group.broadcast": N_("sent a message to a group"),
    "group.edit": N_("changed a group"),
    "staff.hours": N_("set a counsellor's hours"),
    "talk.lift": N_("lifted a block from live talks"),
    "points.sample": N_("loaded the sample points"),
    "group.call_off": N_("called off a group meeting"),
}


async def record(uow: SqlUnitOfWork, staff: StaffRecord, action: str, subject: str, now: datetime) -> None:
    """Add an entry to the audit log (in the page's own transaction)."""
    await uow.get(WEB).audit(staff.id, staff.role, action, subject, now)


async def audit_log(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    page = page_number(request)
    async with console.unit_of_work() as uow:
        entries = await uow.get(WEB).audit_log(PER_PAGE + 1, (page - 1) * PER_PAGE)
    zone = console.i18n.timezone
    rows = [
        {
            "at": console.i18n.datetime(e.at.astimezone(zone), "dd/MM/yyyy HH:mm"),
            "who": f"#{e.staff_id}",
            "role": console.i18n.gettext(ROLE_NAMES.get(e.role, e.role)),
            "action": console.i18n.gettext(ACTIONS[e.action]) if e.action in ACTIONS else e.action,
            "subject": e.subject,
        }
        for e in entries[:PER_PAGE]
    ]
    values = {"rows": rows, "page": page, "more": len(entries) > PER_PAGE}
    return console.renderer.page(request, "audit.html", values)


PAGES = (Page("GET", "/audit", audit_log, OPERATOR),)
