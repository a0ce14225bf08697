"""Urgent help: reachable from the menu, from /khancap, and from words like "quá liều" at any point.  (noqa: i18n)

It answers at once with 115 and overdose first steps, then offers to go back to where the person was.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.capability import Capability, Command, Hook, HookFunction, MenuEntry, Understood, Wiring
from core.conversation import Context, Routes
from core.events import Choice, TextMessage
from core.hotlines import KIND_LABELS, Hotlines
from core.i18n import N_
from core.ports import AgeGroup
from core.text import find_tolerant
from handlers.menu import show_menu
from handlers.services import Services


def urgent_text(ctx: Context, hotlines: Hotlines) -> str:
    emergency = hotlines.first("emergency")
    number = emergency.number if emergency else "115"
    lines = [
        ctx._(
            "If someone may have overdosed, cannot be woken or is breathing strangely:\n"
            "1. Call {number} now. The call is free.\n"
            "2. Call their name loudly and rub hard on the middle of their chest. Check whether they breathe.\n"
            "3. If they breathe, turn them on their side so they cannot choke.\n"
            "4. If they do not breathe, start chest compressions; the {number} operator can guide you.\n"
            "5. If you have naloxone and heroin or another opioid may be involved, give it.\n"
            "6. Stay with them until help arrives. Give no food, drink or other drugs, and do not put "
            "them in cold water."
        ).format(number=number),
        ctx._(
            "If you are thinking about ending your life: please tell someone you trust right now, or call "
            "{number} if you are in danger. You matter, and you do not have to get through this alone."
        ).format(number=number),
    ]
    child = ctx.user.age_group is AgeGroup.CHILD  # the child line first for a child; for adults it is not theirs
    others = sorted(
        (h for h in hotlines.entries if h.kind != "emergency" and (child or h.kind != "child")),
        key=lambda h: h.kind != "child",
    )
    if others:
        listed = []
        for hotline in others:
            entry = f"• {hotline.number}: {ctx._(KIND_LABELS[hotline.kind])}"
            if hotline.hours:
                entry += f" ({hotline.hours})"
            if not hotline.verified:
                entry += " " + ctx._("(not confirmed: hours may have changed)")
            listed.append(entry)
        lines.append(ctx._("Other lines:") + "\n" + "\n".join(listed))
    return "\n\n".join(lines)


def create(hotlines: Hotlines, phrases: Sequence[str]) -> tuple[Routes, HookFunction]:
    router = Routes("urgent")

    def show(ctx: Context) -> None:
        state = ctx.state
        if state.flow is not None:
            state.resume = state.snapshot()
        state.leave()
        if state.resume is not None:  # what was put aside expires no later than it would have
            state.keep_for = state.resume.get("keep_for")
        choices = []
        if state.resume is not None:
            choices.append(Choice("resume", ctx._("Back to where I was")))
        choices.append(Choice("menu", ctx._("Main menu")))
        ctx.say(urgent_text(ctx, hotlines), title=ctx._("Urgent help"), choices=choices)

    @router.command("khancap")
    @router.choice("urgent", anytime=True)
    async def urgent(ctx: Context) -> None:
        show(ctx)

    @router.choice("resume")
    async def resume(ctx: Context) -> None:
        snapshot = ctx.state.resume
        ctx.state.resume = None
        if not snapshot:
            show_menu(ctx)
            return
        ctx.state.restore(snapshot)
        if not ctx.state.prompt:
            show_menu(ctx)
            return
        ctx.replies.extend(ctx.state.prompt)

    async def intercept(ctx: Context) -> bool:
        """Hook: urgent words win over whatever else is going on."""
        event = ctx.event
        if isinstance(event, TextMessage) and any(find_tolerant(event.text, p) for p in phrases):
            show(ctx)
            return True
        return False

    return router, intercept


def _setup(services: Services) -> Wiring:
    routes, hook = create(services.hotlines, services.urgent_phrases)
    # Urgent words come first: they must answer whatever else is going on, even before the age question.
    return Wiring((routes,), hooks=(Hook(0, hook),))


capability = Capability(
    "urgent",
    _setup,
    menu=MenuEntry("urgent", N_("Urgent help"), 60, for_children=True),
    understood=(Understood("urgent", lambda _: "urgent", N_("Urgent help")),),
    commands=(Command("khancap", N_("Urgent help"), 30),),
)
