"""The scheduler: one APScheduler per deployment (never two processes sharing a job store).

Jobs: purge expired conversation state and contact handles, so nothing outlives its purpose; plan the
groups' meeting reminders a day ahead; hand back live talks whose counsellor went silent; deliver what is due
in the outbox (reminders, notifications, broadcasts) every few seconds.  The first delivery run after a start
takes back every claim the previous leader left; only one process leads at a time (``bot.jobs.leadership``: an
advisory lock on PostgreSQL).  Late jobs are run, not silently dropped: ``misfire_grace_time`` is set explicitly
and runs coalesce.  Every job is a coroutine function (checked when added), and a job that fails or misses its
time is logged as a warning.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.channels.base import Sender
from bot.jobs.delivery import Report, deliver_due
from bot.runtime import Runtime
from core.clock import clock_rate
from core.logsafe import describe_exception
from core.ports.talks import TALKS
from services.group_outbox import plan_all
from services.talks import KEEP_NOTES, watch_talks

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(minutes=10)
KEEP_UPDATE_KEYS = timedelta(days=2)  # platforms redeliver within hours, not days
KEEP_PAST_APPOINTMENTS = timedelta(days=14)  # time for the counsellor to mark attendance
PLAN_EVERY = timedelta(minutes=10)
DELIVER_EVERY = timedelta(seconds=5)
WATCH_TALKS_EVERY = timedelta(minutes=1)
MIN_REAL_INTERVAL = 0.2  # seconds: the shortest interval, on a test clock that runs faster
KEEP_MARKED = timedelta(hours=48)  # Telegram deletes no message older than this
STOP_GRACE = 10.0  # seconds a running job may take to finish when the process stops


async def purge_expired_state(runtime: Runtime) -> int:
    """What has outlived its purpose (the deadlines are in docs/privacy.md): expired conversation state;
    contact handles past their time (reminder addresses after the appointment) with their messages; sent
    messages; the keys of handled updates; appointments and meeting replies once they are past."""
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        removed = await uow.states.purge_expired(now)
        handles = await uow.handles.purge(now)  # their messages go with them
        await uow.outbox.purge(now)
        await uow.updates.purge(now - KEEP_UPDATE_KEYS)
        bookings = await uow.bookings.purge(now - KEEP_PAST_APPOINTMENTS)
        await uow.groups.purge_replies((now - KEEP_PAST_APPOINTMENTS).date())
        await uow.get(TALKS).purge_blocks(now)  # blocks from live talks, once they expire
        await uow.get(TALKS).purge_notes(now - KEEP_NOTES)  # counsellors' private notes on talks
        await uow.get(TALKS).purge_wishes(now)  # "tell me when someone is on duty", past its day
        await uow.replies.purge_marked(now - KEEP_MARKED)  # too old for Telegram to delete
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
    """Write the reminders of every group's next meetings that are not written yet to the outbox, in small
    transactions; returns how many were written."""
    return await plan_all(runtime.unit_of_work, runtime.i18n, runtime.clock.now())


async def watch_live_talks(runtime: Runtime) -> int:
    """Hand back live talks whose counsellor went silent, give up those nobody took (``services.talks``)."""
    async with runtime.unit_of_work() as uow:
        changed = await watch_talks(uow, runtime.clock.now(), runtime.i18n.timezone)
        await uow.commit()
    if changed:
        log.info("live talks: %d handed back or given up", changed)
    return changed


class DeliveryJob:
    """The delivery job: the first run after start-up releases the previous process's claims."""

    def __init__(self, runtime: Runtime, senders: Mapping[str, Sender]) -> None:
        self._runtime = runtime
        self._senders = senders
        self._started = False

    async def run(self) -> Report:
        startup, self._started = not self._started, True
        return await deliver_due(self._runtime, self._senders, startup=startup)


class Scheduler:
    """APScheduler with the deployment's jobs; stopping lets a running job finish (within ``grace``) before
    it is cancelled, so a delivery run is not cut off between a request and its outcome."""

    def __init__(self, runtime: Runtime) -> None:
        self.clock = runtime.clock
        self.aps = AsyncIOScheduler(
            timezone=runtime.settings.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self.aps.add_listener(_loud, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        self._running: set[asyncio.Task[Any]] = set()

    def add(self, job_id: str, job: Callable[..., Awaitable[object]], every: timedelta, *args: object) -> None:
        """Run ``job`` now and then every ``every`` of the clock (shorter in real time on a faster test clock).

        Only coroutine functions are taken: APScheduler runs anything else in a thread, and an object whose
        ``__call__`` is async would hand back a coroutine no one awaits (the job would silently never run)."""
        if not inspect.iscoroutinefunction(job):
            raise TypeError(f"job {job_id!r} is not a coroutine function: APScheduler would never await it")

        async def tracked(*args: object) -> object:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                return await job(*args)
            finally:
                self._running.discard(task)

        tracked.__name__ = tracked.__qualname__ = job_id
        seconds = max(every.total_seconds() / clock_rate(self.clock), MIN_REAL_INTERVAL)
        self.aps.add_job(
            tracked,
            IntervalTrigger(seconds=seconds),
            args=list(args),
            id=job_id,
            next_run_time=datetime.now(UTC),  # APScheduler keeps real time; the jobs ask the clock
        )

    def start(self) -> None:
        self.aps.start()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        if not self.aps.running:
            return
        self.aps.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self.aps.shutdown(wait=False)


def _loud(event: JobEvent) -> None:
    """A job that failed, was skipped or gave back something unawaited is a warning, never silence."""
    if isinstance(event, JobExecutionEvent) and isinstance(event.exception, asyncio.CancelledError):
        log.info("scheduled job %s was stopped with the scheduler", event.job_id)
    elif isinstance(event, JobExecutionEvent) and event.exception is not None:
        log.warning("scheduled job %s failed: %s", event.job_id, describe_exception(event.exception))
    elif isinstance(event, JobExecutionEvent) and inspect.isawaitable(event.retval):
        log.warning("scheduled job %s returned an awaitable that was never awaited", event.job_id)
    elif event.code == EVENT_JOB_MISSED:
        log.warning("scheduled job %s missed its time", event.job_id)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("scheduled job %s is still running from its last time: this run is skipped", event.job_id)


def create_scheduler(runtime: Runtime, senders: Mapping[str, Sender] | None = None) -> Scheduler:
    scheduler = Scheduler(runtime)
    scheduler.add("purge_expired_state", purge_expired_state, PURGE_EVERY, runtime)
    scheduler.add("plan_group_reminders", plan_group_reminders, PLAN_EVERY, runtime)
    scheduler.add("watch_live_talks", watch_live_talks, WATCH_TALKS_EVERY, runtime)
    if senders:
        scheduler.add("deliver_due", DeliveryJob(runtime, senders).run, DELIVER_EVERY)
    return scheduler
