"""What /forget must do for other people before one person's rows go.

* A person's upcoming appointments: the counsellor's notices about them still waiting are withdrawn, and the
  counsellor (if they agreed to notifications) is told the booking is cancelled.
* A counsellor's upcoming appointments with other people: cancelled (they cannot happen), and each person who
  agreed to reminders is told, with an apology and the way to book again; their chat address is kept a day for
  that message only.  The counsellor is warned before confirming.
* A peer leader's groups stay, without a leader: members keep their meetings and reminders, and operators see
  the group as leaderless (``python -m bot groups list``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.clock import at_once, week_start
from core.conversation import Context
from handlers.booking import (
    APPOINTMENT_REMINDERS,
    STAFF_BOOKED,
    STAFF_CANCELLED,
    STAFF_MOVED,
    WITHDRAWN,
    notify_counsellor,
)

log = logging.getLogger(__name__)

AHEAD = timedelta(days=366)  # every booking still to come
KEEP_FOR_NOTICE = timedelta(days=1)  # how long a cancelled booking's chat address stays, to carry the apology


async def counsellor_bookings_ahead(ctx: Context) -> int:
    """How many appointments with other people erasing this person would cancel (0 if not a counsellor)."""
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role != "counsellor":
        return 0
    return len(await ctx.uow.bookings.of_counsellor(member.id, ctx.now, ctx.now + AHEAD))


async def before_erasure(ctx: Context) -> None:
    """Keep other people's data and tell them what changed; called in the erasure's own transaction."""
    for booking in await ctx.uow.bookings.of_person(ctx.user.pseudonym, ctx.now):
        await ctx.uow.outbox.drop_keys([f"{STAFF_BOOKED.kind}:{booking.id}:", f"{STAFF_MOVED.kind}:{booking.id}:"])
        await notify_counsellor(ctx, booking, STAFF_CANCELLED)
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None:
        return
    if member.role == "counsellor":
        week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
        for booking in await ctx.uow.bookings.of_counsellor(member.id, ctx.now, ctx.now + AHEAD):
            await ctx.uow.tallies.add(week, "booking_cancelled", subject=booking.mode)
            handle = await ctx.uow.handles.of_booking(booking.id, APPOINTMENT_REMINDERS.id)
            if handle is None:
                continue
            await ctx.uow.outbox.drop_pending(handle)
            await ctx.uow.handles.detach(handle, ctx.now + KEEP_FOR_NOTICE)
            params = {"at": booking.starts_at.isoformat()}
            key = f"{WITHDRAWN.kind}:{booking.id}"
            await ctx.uow.outbox.enqueue(handle, at_once(ctx.now), WITHDRAWN.kind, params, key, priority=0)
    if member.role == "leader":
        for group in await ctx.uow.groups.of_leader(member.id):
            log.warning("group %d has no leader now (its leader erased their data): see `groups list`", group.id)
