"""Counselling appointments, anonymously: where (a service point, or any counsellor by phone), day, time,
confirm; a short code to show on arrival; /lichhen lists a person's appointments to move or cancel.

Every booking, move and cancellation is checked against the pseudonym that owns the booking, in the
database query itself; a slot taken by someone else a moment earlier is refused by the database's unique
constraint, and the person is offered the next free times instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from core.capability import Capability, Command, Flow, MenuEntry, Record, Understood, wired
from core.choices import ChoiceData
from core.clock import at_once, week_start
from core.codes import new_code, show_code
from core.consent import Purpose
from core.conversation import Context, Routes
from core.events import Attachment, Choice
from core.i18n import N_, Translator
from core.notices import Notice, Params
from core.ports import AgeGroup, BookingRecord
from domain.calendar_file import appointment_ics
from domain.slots import by_day, free_slots
from handlers import consent
from handlers.callback import CALLBACK_PHONE, CallMe
from handlers.entry_points import BookHere, FindService
from handlers.menu import refused_for_children, show_menu
from handlers.staff_notices import STAFF_NOTIFICATIONS

APPOINTMENT_REMINDERS = Purpose(
    id="appointment_reminders",
    version="2026-11-v1",
    title=N_("Appointment reminders"),
    explanation=N_(
        "To remind you of your appointment I need to keep your chat address, encrypted, until the "
        "appointment is over. Reminders never mention drugs or treatment."
    ),
)

FLOW = Flow("booking", N_("an appointment you are booking (the choices so far)"))
MAX_DAYS = 7
NEXT_FREE = 6
MODES = {"in_person": N_("in person"), "phone": N_("by phone"), "online": N_("online")}


def _mode(i18n: Translator, params: Params) -> dict[str, str]:
    return {"mode": i18n.gettext(MODES.get(str(params.get("mode")), MODES["in_person"]))}


REMINDER_24H = Notice(
    "appointment_24h",
    N_("Reminder: you have an appointment tomorrow, {when}. Your code: {code}. To move or cancel it, send /lichhen."),
    stale_after=timedelta(hours=6),
)
REMINDER_2H = Notice(
    "appointment_2h",
    N_("Reminder: your appointment is today at {time}. Your code: {code}."),
    stale_after=timedelta(hours=1),
)
WITHDRAWN = Notice(
    "appointment_withdrawn",
    N_(
        "We are sorry: your appointment on {when} has been cancelled, because the counsellor can no longer see "
        "you. You can book another time whenever you like: send /lichhen."
    ),
)
# To the counsellor: the time, mode and code, never who.
STAFF_BOOKED = Notice("staff_booked", N_("New booking: {when}, {mode}, code {code}."), values=_mode)
STAFF_MOVED = Notice("staff_moved", N_("Booking {code} has moved to {when}."))
STAFF_CANCELLED = Notice("staff_cancelled", N_("Booking {code} for {when} has been cancelled."))
REMINDERS = ((REMINDER_24H, timedelta(hours=24)), (REMINDER_2H, timedelta(hours=2)))

router = Routes("booking")


def _data(ctx: Context) -> dict[str, Any]:
    return dict(ctx.state.data) if ctx.state.flow == FLOW.name else {}


def _local(ctx: Context, moment: datetime) -> datetime:
    return moment.astimezone(ctx.i18n.timezone)


def when(ctx: Context, moment: datetime) -> str:
    return ctx.i18n.datetime(moment)


@dataclass(frozen=True)
class AtPoint(ChoiceData, prefix="book.point"):  # choosing where to meet
    point: int


@dataclass(frozen=True)
class Day(ChoiceData, prefix="book.day"):
    day: date


@dataclass(frozen=True)
class LaterDays(ChoiceData, prefix="book.later"):
    after: date


@dataclass(frozen=True)
class Slot(ChoiceData, prefix="book.at"):
    at: str  # local yyyymmddHHMM


@dataclass(frozen=True)
class Mine(ChoiceData, prefix="book.mine"):
    """Something done to one of the person's own bookings (each handler checks it is theirs)."""

    booking: int
    action: Literal["move", "cancel", "cancel_ok", "ics"]


@dataclass(frozen=True)
class Remind(ChoiceData, prefix="book.remind"):
    booking: int
    answer: Literal["ask", "yes", "no"]


def _slot_choice(ctx: Context, moment: datetime, label: str) -> Choice:
    return Slot(_local(ctx, moment).strftime("%Y%m%d%H%M")).choice(label)


