"""The person's side of a live talk: what it is and its consent, the queue (place, an honest wait, cancel), the
talk itself (what they type goes to the counsellor), its end, and "did it help?"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from core.capability import Flow
from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import Choice, ChoiceMade, Render
from core.i18n import N_
from core.ports.talks import DutyRecord, TalkRecord
from domain.hours import HoursError, OpeningHours, parse_hours
from domain.talks import Waiting, estimate_wait, position, usually_on
from handlers import consent
from handlers.entry_points import TalkNow
from handlers.menu import refused_for_children, show_menu
from handlers.talks.shared import (
    BLOCKED,
    RISK_NAMES,
    TYPICAL_TALK,
    End,
    Helped,
    after_end,
    close,
    counsellor,
    end_choice,
    helped_question,
    new_alias,
    offer,
    talks,
    tally,
)
from services.talks import LIVE_TALK, WISH_FOR, routing

router = Routes("talks_person")
WHERE_FLOW = Flow("talk_where", N_("the province you are giving for a live talk"))
CHILD_REFUSAL = N_(
    "Live talks with counsellors are for people aged 16 or older. You can call 111, free, any time, to talk "
    "with someone."
)


@dataclass(frozen=True)
class Agree(ChoiceData, prefix="talk.agree"):
    came: str
    level: str


@dataclass(frozen=True)
class Share(ChoiceData, prefix="talk.share"):
    """Join the queue, sharing the self-check's highest level with the counsellor (``level``) or not ("")."""

    came: str
    level: str


@router.command("noichuyen")
@router.choice("talk", anytime=True)
async def talk_entry(ctx: Context) -> None:
    await begin(ctx, TalkNow())


@router.choice(TalkNow, anytime=True)
async def talk_from(ctx: Context, data: TalkNow) -> None:
    await begin(ctx, data)


async def begin(ctx: Context, data: TalkNow) -> None:
    if refused_for_children(ctx, CHILD_REFUSAL):
        return
    if await talks(ctx).blocked(ctx.user.pseudonym, ctx.now):
        show_menu(ctx, ctx._(BLOCKED))
        return
    if (talk := await talks(ctx).of_person(ctx.user.pseudonym)) is not None:
        ctx.state.talk = talk.id
        await show_waiting(ctx, talk) if talk.waiting else show_talking(ctx, talk)
        return
    if not ctx.event.address:
        show_menu(
            ctx,
            ctx._(
                "Live talks with a counsellor happen in the Telegram or Zalo chat with "
                "Điểm Tựa. Here you can book "  # (noqa: i18n)
                "an appointment or see urgent help."
            ),
        )
        return
    level = data.level if data.level in RISK_NAMES else ""
    if not await consent.given(ctx, LIVE_TALK):
        ctx.state.leave()
        ctx.say(
            ctx._(
                "You can write with a counsellor here, now, when one is on duty. A real person reads what you "
                "write and answers; you stay anonymous, and you can end the talk at any time.\n\n"
                "This is not an emergency service: if someone's life is in danger, call 115, or send /khancap for "
                "urgent help."
            ),
            title=ctx._("Talk to a counsellor now"),
        )
        consent.ask(ctx, LIVE_TALK, yes=Agree(data.came, level).pack(), no="talk.no")
        return
    await ask_share(ctx, data.came, level)


@router.choice(Agree)
async def agreed(ctx: Context, data: Agree) -> None:
    if not ctx.event.address:
        show_menu(ctx)
        return
    await consent.grant(ctx, LIVE_TALK)
    await ask_share(ctx, data.came, data.level)


@router.choice("talk.no")
async def declined(ctx: Context) -> None:
    show_menu(
        ctx,
        ctx._("All right. You can book an appointment instead, or come back here whenever you want to talk."),
    )


async def ask_share(ctx: Context, came: str, level: str) -> None:
    if not level:
        ask_where(ctx, came, "")
        return
    ctx.say(
        ctx._(
            "Shall I tell the counsellor that your self-check showed {level} at most? Only that, nothing else of "
            "your answers."
        ).format(level=ctx._(RISK_NAMES[level])),
        choices=[
            Where(came, level).choice(ctx._("Yes, tell them")),
            Where(came, "").choice(ctx._("No, don't")),
        ],
    )


@dataclass(frozen=True)
class Where(ChoiceData, prefix="talk.where"):
    """Ask where the person is (``level``: the self-check's level they agreed to share, or "")."""

    came: str
    level: str


@router.choice(Where)
async def where(ctx: Context, data: Where) -> None:
    ask_where(ctx, data.came, data.level)


