"""/privacy (what is stored about me, read from the database now), /forget (erase everything) and
/stop (no more messages of any kind)."""

from __future__ import annotations

from dataclasses import dataclass

from core.capability import Capability, Command, MenuEntry, Record, Understood, wired
from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import Choice
from core.i18n import N_
from handlers import erasure
from handlers.menu import show_menu

router = Routes("privacy")

CONTACT_HANDLES = Record(
    "contact_handles", N_("Chat addresses kept, encrypted, for reminders or notifications you agreed to: {count}.")
)


# What the platform itself does with a chat, said plainly where it matters (Zalo's terms ask for it).
PLATFORM_NOTES = {
    "zalo": N_(
        "On Zalo: Zalo can see the messages sent through it, stores them in Viet Nam and may share them with the "
        "authorities as its terms and the law allow. For a more private conversation, you can talk to me on "
        "Telegram."
    ),
    "telegram": N_(
        "On Telegram: Telegram keeps this chat on its servers until you delete it. Deleting the chat in the "
        "app removes it from your phone; /forget erases what I keep."
    ),
}


def platform_note(ctx: Context) -> str | None:
    note = PLATFORM_NOTES.get(ctx.channel.name)
    return ctx._(note) if note else None


@router.command("privacy")
@router.choice("privacy", anytime=True)
async def show_privacy(ctx: Context) -> None:
    stored = await ctx.uow.privacy.describe(ctx.user.pseudonym, ctx.now)
    lines = [
        ctx._(
            "I know you only by an anonymous code made from your account with a secret key. Your name, phone "
            "number and account id are not stored."
        )
    ]
    if stored.user is not None:
        if stored.user.age_group is not None:
            lines.append(
                "• "
                + ctx._("Your answer to the age question: {answer}.").format(
                    answer=ctx._("aged 16 or older") if stored.user.age_group.value == "adult" else ctx._("under 16")
                )
            )
        lines.append(
            "• "
            + ctx._("The date you last wrote: {date}.").format(date=ctx.i18n.date(stored.user.last_seen, "dd/MM/yyyy"))
        )
        if stored.user.stopped:
            lines.append("• " + ctx._("You asked me not to send you any messages."))
    # The conversation as it was before this /privacy message (this message replaces it).
    if stored.state is not None and stored.state_expires_at is not None and stored.state.flow:
        flow = ctx.catalogue.flows.get(stored.state.flow)
        lines.append(
            "• "
            + ctx._("Where we are in the conversation ({what}), kept until {time}.").format(
                what=ctx._(flow.shown_as) if flow else stored.state.flow,
                time=ctx.i18n.datetime(stored.state_expires_at, "HH:mm dd/MM"),
            )
        )
    active = [c for c in stored.consents if c.active]
    for consent in active:
        lines.append(
            "• "
            + ctx._('Your consent to "{purpose}", given on {date}.').format(
                purpose=_purpose_title(ctx, consent.purpose),
                date=ctx.i18n.date(consent.granted_at.date(), "dd/MM/yyyy"),
            )
        )
    if not active:
        lines.append(
            "• " + ctx._("You have not agreed to keeping anything more, such as saved results or contact details.")
        )
    for table, count in sorted(stored.other_rows.items()):
        record = ctx.catalogue.records.get(table)
        template = record.shown_as if record else N_("Other records ({table}): {count}.")
        lines.append("• " + ctx._(template).format(table=table, count=count))
    lines.append(ctx._("Messages you write are not stored. You can erase everything above with /forget."))
    if note := platform_note(ctx):
        lines.append(note)

    choices = [
        Withdraw(c.purpose).choice(
            ctx._("Withdraw: {purpose}").format(purpose=_purpose_title(ctx, c.purpose)),
        )
        for c in active
    ]
    choices += [Choice("forget", ctx._("Erase everything")), Choice("menu", ctx._("Main menu"))]
    ctx.state.leave()
    ctx.say("\n".join(lines), title=ctx._("What is stored about you right now"), choices=choices)


