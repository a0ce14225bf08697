"""Urgent help: the right first words for each kind of crisis.

Reachable from the menu, from /khancap, and from what a person types at any point of a conversation: the
intents ``urgent:overdose``, ``urgent:suicide``, ``urgent:psychosis`` and ``urgent:violence`` of
``data/intents/urgent.txt`` each open their own screen; ``urgent`` alone ("cấp cứu", the menu) asks  (noqa: i18n)
what is happening, with 115 already on screen.  The police (113) are named only where violence makes them the help to
call, and then as the person's choice: for people who use drugs, the police are a reason not to call.  Every
screen offers to go back to where the person was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from core.capability import Capability, Command, Hook, HookFunction, MenuEntry, Understood, Wiring
from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import Choice, Reply, TextMessage
from core.hotlines import KIND_LABELS, Hotline, Hotlines
from core.i18n import N_
from core.ports import AgeGroup
from handlers.entry_points import FindService, TalkNow
from handlers.menu import show_menu
from handlers.services import Services

Kind = Literal["overdose", "suicide", "psychosis", "violence"]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class Crisis(ChoiceData, prefix="crisis"):
    """Open the screen for one kind of crisis."""

    kind: Kind


def _line(ctx: Context, hotline: Hotline) -> str:
    entry = f"• {hotline.number}: {ctx._(KIND_LABELS[hotline.kind])}"
    if hotline.hours:
        entry += f" ({hotline.hours})"
    if not hotline.verified:
        entry += " " + ctx._("(not confirmed: hours may have changed)")
    return entry


def _lines(ctx: Context, hotlines: Hotlines, *kinds: str) -> list[str]:
    """The lines of these kinds, in this order; the child line only for a child, and first."""
    child = ctx.user.age_group is AgeGroup.CHILD
    wanted = (["child"] if child else []) + [k for k in kinds if k != "child"]
    return [_line(ctx, h) for kind in wanted for h in hotlines.of_kind(kind)]


def _for_a_child(ctx: Context, hotlines: Hotlines) -> list[str]:
    """The child line as a paragraph of its own, for a child; nothing for an adult."""
    lines = _lines(ctx, hotlines)
    return ["\n".join(lines)] if lines else []


def _emergency(hotlines: Hotlines) -> str:
    found = hotlines.first("emergency")
    return found.number if found else "115"


def _triage(ctx: Context, hotlines: Hotlines) -> str:
    parts = [
        ctx._("If a life is in danger now, call {number} (ambulance). The call is free.").format(
            number=_emergency(hotlines)
        ),
        *_for_a_child(ctx, hotlines),
        ctx._("What is happening? Choose what fits, and I will tell you what to do first."),
    ]
    return "\n\n".join(parts)


def _overdose(ctx: Context, hotlines: Hotlines) -> str:
    parts = [
        ctx._(
            "If someone may have overdosed, cannot be woken or is breathing strangely:\n"
            "1. Call {number} now. The call is free.\n"
            "2. Call their name loudly and rub hard on the middle of their chest. Check whether they breathe.\n"
            "3. If they breathe, turn them on their side so they cannot choke.\n"
            "4. If they do not breathe, start chest compressions; the {number} operator can guide you.\n"
            "5. If you have naloxone and heroin or another opioid may be involved, give it.\n"
            "6. Stay with them until help arrives. Give no food, drink or other drugs, and do not put "
            "them in cold water."
        ).format(number=_emergency(hotlines)),
        *_for_a_child(ctx, hotlines),
    ]
    return "\n\n".join(parts)


def _suicide(ctx: Context, hotlines: Hotlines) -> str:
    number = _emergency(hotlines)
    parts = [
        ctx._(
            "Thank you for telling me. I am so sorry you are hurting this much. You matter, and you do not "
            "have to get through this alone."
        )
    ]
    listening = _lines(ctx, hotlines, "mental")
    if listening:
        parts.append(ctx._("Please talk to someone now:") + "\n" + "\n".join(listening))
    parts.append(
        ctx._(
            "• If you are in danger now, or have already hurt yourself, call {number}. The call is free.\n"
            "• If you can, stay somewhere safe and put away anything you could hurt yourself with.\n"
            "• Tell one person you trust that you are having a very hard time, and ask them to stay with you."
        ).format(number=number)
    )
    if ctx.user.age_group is AgeGroup.CHILD:
        parts.append(ctx._("Feelings like these can ease, even when that seems impossible now."))
    else:
        parts.append(
            ctx._(
                "Feelings like these can ease, even when that seems impossible now. A counsellor here can also "
                "talk with you, without needing your name."
            )
        )
    if ctx.user.age_group is AgeGroup.CHILD:
        parts.append(
            ctx._("If you are worried about a friend: stay with them, and tell an adult you trust right away.")
        )
    else:
        parts.append(
            ctx._(
                "If you are worried about someone else: stay with them, listen without judging, ask them plainly "
                "whether they are thinking of suicide, and help them call."
            )
        )
    return "\n\n".join(parts)


def _psychosis(ctx: Context, hotlines: Hotlines) -> str:
    number = _emergency(hotlines)
    return "\n\n".join(
        [
            ctx._(
                "When someone is very agitated or frightened, or sees or hears things that are not there, after "
                "using (crystal meth, for example):\n"
                "1. Keep yourself and others safe first: keep some distance and a way out. If you can do it "
                "safely, move knives and other dangerous things away.\n"
                "2. Speak slowly and calmly, in few words. Do not argue about what they see or hear, do not "
                "shout, do not hold them down.\n"
                "3. If you can, take them somewhere quiet, cool and not too bright, and give them water.\n"
                "4. Call {number} if they have chest pain, a fit or a very high temperature, if they pass out, "
                "or if they may hurt themselves or someone else."
            ).format(number=number),
            ctx._(
                "If this is happening to you: go somewhere quiet with someone you trust, drink water and do not "
                "use more. It usually eases as the drug wears off; if it does not, or you feel unsafe, call "
                "{number}."
            ).format(number=number),
            *_for_a_child(ctx, hotlines),
        ]
    )


def _violence(ctx: Context, hotlines: Hotlines) -> str:
    number = _emergency(hotlines)
    steps = [
        ctx._(
            "• If you are in danger now, go somewhere safe if you can: a neighbour, a relative, a place with "
            "people around.\n"
            "• If you are hurt, call {number} (ambulance). The call is free."
        ).format(number=number)
    ]
    steps.extend(_lines(ctx, hotlines))  # the child line, for a child
    police = hotlines.first("police")
    if police is not None:
        steps.append(
            ctx._(
                "• {police} is the police, for when someone is attacking or threatening you. Whether to call is "
                "your choice. If calling the police worries you, go to people you trust first, or call {number} "
                "if you are hurt."
            ).format(police=police.number, number=number)
        )
    steps.append(ctx._("• Keep your phone with you, and tell someone you trust what is happening."))
    return "\n\n".join(
        [
            ctx._("I am so sorry this is happening. It is not your fault, and you deserve to be safe."),
            "\n".join(steps),
        ]
    )


@dataclass(frozen=True)
class Screen:
    title: str  # msgid
    button: str  # msgid, on the "what is happening?" screen
    text: Callable[[Context, Hotlines], str]
    then: Callable[[Context], list[Choice]]  # what may help next


def _adult(ctx: Context, *choices: Choice) -> list[Choice]:
    return [] if ctx.user.age_group is AgeGroup.CHILD else list(choices)


def _book(ctx: Context) -> Choice:
    return Choice("book", ctx._("Book a talk with a counsellor"))


def _talk(ctx: Context) -> Choice:
    return TalkNow("urgent").choice(ctx._("Talk to a counsellor now"))


def _to_violence(ctx: Context) -> Choice:
    return Crisis("violence").choice(ctx._(SCREENS["violence"].button))


SCREENS: dict[str, Screen] = {
    "overdose": Screen(
        N_("Overdose: what to do now"),
        N_("Someone may have overdosed or cannot be woken"),
        _overdose,
        lambda ctx: [],
    ),
    "suicide": Screen(
        N_("You are not alone"),
        N_("I am thinking of ending my life"),
        _suicide,
        lambda ctx: _adult(ctx, _talk(ctx), _book(ctx)),
    ),
    "psychosis": Screen(
        N_("Agitated or seeing things after using"),
        N_("Someone is agitated or seeing things after using"),
        _psychosis,
        lambda ctx: [
            _to_violence(ctx),
            *_adult(ctx, FindService("mental_health").choice(ctx._("Find mental health care"))),
        ],
    ),
    "violence": Screen(
        N_("Someone is hurting or threatening you"),
        N_("Someone is hurting or threatening me"),
        _violence,
        lambda ctx: _adult(ctx, FindService("legal_aid").choice(ctx._("Find legal aid")), _book(ctx)),
    ),
}
assert set(SCREENS) == set(KINDS)


def card(ctx: Context, hotlines: Hotlines, sender: str) -> Reply:
    """The urgent-help screen as a counsellor sends it into a live talk (``sender``: their display name): the
    ambulance number first, a button for each kind of crisis, and /khancap to open it again."""
    return Reply(
        _triage(ctx, hotlines) + "\n\n" + ctx._("You can open urgent help at any time: send /khancap."),
        title=ctx._("Urgent help, sent by {name}").format(name=sender),
        choices=tuple(Crisis(k).choice(ctx._(SCREENS[k].button)) for k in KINDS),
    )


def create(hotlines: Hotlines) -> tuple[Routes, HookFunction]:
    router = Routes("urgent")

    def put_aside(ctx: Context) -> list[Choice]:
        """Keep what the person was doing, to go back to; the choices that lead back."""
        state = ctx.state
        if state.flow is not None:
            state.resume = state.snapshot()
        state.leave()
        if state.resume is not None:  # what was put aside expires no later than it would have
            state.keep_for = state.resume.get("keep_for")
        back = [Choice("resume", ctx._("Back to where I was"))] if state.resume is not None else []
        return [*back, Choice("menu", ctx._("Main menu"))]

    def show(ctx: Context, kind: str | None) -> None:
        back = put_aside(ctx)
        if kind is None:
            choices = [Crisis(k).choice(ctx._(SCREENS[k].button)) for k in KINDS]
            ctx.say(_triage(ctx, hotlines), title=ctx._("Urgent help"), choices=[*choices, *back])
            return
        screen = SCREENS[kind]
        other = Choice("urgent", ctx._("Something else is happening"))
        ctx.say(screen.text(ctx, hotlines), title=ctx._(screen.title), choices=[*screen.then(ctx), other, *back])

    @router.command("khancap")
    @router.choice("urgent", anytime=True)
    async def urgent(ctx: Context) -> None:
        show(ctx, None)

    @router.choice(Crisis, anytime=True)
    async def crisis(ctx: Context, data: Crisis) -> None:
        show(ctx, data.kind)

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
        """Hook: a crisis in what was typed wins over whatever else is going on."""
        if not isinstance(ctx.event, TextMessage):
            return False
        flow = ctx.catalogue.flows.get(ctx.state.flow or "")
        if flow is not None and flow.is_writing(ctx.state.step):  # a message for others, not a cry for help
            return False
        intent = ctx.intent()
        family, _, kind = (intent or "").partition(":")
        if family != "urgent":
            return False
        show(ctx, kind if kind in SCREENS else None)
        return True

    return router, intercept


def _setup(services: Services) -> Wiring:
    routes, hook = create(services.hotlines)
    # Urgent words come first: they must answer whatever else is going on, even before the age question.
    return Wiring((routes,), hooks=(Hook(0, hook),))


def _choice(kind: str | None) -> str:
    return Crisis(kind).pack() if kind in SCREENS else "urgent"  # type: ignore[arg-type]


def _label(kind: str | None) -> str | None:
    return SCREENS[kind].button if kind in SCREENS else None


capability = Capability(
    "urgent",
    _setup,
    menu=MenuEntry("urgent", N_("Urgent help"), 60, for_children=True),
    understood=(Understood("urgent", _choice, N_("Urgent help"), _label),),
    commands=(Command("khancap", N_("Urgent help"), 30),),
)