def ask_where(ctx: Context, came: str, level: str, note: str | None = None) -> None:
    """Which province the person is in, if they want to say: the talk is then offered first to counsellors
    there, who see it.  Answered by typing (``handlers.talks.where``), or skipped."""
    ctx.state.enter(WHERE_FLOW.name, "where", came=came, level=level)
    ask = ctx._(
        "Which province or city are you in? A counsellor from there is asked first, and sees it. You do not have "
        "to say."
    )
    ctx.say(
        (note + " " if note else "") + ask,
        choices=[Share(came, level).choice(ctx._("Skip this")), Choice("urgent", ctx._("Urgent help"))],
    )


@router.choice(Share)
async def join_here(ctx: Context, data: Share) -> None:
    await join(ctx, data)


async def join(ctx: Context, data: Share, province: tuple[str, str] | None = None) -> None:
    """Join the queue (from ``province``, (id, name), if the person said): the talk is opened and offered to
    every counsellor on duty with room."""
    me = ctx.user.pseudonym
    if not ctx.event.address or not await consent.given(ctx, LIVE_TALK):
        await begin(ctx, TalkNow(data.came, data.level))
        return
    existing = await talks(ctx).of_person(me)
    await talks(ctx).drop_wish(me)  # asking again is the answer to "tell me when"
    talk = existing or await talks(ctx).request(
        me,
        new_alias(),
        ctx.now,
        province=province,
        risk=data.level if data.level in RISK_NAMES else None,
        from_selfcheck=data.came == "check",
        wipe_from=ctx.event.position if ctx.channel.renders & Render.DELETE else None,
    )
    duties = await talks(ctx).on_duty()
    if existing is None:
        await ctx.uow.handles.drop(me, LIVE_TALK.id)
        await ctx.uow.handles.keep(me, LIVE_TALK.id, ctx.event.channel, ctx.event.address)
        await tally(ctx, "talk_requested")
        await offer(ctx, talk, duties)
    ctx.state.leave()
    ctx.state.talk = talk.id
    await show_waiting(ctx, talk, duties)


async def show_waiting(ctx: Context, talk: TalkRecord, on_duty: list[DutyRecord] | None = None) -> None:
    """Where the person stands, and an honest range for the wait; when nobody is on duty, that said plainly
    (``on_duty``: who is, when the caller has read it already)."""
    duties = routing(on_duty if on_duty is not None else await talks(ctx).on_duty())
    waiting = await talks(ctx).waiting()
    place = position([Waiting(t.id, t.requested_at) for t in waiting], talk.id) or 1
    estimate = estimate_wait(place, duties, TYPICAL_TALK)
    cancel = End(talk.id).choice(ctx._("Stop waiting"))
    urgent = Choice("urgent", ctx._("Urgent help"))
    keep = [] if talk.wipe_from is None or talk.keep_messages else [Keep(talk.id).choice(ctx._("Keep the messages"))]
    deleted = (
        " "
        + ctx._(
            "When the talk ends, its messages are deleted from this chat, in case someone else sees this phone, "
            "and from the counsellor's."
        )
        if keep
        else ""
    )
    if estimate is None:
        ctx.say(
            ctx._(
                "No counsellor is on duty right now. You can keep waiting: I will tell you as soon as one takes "
                "your talk, and they will see it as {alias}. Or book an appointment for another day."
            ).format(alias=talk.alias)
            + await usually(ctx, talk)
            + deleted,
            choices=[
                Wish(talk.id).choice(ctx._("Tell me when someone is on duty")),
                Choice("book", ctx._("Book counselling")),
                Choice("book.phone", ctx._("A counsellor calls me back")),
                cancel,
                urgent,
                *keep,
            ],
        )
        return
    if estimate.soon:
        wait = ctx._("A counsellor should take it in a moment.")
    else:
        wait = ctx._("The wait may be about {low} to {high} minutes.").format(low=estimate.low, high=estimate.high)
    ctx.say(
        ctx._(
            "You are number {place} in the queue, as {alias}. {wait} I will tell you when a counsellor joins."
        ).format(place=place, alias=talk.alias, wait=wait)
        + deleted,
        choices=[cancel, urgent, *keep],
    )


