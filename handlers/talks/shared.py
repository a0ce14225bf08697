"""What both sides of a live talk share: the consents, the buttons, where each side is reached, offering a
waiting talk to the counsellors on duty, and ending a talk.

Nothing here keeps a word of what is written: a relayed message is passed on (``ctx.pass_on``) and kept, sealed,
only until it is sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from core.choices import ChoiceData
from core.clock import week_start
from core.conversation import Context
from core.events import Choice, Reply, Wipe
from core.i18n import N_
from core.ports import StaffRecord
from core.ports.talks import TALKS, DutyRecord, TalkRecord, TalkRepository
from domain.talks import alias_from, wait_band
from services.talks import DUTY, LIVE_TALK, Take, offer_order

TYPICAL_TALK = timedelta(minutes=20)  # until there are enough talks to take last week's median
BLOCKED = N_(
    "Live talks are closed to you for a while. You can book an appointment, and urgent help is always here: /khancap."
)
END_WORDS = frozenset({"ket thuc", "ketthuc", "end", "/end"})  # typed alone, they end a talk (folded)


@dataclass(frozen=True)
class End(ChoiceData, prefix="talk.end"):
    talk: int


@dataclass(frozen=True)
class Switch(ChoiceData, prefix="talk.switch"):
    """A counsellor holding several talks answers this one now."""

    talk: int


@dataclass(frozen=True)
class Helped(ChoiceData, prefix="talk.helped"):
    talk: int
    answer: Literal["yes", "no"]


def talks(ctx: Context) -> TalkRepository:
    return ctx.uow.get(TALKS)


async def tally(ctx: Context, kind: str, subject: str = "") -> None:
    """An anonymous weekly count (what is left of a talk once it ends)."""
    await ctx.uow.tallies.add(week_start(ctx.now.astimezone(ctx.i18n.timezone).date()), kind, subject=subject)


def new_alias() -> str:
    """Random for each talk: nothing links two talks of one person."""
    return alias_from(secrets.token_bytes(8))


def pass_to_person(
    ctx: Context, talk: TalkRecord, address: tuple[str, str] | None, *replies: Reply, wipe: Wipe | None = None
) -> None:
    if address is not None:
        ctx.pass_on(address[0], address[1], talk.pseudonym, *replies, wipe=wipe)


async def person_address(ctx: Context, talk: TalkRecord) -> tuple[str, str] | None:
    return await ctx.uow.handles.address(talk.pseudonym, LIVE_TALK.id)


async def tell_person(ctx: Context, talk: TalkRecord, *replies: Reply) -> None:
    """Pass ``replies`` to the person of an open talk (reached at their address for it)."""
    pass_to_person(ctx, talk, await person_address(ctx, talk), *replies)


@dataclass(frozen=True, slots=True)
class Counsellor:
    """Where a counsellor on duty is reached, and the name people see."""

    staff_id: int
    pseudonym: str
    channel: str
    address: str
    name: str
    holding: int  # talks they hold now

    def tell(self, ctx: Context, *replies: Reply, mark: str | None = None, wipe: Wipe | None = None) -> None:
        ctx.pass_on(self.channel, self.address, self.pseudonym, *replies, mark=mark, wipe=wipe)


def mark_of(talk_id: int, staff_id: int | None) -> str:
    """Under what a talk's messages in its counsellor's chat are remembered, to delete them (per chat)."""
    return f"talk.{talk_id}.{staff_id or 0}"


def counsellor_copy(talk: TalkRecord, staff_id: int | None) -> tuple[str, ...]:
    """The marks of the talk's copy in the chat of ``staff_id`` to delete when they stop holding it: none when
    the person chose to keep the messages."""
    return () if talk.keep_messages else (mark_of(talk.id, staff_id),)


async def counsellor(ctx: Context, staff_id: int | None) -> Counsellor | None:
    if staff_id is None or (member := await ctx.uow.staff.get(staff_id)) is None:
        return None
    address = await ctx.uow.handles.address(member.pseudonym, DUTY.id)
    duty = await talks(ctx).duty(staff_id)
    if address is None or duty is None:
        return None
    return Counsellor(staff_id, member.pseudonym, address[0], address[1], duty.display_name, duty.talks)


def describe(ctx: Context, talk: TalkRecord) -> str:
    """How a talk is shown to counsellors: its alias, and what the person chose to share."""
    parts = [talk.alias]
    if talk.province_name:
        parts.append(ctx._("in {province}").format(province=talk.province_name))
    if talk.from_selfcheck:
        parts.append(ctx._("came from the self-check"))
    if talk.risk:
        level = ctx._(RISK_NAMES[talk.risk]) if talk.risk in RISK_NAMES else talk.risk
        parts.append(ctx._("self-check: {level} at most").format(level=level))
    return ", ".join(parts)


RISK_NAMES = {"low": N_("low risk"), "moderate": N_("moderate risk"), "high": N_("high risk")}


def take_choice(ctx: Context, talk: TalkRecord) -> Choice:
    return Take(talk.id).choice(ctx._("Take the talk {alias}").format(alias=talk.alias))


async def offer(ctx: Context, talk: TalkRecord, duties: list[DutyRecord], *, only: int | None = None) -> int:
    """Offer a waiting talk to the counsellors on duty with room (the person's province first, the least busy
    next), or to ``only`` of them; how many were offered it."""
    offered = 0
    for staff_id in offer_order(talk, duties):
        if only is not None and staff_id != only:
            continue
        found = await counsellor(ctx, staff_id)
        if found is None:
            continue
        found.tell(
            ctx,
            Reply(
                ctx._("Someone is waiting to talk: {talk}.").format(talk=describe(ctx, talk)),
                choices=(take_choice(ctx, talk),),
            ),
        )
        offered += 1
    return offered


async def offer_waiting(ctx: Context, staff_id: int, room: int) -> None:
    """Offer a counsellor who has room now the talks waiting longest (at most ``room``)."""
    if room <= 0:
        return
    duties = await talks(ctx).on_duty()
    for talk in (await talks(ctx).waiting())[:room]:
        await offer(ctx, talk, duties, only=staff_id)


def wait_of(ctx: Context, talk: TalkRecord) -> timedelta:
    return max(timedelta(0), ctx.now - talk.requested_at)


async def started(ctx: Context, talk: TalkRecord) -> None:
    await tally(ctx, "talk_started", str(wait_band(wait_of(ctx, talk))))


def end_choice(ctx: Context, talk: TalkRecord) -> Choice:
    return End(talk.id).choice(ctx._("End the talk"))


def helped_question(ctx: Context, talk_id: int) -> Reply:
    return Reply(
        ctx._("Did the talk help? (Only an anonymous count is kept.)"),
        choices=(
            Helped(talk_id, "yes").choice(ctx._("Yes, it helped")),
            Helped(talk_id, "no").choice(ctx._("Not really")),
            Choice("menu", ctx._("Main menu")),
        ),
    )


async def close(ctx: Context, talk: TalkRecord, by: Literal["person", "counsellor", "queue"]) -> bool:
    """End ``talk`` (delete its row and the person's chat address, count it); False if it had ended already."""
    if await talks(ctx).end(talk.id) is None:
        return False
    await ctx.uow.handles.drop(talk.pseudonym, LIVE_TALK.id)
    await tally(ctx, "talk_ended" if talk.counsellor_id is not None else "talk_cancelled", by)
    return True


def switch_choices(ctx: Context, held: Sequence[TalkRecord]) -> list[Choice]:
    return [Switch(t.id).choice(ctx._("Answer {alias}").format(alias=t.alias)) for t in held]


async def after_end(ctx: Context, held: Counsellor, talk: TalkRecord, news: str) -> None:
    """Tell a counsellor their ``talk`` ended (``news``), its copy in their chat deleted unless the person kept
    it; name the talks they still hold, and offer them the talks waiting longest if they now have room."""
    still = await talks(ctx).held_by(held.staff_id)
    marks = counsellor_copy(talk, held.staff_id)
    wipe = Wipe(marks=marks) if marks else None
    if still:
        news += "\n" + ctx._("Your other talks:")
    held.tell(ctx, Reply(news, choices=tuple(switch_choices(ctx, still))), wipe=wipe)
    duty = await talks(ctx).duty(held.staff_id)
    if duty is not None and duty.on:
        await offer_waiting(ctx, held.staff_id, duty.capacity - len(still))


async def told_after(ctx: Context, staff_id: int, news: str) -> None:
    """Answer the counsellor who has just ended or handed over a talk (``news``), with the talks they still hold;
    offer them the talks waiting longest if they now have room."""
    still = await talks(ctx).held_by(staff_id)
    ctx.say(news, choices=[*switch_choices(ctx, still), Choice("talks.duty", ctx._("My duty"))])
    duty = await talks(ctx).duty(staff_id)
    if duty is not None and duty.on:
        await offer_waiting(ctx, staff_id, duty.capacity - len(still))


def back_choice(ctx: Context, talk: TalkRecord) -> Choice:
    return Switch(talk.id).choice(ctx._("Back to the talk with {alias}").format(alias=talk.alias))


async def held(ctx: Context, talk_id: int) -> tuple[StaffRecord, TalkRecord] | None:
    """The counsellor pressing, and their talk ``talk_id``; None (and said) when it is not theirs (any more)."""
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    talk = await talks(ctx).get(talk_id)
    if member is None or talk is None or talk.counsellor_id != member.id:
        ctx.say(ctx._("That talk is no longer yours: it has ended, or was handed to a colleague."))
        return None
    return member, talk
