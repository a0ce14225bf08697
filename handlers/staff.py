"""Staff in the chat: ``/staff CODE`` redeems an invitation; a counsellor sees their bookings (the code,
time and mode: never who the person is), marks each as attended or missed, and sets weekly hours and days
off."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Literal

from core.capability import Capability, Flow, Record, Wiring
from core.choices import ChoiceData
from core.clock import week_start
from core.codes import show_code
from core.conversation import Context, Routes
from core.events import Choice, CommandMessage, TextMessage
from core.i18n import N_
from core.ports import BookingRecord, StaffRecord
from core.ratelimit import Attempts
from domain.hours import EMPTY, HoursError, format_hours, parse_hours
from domain.slots import Availability
from handlers import consent
from handlers.booking import MODES, when
from handlers.callback import CALLBACK_PHONE
from handlers.groups.leaders import leader_home
from handlers.hours_text import describe
from handlers.menu import show_menu
from handlers.report import CHAT_WEEKS
from handlers.services import Services
from handlers.staff_notices import STAFF_NOTIFICATIONS

router = Routes("staff")


def redeem_router(attempts: Attempts) -> Routes:
    """``/staff CODE``, with tries limited per person and overall (``attempts``): invitation codes are long
    enough that guessing is hopeless, and the limit keeps it so."""
    router = Routes("staff_redeem")

    @router.command("staff")
    async def redeem_command(ctx: Context) -> None:
        await redeem(ctx, attempts)

    return router


async def redeem(ctx: Context, attempts: Attempts) -> None:
    args = ctx.event.args if isinstance(ctx.event, CommandMessage) else ""
    if not args.strip():
        member = await ctx.uow.staff.of(ctx.user.pseudonym)
        if member is None:
            show_menu(ctx, ctx._("To join as staff, send /staff followed by the invitation code you were given."))
        else:
            await staff_menu(ctx)
        return
    if not attempts.allow(ctx.user.pseudonym):
        show_menu(
            ctx,
            ctx._(
                "Too many invitation codes have been tried. Please wait an hour and try again, or ask the "
                "programme for a new code."
            ),
        )
        return
    member = await ctx.uow.staff.redeem(args, ctx.user.pseudonym, ctx.now)
    if member is None:
        show_menu(
            ctx,
            ctx._(
                "That invitation code is not valid, or it has been used or has expired. Ask the programme for "
                "a new one."
            ),
        )
        return
    if member.role == "manager":
        ctx.say(ctx._("Welcome: you are now registered as a programme manager. /baocao shows the programme figures."))
        await staff_menu(ctx)
        return
    if member.role == "operator":
        ctx.say(ctx._("Welcome: you are now registered as an operator. /web gives you a link to the web console."))
        await staff_menu(ctx)
        return
    text = (
        ctx._("Welcome: you are now registered as a counsellor.")
        if member.role == "counsellor"
        else ctx._("Welcome: you are now registered as a peer leader.")
    )
    ctx.say(text)
    if ctx.event.address and await ctx.uow.handles.find(ctx.user.pseudonym, STAFF_NOTIFICATIONS.id) is None:
        consent.ask(ctx, STAFF_NOTIFICATIONS, yes=Notify(True).pack(), no=Notify(False).pack())
        return
    await staff_menu(ctx)


@dataclass(frozen=True)
class Notify(ChoiceData, prefix="staff.notify"):
    agreed: bool


@router.choice(Notify)
async def notifications(ctx: Context, data: Notify) -> None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is not None and data.agreed and ctx.event.address:
        await consent.grant(ctx, STAFF_NOTIFICATIONS)
        await ctx.uow.handles.keep(ctx.user.pseudonym, STAFF_NOTIFICATIONS.id, ctx.event.channel, ctx.event.address)
        ctx.say(
            ctx._("Done: I will tell you about new, moved and cancelled bookings.")
            if member.role == "counsellor"
            else ctx._("Done: I will tell you how your messages to your groups are delivered.")
        )
    else:
        ctx.say(
            ctx._("All right: no notifications. You can see your bookings here at any time.")
            if member is None or member.role == "counsellor"
            else ctx._("All right: no notifications. You can follow your messages' progress in the group menu.")
        )
    await staff_menu(ctx)


async def staff_menu(ctx: Context) -> None:
    ctx.state.leave()
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is not None and member.role == "leader":
        await leader_home(ctx, member)
        return
    if member is not None and member.role == "manager":
        ctx.say(
            ctx._("Programme manager menu"),
            choices=[
                Choice("rp", ctx._("Programme figures, last {weeks} weeks").format(weeks=CHAT_WEEKS)),
                Choice("talks.counts", ctx._("Live talks now")),
                Choice("web.link", ctx._("Sign in to the web console")),
                Choice("menu", ctx._("Main menu")),
            ],
        )
        return
    if member is not None and member.role == "operator":
        ctx.say(
            ctx._("Operator menu: the directory, staff and the audit log are in the web console."),
            choices=[
                Choice("web.link", ctx._("Sign in to the web console")),
                Choice("menu", ctx._("Main menu")),
            ],
        )
        return
    if member is None or member.role != "counsellor":
        show_menu(ctx)
        return
    ctx.say(
        ctx._("Counsellor menu"),
        choices=[
            Choice("staff.list", ctx._("Today's and upcoming bookings")),
            Choice("talks.duty", ctx._("Live talks: my duty")),
            Choice("staff.hours", ctx._("Set my weekly hours")),
            Choice("staff.off", ctx._("Add a day off")),
            Choice("staff.offs", ctx._("My days off")),
            Choice("web.link", ctx._("Sign in to the web console")),
            Choice("menu", ctx._("Main menu")),
        ],
    )


@dataclass(frozen=True)
class SlotLength(ChoiceData, prefix="staff.slot"):
    minutes: int


@dataclass(frozen=True)
class Modes(ChoiceData, prefix="staff.modes"):
    modes: Literal["in_person", "phone", "in_person,phone"]


@dataclass(frozen=True)
class Mark(ChoiceData, prefix="staff.mark"):
    booking: int
    outcome: Literal["attended", "missed"]


async def counsellor_writing(ctx: Context) -> StaffRecord | None:
    """The counsellor writing, or None (and the menu shown) for anyone else."""
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role != "counsellor":
        show_menu(ctx)
        return None
    return member


def back_choice(ctx: Context) -> Choice:
    return Choice("staff.menu", ctx._("Cancel"))


@router.choice("staff.home")
async def staff_home(ctx: Context) -> None:
    """From the main menu: the menu of the staff member's role (counsellor, peer leader, manager)."""
    await staff_menu(ctx)


