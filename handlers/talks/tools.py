"""What a counsellor can do in a live talk besides writing: send the person the urgent-help card, the service
points nearest a place, or a button to book an appointment; hand the talk to a colleague on duty.

Each is sent to the person as the bot's own message (with its buttons, and the command that does the same on a
channel without buttons), and the counsellor sees what was sent.  Nothing of it is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from core.capability import Flow
from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import Choice, Link, Render, Reply, TextMessage
from core.hotlines import Hotlines
from core.i18n import N_
from core.ports import StaffRecord
from core.ports.talks import TalkRecord
from domain.directory import FILTERS
from domain.gazetteer import Gazetteer, Place
from handlers import urgent
from handlers.directory_cache import DirectoryCache
from handlers.entry_points import BookHere
from handlers.finder import filter_label, filter_of, osm_link, point_block
from handlers.talks.notes import NoteOpen
from handlers.talks.shared import (
    Switch,
    back_choice,
    counsellor,
    counsellor_copy,
    describe,
    end_choice,
    held,
    talks,
    tell_person,
    told_after,
)

FIND_FLOW = Flow(
    "talk_find",
    N_("the place you are looking up for a person in a live talk"),
    writing=frozenset({"place"}),  # a place typed for someone else, not a cry for help of the counsellor's
)
POINTS = 3  # service points sent at once

Tool = Literal["urgent", "find", "book"]


@dataclass(frozen=True)
class Tools(ChoiceData, prefix="talk.tools"):
    talk: int


@dataclass(frozen=True)
class Send(ChoiceData, prefix="talk.send"):
    talk: int
    what: Tool


@dataclass(frozen=True)
class HandOver(ChoiceData, prefix="talk.hand"):
    """Hand the talk to the colleague ``to`` (a staff id; 0: choose one)."""

    talk: int
    to: int = 0


@dataclass(frozen=True)
class FoundPlace(ChoiceData, prefix="talk.place"):
    index: int  # of the places the typed text matched (in the flow's state)


def tools_choice(ctx: Context, talk: TalkRecord) -> Choice:
    return Tools(talk.id).choice(ctx._("Send help or hand over"))


async def display_name(ctx: Context, member: StaffRecord) -> str:
    duty = await talks(ctx).duty(member.id)
    return duty.display_name if duty is not None else ctx._("Counsellor")


def create(hotlines: Hotlines, gazetteer: Gazetteer, cache: DirectoryCache) -> Routes:
    router = Routes("talks_tools")

    @router.command("gui")
    async def tools_command(ctx: Context) -> None:
        """/gui: the tools for the talk being answered (where typed numbers would be words for the person)."""
        if ctx.state.talk is None or await ctx.uow.staff.of(ctx.user.pseudonym) is None:
            ctx.say(ctx._("You are not answering a talk now. /truc shows your talks."))
            return
        await tools(ctx, Tools(ctx.state.talk))

    @router.choice(Tools, anytime=True)
    async def tools(ctx: Context, data: Tools) -> None:
        if (found := await held(ctx, data.talk)) is None:
            return
        _, talk = found
        ctx.state.leave()
        # Without buttons the tool is chosen by its number, which must not go to the person: the talk is answered
        # again once something is sent, or with "back".
        ctx.state.talk = talk.id if ctx.channel.renders & Render.BUTTONS else None
        ctx.say(
            ctx._("What shall I send to {alias}? They get it from the bot, with its buttons.").format(alias=talk.alias),
            choices=[
                Send(talk.id, "urgent").choice(ctx._("The urgent-help card")),
                Send(talk.id, "find").choice(ctx._("Service points near a place")),
                Send(talk.id, "book").choice(ctx._("A button to book an appointment")),
                HandOver(talk.id).choice(ctx._("Hand the talk to a colleague")),
                NoteOpen(talk.id).choice(ctx._("A private note for me")),
                back_choice(ctx, talk),
            ],
        )

    @router.choice(Send, anytime=True)
    async def send(ctx: Context, data: Send) -> None:
        if (found := await held(ctx, data.talk)) is None:
            return
        member, talk = found
        name = await display_name(ctx, member)
        if data.what == "find":
            ctx.state.enter(FIND_FLOW.name, "place", talk=talk.id)
            ctx.say(
                ctx._(
                    "Type the place to look near (a province, a former district such as "
                    "Quận 8, or a ward), and the "  # (noqa: i18n)
                    "service if you like, for example: methadone Quận 8."  # (noqa: i18n)
                ),
                choices=[back_choice(ctx, talk)],
            )
            return
        reply = urgent.card(ctx, hotlines, name) if data.what == "urgent" else booking_card(ctx, member, name)
        await hand(ctx, talk, reply)

    async def hand(ctx: Context, talk: TalkRecord, reply: Reply) -> None:
        """Send ``reply`` to the person, and show the counsellor what went."""
        await tell_person(ctx, talk, reply)
        ctx.state.leave()
        ctx.state.talk = talk.id
        ctx.say(
            ctx._("Sent to {alias}:").format(alias=talk.alias) + "\n\n" + (reply.title or "") + "\n" + reply.text,
            choices=[tools_choice(ctx, talk), end_choice(ctx, talk)],
        )

    @router.flow(FIND_FLOW)
    async def typed_place(ctx: Context) -> None:
        talk_id = int(ctx.state.data.get("talk") or 0)
        if (found := await held(ctx, talk_id)) is None:
            ctx.state.leave()
            return
        member, talk = found
        if not isinstance(ctx.event, TextMessage):
            ctx.say(ctx._("Type the name of a place, please."), choices=[back_choice(ctx, talk)])
            return
        snapshot = await cache.get(ctx.uow)
        places = gazetteer.lookup(ctx.event.text, extra=snapshot.communes)
        wanted = (filter_of(m.intent.partition(":")[2]) for m in ctx.matches if m.intent.startswith("find:"))
        service = next(wanted, None)
        if not places:
            ctx.say(
                ctx._("I could not find that place. Type a province, a former district or a ward."),
                choices=[back_choice(ctx, talk)],
            )
            return
        if len(places) > 1:
            ctx.state.data.update(candidates=[p.id for p in places], service=service)
            ctx.say(
                ctx._("Which one do you mean?"),
                choices=[*(FoundPlace(i).choice(label(p)) for i, p in enumerate(places)), back_choice(ctx, talk)],
            )
            return
        await send_points(ctx, member, talk, places[0], service)

    @router.choice(FoundPlace)
    async def chosen_place(ctx: Context, data: FoundPlace) -> None:
        state: dict[str, Any] = dict(ctx.state.data) if ctx.state.flow == FIND_FLOW.name else {}
        if (found := await held(ctx, int(state.get("talk") or 0))) is None:
            ctx.state.leave()
            return
        member, talk = found
        candidates: Sequence[str] = state.get("candidates") or []
        snapshot = await cache.get(ctx.uow)
        every = [*gazetteer.places, *snapshot.communes]
        wanted = candidates[data.index] if 0 <= data.index < len(candidates) else None
        place = next((p for p in every if p.id == wanted), None)
        if place is None:
            ctx.say(ctx._("Type the place again, please."), choices=[back_choice(ctx, talk)])
            return
        service = state.get("service")
        await send_points(ctx, member, talk, place, service if service in FILTERS else None)

    def label(place: Place) -> str:
        province = gazetteer.provinces.get(place.province)
        return place.name if place.kind == "province" or province is None else f"{place.name} ({province.name})"

    async def send_points(
        ctx: Context, member: StaffRecord, talk: TalkRecord, place: Place, service: str | None
    ) -> None:
        snapshot = await cache.get(ctx.uow)
        hits = snapshot.nearest(place.lat, place.lon, service, POINTS)
        if not hits:
            ctx.state.leave()
            ctx.state.talk = talk.id
            ctx.say(
                ctx._('No point offering "{service}" is listed near {place}.').format(
                    service=filter_label(ctx, service), place=label(place)
                ),
                choices=[Send(talk.id, "find").choice(ctx._("Another place")), back_choice(ctx, talk)],
            )
            return
        blocks, choices, links = [], [], []
        for number, hit in enumerate(hits, start=1):
            point = snapshot.points[hit.key]
            block = point_block(ctx, number, point, hit.km)
            if point.sample:
                block += "\n   ⚠ " + ctx._("Sample listing for trying the bot out: not a real service.")
            blocks.append(block)
            links.append(Link(f"🗺 {number}. {point.name}", osm_link(point.lat, point.lon)))
            if point.id is not None:
                choices.append(BookHere(point.id).choice(ctx._("Book at {point}").format(point=point.name)))
        sender = await display_name(ctx, member)
        reply = Reply(
            "\n\n".join(blocks),
            title=ctx._("{name} suggests, near {place}: {service}").format(
                name=sender, place=label(place), service=filter_label(ctx, service)
            ),
            choices=tuple(choices),
            links=tuple(links),
        )
        await hand(ctx, talk, reply)

    @router.choice(HandOver, anytime=True)
    async def hand_over(ctx: Context, data: HandOver) -> None:
        if (found := await held(ctx, data.talk)) is None:
            return
        member, talk = found
        duties = [d for d in await talks(ctx).on_duty() if d.staff_id != member.id and d.talks < d.capacity]
        colleague = next((d for d in duties if d.staff_id == data.to), None)
        if colleague is None:
            if not duties:
                ctx.say(
                    ctx._("No colleague on duty has room for another talk now."),
                    choices=[back_choice(ctx, talk)],
                )
                return
            ctx.say(
                ctx._("Hand {alias} to which colleague? They see the talk as you do, not what was written.").format(
                    alias=talk.alias
                ),
                choices=[
                    *(
                        HandOver(talk.id, d.staff_id).choice(
                            ctx._("{name} (holding {held} of {capacity})").format(
                                name=d.display_name, held=d.talks, capacity=d.capacity
                            )
                        )
                        for d in duties
                    ),
                    back_choice(ctx, talk),
                ],
            )
            return
        to = await counsellor(ctx, colleague.staff_id)
        me = await counsellor(ctx, member.id)
        if to is None or me is None or not await talks(ctx).hand_over(talk.id, member.id, colleague.staff_id):
            ctx.say(ctx._("That talk could not be handed over: it has ended or gone back to the queue."))
            return
        to.tell(
            ctx,
            Reply(
                ctx._(
                    "{name} has handed you the talk with {talk}. What was written before is not passed on. Press "
                    "the button to answer them."
                ).format(name=me.name, talk=describe(ctx, talk)),
                choices=(
                    Switch(talk.id).choice(ctx._("Answer {alias}").format(alias=talk.alias)),
                    end_choice(ctx, talk),
                ),
            ),
        )
        await tell_person(
            ctx,
            talk,
            Reply(
                ctx._(
                    "{name} has handed your talk to a colleague, {colleague}, who will answer you here. They do not "
                    "see what was written before, so you may want to say again what matters most."
                ).format(name=me.name, colleague=to.name)
            ),
        )
        ctx.wipe(marks=counsellor_copy(talk, member.id))  # their copy of it, unless the person keeps the messages
        ctx.state.leave()
        ctx.state.talk = None
        await told_after(
            ctx, member.id, ctx._("You have handed {alias} to {name}.").format(alias=talk.alias, name=to.name)
        )

    return router


def booking_card(ctx: Context, member: StaffRecord, sender: str) -> Reply:
    """A button to book an appointment: at the counsellor's own point when they have one."""
    book = (
        BookHere(member.point_id).choice(ctx._("Book counselling"))
        if member.point_id is not None
        else Choice("book", ctx._("Book counselling"))
    )
    return Reply(
        ctx._(
            "{name} suggests an appointment with a counsellor, on a day and at a time you choose, in person or by "
            "phone. Press the button, or send /datlich."
        ).format(name=sender),
        title=ctx._("Book counselling"),
        choices=(book,),
    )
