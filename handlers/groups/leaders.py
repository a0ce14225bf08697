"""Self-help groups, the peer leaders' side: create and edit their groups, call a meeting off or move it
(members are told), count who came, and write to the whole group: write, preview, confirm, then follow the
progress.  The leader sees numbers only, never who the members are.  Every button names a group, and every
handler checks that the group is the leader's own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from core.clock import week_start
from core.codes import new_code, show_code
from core.conversation import Context, Routes
from core.events import Choice, TextMessage
from core.i18n import N_
from core.ports import GroupRecord, StaffRecord
from domain.hours import HoursError
from domain.recurrence import Meeting, Repeat, Schedule, meetings
from domain.typed_dates import parse_day_time, parse_weekdays_time
from handlers.groups.shared import (
    FLOW,
    KINDS,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_PLACE,
    ORDINALS,
    REMINDER_SETS,
    Act,
    CallOff,
    Edit,
    Kind,
    Often,
    Panel,
    PanelAction,
    Place,
    Reminders,
    Send,
    describe_schedule,
    join_link,
    kind_name,
    lead_time,
    upcoming,
    where,
)
from handlers.menu import show_menu
from handlers.staff_notices import STAFF_NOTIFICATIONS
from services.group_outbox import (
    BROADCAST_PROGRESS,
    BROADCAST_REPORT,
    GROUP_BROADCAST,
    QUIET,
    broadcast_topic,
    group_topics,
    meeting_changed,
    plan_reminders,
    start_broadcast,
)

router = Routes("group_leaders")


async def _leader(ctx: Context) -> StaffRecord | None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    return member if member is not None and member.role == "leader" else None


async def _owned(ctx: Context, leader: StaffRecord, group_id: object) -> GroupRecord | None:
    text = str(group_id)
    group = await ctx.uow.groups.get(int(text)) if text.isdecimal() else None
    return group if group is not None and group.leader_id == leader.id else None


async def _leader_and_group(ctx: Context, group_id: int) -> tuple[StaffRecord, GroupRecord] | None:
    """The leader and their group ``group_id``; None (and the menu shown) when the person is no leader or the
    group is not theirs."""
    leader = await _leader(ctx)
    group = await _owned(ctx, leader, group_id) if leader else None
    if leader is None or group is None:
        show_menu(ctx)
        return None
    return leader, group


async def leader_home(ctx: Context, leader: StaffRecord) -> None:
    ctx.state.leave()
    groups = await ctx.uow.groups.of_leader(leader.id)
    choices = [Panel(g.id).choice(g.name[:60]) for g in groups]
    choices.append(Choice("lead.new", ctx._("Create a group")))
    choices.append(Choice("menu", ctx._("Main menu")))
    text = ctx._("Your groups:") if groups else ctx._("You have no groups yet. Create your first one:")
    ctx.say(text, title=ctx._("Peer leader menu"), choices=choices)


@router.choice("lead")
async def leader_menu(ctx: Context) -> None:
    leader = await _leader(ctx)
    if leader is None:
        show_menu(ctx)
        return
    await leader_home(ctx, leader)


@router.choice(Panel)
async def group_panel(ctx: Context, data: Panel) -> None:
    if (chosen := await _leader_and_group(ctx, data.group)) is not None:
        await show_panel(ctx, chosen[1])


def _back(ctx: Context, group: GroupRecord, label: str = N_("Back")) -> Choice:
    return Panel(group.id).choice(ctx._(label))


async def show_panel(ctx: Context, group: GroupRecord, note: str = "") -> None:
    ctx.state.leave()
    meeting = upcoming(ctx, group)
    last = _last_meeting(ctx, group)
    lines = [note] if note else []
    lines += await _panel_lines(ctx, group, meeting, last)
    gid = group.id
    choices = [Act(gid, "broadcast").choice(ctx._("Send a message to the group"))]
    if await ctx.uow.broadcasts.latest(gid) is not None:
        choices.append(Act(gid, "progress").choice(ctx._("Progress of the last message")))
    if meeting is not None:
        choices.append(Act(gid, "call_off").choice(ctx._("Call off the next meeting")))
        choices.append(Act(gid, "move").choice(ctx._("Move the next meeting")))
    if last is not None:
        choices.append(Act(gid, "attendance").choice(ctx._("Record attendance")))
    choices.append(Act(gid, "edit").choice(ctx._("Edit the group")))
    choices.append(Choice("lead", ctx._("My groups")))
    ctx.say("\n".join(lines), choices=choices)


async def _panel_lines(ctx: Context, group: GroupRecord, meeting: Meeting | None, last: Meeting | None) -> list[str]:
    members = await ctx.uow.groups.member_count(group.id)
    reminded = len(await ctx.uow.groups.recipients(group.id))
    lines = [f"{group.name} · {kind_name(ctx, group.kind)}", ctx._("Code: {code}").format(code=show_code(group.code))]
    if link := join_link(ctx, group):
        lines.append(ctx._("Link to join: {link}").format(link=link))
    lines.append(ctx._("Meets {schedule}.").format(schedule=describe_schedule(ctx, group.schedule)))
    lines.append(ctx._("Where: {place}").format(place=await where(ctx, group)))
    lines.append(ctx._("Members: {n} ({m} get reminders)").format(n=members, m=reminded))
    if meeting is not None:
        coming, not_coming = await ctx.uow.groups.rsvp_counts(group.id, meeting.original_day)
        lines.append(
            ctx._("Next meeting: {when} · will come: {yes}, can't come: {no}").format(
                when=ctx.i18n.datetime(meeting.start), yes=coming, no=not_coming
            )
        )
    if last is not None:
        count = await ctx.uow.groups.attendance(group.id, last.original_day)
        day = ctx.i18n.date(last.original_day)
        lines.append(
            ctx._("Last meeting ({day}): {count} came").format(day=day, count=count)
            if count is not None
            else ctx._("Last meeting ({day}): attendance not recorded").format(day=day)
        )
    return lines


def _last_meeting(ctx: Context, group: GroupRecord) -> Meeting | None:
    past = meetings(group.schedule, ctx.now - timedelta(days=62), ctx.now, ctx.i18n.timezone)
    return past[-1] if past else None


# ------------------------------------------------------------------------------------------- panel actions


async def _ask_call_off(ctx: Context, group: GroupRecord) -> bool:
    if (meeting := upcoming(ctx, group)) is None:
        return False
    ctx.say(
        ctx._("Call off the meeting of {when}? Members who get reminders will be told.").format(
            when=ctx.i18n.datetime(meeting.start)
        ),
        choices=[CallOff(group.id, meeting.original_day).choice(ctx._("Yes, call it off")), _back(ctx, group)],
    )
    return True


async def _ask_move(ctx: Context, group: GroupRecord) -> bool:
    if (meeting := upcoming(ctx, group)) is None:
        return False
    ctx.state.enter(FLOW.name, "move", group=group.id, day=meeting.original_day.isoformat())
    ctx.say(
        ctx._("When is the meeting of {when} moved to? Type the date and time, for example 25/12 18:30.").format(
            when=ctx.i18n.datetime(meeting.start)
        ),
        choices=[_back(ctx, group)],
    )
    return True


async def _ask_attendance(ctx: Context, group: GroupRecord) -> bool:
    if (last := _last_meeting(ctx, group)) is None:
        return False
    ctx.state.enter(FLOW.name, "attendance", group=group.id, day=last.original_day.isoformat())
    ctx.say(
        ctx._("How many people came to the meeting of {day}? Type a number.").format(
            day=ctx.i18n.date(last.original_day)
        ),
        choices=[_back(ctx, group)],
    )
    return True


async def _ask_message(ctx: Context, group: GroupRecord) -> bool:
    ctx.state.enter(FLOW.name, "message", group=group.id)
    ctx.say(
        ctx._(
            "Type the message for the group. Every member who gets reminders will receive it from the bot; "
            "they will not see who you are, and you will not see who they are."
        ),
        choices=[_back(ctx, group)],
    )
    return True


async def _ask_edit(ctx: Context, group: GroupRecord) -> bool:
    ctx.say(
        ctx._("What do you want to change?"),
        choices=[
            Edit(group.id, "name").choice(ctx._("Name")),
            Edit(group.id, "place").choice(ctx._("Meeting place")),
            Edit(group.id, "when").choice(ctx._("Days and time")),
            Edit(group.id, "reminders").choice(ctx._("Reminders")),
            _back(ctx, group),
        ],
    )
    return True


async def _progress(ctx: Context, group: GroupRecord) -> bool:
    await show_progress(ctx, group)
    return True


# Each action answers and returns True, or returns False when it no longer applies (the panel is shown again).
PANEL_ACTIONS: dict[PanelAction, Callable[[Context, GroupRecord], Awaitable[bool]]] = {
    "broadcast": _ask_message,
    "progress": _progress,
    "call_off": _ask_call_off,
    "move": _ask_move,
    "attendance": _ask_attendance,
    "edit": _ask_edit,
}


@router.choice(Act)
async def panel_action(ctx: Context, data: Act) -> None:
    if (chosen := await _leader_and_group(ctx, data.group)) is None:
        return
    group = chosen[1]
    if not await PANEL_ACTIONS[data.action](ctx, group):
        await show_panel(ctx, group)


@router.choice(CallOff)
async def call_off(ctx: Context, data: CallOff) -> None:
    if (chosen := await _leader_and_group(ctx, data.group)) is None:
        return
    group = chosen[1]
    meeting = _meeting_of(ctx, group, data.day)
    if meeting is None:
        show_menu(ctx)
        return
    told = await meeting_changed(ctx.uow, ctx.i18n, group, meeting, None, ctx.now)
    updated = await ctx.uow.groups.get(group.id) or group
    note = ctx._("The meeting of {when} is called off; {n} members will be told.").format(
        when=ctx.i18n.datetime(meeting.start), n=told
    )
    await show_panel(ctx, updated, note)


def _meeting_of(ctx: Context, group: GroupRecord, day: date) -> Meeting | None:
    found = meetings(group.schedule, ctx.now, ctx.now + timedelta(days=400), ctx.i18n.timezone)
    return next((m for m in found if m.original_day == day), None)


async def show_progress(ctx: Context, group: GroupRecord) -> None:
    broadcast = await ctx.uow.broadcasts.latest(group.id)
    back = [Act(group.id, "progress").choice(ctx._("Refresh")), _back(ctx, group)]
    if broadcast is None:
        await show_panel(ctx, group)
        return
    if broadcast.finished_at is not None:
        text, _ = BROADCAST_REPORT.render(
            ctx.i18n,
            {
                "group": group.name,
                "sent": broadcast.sent,
                "total": broadcast.total,
                "stopped": broadcast.stopped,
                "failed": broadcast.failed,
            },
        )
    else:
        counts = await ctx.uow.outbox.counts(broadcast_topic(broadcast.id))
        text, _ = BROADCAST_PROGRESS.render(
            ctx.i18n,
            {"group": group.name, "sent": counts.get("sent", 0), "total": broadcast.total},
        )
        if not broadcast.urgent and QUIET.is_quiet(ctx.now, ctx.i18n.timezone):
            text += "\n" + ctx._("It is quiet hours now (21:30 to 07:00): the rest goes out from 07:00.")
    ctx.say(text, choices=back[1:] if broadcast.finished_at else back)


@router.choice(Send)
async def send_broadcast(ctx: Context, data: Send) -> None:
    if (chosen := await _leader_and_group(ctx, data.group)) is None:
        return
    group = chosen[1]
    text = str(ctx.state.data.get("text") or "") if ctx.state.flow == FLOW.name else ""
    if not text:
        show_menu(ctx)
        return
    notify = await ctx.uow.handles.find(ctx.user.pseudonym, STAFF_NOTIFICATIONS.id)
    _id, total = await start_broadcast(ctx.uow, group, text, ctx.now, urgent=data.urgent, notify_handle_id=notify)
    ctx.state.leave()
    lines = [ctx._("Sending to {n} members: sent 0/{n}.").format(n=total)]
    if not data.urgent and QUIET.is_quiet(ctx.now, ctx.i18n.timezone):
        lines.append(ctx._("It is quiet hours now (21:30 to 07:00): it will go out from 07:00."))
    if notify is not None:
        lines.append(ctx._("I will tell you how it goes."))
    ctx.say("\n".join(lines), choices=[Act(group.id, "progress").choice(ctx._("Progress")), _back(ctx, group)])


# ------------------------------------------------------------------------------------------- creating, editing


@router.choice("lead.new")
async def new_group(ctx: Context) -> None:
    if await _leader(ctx) is None:
        show_menu(ctx)
        return
    ctx.state.enter(FLOW.name, "name")
    example = ctx._("What is the group called? (for example: Nhóm Bình Minh)")  # an example name (noqa: i18n)
    ctx.say(example, choices=[Choice("lead", ctx._("Cancel"))])


@router.choice(Edit)
async def edit_field(ctx: Context, data: Edit) -> None:
    if (chosen := await _leader_and_group(ctx, data.group)) is None:
        return
    leader, group = chosen
    ctx.state.enter(FLOW.name, "name", edit=group.id)
    if data.field == "name":
        ctx.say(ctx._("Type the new name of the group."), choices=[_back(ctx, group, N_("Cancel"))])
    elif data.field == "place":
        await ask_place(ctx, leader)
    elif data.field == "when":
        ask_repeat(ctx)
    else:
        ask_reminders(ctx)


def _cancel(ctx: Context) -> Choice:
    edit = ctx.state.data.get("edit")
    return Panel(int(edit)).choice(ctx._("Cancel")) if edit else Choice("lead", ctx._("Cancel"))


async def ask_place(ctx: Context, leader: StaffRecord) -> None:
    choices = []
    if leader.point_id is not None and (point := await ctx.uow.directory.get(leader.point_id)) is not None:
        choices.append(Place("point").choice(ctx._("At {place}").format(place=point.name[:50])))
    choices += [
        Place("address").choice(ctx._("At another address")),
        Place("online").choice(ctx._("Online (a video call link)")),
        _cancel(ctx),
    ]
    ctx.state.step = "place"
    ctx.say(ctx._("Where does the group meet?"), choices=choices)


def ask_repeat(ctx: Context) -> None:
    ctx.state.step = "repeat"
    ctx.say(
        ctx._("How often does the group meet?"),
        choices=[
            Often(Repeat.WEEKLY, 1).choice(ctx._("Every week")),
            Often(Repeat.FORTNIGHTLY, 1).choice(ctx._("Every other week")),
            *(
                Often(Repeat.MONTHLY, n).choice(ctx._("Once a month, the {nth} week").format(nth=ctx._(ORDINALS[n])))
                for n in (1, 2, 3, 4, -1)
            ),
            _cancel(ctx),
        ],
    )


def ask_reminders(ctx: Context) -> None:
    ctx.state.step = "reminders"
    ctx.say(
        ctx._("When should members be reminded?"),
        choices=[
            *(Reminders(minutes).choice(ctx._(label)) for minutes, label in REMINDER_SETS.items()),
            Reminders(()).choice(ctx._("No reminders")),
            _cancel(ctx),
        ],
    )


# ------------------------------------------------------------------------------------------- typed answers


async def _typed_name(ctx: Context, leader: StaffRecord, text: str) -> None:
    if not 2 <= len(text) <= MAX_NAME:
        ctx.say(ctx._("Please type a name of 2 to 80 characters."), choices=[_cancel(ctx)])
        return
    ctx.state.data["name"] = text
    if await _save_edit(ctx, leader, name=text):
        return
    ctx.state.step = "kind"
    ctx.say(
        ctx._("What kind of group is it?"),
        choices=[*(Kind(key).choice(ctx._(label)) for key, label in KINDS.items()), _cancel(ctx)],  # type: ignore[arg-type]
    )


async def _typed_place(ctx: Context, leader: StaffRecord, text: str) -> None:
    link = ctx.state.step == "link"
    valid = text.startswith("https://") and " " not in text if link else 3 <= len(text) <= MAX_PLACE
    if not valid or len(text) > MAX_PLACE:
        example = (
            ctx._("Please type the link, starting with https://")
            if link
            else ctx._("Please type the address, for example: 12 Hàng Bông, Hoàn Kiếm, Hà Nội")  # (noqa: i18n)
        )
        ctx.say(example, choices=[_cancel(ctx)])
        return
    ctx.state.data["place"], ctx.state.data["point"] = text, None
    if await _save_edit(ctx, leader, place=text, point_id=None):
        return
    ask_repeat(ctx)


async def _typed_attendance(ctx: Context, leader: StaffRecord, text: str) -> None:
    data = ctx.state.data
    group = await _owned(ctx, leader, data.get("group"))
    if group is None or not text.isdecimal() or int(text) > 10_000:
        ctx.say(ctx._("Please type a number, for example 8."), choices=[_cancel_to_group(ctx)])
        return
    day = date.fromisoformat(str(data["day"]))
    before = await ctx.uow.groups.attendance(group.id, day)
    await ctx.uow.groups.set_attendance(group.id, day, int(text))
    # Anonymous weekly counts: a meeting held (once, whatever corrections follow) and how many came.
    if before is None:
        await ctx.uow.tallies.add(week_start(day), "meeting_held")
    await ctx.uow.tallies.add(week_start(day), "meeting_attendance", amount=int(text) - (before or 0))
    await show_panel(ctx, group, ctx._("Saved: {n} came.").format(n=int(text)))


def _cancel_to_group(ctx: Context) -> Choice:
    group = ctx.state.data.get("group")
    return Panel(int(group)).choice(ctx._("Back")) if group else Choice("lead", ctx._("Back"))


async def _typed_message(ctx: Context, leader: StaffRecord, text: str) -> None:
    group = await _owned(ctx, leader, ctx.state.data.get("group"))
    if group is None:
        show_menu(ctx)
        return
    if not text or len(text) > MAX_MESSAGE:
        ctx.say(
            ctx._("Please type a message of at most {n} characters.").format(n=MAX_MESSAGE),
            choices=[_cancel_to_group(ctx)],
        )
        return
    ctx.state.data["text"] = text
    ctx.state.step = "preview"
    preview, _ = GROUP_BROADCAST.render(ctx.i18n, {"group": group.name, "text": text})
    recipients = len(await ctx.uow.groups.recipients(group.id))
    note = ctx._("This is what {n} members will receive:").format(n=recipients)
    if not recipients:  # say why, before the leader sends to no one
        members = await ctx.uow.groups.member_count(group.id)
        note = (
            (
                ctx._(
                    "No member would receive it yet: {n} members joined without reminders, and only members who "
                    "agreed to reminders get the group's messages."
                ).format(n=members)
                if members
                else ctx._("No member would receive it yet: nobody has joined the group. Share its link or code first.")
            )
            + "\n\n"
            + ctx._("This is what members will receive:")
        )
    quiet = ctx._("Messages are not delivered from 21:30 to 07:00 unless you say it is urgent.")
    ctx.say(
        f"{note}\n\n{preview}\n\n{quiet}",
        choices=[
            Send(group.id, urgent=False).choice(ctx._("Send")),
            Send(group.id, urgent=True).choice(ctx._("Send now, it is urgent")),
            Act(group.id, "broadcast").choice(ctx._("Write it again")),
            _back(ctx, group, N_("Cancel")),
        ],
    )


async def _typed_move(ctx: Context, leader: StaffRecord, text: str) -> None:
    group = await _owned(ctx, leader, ctx.state.data.get("group"))
    day = ctx.state.data.get("day")
    meeting = _meeting_of(ctx, group, date.fromisoformat(day)) if group and isinstance(day, str) else None
    if group is None or meeting is None:
        show_menu(ctx)
        return
    found = parse_day_time(text, ctx.now.astimezone(ctx.i18n.timezone).date())
    moved_to = datetime.combine(found[0], found[1], tzinfo=ctx.i18n.timezone) if found else None
    if moved_to is None or moved_to <= ctx.now:
        ctx.say(
            (
                ctx._("{when} has passed.").format(when=ctx.i18n.datetime_from(moved_to, ctx.now)) + " "
                if moved_to is not None
                else ""
            )
            + ctx._("Please type a date and time still to come, for example 25/12 18:30."),
            choices=[_cancel_to_group(ctx)],
        )
        return
    ctx.state.data["to"] = moved_to.isoformat()
    ctx.state.step = "move_confirm"
    ctx.say(
        ctx._("Move the meeting of {day} to {when}? Members who get reminders will be told.").format(
            day=ctx.i18n.date(meeting.original_day), when=ctx.i18n.datetime_from(moved_to, ctx.now)
        ),
        choices=[
            Choice("lead.move_ok", ctx._("Yes, move it")),
            Act(group.id, "move").choice(ctx._("Choose another time")),
            _cancel_to_group(ctx),
        ],
    )


@router.choice("lead.move_ok")
async def confirm_move(ctx: Context) -> None:
    leader = await _in_group_flow(ctx)
    data = ctx.state.data
    group = await _owned(ctx, leader, data.get("group")) if leader is not None else None
    day, to = data.get("day"), data.get("to")
    if group is None or ctx.state.step != "move_confirm" or not isinstance(day, str) or not isinstance(to, str):
        if leader is not None:
            show_menu(ctx)
        return
    meeting = _meeting_of(ctx, group, date.fromisoformat(day))
    moved_to = datetime.fromisoformat(to)
    if meeting is None or moved_to <= ctx.now:
        await show_panel(ctx, group, ctx._("That meeting can no longer be moved."))
        return
    told = await meeting_changed(ctx.uow, ctx.i18n, group, meeting, moved_to, ctx.now)
    updated = await ctx.uow.groups.get(group.id) or group
    note = ctx._("The meeting of {day} has moved to {when}; {n} members will be told.").format(
        day=ctx.i18n.date(meeting.original_day), when=ctx.i18n.datetime_from(moved_to, ctx.now), n=told
    )
    await show_panel(ctx, updated, note)


async def _typed_when(ctx: Context, leader: StaffRecord, text: str) -> None:
    data = ctx.state.data
    repeat = Repeat(str(data.get("repeat", "weekly")))
    try:
        days, at = parse_weekdays_time(text)
        schedule = Schedule(
            repeat,
            at,
            days,
            ctx.now.astimezone(ctx.i18n.timezone).date(),
            ordinal=int(data.get("ordinal", 1)),
        )
    except (HoursError, ValueError):
        example = (
            ctx._("Please type one day and the time, for example: T7 09:00")
            if repeat is Repeat.MONTHLY
            else ctx._("Please type the day(s) and the time, for example: T3 18:30 or T3,T6 18:30")
        )
        ctx.say(ctx._("I could not read that.") + " " + example, choices=[_cancel(ctx)])
        return
    data["schedule"] = {"repeat": repeat.value, "days": sorted(days), "at": at.strftime("%H:%M")}
    if await _save_edit(ctx, leader, schedule=schedule):
        return
    ask_reminders(ctx)


# What a leader types, by the step of the group flow they are in.
TYPED_STEPS: dict[str, Callable[[Context, StaffRecord, str], Awaitable[None]]] = {
    "name": _typed_name,
    "address": _typed_place,
    "link": _typed_place,
    "when": _typed_when,
    "move": _typed_move,
    "move_confirm": _typed_move,  # another date typed instead of confirming
    "attendance": _typed_attendance,
    "message": _typed_message,
}


@router.flow(FLOW)
async def typed(ctx: Context) -> None:
    text = ctx.event.text.strip() if isinstance(ctx.event, TextMessage) else ""
    leader = await _leader(ctx)
    if leader is None:
        show_menu(ctx)
        return
    step = TYPED_STEPS.get(ctx.state.step or "")
    if step is None:
        ctx.say(ctx._("Please use the buttons to answer."), choices=ctx.state.offered or [_cancel(ctx)])
        return
    await step(ctx, leader, text)


def _schedule(ctx: Context) -> Schedule | None:
    found: dict[str, Any] | None = ctx.state.data.get("schedule")
    if not found:
        return None
    return Schedule(
        Repeat(found["repeat"]),
        time.fromisoformat(found["at"]),
        frozenset(found["days"]),
        ctx.now.astimezone(ctx.i18n.timezone).date(),
        ordinal=int(ctx.state.data.get("ordinal", 1)),
    )


async def _save_edit(ctx: Context, leader: StaffRecord, **fields: Any) -> bool:
    """When editing, save the one field and go back to the group; False when creating."""
    edit = ctx.state.data.get("edit")
    if not edit:
        return False
    group = await _owned(ctx, leader, edit)
    if group is None:
        show_menu(ctx)
        return True
    await ctx.uow.groups.update(group.id, ctx.now, **fields)
    if "schedule" in fields or "reminder_minutes" in fields:
        await ctx.uow.outbox.drop_topic(group_topics(group.id), prefix=True)
        updated = await ctx.uow.groups.get(group.id) or group
        await plan_reminders(
            ctx.uow, ctx.i18n, updated, await ctx.uow.groups.recipients(group.id), ctx.now, since=ctx.now
        )
    await show_panel(ctx, await ctx.uow.groups.get(group.id) or group, ctx._("Saved."))
    return True


async def _in_group_flow(ctx: Context) -> StaffRecord | None:
    """The leader, while creating or editing a group; else None (and the menu shown)."""
    leader = await _leader(ctx)
    if leader is None or ctx.state.flow != FLOW.name:
        show_menu(ctx)
        return None
    return leader


@router.choice(Kind)
async def chose_kind(ctx: Context, data: Kind) -> None:
    if (leader := await _in_group_flow(ctx)) is None:
        return
    ctx.state.data["kind"] = data.kind
    await ask_place(ctx, leader)


@router.choice(Place)
async def chose_place(ctx: Context, data: Place) -> None:
    if (leader := await _in_group_flow(ctx)) is None:
        return
    if data.where == "point" and leader.point_id is not None:
        ctx.state.data["point"], ctx.state.data["place"] = leader.point_id, ""
        if await _save_edit(ctx, leader, point_id=leader.point_id, place=""):
            return
        ask_repeat(ctx)
    elif data.where == "online":
        ctx.state.step = "link"
        ctx.say(ctx._("Type the link of the video call (starting with https://)."), choices=[_cancel(ctx)])
    else:
        ctx.state.step = "address"
        ctx.say(ctx._("Type the address where the group meets."), choices=[_cancel(ctx)])


@router.choice(Often)
async def chose_repeat(ctx: Context, data: Often) -> None:
    if await _in_group_flow(ctx) is None:
        return
    ctx.state.data["repeat"] = data.repeat.value
    ctx.state.data["ordinal"] = data.ordinal
    ctx.state.step = "when"
    example = (
        ctx._("Type the day and the time, for example: T7 09:00")
        if data.repeat is Repeat.MONTHLY
        else ctx._("Type the day(s) and the time, for example: T3 18:30 or T3,T6 18:30")
    )
    ctx.say(example, choices=[_cancel(ctx)])


@router.choice(Reminders)
async def chose_reminders(ctx: Context, data: Reminders) -> None:
    if (leader := await _in_group_flow(ctx)) is None:
        return
    ctx.state.data["reminders"] = list(data.minutes)
    if await _save_edit(ctx, leader, reminder_minutes=data.minutes):
        return
    await confirm(ctx, leader)


async def confirm(ctx: Context, leader: StaffRecord) -> None:
    data = ctx.state.data
    schedule = _schedule(ctx)
    if schedule is None or not data.get("name"):
        await leader_home(ctx, leader)
        return
    place = data.get("place") or ""
    if data.get("point") and (point := await ctx.uow.directory.get(int(data["point"]))) is not None:
        place = point.name
    reminders = " / ".join(lead_time(ctx, m) for m in data.get("reminders", [])) or ctx._("none")
    ctx.state.step = "confirm"
    ctx.say(
        "\n".join(
            [
                f"{data['name']} · {kind_name(ctx, str(data.get('kind')))}",
                ctx._("Meets {schedule}.").format(schedule=describe_schedule(ctx, schedule)),
                ctx._("Where: {place}").format(place=place),
                ctx._("Reminders: {reminders}").format(reminders=reminders),
            ]
        ),
        title=ctx._("Create this group?"),
        choices=[Choice("group.create", ctx._("Create the group")), Choice("lead", ctx._("Cancel"))],
    )


@router.choice("group.create")
async def create(ctx: Context) -> None:
    leader = await _leader(ctx)
    schedule = _schedule(ctx) if ctx.state.flow == FLOW.name else None
    data = ctx.state.data
    if leader is None or schedule is None:
        show_menu(ctx)
        return
    group = await ctx.uow.groups.create(
        code=new_code(),
        name=str(data["name"]),
        kind=str(data.get("kind") or "other"),
        leader_id=leader.id,
        point_id=int(data["point"]) if data.get("point") else None,
        place=str(data.get("place") or ""),
        schedule=schedule,
        reminder_minutes=tuple(int(m) for m in data.get("reminders", [])),
        now=ctx.now,
    )
    note = ctx._("The group is ready. Give members the link or the code; they join anonymously.")
    await show_panel(ctx, group, note)