@router.choice("staff.menu")
async def back_to_staff_menu(ctx: Context) -> None:
    if await counsellor_writing(ctx) is not None:
        await staff_menu(ctx)


@router.choice("staff.hours")
async def ask_hours(ctx: Context) -> None:
    if await counsellor_writing(ctx) is None:
        return
    ctx.state.enter(HOURS_FLOW.name, "pattern")
    ctx.say(
        ctx._(
            # The format people type is Vietnamese (day names, "lễ nghỉ"): quoted as typed in the English msgid.
            "Type your weekly hours, for example:\nT2-T6 08:00-11:30,13:30-16:30; lễ nghỉ\n"  # (noqa: i18n)
            "(days T2 to T7 and CN; several time ranges separated by commas; "
            '"lễ nghỉ" for no appointments on '  # (noqa: i18n)
            "public holidays such as Tết)"  # (noqa: i18n)
        ),
        choices=[back_choice(ctx)],
    )


@router.choice(SlotLength)
async def chose_slot(ctx: Context, data: SlotLength) -> None:
    if await counsellor_writing(ctx) is None:
        return
    if ctx.state.flow != HOURS_FLOW.name or data.minutes not in SLOT_LENGTHS:
        await staff_menu(ctx)
        return
    ctx.state.data["slot"] = data.minutes
    ctx.say(
        ctx._("How do you meet people?"),
        choices=[
            Modes("in_person").choice(ctx._("In person")),
            Modes("phone").choice(ctx._("By phone")),
            Modes("in_person,phone").choice(ctx._("In person and by phone")),
        ],
    )


@router.choice(Modes)
async def chose_modes(ctx: Context, data: Modes) -> None:
    if (member := await counsellor_writing(ctx)) is None:
        return
    if ctx.state.flow != HOURS_FLOW.name:
        await staff_menu(ctx)
        return
    await save_hours(ctx, member.id, tuple(data.modes.split(",")))


