"""The scheduler: one APScheduler per deployment (never two processes sharing a job store).

Jobs today: purge expired conversation state, so an abandoned conversation leaves nothing behind.
Late jobs are run, not silently dropped: ``misfire_grace_time`` is set explicitly and runs coalesce.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime import Runtime

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(minutes=10)


async def purge_expired_state(runtime: Runtime) -> int:
    async with runtime.unit_of_work() as uow:
        removed = await uow.states.purge_expired(runtime.clock.now())
        await uow.commit()
    if removed:
        log.info("purged %d expired conversation states", removed)
    return removed


def create_scheduler(runtime: Runtime) -> AsyncIOScheduler:
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
    return scheduler
