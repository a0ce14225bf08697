"""The scheduler: one APScheduler per deployment (never two processes sharing a job store).

Jobs: purge expired conversation state and contact handles, so nothing outlives its purpose; plan the
groups' meeting reminders a day ahead; deliver what is due in the outbox (reminders, notifications,
broadcasts) every few seconds.  The first delivery run after a start takes back every claim the previous
leader left; only one process leads at a time (``bot.leadership``: an advisory lock on PostgreSQL).
Late jobs are run, not silently dropped: ``misfire_grace_time`` is set explicitly and runs coalesce.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import Report, Sender, deliver_due
from bot.runtime import Runtime
from handlers.group_messages import plan_all

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(minutes=10)
KEEP_UPDATE_KEYS = timedelta(days=2)  # platforms redeliver within hours, not days
KEEP_PAST_APPOINTMENTS = timedelta(days=14)  # time for the counsellor to mark attendance
PLAN_EVERY = timedelta(minutes=10)
DELIVER_EVERY = timedelta(seconds=5)


async def purge_expired_state(runtime: Runtime) -> int:
    """What has outlived its purpose (the deadlines are in docs/privacy.md): expired conversation state;
    contact handles past their time (reminder addresses after the appointment) with their messages; sent
    messages; the keys of handled updates; appointments and meeting replies once they are past."""
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        removed = await uow.states.purge_expired(now)
        handles = await uow.delivery.purge(now)
        await uow.updates.purge(now - KEEP_UPDATE_KEYS)
        bookings = await uow.bookings.purge(now - KEEP_PAST_APPOINTMENTS)
        await uow.groups.purge_replies((now - KEEP_PAST_APPOINTMENTS).date())
        await uow.commit()
    if removed or handles or bookings:
        log.info(
            "purged %d expired conversation states, %d contact handles, %d past appointments",
            removed,
            handles,
            bookings,
        )
    return removed


async def plan_group_reminders(runtime: Runtime) -> int:
    """Write the reminders of every group's next meetings to the outbox (idempotent)."""
    async with runtime.unit_of_work() as uow:
        written = await plan_all(uow, runtime.i18n, runtime.clock.now())
        await uow.commit()
    return written


class Dispatcher:
    """The delivery job: the first run after start-up releases the previous process's claims."""

    def __init__(self, runtime: Runtime, senders: Mapping[str, Sender]) -> None:
        self._runtime = runtime
        self._senders = senders
        self._started = False

    async def __call__(self) -> Report:
        startup, self._started = not self._started, True
        return await deliver_due(self._runtime, self._senders, startup=startup)


def create_scheduler(runtime: Runtime, senders: Mapping[str, Sender] | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=runtime.settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        purge_expired_state,
        IntervalTrigger(seconds=PURGE_EVERY.total_seconds()),
        args=[runtime],
        id="purge_expired_state",
        next_run_time=runtime.clock.now(),
    )
    scheduler.add_job(
        plan_group_reminders,
        IntervalTrigger(seconds=PLAN_EVERY.total_seconds()),
        args=[runtime],
        id="plan_group_reminders",
        next_run_time=runtime.clock.now(),
    )
    if senders:
        scheduler.add_job(
            Dispatcher(runtime, senders),
            IntervalTrigger(seconds=DELIVER_EVERY.total_seconds()),
            id="deliver_due",
            next_run_time=runtime.clock.now(),
        )
    return scheduler
