"""The scheduler: one APScheduler per deployment (never two processes sharing a job store).

Jobs: purge expired conversation state and contact handles, so nothing outlives its purpose; deliver
what is due in the outbox (reminders, staff notifications) every 30 seconds.
Late jobs are run, not silently dropped: ``misfire_grace_time`` is set explicitly and runs coalesce.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import Sender, deliver_due
from bot.runtime import Runtime

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(minutes=10)
DELIVER_EVERY = timedelta(seconds=30)


async def purge_expired_state(runtime: Runtime) -> int:
    """Expired conversation state, and contact handles past their time (reminder addresses after the
    appointment) with their messages."""
    async with runtime.unit_of_work() as uow:
        removed = await uow.states.purge_expired(runtime.clock.now())
        handles = await uow.delivery.purge(runtime.clock.now())
        await uow.commit()
    if removed or handles:
        log.info("purged %d expired conversation states and %d contact handles", removed, handles)
    return removed


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
    if senders:
        scheduler.add_job(
            deliver_due,
            IntervalTrigger(seconds=DELIVER_EVERY.total_seconds()),
            args=[runtime, senders],
            id="deliver_due",
            next_run_time=runtime.clock.now(),
        )
    return scheduler
