"""A call-back number for an appointment, under its own consent: shared with the contact button or typed,
kept sealed, shown only to the counsellor of that appointment, deleted 3 days after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from core.capability import Capability, Flow, wired
from core.choices import ChoiceData
from core.codes import show_code
from core.consent import Purpose
from core.conversation import Context, Routes
from core.events import Choice, ContactShared, TextMessage
from core.i18n import N_
from core.ports import BookingRecord
from domain.phone import normalize_phone
from handlers import consent

CALLBACK_PHONE = Purpose(
    id="callback_phone",
    version="2026-12-v2",
    title=N_("Call back by phone"),
    explanation=N_(
        "So a counsellor can call you, your phone number is kept encrypted and shown only to the "
        "counsellor of your appointment. It is deleted 3 days after the appointment."
    ),
)

router = Routes("callback")
FLOW = Flow("callback", N_("a call back you are asking for (the choices so far)"))
KEEP_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class CallMe(ChoiceData, prefix="callback"):
    booking: int
    answer: Literal["ask", "yes", "no"]


@router.choice(CallMe)
async def callback(ctx: Context, data: CallMe) -> None:
    if data.answer == "ask":
        consent.ask(ctx, CALLBACK_PHONE, yes=CallMe(data.booking, "yes").pack(), no=CallMe(data.booking, "no").pack())
        return
    booking = await ctx.uow.bookings.owned(data.booking, ctx.user.pseudonym)
    if data.answer == "yes" and booking is not None:
        await consent.grant(ctx, CALLBACK_PHONE)
        ask(ctx, booking.id)
        return
    ctx.state.leave()
    text = ctx._("All right: no call-back number is kept.")
    if booking is not None and booking.mode == "phone":
        text += " " + await without_number(ctx, booking)
    ctx.say(text, choices=[Choice("appts", ctx._("My appointments")), Choice("menu", ctx._("Main menu"))])


async def without_number(ctx: Context, booking: BookingRecord) -> str:
    """What a phone appointment without a number means, and what the person can do instead."""
    counsellor = await ctx.uow.staff.get(booking.counsellor_id)
    point = await ctx.uow.directory.get(counsellor.point_id) if counsellor and counsellor.point_id else None
    if point is not None and point.phone:
        return ctx._(
            "Without a number the counsellor cannot call you: at the time of your appointment, call {phone} "
            "and give your code {code}. You can still add a number in /lichhen."
        ).format(phone=point.phone, code=show_code(booking.code))
    return ctx._(
        "Without a number the counsellor cannot call you. You can add one at any time in /lichhen before the "
        "appointment, or cancel it there and book in person."
    )


def ask(ctx: Context, booking_id: int, note: str | None = None) -> None:
    ctx.state.enter(FLOW.name, "phone", booking=booking_id)
    ctx.say(
        (note + " " if note else "")
        + ctx._("Share your number with the button below, or type it (for example 0912 345 678)."),
        request_contact=True,
        choices=[CallMe(booking_id, "no").choice(ctx._("Cancel"))],
    )


@router.flow(FLOW)
async def number(ctx: Context) -> None:
    booking_id = int(ctx.state.data.get("booking") or 0)
    event = ctx.event
    if isinstance(event, ContactShared) and not event.own:
        ask(ctx, booking_id, ctx._("That is someone else's contact. Please share your own number."))
        return
    typed = event.phone if isinstance(event, ContactShared) else event.text if isinstance(event, TextMessage) else ""
    phone = normalize_phone(typed)
    booking = await ctx.uow.bookings.owned(booking_id, ctx.user.pseudonym)
    if booking is None:
        ctx.state.leave()
        ctx.say(ctx._("That appointment no longer exists."), choices=[Choice("appts", ctx._("My appointments"))])
        return
    if phone is None and isinstance(event, TextMessage) and await ctx.understood_instead():  # another request
        return
    if phone is None:
        ask(ctx, booking_id, ctx._("That does not look like a Vietnamese phone number."))
        return
    await ctx.uow.handles.keep(
        ctx.user.pseudonym,
        CALLBACK_PHONE.id,
        "phone",
        phone,
        booking_id=booking.id,
        delete_after=booking.starts_at + KEEP_AFTER,
    )
    ctx.state.leave()
    ctx.say(
        ctx._(
            "Thank you. Only the counsellor of this appointment can see your number, and it is deleted 3 days "
            "after the appointment."
        ),
        choices=[Choice("appts", ctx._("My appointments")), Choice("menu", ctx._("Main menu"))],
    )


capability = Capability("callback", wired(router), purposes=(CALLBACK_PHONE,), flows=(FLOW,))
