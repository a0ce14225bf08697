"""Self-help groups, the members' side: join with a link (``/start g_<code>``) or by typing the group's code,
agree (or not) to meeting reminders, answer "I'll come" / "I can't come" on a reminder, and leave with
``/roinhom`` or a button, which deletes the chat address at once."""

from __future__ import annotations

from core.clock import week_start
from core.codes import ALPHABET, normalize_code
from core.conversation import Context, Routes
from core.events import Attachment, Choice, CommandMessage, TextMessage
from core.ports import GroupRecord
from domain.calendar_file import group_ics
from handlers import consent
from handlers.groups import leaders
from handlers.groups.shared import (
    CHILD_REFUSAL,
    GROUP_REMINDERS,
    JOIN_FLOW,
    GroupCalendar,
    Join,
    Leave,
    LeaveConfirmed,
    Rsvp,
    describe_schedule,
    kind_name,
    lead_time,
    upcoming,
    where,
)
from handlers.menu import refused_for_children, show_menu
from services.group_outbox import place_of, plan_reminders

router = Routes("groups")


@router.choice("groups", anytime=True)
@router.command("nhom", "groups")
async def groups_home(ctx: Context) -> None:
    await _home(ctx, for_family=False)


@router.choice("groups.family", anytime=True)
async def family_groups(ctx: Context) -> None:
    await _home(ctx, for_family=True)


async def _home(ctx: Context, *, for_family: bool) -> None:
    if refused_for_children(ctx, CHILD_REFUSAL):
        return
    args = ctx.event.args.strip() if isinstance(ctx.event, CommandMessage) else ""
    if args:
        await join_by_code(ctx, args)
        return
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is not None and member.role == "leader":
        await leaders.leader_home(ctx, member)
        return
    mine = await ctx.uow.groups.memberships(ctx.user.pseudonym)
    lines = [ctx._("Self-help groups meet regularly to support each other, in person or online.")]
    if for_family:
        lines[0] = ctx._(
            "Family support groups bring together relatives of people who use drugs, to share what helps. "
            "A community counselling point can tell you about a group near you."
        )
    if mine:
        lines.append(ctx._("Your groups:") + "\n" + "\n".join(f"• {g.name}" for g, _ in mine))
    lines.append(ctx._("To join a group, open the link your group leader gave you, or type its code here."))
    ctx.state.enter(JOIN_FLOW.name, "code")
    choices = [
        GroupCalendar(member_id).choice(ctx._("Calendar file: {group}").format(group=g.name[:40]))
        for g, member_id in mine
    ]
    choices += [Leave(member_id).choice(ctx._("Leave {group}").format(group=g.name[:40])) for g, member_id in mine]
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
    if group is None and not looks_like_code(typed) and await ctx.understood_instead():  # another request
        return
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
        f"{group.name} · {kind_name(ctx, group.kind)}",
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
        choices.append(Join(group.id, reminders=True).choice(ctx._("Join, with reminders")))
        choices.append(Join(group.id, reminders=False).choice(ctx._("Join, without reminders")))
    else:
        choices.append(Join(group.id, reminders=False).choice(ctx._("Join")))
    choices.append(Choice("menu", ctx._("Not now")))
    ctx.say("\n".join(lines), title=ctx._("Join a self-help group"), choices=choices)


@router.choice(Join)
async def join(ctx: Context, data: Join) -> None:
    group = await ctx.uow.groups.get(data.group)
    if group is None or refused_for_children(ctx, CHILD_REFUSAL):
        show_menu(ctx)
        return
    member_id = await ctx.uow.groups.join(group.id, ctx.user.pseudonym, ctx.now)
    await ctx.uow.tallies.add(week_start(ctx.now.astimezone(ctx.i18n.timezone).date()), "group_joined")
    text = ctx._("Welcome to {group}.").format(group=group.name)
    if data.reminders and ctx.event.address:
        await consent.grant(ctx, GROUP_REMINDERS)
        handle = await ctx.uow.handles.keep(
            ctx.user.pseudonym, GROUP_REMINDERS.id, ctx.event.channel, ctx.event.address
        )
        await ctx.uow.groups.set_handle(member_id, handle)
        member = await ctx.uow.groups.member(member_id)
        if member is not None:
            await plan_reminders(ctx.uow, ctx.i18n, group, [member], ctx.now, since=ctx.now)
        offsets = " / ".join(lead_time(ctx, m) for m in group.reminder_minutes)
        if offsets:
            text += " " + ctx._("I will remind you before each meeting ({offsets}).").format(offsets=offsets)
    meeting = upcoming(ctx, group)
    if meeting is not None:
        text += "\n\n" + ctx._("Next meeting: {when}").format(when=ctx.i18n.datetime(meeting.start))
    text += "\n\n" + ctx._("To leave the group at any time, send /roinhom.")
    calendar = GroupCalendar(member_id).choice(ctx._("Add the meetings to my calendar (.ics file)"))
    ctx.say(text, choices=[calendar, Choice("menu", ctx._("Main menu"))])


