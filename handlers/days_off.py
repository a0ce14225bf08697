"""A counsellor's days off: add one (and decide about the appointments already booked that day), see them,
remove one.

Adding a day that already has appointments asks first: cancel them (each person who agreed to reminders is told,
with an apology and a way to book again; the others find it in /lichhen) or keep them (the day is then closed to
new bookings only).  Every choice acts on the counsellor writing: a button names a day, never a counsellor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from core.capability import Capability, Flow, wired
from core.choices import ChoiceData
from core.clock import at_once, week_start
from core.codes import show_code
from core.conversation import Context, Routes
from core.events import Choice, TextMessage
from core.i18n import N_, Translator
from core.notices import Notice, Params
from core.ports import BookingRecord, StaffRecord, UnitOfWork
from domain.typed_dates import parse_day
from handlers.booking import APPOINTMENT_REMINDERS, STAFF_BOOKED, STAFF_MOVED, when
from handlers.staff import back_choice, counsellor_writing, staff_menu

FLOW = Flow("staff_day_off", N_("a day off you are adding"))
KEEP_FOR_NOTICE = timedelta(days=1)  # a cancelled booking's chat address stays this long, to carry the apology


def _rebook(i18n: Translator, params: Params) -> tuple[Choice, ...]:
    return (Choice("book", i18n.gettext("Book another time")), Choice("appts", i18n.gettext("My appointments")))


CANCELLED_FOR_DAY_OFF = Notice(
    "appointment_day_off",
    N_(
        "We are sorry: your appointment on {when} (code {code}) has been cancelled, because the counsellor cannot "
        "work that day. You can book another time now."
    ),
    choices=_rebook,
)

router = Routes("days_off")


@dataclass(frozen=True)
class DayOff(ChoiceData, prefix="staff.dayoff"):
    day: date
    answer: Literal["cancel", "keep", "remove"]


async def booked_on(uow: UnitOfWork, counsellor_id: int, day: date, timezone: tzinfo) -> list[BookingRecord]:
    """The counsellor's appointments still booked on ``day`` (local time): what a day off would touch."""
    start = datetime.combine(day, time(), tzinfo=timezone)
    found = await uow.bookings.of_counsellor(counsellor_id, start, start + timedelta(days=1))
    return [b for b in found if b.status == "booked"]


async def _booked_on(ctx: Context, member: StaffRecord, day: date) -> list[BookingRecord]:
    return await booked_on(ctx.uow, member.id, day, ctx.i18n.timezone)


@router.choice("staff.off")
async def ask_day_off(ctx: Context) -> None:
    if await counsellor_writing(ctx) is None:
        return
    ctx.state.enter(FLOW.name, "day")
    ctx.say(ctx._("Type the date of your day off, for example 24/12."), choices=[back_choice(ctx)])


@router.flow(FLOW)
async def typed_day_off(ctx: Context) -> None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    text = ctx.event.text if isinstance(ctx.event, TextMessage) else ""
    today = ctx.now.astimezone(ctx.i18n.timezone).date()
    day = parse_day(text, today)
    if member is None or day is None:
        ctx.say(ctx._("Please type a date such as 24/12."), choices=[back_choice(ctx)])
        return
    if day < today:
        ctx.say(
            ctx._("{day} has passed. Please type a day still to come, such as 24/12.").format(
                day=ctx.i18n.date(day, "dd/MM/yyyy")
            ),
            choices=[back_choice(ctx)],
        )
        return
    if await ctx.uow.staff.availability(member.id) is None:
        ctx.state.leave()
        ctx.say(ctx._("Set your weekly hours first."))
        await staff_menu(ctx)
        return
    ctx.state.leave()
    booked = await _booked_on(ctx, member, day)
    if not booked:
        await _add(ctx, member, day)
        ctx.say(ctx._("Saved: no bookings on {day}.").format(day=ctx.i18n.date(day)))
        await staff_menu(ctx)
        return
    times = "\n".join(f"• {when(ctx, b.starts_at)} · {show_code(b.code)}" for b in booked)
    ctx.say(
        ctx.i18n.ngettext(
            "You have {count} appointment on {day}:", "You have {count} appointments on {day}:", len(booked)
        ).format(count=len(booked), day=ctx.i18n.date(day))
        + "\n"
        + times
        + "\n\n"
        + ctx._("What should happen to them?"),
        choices=[
            DayOff(day, "cancel").choice(ctx._("Cancel them and tell the people")),
            DayOff(day, "keep").choice(ctx._("Keep them: no new bookings that day")),
            back_choice(ctx),
        ],
    )