def _parse_slot(ctx: Context, text: str) -> datetime | None:
    try:
        naive = datetime.strptime(text, "%Y%m%d%H%M")
    except ValueError:
        return None
    return naive.replace(tzinfo=ctx.i18n.timezone)


async def offers(ctx: Context, counsellors: Sequence[int], mode: str) -> dict[datetime, list[int]]:
    """Free slot starts (UTC) of these counsellors in this mode, each with who offers it."""
    found: dict[datetime, list[int]] = {}
    for counsellor in counsellors:
        availability = await ctx.uow.staff.availability(counsellor)
        if availability is None or mode not in availability.modes:
            continue
        booked = await ctx.uow.bookings.booked_starts(counsellor, ctx.now - timedelta(days=1))
        for start in free_slots(availability, now=ctx.now, zone=ctx.i18n.timezone, booked=booked):
            found.setdefault(start, []).append(counsellor)
    return dict(sorted(found.items()))


async def place_text(ctx: Context, mode: str, point_id: int | None) -> str:
    if mode == "in_person" and point_id is not None:
        point = await ctx.uow.directory.get(point_id)
        if point is not None:
            return ctx._("in person at {place}").format(place=point.name)
    return ctx._(MODES.get(mode, MODES["phone"]))


CHILD_REFUSAL = N_("Booking is for people aged 16 or older. You can call 111, free, any time.")


@router.command("datlich")
@router.choice("book", anytime=True)
async def book(ctx: Context) -> None:
    if not refused_for_children(ctx, CHILD_REFUSAL):
        await choose_where(ctx, for_family=False)


@router.choice("book.family", anytime=True)
async def book_for_family(ctx: Context) -> None:
    if not refused_for_children(ctx, CHILD_REFUSAL):
        await choose_where(ctx, for_family=True)


@router.choice(BookHere, anytime=True)
async def book_here(ctx: Context, data: BookHere) -> None:
    if refused_for_children(ctx, CHILD_REFUSAL):
        return
    await _choose_day(
        ctx, for_family=False, point=data.point, none=N_("This point does not take bookings through me yet.")
    )


@router.choice(AtPoint)
async def at_point(ctx: Context, data: AtPoint) -> None:
    for_family = bool(_data(ctx).get("for_family"))
    await _choose_day(ctx, for_family=for_family, point=data.point, none=N_("There are no free times there now."))


async def choose_where(ctx: Context, for_family: bool, note: str | None = None) -> None:
    counsellors = await ctx.uow.staff.counsellors()
    choices: list[Choice] = []
    seen: set[int] = set()
    phone = False
    for counsellor in counsellors:
        availability = await ctx.uow.staff.availability(counsellor.id)
        if availability is None:
            continue
        phone = phone or "phone" in availability.modes
        if "in_person" in availability.modes and counsellor.point_id is not None and counsellor.point_id not in seen:
            point = await ctx.uow.directory.get(counsellor.point_id)
            if point is not None:
                seen.add(counsellor.point_id)
                choices.append(AtPoint(counsellor.point_id).choice(point.name))
    if phone:
        choices.append(Choice("book.phone", ctx._("Any counsellor, by phone")))
    intro = (note + "\n\n" if note else "") + ctx._(
        "A counselling session is free and confidential. You do not give your name: you get a short code to "
        "show when you arrive."
    )
    if not choices:
        ctx.state.leave()
        ctx.say(
            intro + "\n\n" + ctx._("No counsellor has published times yet. You can find a support point and call it."),
            choices=[
                FindService("counselling_point").choice(ctx._("Find a support point")),
                Choice("menu", ctx._("Main menu")),
            ],
        )
        return
    ctx.state.enter(FLOW.name, "where", for_family=for_family)
    ctx.say(
        intro + "\n\n" + ctx._("Where would you like to meet a counsellor?"),
        title=ctx._("Book counselling"),
        choices=[*choices, Choice("menu", ctx._("Main menu"))],
    )


async def show_days(ctx: Context, note: str | None = None, *, after: date | None = None) -> bool:
    """The next days with free times (``MAX_DAYS`` at a time; "Later dates" shows the next ones, up to the
    counsellors' booking horizon)."""
    data = _data(ctx)
    found = await offers(ctx, data.get("counsellors") or [], str(data.get("mode")))
    every = [day for day in by_day(found, ctx.i18n.timezone) if after is None or day > after]
    days = every[:MAX_DAYS]
    if not days:
        return False
    choices = [Day(day).choice(ctx.i18n.date(day)) for day in days]
    if len(every) > MAX_DAYS:
        choices.append(LaterDays(days[-1]).choice(ctx._("Later dates")))
    choices.append(Choice("menu", ctx._("Main menu")))
    ctx.say((note + "\n\n" if note else "") + ctx._("Which day suits you?"), choices=choices)
    return True


