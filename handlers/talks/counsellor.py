"""The counsellor's side of a live talk: going on and off duty (a display name, the consent to be reached while on
duty), taking a waiting talk (the first press wins), answering one of several talks, ending a talk, and the counts
a manager sees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from core.capability import Flow
from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import Choice, Render, Reply, TextMessage, Wipe
from core.i18n import N_
from core.ports import StaffRecord
from handlers import consent
from handlers.menu import show_menu
from handlers.talks.person import end_by_person
from handlers.talks.shared import (
    BLOCKED,
    End,
    Switch,
    close,
    counsellor_copy,
    describe,
    end_choice,
    helped_question,
    offer,
    offer_waiting,
    pass_to_person,
    person_address,
    started,
    switch_choices,
    take_choice,
    talks,
    tally,
    tell_person,
    told_after,
    wait_of,
)
from handlers.talks.tools import tools_choice
from services.talks import DUTY, Take, tell_wishes

router = Routes("talks_counsellor")
NAME_FLOW = Flow("duty_name", N_("the display name you are choosing for live talks"))
BLOCK_DAYS = 7
# The person's chat is cleared from where the talk began up to this many messages on (those that exist).
WIPE_AHEAD = 1000
_NAME = re.compile(r"^[^\W\d_][\w .'-]{0,29}$")


async def on_duty_counsellor(ctx: Context) -> StaffRecord | None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role != "counsellor":
        show_menu(ctx)
        return None
    return member


@router.command("truc")
@router.choice("talks.duty", anytime=True)
async def duty_home(ctx: Context) -> None:
    if (member := await on_duty_counsellor(ctx)) is None:
        return
    duty = await talks(ctx).duty(member.id)
    queue = await talks(ctx).waiting()
    waiting = len(queue)
    kept = await talks(ctx).notes(ctx.user.pseudonym)
    notes = [Choice("talks.notes", ctx._("My notes ({count})").format(count=len(kept)))] if kept else []
    if duty is None or not duty.on:
        ctx.say(
            ctx._("Live talks: you are off duty. {waiting} waiting now.").format(waiting=waiting),
            choices=[
                Choice("talks.on", ctx._("Start duty")),
                *notes,
                Choice("staff.menu", ctx._("Counsellor menu")),
            ],
        )
        return
    held = await talks(ctx).held_by(member.id)
    text = ctx._(
        "Live talks: you are on duty as {name}, holding {held} of {capacity} talks. {waiting} waiting now."
    ).format(name=duty.display_name, held=len(held), capacity=duty.capacity, waiting=waiting)
    if held and not ctx.channel.renders & Render.BUTTONS:
        # Typed numbers are words for the person while a talk is being answered: here they choose the talk.
        ctx.state.talk = None
        text += "\n" + ctx._("Type the number of the talk to answer.")
    ctx.say(
        text,
        choices=[
            *switch_choices(ctx, held),
            *(take_choice(ctx, t) for t in queue[: max(0, duty.capacity - len(held))]),
            *notes,
            Choice("talks.off", ctx._("End my shift")),
            Choice("staff.menu", ctx._("Counsellor menu")),
        ],
    )


@router.choice("talks.on", anytime=True)
async def go_on(ctx: Context) -> None:
    if (member := await on_duty_counsellor(ctx)) is None:
        return
    if not ctx.event.address:
        show_menu(ctx, ctx._("Duty for live talks is kept in the Telegram or Zalo chat."))
        return
    if not await consent.given(ctx, DUTY):
        consent.ask(ctx, DUTY, yes="talks.agree", no="talks.duty")
        return
    duty = await talks(ctx).duty(member.id)
    if duty is None or not duty.display_name:
        ask_name(ctx)
        return
    await start_duty(ctx, member, None)


@router.choice("talks.agree")
async def agreed(ctx: Context) -> None:
    if await on_duty_counsellor(ctx) is None:
        return
    await consent.grant(ctx, DUTY)
    await go_on(ctx)


def ask_name(ctx: Context) -> None:
    ctx.state.enter(NAME_FLOW.name, "name")
    ctx.say(
        ctx._(
            "What name should people see in live talks? A first name or a nickname, not your full name "
            "(up to 30 letters)."
        ),
        choices=[Choice("talks.duty", ctx._("Cancel"))],
    )


@router.flow(NAME_FLOW)
async def named(ctx: Context) -> None:
    if (member := await on_duty_counsellor(ctx)) is None:
        return
    name = ctx.event.text.strip() if isinstance(ctx.event, TextMessage) else ""
    if not _NAME.match(name):
        ctx.say(ctx._("Please type a name of 1 to 30 letters (spaces, dots and hyphens are fine)."))
        return
    ctx.state.leave()
    await start_duty(ctx, member, name)


async def start_duty(ctx: Context, member: StaffRecord, name: str | None) -> None:
    await talks(ctx).set_duty(member.id, since=ctx.now, display_name=name)
    await ctx.uow.handles.drop(ctx.user.pseudonym, DUTY.id)
    await ctx.uow.handles.keep(ctx.user.pseudonym, DUTY.id, ctx.event.channel, ctx.event.address)
    duty = await talks(ctx).duty(member.id)
    assert duty is not None
    ctx.say(
        ctx._(
            "You are on duty as {name}. Talks people ask for will come here: press the button to take one. What "
            "you write while you hold a talk goes to the person; /ketthuc ends it; /truc shows your talks."
        ).format(name=duty.display_name),
        choices=[Choice("talks.off", ctx._("End my shift"))],
    )
    await offer_waiting(ctx, member.id, duty.capacity - duty.talks)
    await tell_wishes(ctx.uow, ctx.now)  # those who asked to know when someone is on duty


@router.choice("talks.off", anytime=True)
async def go_off(ctx: Context) -> None:
    """End the shift: the talks held go back to the queue (their people told), the chat address is deleted."""
    if (member := await on_duty_counsellor(ctx)) is None:
        return
    held = await talks(ctx).held_by(member.id)
    ctx.wipe(marks=[mark for talk in held for mark in counsellor_copy(talk, member.id)])
    await talks(ctx).set_duty(member.id, since=None)
    await ctx.uow.handles.drop(ctx.user.pseudonym, DUTY.id)
    ctx.state.talk = None
    duties = await talks(ctx).on_duty()
    for talk in held:
        await talks(ctx).release(talk.id)
        await tell_person(
            ctx,
            talk,
            Reply(
                ctx._(
                    "The counsellor had to leave. You are back at the front of the queue: the next counsellor will "
                    "take over. What was written before is not passed on, so you may need to say it again."
                )
            ),
        )
        refreshed = await talks(ctx).get(talk.id)
        if refreshed is not None:
            await offer(ctx, refreshed, duties)
    ctx.say(
        ctx._("Your shift has ended. Thank you. Talks sent back to the queue: {count}.").format(count=len(held)),
        choices=[Choice("talks.on", ctx._("Start duty")), Choice("staff.menu", ctx._("Counsellor menu"))],
    )


@router.choice(Take, anytime=True)
async def take(ctx: Context, data: Take) -> None:
    """The first counsellor to press gets the talk (a conditional update: exactly one, on any number of
    workers); the others are told it is taken."""
    if (member := await on_duty_counsellor(ctx)) is None:
        return
    duty = await talks(ctx).duty(member.id)
    if duty is None or not duty.on:
        ctx.say(ctx._("Start your duty first to take talks."), choices=[Choice("talks.on", ctx._("Start duty"))])
        return
    if duty.talks >= duty.capacity:
        ctx.say(ctx._("You already hold {count} talks, your limit. End one to take another.").format(count=duty.talks))
        return
    talk = await talks(ctx).get(data.talk)
    if talk is None:
        ctx.say(ctx._("That talk has ended: the person stopped waiting."))
        return
    if not await talks(ctx).take(talk.id, member.id, ctx.now):
        ctx.say(ctx._("A colleague has already taken {alias}.").format(alias=talk.alias))
        return
    await started(ctx, talk)
    ctx.state.talk = talk.id
    minutes = int(wait_of(ctx, talk).total_seconds() // 60)
    ctx.say(
        ctx._(
            "You are now talking with {talk} (waited {minutes} min). What you write here goes to them, from "
            "{name}. /gui sends help or hands the talk over; /ketthuc ends it."
        ).format(talk=describe(ctx, talk), minutes=minutes, name=duty.display_name),
        choices=[
            end_choice(ctx, talk),
            tools_choice(ctx, talk),
            Block(talk.id).choice(
                ctx._("End and block {alias} for {days} days").format(alias=talk.alias, days=BLOCK_DAYS)
            ),
        ],
    )
    await tell_person(
        ctx,
        talk,
        Reply(
            ctx._(
                "{name}, a counsellor, has joined. Write here: they read what you write and answer. "
                'To end the talk, type "kết thúc".'  # (noqa: i18n)
            ).format(name=duty.display_name)
        ),
    )


@router.choice(Switch, anytime=True)
async def switch(ctx: Context, data: Switch) -> None:
    if (member := await on_duty_counsellor(ctx)) is None:
        return
    talk = await talks(ctx).get(data.talk)
    if talk is None or talk.counsellor_id != member.id:
        ctx.say(ctx._("That talk has ended."))
        return
    ctx.state.leave()
    ctx.state.talk = talk.id
    ctx.say(
        ctx._("Now answering {alias}: what you write goes to them. /gui sends help or hands the talk over.").format(
            alias=talk.alias
        ),
        choices=[end_choice(ctx, talk), tools_choice(ctx, talk)],
    )


@dataclass(frozen=True)
class Block(ChoiceData, prefix="talk.block"):
    """A counsellor ends an abusive talk and keeps its person out of live talks for a while."""

    talk: int


@router.choice(Block, anytime=True)
async def block(ctx: Context, data: Block) -> None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    talk = await talks(ctx).get(data.talk)
    if member is None or talk is None or talk.counsellor_id != member.id:
        ctx.say(ctx._("That talk has already ended."))
        return
    await talks(ctx).block(talk.pseudonym, talk.alias, ctx.now + timedelta(days=BLOCK_DAYS))
    await tally(ctx, "talk_blocked")
    await end_by_counsellor(ctx, talk.id, blocked=True)


@router.choice(End, anytime=True)
async def end(ctx: Context, data: End) -> None:
    talk = await talks(ctx).get(data.talk)
    if talk is not None and talk.pseudonym == ctx.user.pseudonym:
        await end_by_person(ctx, talk)
        return
    await end_by_counsellor(ctx, data.talk)


async def end_by_counsellor(ctx: Context, talk_id: int | None, *, blocked: bool = False) -> None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    talk = await talks(ctx).get(talk_id) if talk_id is not None else None
    if member is None or talk is None or talk.counsellor_id != member.id:
        ctx.state.talk = None
        ctx.say(ctx._("That talk has already ended."))
        return
    address = await person_address(ctx, talk)
    await close(ctx, talk, "counsellor")
    ctx.wipe(marks=counsellor_copy(talk, member.id))  # the talk's copy in this chat, unless the person kept it
    wipe = None
    text = ctx._("The counsellor has ended the talk. Nothing of what was written is kept. Take care of yourself.")
    if talk.wipe_from is not None and not talk.keep_messages:
        wipe = Wipe(talk.wipe_from, talk.wipe_from + WIPE_AHEAD)
        text = ctx._(
            "The counsellor has ended the talk, and its messages were deleted from this chat. Take care of yourself."
        )
    if blocked:
        pass_to_person(ctx, talk, address, Reply(text + "\n\n" + ctx._(BLOCKED)), wipe=wipe)
    else:
        pass_to_person(ctx, talk, address, Reply(text), helped_question(ctx, talk.id), wipe=wipe)
    ctx.state.talk = None
    await told_after(ctx, member.id, ctx._("The talk with {alias} has ended.").format(alias=talk.alias))


@router.command("ketthuc")
async def end_command(ctx: Context) -> None:
    talk = await talks(ctx).of_person(ctx.user.pseudonym)
    if talk is not None:
        await end_by_person(ctx, talk)
        return
    await end_by_counsellor(ctx, ctx.state.talk)


@router.choice("talks.counts")
async def counts(ctx: Context) -> None:
    """For managers (and counsellors): how many wait, how many talks are open, the longest wait; counts only."""
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role not in ("manager", "counsellor"):
        show_menu(ctx)
        return
    waiting = await talks(ctx).waiting()
    duties = await talks(ctx).on_duty()
    longest = max((int(wait_of(ctx, t).total_seconds() // 60) for t in waiting), default=0)
    ctx.say(
        ctx._(
            "Live talks now: {waiting} waiting (the longest for {longest} min), {open} open, {duty} counsellors on "
            "duty."
        ).format(waiting=len(waiting), longest=longest, open=sum(d.talks for d in duties), duty=len(duties)),
        choices=[Choice("staff.home", ctx._("Back")), Choice("menu", ctx._("Main menu"))],
    )
