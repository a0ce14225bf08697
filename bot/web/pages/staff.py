"""Staff, for operators: who holds which role at which service point, by number only (never a name or a platform
id); invitations (the code shown once); a change of role or point; revoking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.web.auth import Refused
from bot.web.console import OPERATOR, Console, Page, console_of, form_of, staff_of
from bot.web.pages.audit import record
from core.codes import new_code, show_code
from core.ports import StaffRecord
from core.ports.web import WEB
from services.staff import ROLE_NAMES, ROLES, revoke
from services.talks import relieve

INVITE_DAYS = 7


async def _staff_page(request: web.Request, invited: dict[str, Any] | None = None) -> web.StreamResponse:
    console = console_of(request)
    _ = console.i18n.gettext
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        points = {p.id: p for p, _ in await console.listings.current(uow)}
        members: list[StaffRecord] = []
        for role in (*ROLES, "revoked"):
            members.extend(await uow.staff.members(role))
        rows = [
            {
                "id": m.id,
                "role": m.role,
                "role_name": _(ROLE_NAMES[m.role]),
                "point": points[m.point_id].name if m.point_id in points else "",
                "point_id": m.point_id,
                "hours": await uow.staff.availability(m.id) is not None if m.role == "counsellor" else None,
                "sessions": await uow.get(WEB).sessions_of(m.id, now),
                "me": m.id == staff_of(request).id,
            }
            for m in sorted(members, key=lambda m: m.id)
        ]
    values = {
        "rows": rows,
        "roles": [(r, _(ROLE_NAMES[r])) for r in ROLES],
        "points": [(p.id, p.name) for p in points.values()],  # by name, as the list keeps them
        "invited": invited,
        "invite_days": INVITE_DAYS,
    }
    return console.renderer.page(request, "staff.html", values)


async def staff_list(request: web.Request) -> web.StreamResponse:
    return await _staff_page(request)


async def _point_id(console: Console, text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPBadRequest()
    async with console.unit_of_work() as uow:
        if await uow.directory.get(int(text)) is None:
            raise web.HTTPBadRequest()
    return int(text)


async def invite(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = form_of(request)
    role = form.get("role", "")
    if role not in ROLES:
        raise web.HTTPBadRequest()
    point_id = await _point_id(console, form.get("point", ""))
    code = new_code(10)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        await uow.staff.create_invite(code, role, point_id, now, now + timedelta(days=INVITE_DAYS))
        await record(uow, staff_of(request), "staff.invite", role, now)
        await uow.commit()
    invited = {"role_name": console.i18n.gettext(ROLE_NAMES[role]), "command": f"/staff {show_code(code)}"}
    return await _staff_page(request, invited)


async def _member(request: web.Request) -> StaffRecord:
    text = request.match_info["member"]
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPNotFound()
    async with console_of(request).unit_of_work() as uow:
        member = await uow.staff.get(int(text))
    if member is None:
        raise web.HTTPNotFound()
    if member.id == staff_of(request).id:
        raise Refused(console_of(request).i18n.gettext("You cannot change or revoke your own role here."))
    return member


async def change(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    member = await _member(request)
    form = form_of(request)
    role = form.get("role", "")
    if role not in ROLES:
        raise web.HTTPBadRequest()
    point_id = await _point_id(console, form.get("point", ""))
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        if member.role == "counsellor" and role != "counsellor":
            await relieve(uow, member.id, now)  # no longer on duty for live talks
        await uow.staff.change(member.id, role, point_id)
        await record(uow, staff_of(request), "staff.change", f"#{member.id}: {member.role} -> {role}", now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/staff")


async def revoke_member(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    member = await _member(request)
    if form_of(request).get("sure") != "yes":
        raise Refused(console.i18n.gettext("Tick the box to confirm, then press the button again."), 400)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        await revoke(uow, member.id, now)
        await record(uow, staff_of(request), "staff.revoke", f"#{member.id} ({member.role})", now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/staff")


PAGES = (
    Page("GET", "/staff", staff_list, OPERATOR),
    Page("POST", "/staff/invite", invite, OPERATOR),
    Page("POST", r"/staff/{member:\d+}", change, OPERATOR),
    Page("POST", r"/staff/{member:\d+}/revoke", revoke_member, OPERATOR),
)