async def usually(ctx: Context, talk: TalkRecord) -> str:
    """When counsellors are usually on duty (the rosters, nationwide and the person's province), as a sentence
    to add; "" when no roster says."""
    rosters = await talks(ctx).rosters()
    hours = [parsed for where, text in rosters.items() if where in (None, talk.province) if (parsed := _hours(text))]
    local = ctx.now.astimezone(ctx.i18n.timezone)
    found = usually_on(hours, local)
    if found is None:
        return ""
    if found.now:
        return " " + ctx._("Counsellors are usually on duty at this time; it may be a busy moment.")
    assert found.days is not None and found.at is not None
    at = found.at.strftime("%H:%M")
    if found.days == 0:
        return " " + ctx._("Counsellors are usually on duty from {time} today.").format(time=at)
    if found.days == 1:
        return " " + ctx._("Counsellors are usually on duty from {time} tomorrow.").format(time=at)
    day = ctx.i18n.date((local + timedelta(days=found.days)).date())
    return " " + ctx._("Counsellors are usually on duty from {time} on {day}.").format(time=at, day=day)


def _hours(text: str) -> OpeningHours | None:
    try:
        return parse_hours(text)
    except HoursError:
        return None


def show_talking(ctx: Context, talk: TalkRecord) -> None:
    ctx.say(
        ctx._("You are in a talk with a counsellor. What you write here goes to them."),
        choices=[end_choice(ctx, talk)],
    )


async def end_by_person(ctx: Context, talk: TalkRecord) -> None:
    """The person ends their talk (or stops waiting)."""
    held = await counsellor(ctx, talk.counsellor_id)
    if not await close(ctx, talk, "person"):
        ctx.state.talk = None
        show_menu(ctx, ctx._("This talk has already ended."))
        return
    ctx.state.talk = None
    if talk.waiting:
        show_menu(ctx, ctx._("All right: you are no longer waiting. You can ask again at any time."))
        return
    if held is not None:
        await after_end(ctx, held, talk, ctx._("{alias} has ended the talk.").format(alias=talk.alias))
    if talk.wipe_from is not None and not talk.keep_messages and ctx.event.position is not None:
        ctx.wipe(talk.wipe_from, ctx.event.position + 1)
        ctx.say(ctx._("The talk has ended, and its messages were deleted from this chat. Take care of yourself."))
    else:
        ctx.say(ctx._("The talk has ended. Nothing of what was written is kept. Take care of yourself."))
    ctx.replies.append(helped_question(ctx, talk.id))


@dataclass(frozen=True)
class Wish(ChoiceData, prefix="talk.wish"):
    """Leave the queue, and be told once when a counsellor is next on duty."""

    talk: int


@router.choice(Wish)
async def wish(ctx: Context, data: Wish) -> None:
    talk = await talks(ctx).get(data.talk)
    mine = talk is not None and talk.pseudonym == ctx.user.pseudonym and talk.waiting
    if talk is None or not mine or await talks(ctx).end(talk.id) is None:
        show_menu(ctx, ctx._("This talk has already ended."))
        return
    await tally(ctx, "talk_cancelled", "wish")
    await talks(ctx).wish(ctx.user.pseudonym, ctx.now + WISH_FOR)
    handle = await ctx.uow.handles.find(ctx.user.pseudonym, LIVE_TALK.id)
    if handle is not None:  # the address to tell them at, only as long as the wish holds
        await ctx.uow.handles.set_delete_after(handle, ctx.now + WISH_FOR + timedelta(hours=6))
    ctx.state.talk = None
    show_menu(
        ctx,
        ctx._(
            "All right: you are no longer waiting. When a counsellor is next on duty, in the next 24 hours, I will "
            "send you one message; then you choose whether to talk."
        ),
    )


@dataclass(frozen=True)
class Keep(ChoiceData, prefix="talk.keep"):
    talk: int


@router.choice(Keep)
async def keep_messages(ctx: Context, data: Keep) -> None:
    talk = await talks(ctx).get(data.talk)
    if talk is None or talk.pseudonym != ctx.user.pseudonym:
        show_menu(ctx, ctx._("This talk has already ended."))
        return
    await talks(ctx).keep_messages(talk.id)
    ctx.say(ctx._("All right: the talk's messages will stay in this chat when it ends."))
    await show_waiting(ctx, replace(talk, keep_messages=True)) if talk.waiting else show_talking(ctx, talk)


@router.choice(Helped, anytime=True)
async def helped(ctx: Context, data: Helped) -> None:
    """Counted once, only for the person's own talk that just ended (its question on offer, or the talk still
    named in their state after the counsellor ended it)."""
    assert isinstance(ctx.event, ChoiceMade)
    offered = any(c.id == ctx.event.choice_id for c in ctx.state.offered)
    own = ctx.state.talk == data.talk and await talks(ctx).get(data.talk) is None
    if offered or own:
        ctx.state.talk = None
        await tally(ctx, "talk_helpful", data.answer)
    show_menu(ctx, ctx._("Thank you for telling me."))