@router.choice(GroupCalendar)
async def group_calendar(ctx: Context, data: GroupCalendar) -> None:
    mine = {member_id: group for group, member_id in await ctx.uow.groups.memberships(ctx.user.pseudonym)}
    group = mine.get(data.member)
    if group is None:  # not this person's membership (or they left): no file
        await groups_home(ctx)
        return
    content = group_ics(
        uid=f"group-{group.id}@diemtua.invalid",
        title=ctx._("Group meeting"),  # discreet: the name, which may say what the group is for, is inside
        description=group.name,
        schedule=group.schedule,
        zone=ctx.i18n.timezone,
        stamp=ctx.now,
        location=await place_of(ctx.uow, group),
        sequence=group.revision,
    )
    ctx.say(
        ctx._(
            "Here are the group's meetings as a calendar file: open it to add them to your phone's calendar. "
            "If a meeting is called off or moved, take the file again to update it."
        ),
        attachment=Attachment(f"nhom-{group.code.lower()}.ics", content, "text/calendar"),
        choices=[Choice("groups", ctx._("Self-help groups")), Choice("menu", ctx._("Main menu"))],
    )


@router.command("roinhom", "leave")
async def leave_command(ctx: Context) -> None:
    mine = await ctx.uow.groups.memberships(ctx.user.pseudonym)
    if not mine:
        show_menu(ctx, ctx._("You are not a member of any group."))
        return
    choices = [Leave(member_id).choice(ctx._("Leave {group}").format(group=g.name[:40])) for g, member_id in mine]
    choices.append(Choice("menu", ctx._("Stay")))
    ctx.say(ctx._("Which group do you want to leave?"), choices=choices)


@router.choice(Leave)
async def ask_leave(ctx: Context, data: Leave) -> None:
    """Leaving is asked once more: it deletes the chat address for the group's reminders at once."""
    mine = {member_id: g for g, member_id in await ctx.uow.groups.memberships(ctx.user.pseudonym)}
    group = mine.get(data.member)
    if group is None:
        show_menu(ctx, ctx._("You are not a member of that group."))
        return
    ctx.say(
        ctx._("Leave {group}? You will get no more reminders or messages from it.").format(group=group.name),
        choices=[
            LeaveConfirmed(data.member).choice(ctx._("Yes, leave the group")),
            Choice("menu", ctx._("Stay")),
        ],
    )


@router.choice(LeaveConfirmed)
async def leave(ctx: Context, data: LeaveConfirmed) -> None:
    mine = {member_id: g for g, member_id in await ctx.uow.groups.memberships(ctx.user.pseudonym)}
    group = mine.get(data.member)
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


@router.choice(Rsvp, anytime=True)
async def rsvp(ctx: Context, data: Rsvp) -> None:
    """ "I'll come" / "I can't come" on a reminder: only the member the reminder went to can answer."""
    member = await ctx.uow.groups.member(data.member)
    if member is None or member.pseudonym != ctx.user.pseudonym:
        show_menu(ctx, ctx._("That button belongs to a reminder that is no longer valid. Here is the menu:"))
        return
    await ctx.uow.groups.rsvp(member.id, data.day, data.answer == "y")
    text = (
        ctx._("Thank you: noted that you will come. See you there!")
        if data.answer == "y"
        else ctx._("Thank you for letting us know. We hope to see you next time.")
    )
    ctx.say(text, choices=[Choice("menu", ctx._("Main menu"))])
