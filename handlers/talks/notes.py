"""A counsellor's private notes on their talks, kept only with their own consent: the talk's alias, the day, and
topics picked from a fixed list (the services spoken of, a follow-up suggested ...), never typed text, so a note
can never hold the person's words.  Only the counsellor who wrote them sees them; 30 days at most."""

from __future__ import annotations

from dataclasses import dataclass

from core.capability import Flow
from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import Choice
from core.i18n import N_
from domain.directory import FILTERS, PICKER
from handlers import consent
from handlers.talks.shared import Switch, back_choice, held, talks
from services.talks import TALK_NOTES

router = Routes("talks_notes")
NOTE_FLOW = Flow("talk_note", N_("the topics you are picking for a private note on a live talk"))
# What a note may say, besides the services of the directory's picker.
OWN_TOPICS = {
    "followup": N_("a follow-up suggested"),
    "booking": N_("suggested booking an appointment"),
    "family": N_("about a family member"),
    "urgent": N_("urgent help given"),
    "referral": N_("referred to a service"),
}
TOPICS = {**{service: FILTERS[service].label for service in PICKER if service in FILTERS}, **OWN_TOPICS}


@dataclass(frozen=True)
class NoteOpen(ChoiceData, prefix="talk.note"):
    talk: int


@dataclass(frozen=True)
class NoteAgree(ChoiceData, prefix="talk.note.ok"):
    talk: int


@dataclass(frozen=True)
class NoteTopic(ChoiceData, prefix="talk.note.t"):
    talk: int
    topic: str


@dataclass(frozen=True)
class NoteSave(ChoiceData, prefix="talk.note.save"):
    talk: int


def picked(ctx: Context, talk_id: int) -> list[str]:
    data = ctx.state.data if ctx.state.flow == NOTE_FLOW.name and ctx.state.data.get("talk") == talk_id else {}
    return [t for t in data.get("topics") or [] if t in TOPICS]


@router.choice(NoteOpen, anytime=True)
async def open_note(ctx: Context, data: NoteOpen) -> None:
    if (found := await held(ctx, data.talk)) is None:
        return
    _, talk = found
    if not await consent.given(ctx, TALK_NOTES):
        consent.ask(ctx, TALK_NOTES, yes=NoteAgree(talk.id).pack(), no=back_choice(ctx, talk).id)
        return
    show(ctx, talk.id, talk.alias, picked(ctx, talk.id))


@router.choice(NoteAgree)
async def agreed(ctx: Context, data: NoteAgree) -> None:
    if (found := await held(ctx, data.talk)) is None:
        return
    await consent.grant(ctx, TALK_NOTES)
    show(ctx, data.talk, found[1].alias, [])


def show(ctx: Context, talk_id: int, alias: str, chosen: list[str]) -> None:
    ctx.state.enter(NOTE_FLOW.name, "pick", talk=talk_id, topics=chosen)
    ctx.state.talk = None  # choosing by number, on a channel without buttons, is not words for the person
    summary = ", ".join(ctx._(TOPICS[t]) for t in chosen) or ctx._("nothing yet")
    ctx.say(
        ctx._(
            "A private note on {alias}: pick the topics (only these are kept, never any text). Picked: {picked}."
        ).format(alias=alias, picked=summary),
        choices=[
            *(
                NoteTopic(talk_id, t).choice(("✓ " if t in chosen else "") + ctx._(label))
                for t, label in TOPICS.items()
            ),
            NoteSave(talk_id).choice(ctx._("Save the note")),
            Switch(talk_id).choice(ctx._("Back to the talk with {alias}").format(alias=alias)),
        ],
    )


@router.choice(NoteTopic)
async def toggle(ctx: Context, data: NoteTopic) -> None:
    if (found := await held(ctx, data.talk)) is None:
        return
    chosen = picked(ctx, data.talk)
    if data.topic not in TOPICS:  # a forged press: the list again, unchanged
        show(ctx, data.talk, found[1].alias, chosen)
        return
    chosen = [t for t in chosen if t != data.topic] if data.topic in chosen else [*chosen, data.topic]
    show(ctx, data.talk, found[1].alias, chosen)


@router.flow(NOTE_FLOW)
async def typed(ctx: Context) -> None:
    """Text is never part of a note: the topics are picked with the buttons."""
    talk_id = int(ctx.state.data.get("talk") or 0)
    if (found := await held(ctx, talk_id)) is None:
        ctx.state.leave()
        return
    ctx.say(ctx._("A note keeps no text: pick its topics from the list."))
    show(ctx, talk_id, found[1].alias, picked(ctx, talk_id))


@router.choice(NoteSave)
async def save(ctx: Context, data: NoteSave) -> None:
    if (found := await held(ctx, data.talk)) is None or not await consent.given(ctx, TALK_NOTES):
        return
    _, talk = found
    chosen = picked(ctx, talk.id)
    if not chosen:
        ctx.say(ctx._("Pick at least one topic, or go back to the talk."))
        show(ctx, talk.id, talk.alias, [])
        return
    await talks(ctx).add_note(ctx.user.pseudonym, talk.alias, chosen, ctx.now)
    ctx.state.leave()
    ctx.state.talk = talk.id
    ctx.say(
        ctx._('Note saved for {alias}. Only you see it, for 30 days: /truc, then "My notes".').format(alias=talk.alias),
        choices=[back_choice(ctx, talk)],
    )


@router.choice("talks.notes", anytime=True)
async def my_notes(ctx: Context) -> None:
    notes = await talks(ctx).notes(ctx.user.pseudonym)
    if not notes:
        ctx.say(ctx._("You have no notes on talks."), choices=[Choice("talks.duty", ctx._("My duty"))])
        return
    lines = [
        f"{n.alias}, {ctx.i18n.date(n.day.date(), 'dd/MM')}: "
        + ", ".join(ctx._(TOPICS[t]) for t in n.topics if t in TOPICS)
        for n in notes
    ]
    ctx.say(
        "\n".join(lines),
        title=ctx._("My notes on talks (30 days)"),
        choices=[
            Choice("talks.notes.drop", ctx._("Delete all my notes")),
            Choice("talks.duty", ctx._("My duty")),
        ],
    )


@router.choice("talks.notes.drop")
async def drop(ctx: Context) -> None:
    count = await talks(ctx).drop_notes(ctx.user.pseudonym)
    ctx.say(
        ctx._("Deleted {count} notes.").format(count=count),
        choices=[Choice("talks.duty", ctx._("My duty"))],
    )
