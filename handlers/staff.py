"""Staff in the chat: ``/staff CODE`` redeems an invitation; a counsellor sees their bookings (the code,
time and mode: never who the person is) and marks each as attended or missed."""

from __future__ import annotations

from datetime import timedelta

from core.clock import week_start
from core.codes import code_hash, show_code
from core.consent import CALLBACK_PHONE, STAFF_NOTIFICATIONS
from core.conversation import Context, Router
from core.events import Choice
from handlers import consent
from handlers.booking import MODE_NAMES, when
from handlers.menu import show_menu

router = Router("staff")


@router.command("staff")
async def redeem(ctx: Context) -> None:
    args = ctx.event.args if hasattr(ctx.event, "args") else ""
    if not args.strip():
        member = await ctx.uow.staff.of(ctx.user.pseudonym)
        if member is None:
            show_menu(ctx, ctx._("To join as staff, send /staff followed by the invitation code you were given."))
        else:
            await staff_menu(ctx)
        return
    member = await ctx.uow.staff.redeem(code_hash(args), ctx.user.pseudonym, ctx.now)
    if member is None:
        show_menu(
            ctx,
            ctx._(
                "That invitation code is not valid, or it has been used or has expired. Ask the programme for "
                "a new one."
            ),
        )
        return
    text = (
        ctx._("Welcome: you are now registered as a counsellor.")
        if member.role == "counsellor"
        else ctx._("Welcome: you are now registered as a peer leader.")
    )
    ctx.say(text)
    if ctx.event.address and await ctx.uow.delivery.handle_for(ctx.user.pseudonym, STAFF_NOTIFICATIONS.id) is None:
        consent.ask(ctx, STAFF_NOTIFICATIONS, yes="stn:yes", no="stn:no")
        return
    await staff_menu(ctx)


@router.choice("stn")
async def notifications(ctx: Context) -> None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is not None and ctx.choice_arg == "yes" and ctx.event.address:
        await consent.grant(ctx, STAFF_NOTIFICATIONS)
        await ctx.uow.delivery.keep_handle(
            ctx.user.pseudonym, STAFF_NOTIFICATIONS.id, ctx.event.channel, ctx.event.address
        )
        ctx.say(ctx._("Done: I will tell you about new, moved and cancelled bookings."))
    else:
        ctx.say(ctx._("All right: no notifications. You can see your bookings here at any time."))
    await staff_menu(ctx)


async def staff_menu(ctx: Context) -> None:
    ctx.state.leave()
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role != "counsellor":
        show_menu(ctx)
        return
    ctx.say(
        ctx._("Counsellor menu"),
        choices=[Choice("st:list", ctx._("Today's and upcoming bookings")), Choice("menu", ctx._("Main menu"))],
    )


@router.choice("st")
async def counsellor_action(ctx: Context) -> None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role != "counsellor":
        show_menu(ctx)
        return
    action, _, rest = ctx.choice_arg.partition(":")
    marked = action in ("attended", "missed") and rest.isdigit()
    if marked and await ctx.uow.bookings.mark(int(rest), member.id, action):
        week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
        await ctx.uow.tallies.add(week, f"booking_{action}")
    today = ctx.now.astimezone(ctx.i18n.timezone).replace(hour=0, minute=0, second=0, microsecond=0)
    bookings = await ctx.uow.bookings.of_counsellor(member.id, today, today + timedelta(days=30))
    if not bookings:
        ctx.say(ctx._("You have no bookings in the next 30 days."), choices=[Choice("menu", ctx._("Main menu"))])
        return
    lines, choices = [], []
    for booking in bookings:
        status = {"attended": ctx._("attended"), "missed": ctx._("missed")}.get(booking.status, "")
        family = " · " + ctx._("family member") if booking.for_family else ""
        phone = await ctx.uow.delivery.booking_address(booking.id, CALLBACK_PHONE.id)
        family += " · ☎ " + phone if phone else ""
        lines.append(
            f"• {when(ctx, booking.starts_at)} · {ctx._(MODE_NAMES.get(booking.mode, booking.mode))} · "
            f"{show_code(booking.code)}{family}" + (f" · {status}" if status else "")
        )
        if booking.starts_at <= ctx.now and booking.status == "booked":
            label = show_code(booking.code)
            choices.append(Choice(f"st:attended:{booking.id}", ctx._("{code} came").format(code=label)))
            choices.append(Choice(f"st:missed:{booking.id}", ctx._("{code} did not come").format(code=label)))
    choices.append(Choice("menu", ctx._("Main menu")))
    ctx.say("\n".join(lines), title=ctx._("Your bookings"), choices=choices)