async def add_day_off(uow: UnitOfWork, counsellor_id: int, day: date) -> None:
    previous = await uow.staff.availability(counsellor_id)
    if previous is not None:
        await uow.staff.set_availability(counsellor_id, replace(previous, days_off=previous.days_off | {day}))


async def _add(ctx: Context, member: StaffRecord, day: date) -> None:
    await add_day_off(ctx.uow, member.id, day)


async def cancel_for_day_off(
    uow: UnitOfWork, counsellor_id: int, booking: BookingRecord, now: datetime, timezone: tzinfo
) -> bool:
    """Cancel one of the counsellor's bookings; True if its person was told (they had agreed to reminders).  The
    chat and the web console cancel the same way."""
    handle = await uow.handles.of_booking(booking.id, APPOINTMENT_REMINDERS.id)
    if handle is not None:
        await uow.outbox.drop_pending(handle)
        await uow.handles.detach(handle, now + KEEP_FOR_NOTICE)
    await uow.outbox.drop_keys([f"{STAFF_BOOKED.kind}:{booking.id}:", f"{STAFF_MOVED.kind}:{booking.id}:"])
    if await uow.bookings.cancel_by_counsellor(booking.id, counsellor_id) is None:
        return False
    week = week_start(now.astimezone(timezone).date())
    await uow.tallies.add(week, "booking_cancelled", subject=booking.mode)
    if handle is None:
        return False
    params = {"at": booking.starts_at.isoformat(), "code": show_code(booking.code)}
    key = f"{CANCELLED_FOR_DAY_OFF.kind}:{booking.id}"
    await uow.outbox.enqueue(handle, at_once(now), CANCELLED_FOR_DAY_OFF.kind, params, key, priority=0)
    return True


async def _cancel_for_day_off(ctx: Context, member: StaffRecord, booking: BookingRecord) -> bool:
    return await cancel_for_day_off(ctx.uow, member.id, booking, ctx.now, ctx.i18n.timezone)


@router.choice(DayOff)
async def day_off_choice(ctx: Context, data: DayOff) -> None:
    if (member := await counsellor_writing(ctx)) is None:
        return
    day = ctx.i18n.date(data.day)
    if data.answer == "remove":
        previous = await ctx.uow.staff.availability(member.id)
        if previous is not None and data.day in previous.days_off:
            await ctx.uow.staff.set_availability(member.id, replace(previous, days_off=previous.days_off - {data.day}))
        ctx.say(ctx._("{day} is no longer a day off: people can book it again.").format(day=day))
        await staff_menu(ctx)
        return
    await _add(ctx, member, data.day)
    if data.answer == "keep":
        ctx.say(ctx._("Saved: no new bookings on {day}. The appointments already booked stay.").format(day=day))
        await staff_menu(ctx)
        return
    booked = await _booked_on(ctx, member, data.day)
    told = [await _cancel_for_day_off(ctx, member, booking) for booking in booked]
    text = ctx.i18n.ngettext(
        "Saved: no bookings on {day}. {count} appointment cancelled.",
        "Saved: no bookings on {day}. {count} appointments cancelled.",
        len(booked),
    ).format(day=day, count=len(booked))
    text += " " + ctx._(
        "{told} of them had agreed to messages and are told now, with a way to book again; the others will see "
        "it in /lichhen."
    ).format(told=sum(told))
    ctx.say(text)
    await staff_menu(ctx)


@router.choice("staff.offs")
async def list_days_off(ctx: Context) -> None:
    if (member := await counsellor_writing(ctx)) is None:
        return
    availability = await ctx.uow.staff.availability(member.id)
    today = ctx.now.astimezone(ctx.i18n.timezone).date()
    days = sorted(d for d in (availability.days_off if availability else ()) if d >= today)
    if not days:
        ctx.say(
            ctx._("You have no days off ahead."),
            choices=[Choice("staff.off", ctx._("Add a day off")), back_choice(ctx)],
        )
        return
    ctx.say(
        "\n".join("• " + ctx.i18n.date(d) for d in days),
        title=ctx._("Your days off"),
        choices=[
            *(DayOff(d, "remove").choice(ctx._("Remove {day}").format(day=ctx.i18n.date(d, "dd/MM"))) for d in days),
            Choice("staff.off", ctx._("Add a day off")),
            Choice("staff.menu", ctx._("Counsellor menu")),
        ],
    )


capability = Capability("days_off", wired(router), flows=(FLOW,), notices=(CANCELLED_FOR_DAY_OFF,))