@router.choice(Mark)
async def mark(ctx: Context, data: Mark) -> None:
    if (member := await counsellor_writing(ctx)) is None:
        return
    if await ctx.uow.bookings.mark(data.booking, member.id, data.outcome):
        week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
        await ctx.uow.tallies.add(week, f"booking_{data.outcome}")
    await show_bookings(ctx, member)


@router.choice("staff.list")
async def list_bookings(ctx: Context) -> None:
    if (member := await counsellor_writing(ctx)) is not None:
        await show_bookings(ctx, member)


async def show_bookings(ctx: Context, member: StaffRecord) -> None:
    today = ctx.now.astimezone(ctx.i18n.timezone).replace(hour=0, minute=0, second=0, microsecond=0)
    bookings = await ctx.uow.bookings.of_counsellor(member.id, today, today + timedelta(days=30))
    if not bookings:
        ctx.say(ctx._("You have no bookings in the next 30 days."), choices=[Choice("menu", ctx._("Main menu"))])
        return
    lines, choices = [], []
    for booking in bookings:
        lines.append(await _booking_line(ctx, booking))
        if booking.starts_at <= ctx.now and booking.status == "booked":
            label = show_code(booking.code)
            choices.append(Mark(booking.id, "attended").choice(ctx._("{code} came").format(code=label)))
            choices.append(Mark(booking.id, "missed").choice(ctx._("{code} did not come").format(code=label)))
    choices.append(Choice("menu", ctx._("Main menu")))
    ctx.say("\n".join(lines), title=ctx._("Your bookings"), choices=choices)


async def _booking_line(ctx: Context, booking: BookingRecord) -> str:
    status = {"attended": ctx._("attended"), "missed": ctx._("missed")}.get(booking.status, "")
    family = " · " + ctx._("family member") if booking.for_family else ""
    phone = await ctx.uow.handles.booking_address(booking.id, CALLBACK_PHONE.id)
    if phone or booking.mode == "phone":
        family += " · ☎ " + (phone or ctx._("no number given yet"))
    return (
        f"• {when(ctx, booking.starts_at)} · {ctx._(MODES.get(booking.mode, booking.mode))} · "
        f"{show_code(booking.code)}{family}" + (f" · {status}" if status else "")
    )


SLOT_LENGTHS = (30, 45, 60)
HOURS_FLOW = Flow("staff_hours", N_("the weekly hours you are setting"))


@router.flow(HOURS_FLOW)
async def typed_hours(ctx: Context) -> None:
    text = ctx.event.text if isinstance(ctx.event, TextMessage) else ""
    try:
        pattern = parse_hours(text)
        if pattern is None:
            raise HoursError(EMPTY)
    except HoursError as exc:
        ctx.say(
            ctx._("I could not read those hours ({reason}). Please try again.").format(reason=exc.explain(ctx._)),
            choices=[back_choice(ctx)],
        )
        return
    ctx.state.enter(HOURS_FLOW.name, "slot", pattern=format_hours(pattern))
    ctx.say(
        ctx._("How long is one appointment?"),
        choices=[SlotLength(m).choice(ctx._("{minutes} minutes").format(minutes=m)) for m in SLOT_LENGTHS],
    )


async def save_hours(ctx: Context, staff_id: int, modes: tuple[str, ...]) -> None:
    pattern = parse_hours(str(ctx.state.data.get("pattern") or ""))
    slot = int(ctx.state.data.get("slot") or 45)
    if pattern is None or any(mode not in MODES for mode in modes):
        await staff_menu(ctx)
        return
    previous = await ctx.uow.staff.availability(staff_id)
    availability = (
        replace(previous, pattern=pattern, slot_minutes=slot, modes=modes)
        if previous
        else Availability(pattern, slot_minutes=slot, modes=modes)
    )
    await ctx.uow.staff.set_availability(staff_id, availability)
    ctx.say(
        ctx._("Saved: {hours}, {minutes}-minute appointments. People can book from now on.").format(
            hours=describe(ctx, pattern), minutes=slot
        )
    )
    await staff_menu(ctx)


def _setup(services: Services) -> Wiring:
    clock = services.clock
    return Wiring((router, redeem_router(Attempts(clock=lambda: clock.now().timestamp()))))


capability = Capability(
    "staff",
    _setup,
    purposes=(STAFF_NOTIFICATIONS,),
    flows=(HOURS_FLOW,),
    records=(Record("staff_members", N_("Your staff role: {count}.")),),
)
