"""The relay: while a person or a counsellor has a talk open and no flow waits for an answer, what they type goes
to the other side, passed on and never kept (``ctx.pass_on``: sealed until sent, then deleted)."""

from __future__ import annotations

from core.capability import HookFunction
from core.conversation import Context, resolve_choice
from core.events import (
    ChoiceMade,
    CommandMessage,
    ContactShared,
    LocationShared,
    Reply,
    TextMessage,
    UnsupportedMessage,
)
from core.i18n import N_
from core.ports.talks import TalkRecord
from core.ratelimit import Attempts
from core.text import fold
from handlers.menu import show_menu
from handlers.talks.counsellor import end_by_counsellor
from handlers.talks.person import end_by_person, show_waiting
from handlers.talks.shared import (
    END_WORDS,
    counsellor,
    mark_of,
    switch_choices,
    talks,
    tell_person,
)

PER_MINUTE = 20  # a person's messages passed on in a minute; more are refused, kindly (urgent words never are)
TOO_FAST = N_(
    "You are writing very fast, so I did not pass that one on. Please wait a moment, then write again: the "
    "counsellor reads every message."
)
MAX_RELAYED = 4000  # characters of one relayed message (Telegram's own limit is 4096 with the sender's name)


def relay(limit: Attempts) -> HookFunction:
    """The hook, with a person's messages in talks limited (``limit``: so many a minute each)."""

    async def relay_hook(ctx: Context) -> bool:
        """Runs before urgent help: a counsellor's words are for the person (never a cry for help of their own);
        a person's urgent words are passed on and then open urgent help too."""
        await _answering(ctx)
        if ctx.state.talk is None:
            return False
        talk = await talks(ctx).get(ctx.state.talk)
        if talk is None:
            return _ended(ctx)
        if talk.pseudonym == ctx.user.pseudonym:
            if _typed(ctx) and not (ctx.intent() or "").startswith("urgent") and not limit.allow(ctx.user.pseudonym):
                ctx.say(ctx._(TOO_FAST))
                return True
            return await _from_person(ctx, talk)
        member = await ctx.uow.staff.of(ctx.user.pseudonym)
        if member is None or talk.counsellor_id != member.id:
            ctx.state.talk = None  # handed to a colleague, or back in the queue
            return False
        return await _from_counsellor(ctx, talk)

    return relay_hook


async def _answering(ctx: Context) -> None:
    """A counsellor's reply to one of a talk's messages in their chat (Telegram's swipe-reply) answers that talk,
    whichever they were answering: no button to press first."""
    event = ctx.event
    if not isinstance(event, TextMessage) or event.replying_to is None or ctx.state.flow is not None:
        return
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None:
        return
    marks = {mark_of(t.id, member.id): t.id for t in await talks(ctx).held_by(member.id)}
    found = await ctx.uow.replies.which_mark(list(marks), event.replying_to)
    if found is not None:
        ctx.state.talk = marks[found]


def _ended(ctx: Context) -> bool:
    """The talk named in the state ended (the other side ended it): forget it, and say so to what was typed."""
    event = ctx.event
    if isinstance(event, ChoiceMade) and event.choice_id.startswith("talk."):
        return False  # "did it help?", a talk button: their handlers check the talk themselves
    ctx.state.talk = None
    if isinstance(event, TextMessage) and ctx.state.flow is None:
        resolved = resolve_choice(event, ctx.state)  # a number typed for "did it help?"
        if resolved is not event:
            ctx.event = resolved
            return False
        if ctx.intent() is None:
            show_menu(ctx, ctx._("That talk has ended, so this message was not passed on."))
            return True
    return False


def _kind_line(ctx: Context) -> bool:
    """Anything but text in a talk: not passed on (a photo or a location could say who someone is)."""
    event = ctx.event
    if isinstance(event, UnsupportedMessage | LocationShared | ContactShared):
        ctx.say(ctx._("In a talk only written messages are passed on. That was not passed on, and I did not keep it."))
        return True
    return False


def _typed(ctx: Context) -> str | None:
    """The text typed for the other side, or None (a command, a button, something else)."""
    event = ctx.event
    if ctx.state.flow is not None or not isinstance(event, TextMessage):
        return None
    return event.text.strip()


async def _from_person(ctx: Context, talk: TalkRecord) -> bool:
    if isinstance(ctx.event, CommandMessage) and ctx.event.command == "ketthuc":
        await end_by_person(ctx, talk)
        return True
    if _kind_line(ctx):
        return True
    text = _typed(ctx)
    if text is None:
        return False
    if fold(text) in END_WORDS:
        await end_by_person(ctx, talk)
        return True
    urgent = (ctx.intent() or "").startswith("urgent")
    if talk.waiting:
        if urgent:
            return False  # urgent help answers at once
        ctx.say(
            ctx._("No counsellor has joined yet, so I could not pass this on: please write it again when one does.")
        )
        await show_waiting(ctx, talk)
        return True
    held = await counsellor(ctx, talk.counsellor_id)
    if held is None:
        return False
    choices = switch_choices(ctx, [talk]) if held.holding > 1 else ()
    mark = mark_of(talk.id, held.staff_id)  # the person's words in the counsellor's chat: deleted at the end
    held.tell(ctx, Reply(_clip(text), title=talk.alias, choices=tuple(choices)), mark=mark)
    await talks(ctx).person_wrote(talk.id, ctx.now)
    if urgent:  # the counsellor should know the person was shown urgent help, and the person sees it
        held.tell(
            ctx,
            Reply(
                ctx._("{alias} was just shown the urgent-help screen (115 and first steps).").format(alias=talk.alias)
            ),
            mark=mark,
        )
        return False
    return True


async def _from_counsellor(ctx: Context, talk: TalkRecord) -> bool:
    if isinstance(ctx.event, CommandMessage) and ctx.event.command == "ketthuc":
        await end_by_counsellor(ctx, talk.id)
        return True
    if _kind_line(ctx):
        return True
    text = _typed(ctx)
    if text is None:
        return False
    duty = await talks(ctx).duty(talk.counsellor_id or 0)
    name = duty.display_name if duty is not None else ctx._("Counsellor")
    await tell_person(ctx, talk, Reply(_clip(text), title=name))
    await ctx.remember(mark_of(talk.id, talk.counsellor_id))  # their own words, deleted from their chat with the rest
    await talks(ctx).counsellor_wrote(talk.id)
    return True


def _clip(text: str) -> str:
    return text if len(text) <= MAX_RELAYED else text[: MAX_RELAYED - 1] + "…"
