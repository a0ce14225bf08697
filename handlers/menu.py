"""The main menu, the kind answer to anything not understood, and the items still to come."""

from __future__ import annotations

from core.conversation import Context, Handler, Router
from core.events import (
    Choice,
    ChoiceMade,
    CommandMessage,
    ContactShared,
    LocationShared,
    Reply,
    UnsupportedMessage,
)
from core.i18n import N_, Translator
from core.ports import AgeGroup

router = Router("menu")

# (choice id, label).  Each id is handled by its capability's router; items not built yet are below.
ITEMS: tuple[tuple[str, str], ...] = (
    ("check", N_("Self-check")),
    ("find", N_("Nearest support point")),
    ("book", N_("Book counselling")),
    ("groups", N_("Self-help groups")),
    ("family", N_("For families")),
    ("urgent", N_("Urgent help")),
    ("privacy", N_("Privacy and your data")),
)
# What a person under 16 is offered: no screening, booking or groups; family support, help, privacy.
CHILD_ITEMS = frozenset({"family", "urgent", "privacy"})

COMING_SOON: dict[str, str] = {}


def menu_choices(ctx: Context) -> list[Choice]:
    child = ctx.user.age_group is AgeGroup.CHILD
    return [Choice(key, ctx._(label)) for key, label in ITEMS if not child or key in CHILD_ITEMS]


def show_menu(ctx: Context, text: str | None = None) -> None:
    ctx.state.leave()
    ctx.say(text or ctx._("How can I help you?"), choices=menu_choices(ctx))


@router.command("menu", "help")
@router.choice("menu", anytime=True)
async def menu(ctx: Context) -> None:
    show_menu(ctx)


def _coming_soon(message: str) -> Handler:
    async def handler(ctx: Context) -> None:
        show_menu(ctx, ctx._(message) + "\n\n" + ctx._("Meanwhile, here is what I can do now:"))

    return handler


for _key, _message in COMING_SOON.items():
    router.choice(_key, anytime=True)(_coming_soon(_message))


def refused_for_children(ctx: Context, message: str) -> bool:
    """For a capability meant for people 16 or older: answer a child kindly with ``message`` (a msgid)."""
    if ctx.user.age_group is AgeGroup.CHILD:
        show_menu(ctx, ctx._(message))
        return True
    return False


async def fallback(ctx: Context) -> None:
    """Anything not understood: a short, kind answer and the menu, never silence."""
    event = ctx.event
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