@router.choice("book.phone")
async def by_phone(ctx: Context) -> None:
    for_family = bool(_data(ctx).get("for_family"))
    await _choose_day(ctx, for_family=for_family, point=None, none=N_("There are no free times by phone now."))


async def _choose_day(ctx: Context, *, for_family: bool, point: int | None, none: str) -> None:
    """The days with free times: in person at ``point``, or by phone with any counsellor (``point`` None); if
    there are none, where to meet again, with ``none`` (a msgid) said first."""
    counsellors = [c.id for c in await ctx.uow.staff.counsellors(point)]
    mode = "phone" if point is None else "in_person"
    ctx.state.enter(FLOW.name, "day", for_family=for_family, point=point, mode=mode, counsellors=counsellors)
    if not await show_days(ctx):
        await choose_where(ctx, for_family, ctx._(none))


@router.choice(LaterDays)
async def later_days(ctx: Context, data: LaterDays) -> None:
    if not await show_days(ctx, after=data.after):
        await another_day(ctx)


@router.choice(Day)
async def chose_day(ctx: Context, data: Day) -> None:
    await show_times(ctx, data.day)


@router.choice(Slot)
async def chose_slot(ctx: Context, data: Slot) -> None:
    await confirm(ctx, data.at)


@router.choice("book.ok")
async def confirmed(ctx: Context) -> None:
    await finish(ctx)


@router.choice("book.back")
async def another_day(ctx: Context) -> None:
    data = _data(ctx)
    if data.get("counsellors") is None:
        await appointments(ctx)
    elif not await show_days(ctx):
        await choose_where(ctx, bool(data.get("for_family")))


@router.choice(Mine)
async def my_booking(ctx: Context, data: Mine) -> None:
    await MINE[data.action](ctx, data.booking)


async def show_times(ctx: Context, day: date) -> None:
    data = _data(ctx)
    found = await offers(ctx, data.get("counsellors") or [], str(data.get("mode")))
    starts = by_day(found, ctx.i18n.timezone).get(day, [])
    if not starts:
        if not await show_days(ctx, ctx._("That day is fully booked now.")):
            await choose_where(ctx, bool(data.get("for_family")))
        return
    choices = [_slot_choice(ctx, start, _local(ctx, start).strftime("%H:%M")) for start in starts]
    choices.append(Choice("book.back", ctx._("Another day")))
    ctx.say(ctx._("{day}: which time?").format(day=ctx.i18n.date(day)), choices=choices)


async def confirm(ctx: Context, slot_text: str) -> None:
    data = _data(ctx)
    start = _parse_slot(ctx, slot_text)
    if start is None:
        await appointments(ctx)
        return
    ctx.state.data["start"] = start.isoformat()
    where = await place_text(ctx, str(data.get("mode")), data.get("point"))
    question = (
        ctx._("Move your appointment to {when}, {where}?") if data.get("move") else ctx._("Book {when}, {where}?")
    )
    ctx.say(
        question.format(when=when(ctx, start), where=where),
        choices=[Choice("book.ok", ctx._("Yes, confirm")), Choice("book.back", ctx._("Choose another time"))],
    )


