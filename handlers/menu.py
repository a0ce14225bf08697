"""The main menu (built from the capabilities' entries) and the kind answer to anything not understood."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.capability import Capability, Command, Understood, wired
from core.conversation import Context, Routes
from core.events import (
    Choice,
    ChoiceMade,
    CommandMessage,
    ContactShared,
    LocationShared,
    Reply,
    TextMessage,
    UnsupportedMessage,
)
from core.hotlines import Hotline, Hotlines
from core.i18n import BOT_NAME, N_, Translator
from core.ports import AgeGroup
from core.text import is_long_message

router = Routes("menu")


def menu_choices(ctx: Context) -> list[Choice]:
    """The main menu: every capability's entry (for a person under 16, those meant for them too)."""
    child = ctx.user.age_group is AgeGroup.CHILD
    return [Choice(e.choice, ctx._(e.label)) for e in ctx.catalogue.menu if not child or e.for_children]


def show_menu(ctx: Context, text: str | None = None, *, extra: tuple[Choice, ...] = ()) -> None:
    ctx.state.leave()
    ctx.say(text or ctx._("How can I help you?"), choices=[*menu_choices(ctx), *extra])


STAFF_HOME = {
    "counsellor": N_("Counsellor menu"),
    "leader": N_("Peer leader menu"),
    "manager": N_("Programme manager menu"),
    "operator": N_("Operator menu"),
}


@router.command("menu", "help")
@router.choice("menu", anytime=True)
async def menu(ctx: Context) -> None:
    await menu_with(ctx, None)


async def menu_with(ctx: Context, text: str | None) -> None:
    """The main menu, with staff's own menu at its end for staff (counsellor, peer leader, manager)."""
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is not None and member.role in STAFF_HOME:
        show_menu(ctx, text, extra=(Choice("staff.home", ctx._(STAFF_HOME[member.role])),))
    else:
        show_menu(ctx, text)


def refused_for_children(ctx: Context, message: str) -> bool:
    """For a capability meant for people 16 or older: answer a child kindly with ``message`` (a msgid)."""
    if ctx.user.age_group is AgeGroup.CHILD:
        show_menu(ctx, ctx._(message))
        return True
    return False


def fallback_for(hotlines: Hotlines) -> Callable[[Context], Awaitable[None]]:
    """The answer to anything not understood: a short, kind answer and the menu, never silence; a long message is
    heard (naming the child line of ``hotlines`` to a child)."""

    async def answer(ctx: Context) -> None:
        event = ctx.event
        if isinstance(event, TextMessage) and is_long_message(event.text):
            heard(ctx, hotlines.first("child"))
            return
        if isinstance(event, CommandMessage):
            text = ctx._("I don't know that command.")
        elif isinstance(event, LocationShared):
            text = ctx._("Thank you. I only use a location to look for nearby support, and I did not keep it.")
        elif isinstance(event, ContactShared):
            text = ctx._("Thank you, but I do not need a phone number now, and I did not keep it.")
        elif isinstance(event, UnsupportedMessage):
            text = ctx._("Sorry, I can only read text messages for now.")
        else:
            text = ctx._("Sorry, I didn't quite understand.")
        show_menu(ctx, text + " " + ctx._("Please choose one of these:"))

    return answer


def heard(ctx: Context, child_line: Hotline | None) -> None:
    """A long message, someone telling what they are going through: acknowledged as a person would, with the
    help it seems to ask for first, a counsellor to talk to (a trusted adult and the child line for a child), and
    urgent help.  (A crisis in it has already been answered by urgent help, which comes first.)"""
    ctx.state.leave()
    child = ctx.user.age_group is AgeGroup.CHILD
    if child:
        text = ctx._(
            "Thank you for trusting me with all of this. It sounds like a lot to carry. I am an automatic "
            "assistant, so I cannot answer everything you wrote the way a person would. Please tell an adult "
            "you trust. I did not keep your message."
        )
        if child_line is not None:
            text += "\n\n" + ctx._(
                "You can also call {number}: it is free, day and night, and they listen to children and young people."
            ).format(number=child_line.number)
        offered = [Choice("family", ctx._("For families")), Choice("urgent", ctx._("Urgent help"))]
    else:
        text = ctx._(
            "Thank you for trusting me with all of this. It sounds like a lot to carry. I am an automatic "
            "assistant, so I cannot answer everything you wrote the way a person would, but a counsellor can "
            "listen: you can book a time to talk, in person or by phone, without giving your name. I did not "
            "keep your message."
        )
        offered = [Choice("book", ctx._("Book a talk with a counsellor")), Choice("urgent", ctx._("Urgent help"))]
    skip = {o.id for o in offered}
    allowed = {c.id for c in menu_choices(ctx)} if child else None  # a child is offered only the child's menu
    asked = [c for c in ctx.understood_choices(2) if c.id not in skip and (allowed is None or c.id in allowed)]
    if asked:
        text += "\n\n" + ctx._("From what you wrote, this may also help:")
    ctx.say(text, choices=[*asked, *offered, Choice("menu", ctx._("Main menu"))])


async def expired_choice(ctx: Context) -> None:
    """A button from an earlier message, or data that was never offered."""
    assert isinstance(ctx.event, ChoiceMade)
    if ctx.state.flow is not None and ctx.state.prompt:  # in the middle of something: ask again, keep going
        ctx.say(ctx._("That button belongs to an earlier message. Here is where we are:"))
        ctx.replies.extend(ctx.state.prompt)
        return
    show_menu(ctx, ctx._("That button belongs to an earlier message and no longer works. Here is the menu:"))


def failure_reply(i18n: Translator) -> Reply:
    return Reply(
        text=i18n.gettext("Sorry, something went wrong on my side. Please try again in a moment."),
        choices=(Choice("menu", i18n.gettext("Main menu")),),
    )


@router.choice("menu.hello")
async def hello(ctx: Context) -> None:
    greeting = ctx._("Hello! I am {bot}'s assistant, an automated chat. How can I help you?")
    await menu_with(ctx, greeting.format(bot=BOT_NAME))


@router.choice("menu.thanks")
async def thanks(ctx: Context) -> None:
    await menu_with(ctx, ctx._("You are welcome. I am here whenever you need. Anything else?"))


@router.choice("menu.bye")
async def bye(ctx: Context) -> None:
    await menu_with(ctx, ctx._("Take care. You can write again at any time, day or night."))


capability = Capability(
    "menu",
    wired(router),
    commands=(Command("menu", N_("Main menu"), 20),),
    understood=(
        Understood("greeting", lambda _: "menu.hello", N_("Main menu")),
        Understood("thanks", lambda _: "menu.thanks", N_("Main menu")),
        Understood("goodbye", lambda _: "menu.bye", N_("Main menu")),
        Understood("help", lambda _: "menu", N_("Main menu")),
    ),
)
