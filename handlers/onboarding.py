"""/start: who the bot is, what it keeps (nothing that identifies you), and the age question."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from core.capability import Capability, Command, Flow, Hook, Wiring
from core.choices import ChoiceData
from core.clock import week_start
from core.conversation import Context, Routes
from core.events import Choice, ChoiceMade, CommandMessage, Reply
from core.hotlines import Hotlines
from core.i18n import BOT_NAME, N_
from core.ports import AgeGroup
from handlers.groups import members as groups
from handlers.menu import menu_choices, show_menu
from handlers.privacy import platform_note
from handlers.services import Services

FLOW = Flow("onboarding", N_("the welcome questions"))
# What a person who has not answered the age question may still do.
OPEN_COMMANDS = frozenset({"start", "privacy", "forget", "stop", "khancap"})
OPEN_CHOICES = frozenset({"age", "urgent", "resume", "privacy", "forget", "erase", "keep", "stop.yes"})


def introduction(ctx: Context, join: str = "") -> None:
    """The welcome and the age question, in one message (one notification, one request)."""
    note = platform_note(ctx)
    question = ctx._("Before we start: how old are you?")
    choices = age_choices(ctx)
    ctx.say(
        ctx._(
            "Hello, I am {name}, an automated assistant (not a person) of the community support network "
            "for people who use drugs and their families.\n\n"
            "• I do not know who you are. I see only an anonymous code, not your name, number or account.\n"
            "• Nothing that could identify you is kept unless you agree to it, for one purpose at a time.\n"
            "• You can see what is stored with /privacy and erase everything at any time with /forget.\n"
            "• In an emergency, call 115."
        ).format(name=BOT_NAME)
        + (f"\n\n{note}" if note else "")
        + f"\n\n{question}",
        title=ctx._("Welcome to {name}").format(name=BOT_NAME),
        choices=choices,
    )
    ctx.ask_again = Reply(question, choices=tuple(choices))
    ctx.state.enter(FLOW.name, "age", join=join)


def age_choices(ctx: Context) -> list[Choice]:
    return [Age("adult").choice(ctx._("16 or older")), Age("child").choice(ctx._("Under 16"))]


@dataclass(frozen=True)
class Age(ChoiceData, prefix="age"):
    group: Literal["adult", "child"]


def create_router(hotlines: Hotlines) -> Routes:
    router = Routes("onboarding")

    @router.command("start")
    async def start(ctx: Context) -> None:
        if ctx.user.stopped:
            await ctx.uow.users.set_stopped(ctx.user.pseudonym, False)
        await ctx.uow.handles.resume(ctx.user.pseudonym)  # writing again means they have not blocked the bot
        args = ctx.event.args.strip() if isinstance(ctx.event, CommandMessage) else ""
        join = args[2:] if args.startswith("g_") else ""  # a group's invitation link
        if join and ctx.user.onboarded:
            await groups.join_by_code(ctx, join)
            return
        introduction(ctx, join)

    @router.choice(Age)
    async def age(ctx: Context, data: Age) -> None:
        if ctx.user.age_group is None:  # first answer: a person reached (an anonymous weekly count)
            week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
            await ctx.uow.tallies.add(week, "reached", subject=data.group)
        if data.group == "child":
            await ctx.uow.users.set_age_group(ctx.user.pseudonym, AgeGroup.CHILD)
            ctx.state.leave()
            child_line = hotlines.first("child")
            text = ctx._(
                "Thank you for telling me. This service is meant for people aged 16 and over, but you are "
                "not alone. If something at home or with drugs is worrying you, talk to an adult you trust."
            )
            if child_line:
                text += "\n\n" + ctx._(
                    "You can call {number} at any time, free of charge: the national child protection line. "
                    "They listen and help children and young people."
                ).format(number=child_line.number)
            text += "\n\n" + ctx._("In an emergency, call 115.")
            ctx.user = replace(ctx.user, age_group=AgeGroup.CHILD)
            ctx.say(text, choices=menu_choices(ctx))
            return
        join = str(ctx.state.data.get("join") or "") if ctx.state.flow == "onboarding" else ""
        await ctx.uow.users.set_age_group(ctx.user.pseudonym, AgeGroup.ADULT)
        ctx.user = replace(ctx.user, age_group=AgeGroup.ADULT)
        if join:
            await groups.join_by_code(ctx, join)
            return
        show_menu(ctx, ctx._("Thank you. How can I help you today?"))

    @router.flow(FLOW)
    async def waiting_for_age(ctx: Context) -> None:
        ctx.say(
            ctx._("Please answer the age question first, so I can show what fits you:"),
            choices=ctx.state.offered or age_choices(ctx),
        )

    return router


async def require_age(ctx: Context) -> bool:
    """Hook: until the age question is answered, everything but help and privacy leads to /start."""
    if ctx.user.onboarded:
        return False
    event = ctx.event
    if isinstance(event, CommandMessage) and event.command in OPEN_COMMANDS:
        return False
    if isinstance(event, ChoiceMade) and event.choice_id.partition(":")[0] in OPEN_CHOICES:
        return False
    if ctx.state.flow == FLOW.name:
        return False
    introduction(ctx)
    return True


def _setup(services: Services) -> Wiring:
    return Wiring((create_router(services.hotlines),), hooks=(Hook(10, require_age),))


capability = Capability(
    "onboarding",
    _setup,
    flows=(FLOW,),
    commands=(Command("start", N_("Start, and what this bot keeps about you"), 10),),
)