async def finish(ctx: Context) -> None:
    data = _data(ctx)
    start = datetime.fromisoformat(str(data.get("start")))
    mode = str(data.get("mode"))
    found = await offers(ctx, data.get("counsellors") or [], mode)
    booking: BookingRecord | None = None
    if data.get("move"):
        booking = await ctx.uow.bookings.move(int(data["move"]), ctx.user.pseudonym, start) if start in found else None
    else:
        for counsellor in found.get(start, []):
            availability = await ctx.uow.staff.availability(counsellor)
            booking = await ctx.uow.bookings.book(
                counsellor_id=counsellor,
                starts_at=start,
                minutes=availability.slot_minutes if availability else 45,
                mode=mode,
                pseudonym=ctx.user.pseudonym,
                for_family=bool(data.get("for_family")),
                code=new_code(),
                now=ctx.now,
            )
            if booking is not None:
                break
    if booking is None:
        await taken(ctx, found, start)
        return
    week = week_start(_local(ctx, ctx.now).date())
    point_id = data.get("point")
    point = await ctx.uow.directory.get(point_id) if isinstance(point_id, int) else None
    kind = (
        "booking_moved" if data.get("move") else "booking"
    )  # an anonymous weekly count, by the chosen point's province
    await ctx.uow.tallies.add(week, kind, subject=mode, province=point.province if point else "")
    await notify_counsellor(ctx, booking, STAFF_MOVED if data.get("move") else STAFF_BOOKED)
    reminder_note, reminder_choices = await arrange_reminders(ctx, booking, moved=bool(data.get("move")))
    where = await place_text(ctx, mode, data.get("point"))
    ctx.state.leave()
    text = (
        ctx._("Done: your appointment is now {when}, {where}.")
        if data.get("move")
        else ctx._("Booked: {when}, {where}.")
    ).format(when=when(ctx, booking.starts_at), where=where)
    number = await ctx.uow.handles.booking_address(booking.id, CALLBACK_PHONE.id)
    call_choices = [] if number else [CallMe(booking.id, "ask").choice(ctx._("Ask the counsellor to call me"))]
    if mode == "phone":
        text += "\n\n" + ctx._(
            "Your booking code: {code}\nThe counsellor calls you at that time and says this code, so you know "
            "it is them. You do not need to give your name."
        ).format(code=show_code(booking.code))
        if number:
            text += "\n" + ctx._("They will call the number you gave.")
        else:  # a phone appointment needs a number: ask for it now, under its own consent
            text += "\n\n" + ctx._("For the call, the counsellor needs your phone number.") + " "
            text += consent.explain(ctx, CALLBACK_PHONE)
            call_choices = [
                CallMe(booking.id, "yes").choice(ctx._("Yes, I agree: give my number")),
                CallMe(booking.id, "no").choice(ctx._("No number")),
            ]
    else:
        text += "\n\n" + ctx._(
            "Your booking code: {code}\nShow or say this code when you arrive. You do not need to give your name."
        ).format(code=show_code(booking.code))
    if reminder_note:
        text += "\n\n" + reminder_note
    update = None
    if data.get("move") and booking.calendar_taken:  # same UID, next SEQUENCE: the calendar moves its entry
        text += "\n\n" + ctx._("Open the file below to move it in your calendar too.")
        update = await _calendar_attachment(ctx, booking)
    ctx.say(
        text,
        title=ctx._("Your appointment"),
        attachment=update,
        choices=[
            *call_choices,
            *reminder_choices,
            Mine(booking.id, "ics").choice(ctx._("Add to my calendar (.ics file)")),
            Choice("appts", ctx._("My appointments")),
            Choice("menu", ctx._("Main menu")),
        ],
    )


async def notify_counsellor(ctx: Context, booking: BookingRecord, notice: Notice) -> None:
    """Tell the counsellor (if they agreed to notifications): the time, mode and code, never who."""
    counsellor = await ctx.uow.staff.get(booking.counsellor_id)
    if counsellor is None:
        return
    handle = await ctx.uow.handles.find(counsellor.pseudonym, STAFF_NOTIFICATIONS.id)
    if handle is None:
        return
    params = {"at": booking.starts_at.isoformat(), "code": show_code(booking.code), "mode": booking.mode}
    key = f"{notice.kind}:{booking.id}:{booking.starts_at.isoformat()}"
    await ctx.uow.outbox.enqueue(handle, at_once(ctx.now), notice.kind, params, key, priority=0)  # staff first


async def schedule_reminders(ctx: Context, booking: BookingRecord, handle: int) -> None:
    await ctx.uow.outbox.drop_pending(handle)
    await ctx.uow.handles.set_delete_after(handle, booking.starts_at + timedelta(minutes=booking.minutes))
    params = {"at": booking.starts_at.isoformat(), "code": show_code(booking.code)}
    for notice, before in REMINDERS:
        due = booking.starts_at - before
        if due > ctx.now:
            key = f"{notice.kind}:{booking.id}:{booking.starts_at.isoformat()}"
            await ctx.uow.outbox.enqueue(handle, due, notice.kind, params, key)


