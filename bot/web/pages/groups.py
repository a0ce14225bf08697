"""A peer leader's own groups: when each meets and what reminders go out, how many members (counts only; never
who), answers to the next meetings, and the broadcast composer: the exact message members will get, shown before it
is sent, then its delivery as it goes (the same outbox, quiet hours and notices as the chat)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from aiohttp import web
from multidict import MultiDict

from bot.web.auth import Refused
from bot.web.console import LEADER, Console, Page, console_of, form_of, staff_of
from bot.web.pages.audit import record
from core.codes import show_code
from core.ports import GroupRecord
from domain.recurrence import Repeat, Schedule, meetings
from handlers.groups.shared import (
    KINDS,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_PLACE,
    ORDINALS,
    REMINDER_SETS,
    lead_time_text,
    schedule_text,
)
from services.group_outbox import (
    GROUP_BROADCAST,
    QUIET,
    broadcast_topic,
    group_topics,
    meeting_changed,
    place_of,
    plan_reminders,
    start_broadcast,
)
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
            upcoming.append(
                {
                    "day": meeting.original_day.isoformat(),
                    "when": when,
                    "moved": meeting.moved,
                    "coming": coming,
                    "not_coming": not_coming,
                }
            )
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
            "edit": _edit_values(console, group),
            "saved": request.query.get("saved") == "1",
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


REPEATS = ("weekly", "fortnightly", "monthly:1", "monthly:2", "monthly:3", "monthly:4", "monthly:-1")


def _edit_values(console: Console, group: GroupRecord) -> dict[str, Any]:
    """What the group's edit form starts from, and its choices."""
    _ = console.i18n.gettext
    schedule = group.schedule
    repeat = str(schedule.repeat) + (f":{schedule.ordinal}" if schedule.repeat is Repeat.MONTHLY else "")
    labels = {"weekly": _("Every week"), "fortnightly": _("Every other week")}
    labels |= {f"monthly:{n}": _("Once a month, the {nth} week").format(nth=_(ORDINALS[n])) for n in ORDINALS}
    reminder_sets = {";".join(map(str, k)): _(v) for k, v in REMINDER_SETS.items()} | {"": _("No reminders")}
    return {
        "name": group.name,
        "place": group.place,
        "has_point": group.point_id is not None,
        "repeat": repeat,
        "repeats": [(r, labels[r]) for r in REPEATS],
        "days": [(d, console.i18n.weekday(d), d in schedule.weekdays) for d in range(7)],
        "at": schedule.at.strftime("%H:%M"),
        "reminders": ";".join(map(str, group.reminder_minutes)),
        "reminder_sets": list(reminder_sets.items()),
        "max_name": MAX_NAME,
        "max_place": MAX_PLACE,
    }


def _read_edit(console: Console, group: GroupRecord, form: MultiDict[str]) -> dict[str, Any] | str:
    """The changed fields of the edit form, or what is wrong (in words)."""
    _ = console.i18n.gettext
    name, place = form.get("name", "").strip(), form.get("place", "").strip()
    repeat = form.get("repeat", "")
    days = {int(d) for d in form.getall("day", []) if d in ("0", "1", "2", "3", "4", "5", "6")}
    reminders = tuple(int(m) for m in form.get("reminders", "").split(";") if m.isdigit())
    if not name or len(name) > MAX_NAME or len(place) > MAX_PLACE:
        return _("Give the group a name of at most {n} characters.").format(n=MAX_NAME)
    if repeat not in REPEATS or not days or (reminders and reminders not in REMINDER_SETS):
        return _("Choose how often the group meets, and on which days.")
    try:
        at = time.fromisoformat(form.get("at", ""))
    except ValueError:
        return _("Give the time of the meetings, such as 18:30.")
    kind, _sep, ordinal = repeat.partition(":")
    today = console.today()
    schedule = Schedule(
        Repeat(kind), at.replace(second=0, microsecond=0), frozenset(days), today, ordinal=int(ordinal or 1)
    )
    fields: dict[str, Any] = {"name": name}
    if group.point_id is None:
        fields["place"] = place
    same = (schedule.repeat, schedule.at, schedule.weekdays, schedule.ordinal)
    if same != (group.schedule.repeat, group.schedule.at, group.schedule.weekdays, group.schedule.ordinal):
        fields["schedule"] = schedule
    if reminders != group.reminder_minutes:
        fields["reminder_minutes"] = reminders
    return fields


async def edit(request: web.Request) -> web.StreamResponse:
    """Change the group: its name, place, when it meets and its reminders (members' reminders planned again)."""
    console = console_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        group = await _group(request, uow)
        fields = _read_edit(console, group, form_of(request))
        if isinstance(fields, str):
            raise Refused(fields, 400)
        await uow.groups.update(group.id, now, **fields)
        if "schedule" in fields or "reminder_minutes" in fields:
            await uow.outbox.drop_topic(group_topics(group.id), prefix=True)
            updated = await uow.groups.get(group.id) or group
            await plan_reminders(uow, console.i18n, updated, await uow.groups.recipients(group.id), now, since=now)
        await record(uow, staff_of(request), "group.edit", group.name[:60], now)
        await uow.commit()
    raise web.HTTPSeeOther(f"/web/groups/{group.id}?saved=1")


async def call_off(request: web.Request) -> web.StreamResponse:
    """Call off one coming meeting: its reminders go and the members who get messages are told, as in the chat."""
    console = console_of(request)
    now = console.clock.now()
    if form_of(request).get("sure") != "yes":
        raise Refused(console.i18n.gettext("Tick the box to confirm, then press the button again."), 400)
    try:
        day = date.fromisoformat(form_of(request).get("day", ""))
    except ValueError:
        raise web.HTTPBadRequest() from None
    async with console.unit_of_work() as uow:
        group = await _group(request, uow)
        found = meetings(group.schedule, now, now + timedelta(days=400), console.i18n.timezone)
        meeting = next((m for m in found if m.original_day == day), None)
        if meeting is None:
            raise web.HTTPNotFound()
        await meeting_changed(uow, console.i18n, group, meeting, None, now)
        await record(uow, staff_of(request), "group.call_off", f"{group.name[:60]}: {day.isoformat()}", now)
        await uow.commit()
    raise web.HTTPSeeOther(f"/web/groups/{group.id}")


PAGES = (
    Page("GET", "/groups", my_groups, LEADER),
    Page("GET", r"/groups/{group:\d+}", show_group, LEADER),
    Page("POST", r"/groups/{group:\d+}/preview", preview, LEADER),
    Page("POST", r"/groups/{group:\d+}/send", send, LEADER),
    Page("GET", r"/groups/{group:\d+}/progress", progress, LEADER),
    Page("POST", r"/groups/{group:\d+}/edit", edit, LEADER),
    Page("POST", r"/groups/{group:\d+}/call-off", call_off, LEADER),
)