def _purpose_title(ctx: Context, purpose_id: str) -> str:
    purpose = ctx.catalogue.purposes.get(purpose_id)
    return ctx._(purpose.title) if purpose else purpose_id


@dataclass(frozen=True)
class Withdraw(ChoiceData, prefix="withdraw"):
    purpose: str


@router.choice(Withdraw)
async def withdraw(ctx: Context, data: Withdraw) -> None:
    purpose = data.purpose
    if await ctx.uow.consents.withdraw(ctx.user.pseudonym, purpose, ctx.now):
        text = ctx._('Done: your consent to "{purpose}" is withdrawn and the data kept for it is deleted.').format(
            purpose=_purpose_title(ctx, purpose)
        )
    else:
        text = ctx._("There was no active consent to withdraw.")
    show_menu(ctx, text)


@router.command("forget")
@router.choice("forget", anytime=True)
async def ask_forget(ctx: Context) -> None:
    ctx.state.leave()
    text = ctx._(
        "This erases everything stored about you: your answers in progress, your consents, your "
        "appointments and group memberships. It cannot be undone. Erase everything?"
    )
    ahead = await erasure.counsellor_bookings_ahead(ctx)
    if ahead:
        text += "\n\n" + ctx._(
            "You are a counsellor with {n} upcoming appointments: they will be cancelled, and the people who "
            "agreed to reminders will be told and invited to book again."
        ).format(n=ahead)
    ctx.say(
        text,
        choices=[Choice("erase", ctx._("Yes, erase everything")), Choice("keep", ctx._("No, keep it"))],
    )


@router.choice("erase")
async def erase(ctx: Context) -> None:
    await erasure.before_erasure(ctx)
    await ctx.uow.privacy.erase(ctx.user.pseudonym)
    ctx.erased = True
    ctx.say(
        ctx._(
            "Done. Everything stored about you has been erased. If you write to me again, we start from the "
            "beginning, as strangers. Take care."
        )
    )


@router.choice("keep")
async def keep(ctx: Context) -> None:
    show_menu(ctx, ctx._("Nothing was erased."))


@router.command("stop")
async def ask_stop(ctx: Context) -> None:
    """Stopping is asked once more, and says what it means for the person's appointments."""
    ctx.state.leave()
    lines = [
        ctx._(
            "This stops every message I would send you by myself: reminders, notifications and messages from "
            "your groups. Your consents are withdrawn and the chat addresses kept for them are deleted."
        )
    ]
    booked = await ctx.uow.bookings.of_person(ctx.user.pseudonym, ctx.now)
    if booked:
        lines.append(
            ctx._(
                "Your appointments stay booked ({n}), but you will get no reminders for them. See them with /lichhen."
            ).format(n=len(booked))
        )
    lines.append(ctx._("Stop all messages?"))
    ctx.say(
        "\n\n".join(lines),
        choices=[Choice("stop.yes", ctx._("Yes, stop the messages")), Choice("menu", ctx._("No, keep them"))],
    )


@router.choice("stop.yes")
async def stop(ctx: Context) -> None:
    for consent in await ctx.uow.consents.active(ctx.user.pseudonym):
        await ctx.uow.consents.withdraw(ctx.user.pseudonym, consent.purpose, ctx.now)
    await ctx.uow.users.set_stopped(ctx.user.pseudonym, True)
    ctx.state.leave()
    ctx.say(
        ctx._(
            "Done. I will not send you any more messages: no reminders, no news. Your consents are withdrawn. "
            "I will still answer if you write to me. To start again, send /start; to erase everything, "
            "send /forget."
        )
    )


capability = Capability(
    "privacy",
    wired(router),
    menu=MenuEntry("privacy", N_("Privacy and your data"), 70, for_children=True),
    understood=(
        Understood("privacy", lambda _: "privacy", N_("Privacy and your data")),
        Understood("forget", lambda _: "forget", N_("Erase everything about me")),
    ),
    records=(CONTACT_HANDLES,),
    commands=(
        Command("privacy", N_("What is stored about me"), 70),
        Command("forget", N_("Erase everything about me"), 80),
        Command("stop", N_("No more messages from the bot"), 90),
    ),
)