async def arrange_reminders(ctx: Context, booking: BookingRecord, *, moved: bool) -> tuple[str, list[Choice]]:
    """Reminders follow a moved booking; a new one gets them if the person already agreed, else an offer."""
    handle = await ctx.uow.handles.find(ctx.user.pseudonym, APPOINTMENT_REMINDERS.id, booking.id)
    if moved and handle is not None:
        await schedule_reminders(ctx, booking, handle)
        return ctx._("Your reminders have moved with it."), []
    if await consent.given(ctx, APPOINTMENT_REMINDERS) and ctx.event.address:
        handle = await ctx.uow.handles.keep(
            ctx.user.pseudonym, APPOINTMENT_REMINDERS.id, ctx.event.channel, ctx.event.address, booking_id=booking.id
        )
        await schedule_reminders(ctx, booking, handle)
        return ctx._("As you agreed, I will remind you a day before and two hours before. To stop: /privacy."), []
    if ctx.event.address:
        return "", [Remind(booking.id, "ask").choice(ctx._("Remind me before the appointment"))]
    return "", []


@router.choice(Remind)
async def reminders(ctx: Context, data: Remind) -> None:
    if data.answer == "ask":
        yes, no = Remind(data.booking, "yes").pack(), Remind(data.booking, "no").pack()
        consent.ask(ctx, APPOINTMENT_REMINDERS, yes=yes, no=no)
        return
    booking = await ctx.uow.bookings.owned(data.booking, ctx.user.pseudonym)
    if data.answer == "yes" and booking is not None and ctx.event.address:
        await consent.grant(ctx, APPOINTMENT_REMINDERS)
        handle = await ctx.uow.handles.keep(
            ctx.user.pseudonym, APPOINTMENT_REMINDERS.id, ctx.event.channel, ctx.event.address, booking_id=booking.id
        )
        await schedule_reminders(ctx, booking, handle)
        text = ctx._(
            "Done: I will remind you a day before and two hours before. The reminder only says you have an "
            "appointment and its code. Your chat address is deleted after the appointment."
        )
    else:
        text = ctx._("All right: no reminders.")
    ctx.say(text, choices=[Choice("appts", ctx._("My appointments")), Choice("menu", ctx._("Main menu"))])


async def taken(ctx: Context, found: dict[datetime, list[int]], start: datetime) -> None:
    nearby = [s for s in found if s != start][:NEXT_FREE]
    text = ctx._("Sorry, someone booked that time just before you.")
    if not nearby:
        await choose_where(ctx, bool(_data(ctx).get("for_family")), text)
        return
    choices = [_slot_choice(ctx, s, when(ctx, s)) for s in nearby]
    choices.append(Choice("book.back", ctx._("Another day")))
    ctx.say(text + " " + ctx._("These times are free:"), choices=choices)


@router.command("lichhen", "appointments")
@router.choice("appts", anytime=True)
async def appointments(ctx: Context) -> None:
    ctx.state.leave()
    mine = await ctx.uow.bookings.of_person(ctx.user.pseudonym, ctx.now - timedelta(hours=1))
    if not mine:
        book = [] if ctx.user.age_group is AgeGroup.CHILD else [Choice("book", ctx._("Book counselling"))]
        ctx.say(ctx._("You have no upcoming appointments."), choices=[*book, Choice("menu", ctx._("Main menu"))])
        return
    lines, choices = [], []
    for booking in mine:
        code = show_code(booking.code)
        where = await place_text(ctx, booking.mode, await _point_of(ctx, booking))
        line = ctx._("{when}, {where} (code {code})").format(when=when(ctx, booking.starts_at), where=where, code=code)
        number = await ctx.uow.handles.booking_address(booking.id, CALLBACK_PHONE.id)
        if booking.mode == "phone":
            line += " · ☎ " + (ctx._("the counsellor will call you") if number else ctx._("no number given yet"))
        lines.append("• " + line)
        choices.append(Mine(booking.id, "move").choice(ctx._("Move {code}").format(code=code)))
        choices.append(Mine(booking.id, "cancel").choice(ctx._("Cancel {code}").format(code=code)))
        if number is None and booking.starts_at > ctx.now:
            label = (
                ctx._("Give a number to call for {code}")
                if booking.mode == "phone"
                else ctx._("Ask to be called back before {code}")
            )
            choices.append(CallMe(booking.id, "ask").choice(label.format(code=code)))
    choices.append(Choice("menu", ctx._("Main menu")))
    ctx.say("\n".join(lines), title=ctx._("Your appointments"), choices=choices)


async def _point_of(ctx: Context, booking: BookingRecord) -> int | None:
    counsellor = await ctx.uow.staff.get(booking.counsellor_id)
    return counsellor.point_id if counsellor else None


