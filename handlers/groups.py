"""Self-help groups in the chat.

Members join with a link (``/start g_<code>``) or by typing the group's code, agree (or not) to meeting
reminders, answer "I'll come" / "I can't come" on a reminder, and leave with ``/roinhom`` or a button,
which deletes their chat address at once.  Peer leaders create and edit their groups, call a meeting off
or move it (members are told), count who came, and write to the whole group: write, preview, confirm, then
follow the progress.  The leader sees numbers only, never who the members are.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from core.capability import Capability, Command, Flow, Hook, MenuEntry, Record, Wiring
from core.clock import week_start
from core.codes import ALPHABET, new_code, normalize_code, show_code
from core.consent import Purpose
from core.conversation import Context, Routes
from core.events import Choice, CommandMessage, TextMessage
from core.i18n import N_
from core.ports import GroupRecord, StaffRecord
from domain.hours import HoursError
from domain.recurrence import Meeting, Repeat, Schedule, meetings, next_meeting
from domain.typed_dates import parse_day_time, parse_weekdays_time
from handlers import consent
from handlers.group_messages import (
    BROADCAST_PROGRESS,
    BROADCAST_REPORT,
    GROUP_BROADCAST,
    NOTICES,
    QUIET,
    RSVP_ACTION,
    broadcast_topic,
    group_topics,
    meeting_changed,
    place_of,
    plan_reminders,
    start_broadcast,
)
from handlers.menu import refused_for_children, show_menu
from handlers.staff_notices import STAFF_NOTIFICATIONS

GROUP_REMINDERS = Purpose(
    id="group_reminders",
    version="2026-11-v1",
    title=N_("Group meeting reminders"),
    explanation=N_(
        "To send you reminders before your group's meetings I need to keep your chat address, encrypted, "
        "while you are a member. Leaving the group deletes it at once."
    ),
)

router = Routes("groups")
FLOW = Flow(
    "group", N_("a group you are creating, changing or writing to")
)  # a leader creating or editing a group, or writing to it
JOIN_FLOW = Flow("group_join", N_("joining a group by its code"))  # a person typing a group's code
KINDS = {
    "relapse_prevention": N_("Relapse prevention group"),
    "family_support": N_("Family support group"),
    "other": N_("Other group"),
}
ORDINALS = {1: N_("first"), 2: N_("second"), 3: N_("third"), 4: N_("fourth"), -1: N_("last")}
REMINDER_SETS = {
    "1440,60": N_("A day before and an hour before"),
    "60": N_("An hour before"),
    "1440": N_("A day before"),
}
MAX_NAME, MAX_PLACE, MAX_MESSAGE = 80, 250, 3000
CHILD_REFUSAL = N_("Self-help groups are for people aged 16 and over. Here is what I can do for you:")


# ------------------------------------------------------------------------------------------- describing


def describe_schedule(ctx: Context, schedule: Schedule) -> str:
    days = ", ".join(ctx.i18n.weekday(d) for d in sorted(schedule.weekdays))
    at = schedule.at.strftime("%H:%M")
    if schedule.repeat is Repeat.WEEKLY:
        return ctx._("every week on {days}, at {time}").format(days=days, time=at)
    if schedule.repeat is Repeat.FORTNIGHTLY:
        return ctx._("every other week on {days}, at {time}").format(days=days, time=at)
    return ctx._("on the {nth} {day} of each month, at {time}").format(
        nth=ctx._(ORDINALS[schedule.ordinal]), day=days, time=at
    )


async def where(ctx: Context, group: GroupRecord) -> str:
    return await place_of(ctx.uow, group) or ctx._("(not set)")


def join_link(ctx: Context, group: GroupRecord) -> str:
    return f"{ctx.channel.start_link}g_{group.code}" if ctx.channel.start_link else ""


def upcoming(ctx: Context, group: GroupRecord) -> Meeting | None:
    return next_meeting(group.schedule, ctx.now, ctx.i18n.timezone)


# ------------------------------------------------------------------------------------------- members


@router.choice("groups", anytime=True)
@router.command("nhom", "groups")
async def groups_home(ctx: Context) -> None:
    if refused_for_children(ctx, CHILD_REFUSAL):
        return
    args = ctx.event.args.strip() if isinstance(ctx.event, CommandMessage) else ""
    if args:
        await join_by_code(ctx, args)
        return
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is not None and member.role == "leader":
        await leader_home(ctx, member)
        return
    mine = await ctx.uow.groups.memberships(ctx.user.pseudonym)
    lines = [ctx._("Self-help groups meet regularly to support each other, in person or online.")]
    if ctx.choice_arg == "family":
        lines[0] = ctx._(
            "Family support groups bring together relatives of people who use drugs, to share what helps. "
            "A community counselling point can tell you about a group near you."
        )
    if mine:
        lines.append(ctx._("Your groups:") + "\n" + "\n".join(f"• {g.name}" for g, _ in mine))
    lines.append(ctx._("To join a group, open the link your group leader gave you, or type its code here."))
    ctx.state.enter(JOIN_FLOW.name, "code")
    choices = [Choice(f"gl:{member_id}", ctx._("Leave {group}").format(group=g.name[:40])) for g, member_id in mine]
    choices.append(Choice("menu", ctx._("Main menu")))
    ctx.say("\n\n".join(lines), choices=choices)


@router.flow(JOIN_FLOW)
async def typed_code(ctx: Context) -> None:
    text = ctx.event.text if isinstance(ctx.event, TextMessage) else ""
    await join_by_code(ctx, text)


def looks_like_code(text: str) -> bool:
    code = normalize_code(text)
    return len(code) == 8 and all(ch in ALPHABET for ch in code) and len(text.strip()) <= 12


async def join_by_code(ctx: Context, typed: str) -> None:
    group = await ctx.uow.groups.by_code(normalize_code(typed)) if looks_like_code(typed) else None
    if group is None:
        if looks_like_code(typed):  # let them type it again; anything else is not kept waiting for a code
            ctx.state.enter(JOIN_FLOW.name, "code")
        else:
            ctx.state.leave()
        ctx.say(
            ctx._("I could not find a group with that code. Please check it with your group leader and type it again."),
            choices=[Choice("menu", ctx._("Main menu"))],
        )
        return
    await offer_join(ctx, group)


async def code_hook(ctx: Context) -> bool:
    """Hook: a group code typed at any moment outside a flow offers to join that group."""
    event = ctx.event
    if not isinstance(event, TextMessage) or ctx.state.flow is not None or not looks_like_code(event.text):
        return False
    group = await ctx.uow.groups.by_code(normalize_code(event.text))
    if group is None or refused_for_children(ctx, CHILD_REFUSAL):
        return group is not None
    await offer_join(ctx, group)
    return True


async def offer_join(ctx: Context, group: GroupRecord) -> None:
    ctx.state.leave()
    if refused_for_children(ctx, CHILD_REFUSAL):
        return
    meeting = upcoming(ctx, group)
    lines = [
        f"{group.name} · {ctx._(KINDS.get(group.kind, KINDS['other']))}",
        ctx._("Meets {schedule}.").format(schedule=describe_schedule(ctx, group.schedule)),
        ctx._("Where: {place}").format(place=await where(ctx, group)),
    ]
    if meeting is not None:
        lines.append(ctx._("Next meeting: {when}").format(when=ctx.i18n.datetime(meeting.start)))
    if any(g.id == group.id for g, _ in await ctx.uow.groups.memberships(ctx.user.pseudonym)):
        lines.append(ctx._("You are already a member of this group."))
        ctx.say(
            "\n".join(lines), choices=[Choice("groups", ctx._("Self-help groups")), Choice("menu", ctx._("Main menu"))]
        )
        return
    lines.append(ctx._("Members stay anonymous: the leader only sees how many people have joined, never who."))
    choices = []
    if ctx.event.address:
        lines.append("\n" + ctx._(GROUP_REMINDERS.explanation))
        choices.append(Choice(f"gjy:{group.id}", ctx._("Join, with reminders")))
        choices.append(Choice(f"gjn:{group.id}", ctx._("Join, without reminders")))
    else:
        choices.append(Choice(f"gjn:{group.id}", ctx._("Join")))
    choices.append(Choice("menu", ctx._("Not now")))
    ctx.say("\n".join(lines), title=ctx._("Join a self-help group"), choices=choices)


async def _join(ctx: Context, reminders: bool) -> None:
    group = await ctx.uow.groups.get(int(ctx.choice_arg)) if ctx.choice_arg.isdecimal() else None
    if group is None or refused_for_children(ctx, CHILD_REFUSAL):
        show_menu(ctx)
        return
    member_id = await ctx.uow.groups.join(group.id, ctx.user.pseudonym, ctx.now)
    await ctx.uow.tallies.add(week_start(ctx.now.astimezone(ctx.i18n.timezone).date()), "group_joined")
    text = ctx._("Welcome to {group}.").format(group=group.name)
    if reminders and ctx.event.address:
        await consent.grant(ctx, GROUP_REMINDERS)
        handle = await ctx.uow.delivery.keep_handle(
            ctx.user.pseudonym, GROUP_REMINDERS.id, ctx.event.channel, ctx.event.address
        )
        await ctx.uow.groups.set_handle(member_id, handle)
        member = await ctx.uow.groups.member(member_id)
        if member is not None:
            await plan_reminders(ctx.uow, ctx.i18n, group, [member], ctx.now, since=ctx.now)
        offsets = " / ".join(_lead(ctx, m) for m in group.reminder_minutes)
        if offsets:
            text += " " + ctx._("I will remind you before each meeting ({offsets}).").format(offsets=offsets)
    meeting = upcoming(ctx, group)
    if meeting is not None:
        text += "\n\n" + ctx._("Next meeting: {when}").format(when=ctx.i18n.datetime(meeting.start))
    text += "\n\n" + ctx._("To leave the group at any time, send /roinhom.")
    ctx.say(text, choices=[Choice("menu", ctx._("Main menu"))])


def _lead(ctx: Context, minutes: int) -> str:
    if minutes % 1440 == 0:
        return ctx.i18n.ngettext("{n} day before", "{n} days before", minutes // 1440).format(n=minutes // 1440)
    if minutes % 60 == 0:
        return ctx.i18n.ngettext("{n} hour before", "{n} hours before", minutes // 60).format(n=minutes // 60)
    return ctx._("{n} minutes before").format(n=minutes)


@router.choice("gjy")
async def join_with_reminders(ctx: Context) -> None:
    await _join(ctx, True)


@router.choice("gjn")
async def join_without_reminders(ctx: Context) -> None:
    await _join(ctx, False)


@router.command("roinhom", "leave")
async def leave_command(ctx: Context) -> None:
    mine = await ctx.uow.groups.memberships(ctx.user.pseudonym)
    if not mine:
        show_menu(ctx, ctx._("You are not a member of any group."))
        return
    choices = [Choice(f"gl:{member_id}", ctx._("Leave {group}").format(group=g.name[:40])) for g, member_id in mine]
    choices.append(Choice("menu", ctx._("Stay")))
    ctx.say(ctx._("Which group do you want to leave?"), choices=choices)


@router.choice("gl")
async def leave(ctx: Context) -> None:
    mine = {member_id: g for g, member_id in await ctx.uow.groups.memberships(ctx.user.pseudonym)}
    member_id = int(ctx.choice_arg) if ctx.choice_arg.isdecimal() else -1
    group = mine.get(member_id)
    if group is None or not await ctx.uow.groups.leave(group.id, ctx.user.pseudonym):
        show_menu(ctx, ctx._("You are not a member of that group."))
        return
    show_menu(
        ctx,
        ctx._(
            "You have left {group}. Your chat address for its reminders has been deleted, and you will get "
            "no more messages from it."
        ).format(group=group.name),
    )


@router.choice(RSVP_ACTION, anytime=True)
async def rsvp(ctx: Context) -> None:
    """ "I'll come" / "I can't come" on a reminder: only the member the reminder went to can answer."""
    parts = ctx.choice_arg.split(":")
    member = await ctx.uow.groups.member(int(parts[0])) if len(parts) == 3 and parts[0].isdecimal() else None
    try:
        day = datetime.strptime(parts[1], "%Y%m%d").date() if member is not None else None
    except ValueError:
        day = None
    if member is None or day is None or member.pseudonym != ctx.user.pseudonym or parts[2] not in ("y", "n"):
        show_menu(ctx, ctx._("That button belongs to a reminder that is no longer valid. Here is the menu:"))
        return
    await ctx.uow.groups.rsvp(member.id, day, parts[2] == "y")
    text = (
        ctx._("Thank you: noted that you will come. See you there!")
        if parts[2] == "y"
        else ctx._("Thank you for letting us know. We hope to see you next time.")
    )
    ctx.say(text, choices=[Choice("menu", ctx._("Main menu"))])


# ------------------------------------------------------------------------------------------- leaders


async def _leader(ctx: Context) -> StaffRecord | None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    return member if member is not None and member.role == "leader" else None


async def _owned(ctx: Context, leader: StaffRecord, group_id: str) -> GroupRecord | None:
    group = await ctx.uow.groups.get(int(group_id)) if group_id.isdecimal() else None
    return group if group is not None and group.leader_id == leader.id else None


async def _leader_choice(ctx: Context) -> tuple[StaffRecord, GroupRecord, str] | None:
    """For a leader's choice ``action:<group id>:<rest>``: the leader, their group and the rest; None (and
    the menu shown) when the person is no leader or the group is not theirs."""
    leader = await _leader(ctx)
    group_id, _, rest = ctx.choice_arg.partition(":")
    group = await _owned(ctx, leader, group_id) if leader else None
    if leader is None or group is None:
        show_menu(ctx)
        return None
    return leader, group, rest


async def leader_home(ctx: Context, leader: StaffRecord) -> None:
    ctx.state.leave()
    groups = await ctx.uow.groups.of_leader(leader.id)
    choices = [Choice(f"ldg:{g.id}", g.name[:60]) for g in groups]
    choices.append(Choice("ldn", ctx._("Create a group")))
    choices.append(Choice("menu", ctx._("Main menu")))
    text = ctx._("Your groups:") if groups else ctx._("You have no groups yet. Create your first one:")
    ctx.say(text, title=ctx._("Peer leader menu"), choices=choices)


@router.choice("ld")
async def leader_menu(ctx: Context) -> None:
    leader = await _leader(ctx)
    if leader is None:
        show_menu(ctx)
        return
    await leader_home(ctx, leader)


@router.choice("ldg")
async def group_panel(ctx: Context) -> None:
    if (chosen := await _leader_choice(ctx)) is not None:
        await show_panel(ctx, chosen[1])


async def show_panel(ctx: Context, group: GroupRecord, note: str = "") -> None:
    ctx.state.leave()
    members = await ctx.uow.groups.member_count(group.id)
    reminded = len(await ctx.uow.groups.recipients(group.id))
    lines = [note] if note else []
    lines += [
        f"{group.name} · {ctx._(KINDS.get(group.kind, KINDS['other']))}",
        ctx._("Code: {code}").format(code=show_code(group.code)),
    ]
    link = join_link(ctx, group)
    if link:
        lines.append(ctx._("Link to join: {link}").format(link=link))
    lines.append(ctx._("Meets {schedule}.").format(schedule=describe_schedule(ctx, group.schedule)))
    lines.append(ctx._("Where: {place}").format(place=await where(ctx, group)))
    lines.append(ctx._("Members: {n} ({m} get reminders)").format(n=members, m=reminded))
    meeting = upcoming(ctx, group)
    if meeting is not None:
        coming, not_coming = await ctx.uow.groups.rsvp_counts(group.id, meeting.original_day)
        lines.append(
            ctx._("Next meeting: {when} · will come: {yes}, can't come: {no}").format(
                when=ctx.i18n.datetime(meeting.start), yes=coming, no=not_coming
            )
        )
    last = _last_meeting(ctx, group)
    if last is not None:
        count = await ctx.uow.groups.attendance(group.id, last.original_day)
        lines.append(
            ctx._("Last meeting ({day}): {count} came").format(day=ctx.i18n.date(last.original_day), count=count)
            if count is not None
            else ctx._("Last meeting ({day}): attendance not recorded").format(day=ctx.i18n.date(last.original_day))
        )
    gid = group.id
    choices = [Choice(f"lda:{gid}:bc", ctx._("Send a message to the group"))]
    if await ctx.uow.delivery.latest_broadcast(gid) is not None:
        choices.append(Choice(f"lda:{gid}:pr", ctx._("Progress of the last message")))
    if meeting is not None:
        choices.append(Choice(f"lda:{gid}:cx", ctx._("Call off the next meeting")))
        choices.append(Choice(f"lda:{gid}:mv", ctx._("Move the next meeting")))
    if last is not None:
        choices.append(Choice(f"lda:{gid}:at", ctx._("Record attendance")))
    choices.append(Choice(f"lda:{gid}:ed", ctx._("Edit the group")))
    choices.append(Choice("ld", ctx._("My groups")))
    ctx.say("\n".join(lines), choices=choices)


def _last_meeting(ctx: Context, group: GroupRecord) -> Meeting | None:
    past = meetings(group.schedule, ctx.now - timedelta(days=62), ctx.now, ctx.i18n.timezone)
    return past[-1] if past else None


@router.choice("lda")
async def panel_action(ctx: Context) -> None:
    if (chosen := await _leader_choice(ctx)) is None:
        return
    _leader_record, group, action = chosen
    back = Choice(f"ldg:{group.id}", ctx._("Back"))
    meeting = upcoming(ctx, group)
    if action == "cx" and meeting is not None:
        ctx.say(
            ctx._("Call off the meeting of {when}? Members who get reminders will be told.").format(
                when=ctx.i18n.datetime(meeting.start)
            ),
            choices=[Choice(f"ldx:{group.id}:{meeting.original_day:%Y%m%d}", ctx._("Yes, call it off")), back],
        )
    elif action == "mv" and meeting is not None:
        ctx.state.enter(FLOW.name, "move", group=group.id, day=meeting.original_day.isoformat())
        ctx.say(
            ctx._("When is the meeting of {when} moved to? Type the date and time, for example 25/12 18:30.").format(
                when=ctx.i18n.datetime(meeting.start)
            ),
            choices=[back],
        )
    elif action == "at" and (last := _last_meeting(ctx, group)) is not None:
        ctx.state.enter(FLOW.name, "attendance", group=group.id, day=last.original_day.isoformat())
        ctx.say(
            ctx._("How many people came to the meeting of {day}? Type a number.").format(
                day=ctx.i18n.date(last.original_day)
            ),
            choices=[back],
        )
    elif action == "bc":
        ctx.state.enter(FLOW.name, "message", group=group.id)
        ctx.say(
            ctx._(
                "Type the message for the group. Every member who gets reminders will receive it from the bot; "
                "they will not see who you are, and you will not see who they are."
            ),
            choices=[back],
        )
    elif action == "pr":
        await show_progress(ctx, group)
    elif action == "ed":
        ctx.say(
            ctx._("What do you want to change?"),
            choices=[
                Choice(f"lde:{group.id}:name", ctx._("Name")),
                Choice(f"lde:{group.id}:place", ctx._("Meeting place")),
                Choice(f"lde:{group.id}:when", ctx._("Days and time")),
                Choice(f"lde:{group.id}:rem", ctx._("Reminders")),
                back,
            ],
        )
    else:
        await show_panel(ctx, group)


@router.choice("ldx")
async def call_off(ctx: Context) -> None:
    if (chosen := await _leader_choice(ctx)) is None:
        return
    _leader_record, group, day_text = chosen
    meeting = _meeting_of(ctx, group, day_text)
    if meeting is None:
        show_menu(ctx)
        return
    told = await meeting_changed(ctx.uow, ctx.i18n, group, meeting, None, ctx.now)
    updated = await ctx.uow.groups.get(group.id) or group
    note = ctx._("The meeting of {when} is called off; {n} members will be told.").format(
        when=ctx.i18n.datetime(meeting.start), n=told
    )
    await show_panel(ctx, updated, note)


def _meeting_of(ctx: Context, group: GroupRecord, day_text: str) -> Meeting | None:
    try:
        day = datetime.strptime(day_text.replace("-", ""), "%Y%m%d").date()
    except ValueError:
        return None
    found = meetings(group.schedule, ctx.now, ctx.now + timedelta(days=400), ctx.i18n.timezone)
    return next((m for m in found if m.original_day == day), None)


async def show_progress(ctx: Context, group: GroupRecord) -> None:
    broadcast = await ctx.uow.delivery.latest_broadcast(group.id)
    back = [Choice(f"lda:{group.id}:pr", ctx._("Refresh")), Choice(f"ldg:{group.id}", ctx._("Back"))]
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
        counts = await ctx.uow.delivery.counts(broadcast_topic(broadcast.id))
        text, _ = BROADCAST_PROGRESS.render(
            ctx.i18n,
            {"group": group.name, "sent": counts.get("sent", 0), "total": broadcast.total},
        )
        if not broadcast.urgent and QUIET.is_quiet(ctx.now, ctx.i18n.timezone):
            text += "\n" + ctx._("It is quiet hours now (21:30 to 07:00): the rest goes out from 07:00.")
    ctx.say(text, choices=back[1:] if broadcast.finished_at else back)


@router.choice("ldb")
async def send_broadcast(ctx: Context) -> None:
    if (chosen := await _leader_choice(ctx)) is None:
        return
    _leader_record, group, mode = chosen
    text = str(ctx.state.data.get("text") or "") if ctx.state.flow == FLOW.name else ""
    if not text or mode not in ("send", "urgent"):
        show_menu(ctx)
        return
    notify = await ctx.uow.delivery.handle_for(ctx.user.pseudonym, STAFF_NOTIFICATIONS.id)
    _id, total = await start_broadcast(ctx.uow, group, text, ctx.now, urgent=mode == "urgent", notify_handle_id=notify)
    ctx.state.leave()
    lines = [ctx._("Sending to {n} members: sent 0/{n}.").format(n=total)]
    if mode == "send" and QUIET.is_quiet(ctx.now, ctx.i18n.timezone):
        lines.append(ctx._("It is quiet hours now (21:30 to 07:00): it will go out from 07:00."))
    if notify is not None:
        lines.append(ctx._("I will tell you how it goes."))
    ctx.say(
        "\n".join(lines),
        choices=[Choice(f"lda:{group.id}:pr", ctx._("Progress")), Choice(f"ldg:{group.id}", ctx._("Back"))],
    )


# ------------------------------------------------------------------------------------------- creating, editing


@router.choice("ldn")
async def new_group(ctx: Context) -> None:
    if await _leader(ctx) is None:
        show_menu(ctx)
        return
    ctx.state.enter(FLOW.name, "name")
    example = ctx._("What is the group called? (for example: Nhóm Bình Minh)")  # noqa: i18n - an example name
    ctx.say(example, choices=[Choice("ld", ctx._("Cancel"))])


@router.choice("lde")
async def edit_field(ctx: Context) -> None:
    if (chosen := await _leader_choice(ctx)) is None:
        return
    leader, group, field = chosen
    ctx.state.enter(FLOW.name, "name", edit=group.id)
    if field == "name":
        ctx.say(ctx._("Type the new name of the group."), choices=[Choice(f"ldg:{group.id}", ctx._("Cancel"))])
    elif field == "place":
        await ask_place(ctx, leader)
    elif field == "when":
        ask_repeat(ctx)
    else:
        ask_reminders(ctx)


def _cancel(ctx: Context) -> Choice:
    edit = ctx.state.data.get("edit")
    return Choice(f"ldg:{edit}", ctx._("Cancel")) if edit else Choice("ld", ctx._("Cancel"))


async def ask_place(ctx: Context, leader: StaffRecord) -> None:
    choices = []
    if leader.point_id is not None and (point := await ctx.uow.directory.get(leader.point_id)) is not None:
        choices.append(Choice("gp:point", ctx._("At {place}").format(place=point.name[:50])))
    choices += [
        Choice("gp:address", ctx._("At another address")),
        Choice("gp:online", ctx._("Online (a video call link)")),
        _cancel(ctx),
    ]
    ctx.state.step = "place"
    ctx.say(ctx._("Where does the group meet?"), choices=choices)


def ask_repeat(ctx: Context) -> None:
    ctx.state.step = "repeat"
    ctx.say(
        ctx._("How often does the group meet?"),
        choices=[
            Choice("gs:weekly", ctx._("Every week")),
            Choice("gs:fortnightly", ctx._("Every other week")),
            *(
                Choice(f"gs:monthly:{n}", ctx._("Once a month, the {nth} week").format(nth=ctx._(ORDINALS[n])))
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
            *(Choice(f"gm:{key}", ctx._(label)) for key, label in REMINDER_SETS.items()),
            Choice("gm:none", ctx._("No reminders")),
            _cancel(ctx),
        ],
    )


@router.flow(FLOW)
async def typed(ctx: Context) -> None:
    text = ctx.event.text.strip() if isinstance(ctx.event, TextMessage) else ""
    step, data = ctx.state.step, ctx.state.data
    leader = await _leader(ctx)
    if leader is None:
        show_menu(ctx)
        return
    if step == "name":
        if not 2 <= len(text) <= MAX_NAME:
            ctx.say(ctx._("Please type a name of 2 to 80 characters."), choices=[_cancel(ctx)])
            return
        data["name"] = text
        if await _save_edit(ctx, leader, name=text):
            return
        ctx.state.step = "kind"
        ctx.say(
            ctx._("What kind of group is it?"),
            choices=[*(Choice(f"gk:{key}", ctx._(label)) for key, label in KINDS.items()), _cancel(ctx)],
        )
    elif step in ("address", "link"):
        link = step == "link"
        valid = text.startswith("https://") and " " not in text if link else 3 <= len(text) <= MAX_PLACE
        if not valid or len(text) > MAX_PLACE:
            example = (
                ctx._("Please type the link, starting with https://")
                if link
                else ctx._("Please type the address, for example: 12 Hàng Bông, Hoàn Kiếm, Hà Nội")  # noqa: i18n
            )
            ctx.say(example, choices=[_cancel(ctx)])
            return
        data["place"], data["point"] = text, None
        if await _save_edit(ctx, leader, place=text, point_id=None):
            return
        ask_repeat(ctx)
    elif step == "when":
        await _typed_when(ctx, leader, text)
    elif step == "move":
        await _typed_move(ctx, leader, text)
    elif step == "attendance":
        group = await _owned(ctx, leader, str(data.get("group")))
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
    elif step == "message":
        await _typed_message(ctx, leader, text)
    else:
        ctx.say(ctx._("Please use the buttons to answer."), choices=ctx.state.offered or [_cancel(ctx)])


def _cancel_to_group(ctx: Context) -> Choice:
    return Choice(f"ldg:{ctx.state.data.get('group')}", ctx._("Back"))


async def _typed_message(ctx: Context, leader: StaffRecord, text: str) -> None:
    group = await _owned(ctx, leader, str(ctx.state.data.get("group")))
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
    quiet = ctx._("Messages are not delivered from 21:30 to 07:00 unless you say it is urgent.")
    ctx.say(
        f"{note}\n\n{preview}\n\n{quiet}",
        choices=[
            Choice(f"ldb:{group.id}:send", ctx._("Send")),
            Choice(f"ldb:{group.id}:urgent", ctx._("Send now, it is urgent")),
            Choice(f"lda:{group.id}:bc", ctx._("Write it again")),
            Choice(f"ldg:{group.id}", ctx._("Cancel")),
        ],
    )


async def _typed_move(ctx: Context, leader: StaffRecord, text: str) -> None:
    group = await _owned(ctx, leader, str(ctx.state.data.get("group")))
    meeting = _meeting_of(ctx, group, str(ctx.state.data.get("day"))) if group else None
    if group is None or meeting is None:
        show_menu(ctx)
        return
    found = parse_day_time(text, ctx.now.astimezone(ctx.i18n.timezone).date())
    moved_to = datetime.combine(found[0], found[1], tzinfo=ctx.i18n.timezone) if found else None
    if moved_to is None or moved_to <= ctx.now:
        ctx.say(
            ctx._("Please type a date and time still to come, for example 25/12 18:30."),
            choices=[_cancel_to_group(ctx)],
        )
        return
    told = await meeting_changed(ctx.uow, ctx.i18n, group, meeting, moved_to, ctx.now)
    updated = await ctx.uow.groups.get(group.id) or group
    note = ctx._("The meeting of {day} has moved to {when}; {n} members will be told.").format(
        day=ctx.i18n.date(meeting.original_day), when=ctx.i18n.datetime(moved_to), n=told
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
    group = await _owned(ctx, leader, str(edit))
    if group is None:
        show_menu(ctx)
        return True
    await ctx.uow.groups.update(group.id, **fields)
    if "schedule" in fields or "reminder_minutes" in fields:
        await ctx.uow.delivery.drop_topic(group_topics(group.id), prefix=True)
        updated = await ctx.uow.groups.get(group.id) or group
        await plan_reminders(
            ctx.uow, ctx.i18n, updated, await ctx.uow.groups.recipients(group.id), ctx.now, since=ctx.now
        )
    await show_panel(ctx, await ctx.uow.groups.get(group.id) or group, ctx._("Saved."))
    return True


@router.choice("gk")
async def chose_kind(ctx: Context) -> None:
    leader = await _leader(ctx)
    if leader is None or ctx.state.flow != FLOW.name or ctx.choice_arg not in KINDS:
        show_menu(ctx)
        return
    ctx.state.data["kind"] = ctx.choice_arg
    await ask_place(ctx, leader)


@router.choice("gp")
async def chose_place(ctx: Context) -> None:
    leader = await _leader(ctx)
    if leader is None or ctx.state.flow != FLOW.name:
        show_menu(ctx)
        return
    if ctx.choice_arg == "point" and leader.point_id is not None:
        ctx.state.data["point"], ctx.state.data["place"] = leader.point_id, ""
        if await _save_edit(ctx, leader, point_id=leader.point_id, place=""):
            return
        ask_repeat(ctx)
    elif ctx.choice_arg == "online":
        ctx.state.step = "link"
        ctx.say(ctx._("Type the link of the video call (starting with https://)."), choices=[_cancel(ctx)])
    else:
        ctx.state.step = "address"
        ctx.say(ctx._("Type the address where the group meets."), choices=[_cancel(ctx)])


@router.choice("gs")
async def chose_repeat(ctx: Context) -> None:
    if await _leader(ctx) is None or ctx.state.flow != FLOW.name:
        show_menu(ctx)
        return
    repeat, _, ordinal = ctx.choice_arg.partition(":")
    if repeat not in {r.value for r in Repeat}:
        show_menu(ctx)
        return
    ctx.state.data["repeat"] = repeat
    ctx.state.data["ordinal"] = int(ordinal) if ordinal.lstrip("-").isdecimal() else 1
    ctx.state.step = "when"
    example = (
        ctx._("Type the day and the time, for example: T7 09:00")
        if repeat == Repeat.MONTHLY.value
        else ctx._("Type the day(s) and the time, for example: T3 18:30 or T3,T6 18:30")
    )
    ctx.say(example, choices=[_cancel(ctx)])


@router.choice("gm")
async def chose_reminders(ctx: Context) -> None:
    leader = await _leader(ctx)
    if leader is None or ctx.state.flow != FLOW.name:
        show_menu(ctx)
        return
    offsets = () if ctx.choice_arg == "none" else tuple(int(m) for m in ctx.choice_arg.split(",") if m.isdecimal())
    ctx.state.data["reminders"] = list(offsets)
    if await _save_edit(ctx, leader, reminder_minutes=offsets):
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
    reminders = " / ".join(_lead(ctx, m) for m in data.get("reminders", [])) or ctx._("none")
    ctx.state.step = "confirm"
    ctx.say(
        "\n".join(
            [
                f"{data['name']} · {ctx._(KINDS.get(str(data.get('kind')), KINDS['other']))}",
                ctx._("Meets {schedule}.").format(schedule=describe_schedule(ctx, schedule)),
                ctx._("Where: {place}").format(place=place),
                ctx._("Reminders: {reminders}").format(reminders=reminders),
            ]
        ),
        title=ctx._("Create this group?"),
        choices=[Choice("gc:ok", ctx._("Create the group")), Choice("ld", ctx._("Cancel"))],
    )


@router.choice("gc")
async def create(ctx: Context) -> None:
    leader = await _leader(ctx)
    schedule = _schedule(ctx) if ctx.state.flow == FLOW.name else None
    data = ctx.state.data
    if leader is None or schedule is None or ctx.choice_arg != "ok":
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


capability = Capability(
    "groups",
    lambda _services: Wiring((router,), hooks=(Hook(30, code_hook),)),
    menu=MenuEntry("groups", N_("Self-help groups"), 40),
    purposes=(GROUP_REMINDERS,),
    flows=(FLOW, JOIN_FLOW),
    records=(
        Record("group_members", N_("Group memberships (the leader sees only how many members there are): {count}.")),
    ),
    notices=NOTICES,
    commands=(Command("nhom", N_("Self-help groups"), 50), Command("roinhom", N_("Leave a group"), 60)),
)
