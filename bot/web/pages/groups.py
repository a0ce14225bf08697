"""A peer leader's own groups: when each meets and what reminders go out, how many members (counts only; never
who), answers to the next meetings, and the broadcast composer: the exact message members will get, shown before it
is sent, then its delivery as it goes (the same outbox, quiet hours and notices as the chat)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.web.console import LEADER, Console, Page, console_of, form_of, staff_of
from bot.web.pages.audit import record
from core.codes import show_code
from core.ports import GroupRecord
from domain.recurrence import meetings
from handlers.groups.shared import KINDS, MAX_MESSAGE, lead_time_text, schedule_text
from services.group_outbox import GROUP_BROADCAST, QUIET, broadcast_topic, place_of, start_broadcast
from services.staff import STAFF_NOTIFICATIONS
from storage.repositories import SqlUnitOfWork

SHOWN_MEETINGS = 4


async def _group(request: web.Request, uow: SqlUnitOfWork) -> GroupRecord:
    """The group of the URL, if it is the signed-in leader's own (else 404: another leader's group is not found)."""
    text = request.match_info["group"]
    group = await uow.groups.get(int(text)) if len(text) <= 12 else None
    if group is None or group.leader_id != staff_of(request).id:
        raise web.HTTPNotFound()
    return group


async def _summary(console: Console, uow: SqlUnitOfWork, group: GroupRecord) -> dict[str, Any]:
    _ = console.i18n.gettext
    return {
        "id": group.id,
        "name": group.name,
        "kind": _(KINDS.get(group.kind, KINDS["other"])),
        "code": show_code(group.code),
        "schedule": schedule_text(console.i18n, group.schedule),
        "place": await place_of(uow, group) or _("(not set)"),
        "reminders": [lead_time_text(console.i18n, m) for m in sorted(group.reminder_minutes, reverse=True)],
        "members": await uow.groups.member_count(group.id),
        "reminded": len(await uow.groups.recipients(group.id)),
    }


async def my_groups(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    async with console.unit_of_work() as uow:
        groups = [await _summary(console, uow, g) for g in await uow.groups.of_leader(staff_of(request).id)]
    return console.renderer.page(request, "groups.html", {"groups": groups})


async def _progress(console: Console, uow: SqlUnitOfWork, group: GroupRecord) -> dict[str, Any] | None:
    broadcast = await uow.broadcasts.latest(group.id)
    if broadcast is None:
        return None
    counts = await uow.outbox.counts(broadcast_topic(broadcast.id))
    waiting = sum(counts.get(state, 0) for state in ("pending", "claimed", "sending"))
    failed = sum(counts.get(state, 0) for state in ("failed", "late", "unknown"))
    return {
        "at": console.i18n.datetime(broadcast.created_at.astimezone(console.i18n.timezone), "dd/MM HH:mm"),
        "total": broadcast.total,
        "sent": counts.get("sent", 0),
        "waiting": waiting,
        "stopped": counts.get("stopped", 0),
        "failed": failed,
        "done": broadcast.finished_at is not None or not waiting,
        "quiet": not broadcast.urgent and QUIET.is_quiet(console.clock.now(), console.i18n.timezone) and bool(waiting),
    }


async def group_page(
    request: web.Request, *, draft: str = "", error: str = "", status: int = 200
) -> web.StreamResponse:
    console = console_of(request)
    now = console.clock.now()
    zone = console.i18n.timezone
    async with console.unit_of_work() as uow:
        group = await _group(request, uow)
        upcoming = []
        for meeting in meetings(group.schedule, now, now + timedelta(days=62), zone)[:SHOWN_MEETINGS]:
            coming, not_coming = await uow.groups.rsvp_counts(group.id, meeting.original_day)
            when = console.i18n.datetime(meeting.start.astimezone(zone))
            upcoming.append({"when": when, "moved": meeting.moved, "coming": coming, "not_coming": not_coming})
        past = meetings(group.schedule, now - timedelta(days=62), now, zone)
        last = None
        if past:
            count = await uow.groups.attendance(group.id, past[-1].original_day)
            last = {"day": console.i18n.date(past[-1].original_day), "count": count}
        values = {
            "group": await _summary(console, uow, group),
            "upcoming": upcoming,
            "last": last,
            "progress": await _progress(console, uow, group),
            "draft": draft,
            "error": error,
            "max_message": MAX_MESSAGE,
        }
    return console.renderer.page(request, "group.html", values, status=status)


async def show_group(request: web.Request) -> web.StreamResponse:
    return await group_page(request)


def _text(request: web.Request) -> str:
    return form_of(request).get("text", "").replace("\r\n", "\n").strip()


async def preview(request: web.Request) -> web.StreamResponse:
    """The exact message members will get, and to how many, before anything is sent."""
    console = console_of(request)
    text = _text(request)
    if not text or len(text) > MAX_MESSAGE:
        message = console.i18n.gettext("Please type a message of at most {n} characters.").format(n=MAX_MESSAGE)
        return await group_page(request, draft=text[:MAX_MESSAGE], error=message, status=422)
    async with console.unit_of_work() as uow:
        group = await _group(request, uow)
        recipients = len(await uow.groups.recipients(group.id))
        members = await uow.groups.member_count(group.id)
    shown, _ = GROUP_BROADCAST.render(console.i18n, {"group": group.name, "text": text})
    values = {
        "group": {"id": group.id, "name": group.name},
        "text": text,
        "shown": shown,
        "recipients": recipients,
        "members": members,
        "quiet": QUIET.is_quiet(console.clock.now(), console.i18n.timezone),
    }
    return console.renderer.page(request, "broadcast_preview.html", values)


async def send(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    text = _text(request)
    if not text or len(text) > MAX_MESSAGE:
        raise web.HTTPBadRequest()
    urgent = form_of(request).get("urgent") == "true"
    leader = staff_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        group = await _group(request, uow)
        notify = await uow.handles.find(leader.pseudonym, STAFF_NOTIFICATIONS.id)
        _id, total = await start_broadcast(uow, group, text, now, urgent=urgent, notify_handle_id=notify)
        await record(uow, leader, "group.broadcast", f"{group.name[:60]}: {total}", now)
        await uow.commit()
    raise web.HTTPSeeOther(f"/web/groups/{group.id}#progress")


async def progress(request: web.Request) -> web.StreamResponse:
    """The delivery of the last message, as JSON, for the page to follow without reloading."""
    console = console_of(request)
    async with console.unit_of_work() as uow:
        found = await _progress(console, uow, await _group(request, uow))
    return web.json_response(found or {})


PAGES = (
    Page("GET", "/groups", my_groups, LEADER),
    Page("GET", r"/groups/{group:\d+}", show_group, LEADER),
    Page("POST", r"/groups/{group:\d+}/preview", preview, LEADER),
    Page("POST", r"/groups/{group:\d+}/send", send, LEADER),
    Page("GET", r"/groups/{group:\d+}/progress", progress, LEADER),
)