async def start_move(ctx: Context, booking_id: int) -> None:
    booking = await ctx.uow.bookings.owned(booking_id, ctx.user.pseudonym)
    if booking is None:
        await appointments(ctx)
        return
    ctx.state.enter(
        FLOW.name,
        "day",
        move=booking.id,
        mode=booking.mode,
        point=await _point_of(ctx, booking),
        counsellors=[booking.counsellor_id],
        for_family=booking.for_family,
    )
    if not await show_days(
        ctx, ctx._("Your appointment is {when}. Choose a new time:").format(when=when(ctx, booking.starts_at))
    ):
        ctx.state.leave()
        ctx.say(
            ctx._("There are no other free times with this counsellor now."),
            choices=[Choice("appts", ctx._("My appointments"))],
        )


async def ask_cancel(ctx: Context, booking_id: int) -> None:
    booking = await ctx.uow.bookings.owned(booking_id, ctx.user.pseudonym)
    if booking is None:
        await appointments(ctx)
        return
    ctx.say(
        ctx._("Cancel your appointment on {when}?").format(when=when(ctx, booking.starts_at)),
        choices=[Mine(booking.id, "cancel_ok").choice(ctx._("Yes, cancel it")), Choice("appts", ctx._("No, keep it"))],
    )


async def cancel(ctx: Context, booking_id: int) -> None:
    booking = await ctx.uow.bookings.cancel(booking_id, ctx.user.pseudonym)
    if booking is None:
        await appointments(ctx)
        return
    await ctx.uow.tallies.add(week_start(_local(ctx, ctx.now).date()), "booking_cancelled", subject=booking.mode)
    await notify_counsellor(ctx, booking, STAFF_CANCELLED)
    if booking.calendar_taken:  # the person has it in their calendar: send the file that removes it
        ctx.say(
            ctx._("Open this file to remove the appointment from your calendar."),
            attachment=await _calendar_attachment(ctx, booking, cancelled=True),
        )
    show_menu(
        ctx,
        ctx._("Your appointment on {when} is cancelled. You can book again at any time.").format(
            when=when(ctx, booking.starts_at)
        ),
    )


async def _calendar_attachment(ctx: Context, booking: BookingRecord, *, cancelled: bool = False) -> Attachment:
    point_id = await _point_of(ctx, booking)
    point = await ctx.uow.directory.get(point_id) if point_id is not None and booking.mode == "in_person" else None
    code = show_code(booking.code)
    content = appointment_ics(
        code=code,
        start=booking.starts_at,
        minutes=booking.minutes,
        title=ctx._("Appointment {code}").format(code=code),
        location=", ".join(p for p in (point.name, point.address) if p) if point else "",
        zone=ctx.i18n.timezone,
        stamp=ctx.now,
        sequence=booking.revision,
        cancelled=cancelled,
    )
    name = f"huy-lich-hen-{code}.ics" if cancelled else f"lich-hen-{code}.ics"
    return Attachment(name, content, "text/calendar")


async def calendar_file(ctx: Context, booking_id: int) -> None:
    booking = await ctx.uow.bookings.owned(booking_id, ctx.user.pseudonym)
    if booking is None:
        await appointments(ctx)
        return
    number = await ctx.uow.handles.booking_address(booking.id, CALLBACK_PHONE.id)
    await ctx.uow.bookings.calendar_taken(booking.id, ctx.user.pseudonym)
    ctx.say(
        ctx._("Here is your appointment as a calendar file: open it to add it to your phone's calendar."),
        attachment=await _calendar_attachment(ctx, booking),
        choices=[
            *([] if number else [CallMe(booking.id, "ask").choice(ctx._("Ask the counsellor to call me"))]),
            Choice("appts", ctx._("My appointments")),
            Choice("menu", ctx._("Main menu")),
        ],
    )


# What a person may do to one of their bookings (each checks that it is theirs).
MINE: dict[str, Callable[[Context, int], Awaitable[None]]] = {
    "move": start_move,
    "cancel": ask_cancel,
    "cancel_ok": cancel,
    "ics": calendar_file,
}


capability = Capability(
    "booking",
    wired(router),
    menu=MenuEntry("book", N_("Book counselling"), 30),
    understood=(Understood("book", lambda _: "book", N_("Book counselling")),),
    purposes=(APPOINTMENT_REMINDERS,),
    flows=(FLOW,),
    records=(Record("bookings", N_("Appointments (time, place and code; no name): {count}. See them with /lichhen.")),),
    notices=(REMINDER_24H, REMINDER_2H, WITHDRAWN, STAFF_BOOKED, STAFF_MOVED, STAFF_CANCELLED),
    commands=(Command("datlich", N_("Book counselling"), 38), Command("lichhen", N_("My appointments"), 40)),
)
