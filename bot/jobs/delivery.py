"""The dispatcher: sends what is due in the outbox, through each channel's sender.

Run by the scheduler (one per deployment: ``bot.jobs.leadership``).  A run claims due messages with
a lease, most urgent first (staff notices, then reminders, then broadcasts), and sends them concurrently
within the channel's limits (the sender's :class:`~core.ratelimit.SendLimiter`, shared with the replies,
which go first).  Each message is marked *sending* in its own transaction just before its request leaves,
and its outcome recorded after:

* sent; stopped (the person blocked the bot: nothing more goes to them); retried with back-off and failed
  after ``MAX_TRIES``; late (the late rule of :mod:`core.notices`: dropped and counted);
* unknown: the request left but no answer came (a timeout, or the process died).  It is never sent again
  (Telegram has no idempotency key, so resending could double it); it is counted instead.

A restart releases claims of the dead run: unsent messages go back to the queue, so a broadcast cut off
half-way is finished by the next run, and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.channels.base import Delivery, Sender
from bot.runtime import Runtime
from core.clock import week_start
from core.conversation import REPLY_LEASE
from core.events import Render
from core.logsafe import describe_exception
from core.ports import DueMessage
from core.replies import replies_from_json
from services.group_outbox import QUIET, report_broadcasts

log = logging.getLogger(__name__)

MAX_TRIES = 6
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
LEASE = timedelta(minutes=5)
BATCH = 200
CONCURRENCY = 32


@dataclass
class Report:
    sent: int = 0
    stopped: int = 0
    retried: int = 0
    failed: int = 0  # tries spent
    late: int = 0  # dropped by the late rule
    unknown: int = 0  # may or may not have arrived; never resent
    withdrawn: int = 0  # gone meanwhile (the person left, or the claim was taken back): not ours to send
    replies: int = 0  # events whose replies a stopped process had not sent, sent now (not counted as handled)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def handled(self) -> int:
        return self.sent + self.stopped + self.retried + self.failed + self.late + self.unknown + self.withdrawn


async def deliver_due(
    runtime: Runtime,
    senders: Mapping[str, Sender],
    *,
    startup: bool = False,
    batch: int = BATCH,
    concurrency: int = CONCURRENCY,
    budget: int | None = None,
) -> Report:
    """Send everything due now (at most ``budget`` messages); ``startup`` releases every earlier claim."""
    report = Report()
    run = secrets.token_hex(8)
    async with runtime.unit_of_work() as uow:
        report.unknown += await uow.outbox.recover(runtime.clock.now(), every_claim=startup)
        await uow.commit()
    report.replies = await send_left_replies(runtime, senders)
    gate = asyncio.Semaphore(concurrency)
    while budget is None or report.handled < budget:
        now = runtime.clock.now()
        size = batch if budget is None else min(batch, budget - report.handled)
        async with runtime.unit_of_work() as uow:
            hold = QUIET.is_quiet(now, runtime.i18n.timezone)
            claimed = await uow.outbox.claim(now, size, run, now + LEASE, hold_quiet=hold)
            await uow.commit()
        if not claimed:
            break

        async def one(message: DueMessage) -> None:
            async with gate:
                report.add(await _deliver_one(runtime, senders, message, run))

        await asyncio.gather(*(one(message) for message in claimed))
        async with runtime.unit_of_work() as uow:
            await report_broadcasts(uow, runtime.clock.now())
            await uow.commit()
    if report.handled:
        log.info(
            "delivery: %d sent, %d stopped, %d to retry, %d failed, %d late, %d unknown",
            report.sent,
            report.stopped,
            report.retried,
            report.failed,
            report.late,
            report.unknown,
        )
    return report


async def send_left_replies(runtime: Runtime, senders: Mapping[str, Sender]) -> int:
    """Send replies whose process died between committing their event and sending them (their lease ran
    out): the person still gets the answer, at least once.  This process's own sent ones are forgotten first: on a
    clock that jumps, or after a loop stalled past the lease, they would be taken for a dead process's and sent
    twice."""
    await runtime.conversation.sent.flush()
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        left = await uow.replies.take_over(now, now + REPLY_LEASE, BATCH)
        await uow.commit()
    sent = 0
    for pending in left:
        sender = senders.get(pending.channel)
        if sender is None:
            continue
        numbers: list[int] = []
        try:
            done = await sender.send_replies(pending.address, replies_from_json(pending.replies_json), numbers)
        except Exception as exc:  # one chat's fault must not stop the others
            log.error("sending replies left by a stopped process failed: %s", describe_exception(exc))
            done = False
        if done:
            async with runtime.unit_of_work() as uow:
                await uow.replies.sent([pending.id])
                if pending.mark is not None and numbers:  # a live talk's copy, to delete when it ends
                    await uow.replies.remember(pending.mark, numbers, now)
                await uow.commit()
            sent += 1
    if sent:
        log.info("sent the replies of %d events that a stopped process had not sent", sent)
    return sent


async def _end(runtime: Runtime, message: DueMessage, state: str) -> str:
    """End a message without sending it (``late``, ``failed``), in its own transaction."""
    async with runtime.unit_of_work() as uow:
        await uow.outbox.finish(message.id, state)
        await uow.commit()
    return state


async def _deliver_one(runtime: Runtime, senders: Mapping[str, Sender], message: DueMessage, run: str) -> str:
    notice = runtime.conversation.catalogue.notices.get(message.kind)
    if notice is None:
        log.error("no capability declares the message kind %r", message.kind)
        return await _end(runtime, message, "failed")
    if notice.too_late(message.params, message.due_at, runtime.clock.now()):
        return await _end(runtime, message, "late")
    sender = senders.get(message.channel)
    outcome = Delivery.RETRY
    if sender is not None:
        try:
            text, choices = notice.render(runtime.i18n, message.params, runtime.clock.now())
        except (KeyError, ValueError) as exc:
            log.error("a %s cannot be written: %s", message.kind, describe_exception(exc))
            return await _end(runtime, message, "failed")
        await sender.limiter.acquire(message.address, bulk=message.priority > 0)
        async with runtime.unit_of_work() as uow:
            mine = await uow.outbox.start_sending(message.id, run)
            await uow.commit()
        if not mine:  # the member left meanwhile, or the claim was taken back
            return "withdrawn"
        try:
            outcome = await sender.deliver(message.address, text, choices)
        except Exception as exc:  # a sender's own fault must not stop the others
            log.error("delivering a %s failed: %s", message.kind, describe_exception(exc))
            outcome = Delivery.UNKNOWN
        if outcome is Delivery.SENT and choices and not sender.info.renders & Render.BUTTONS:
            await runtime.conversation.offer(message.pseudonym, choices)
    async with runtime.unit_of_work() as uow:
        now = runtime.clock.now()
        result = "sent"
        if outcome is Delivery.SENT:
            await uow.outbox.sent(message.id, now)
            if notice.tally:  # an anonymous weekly count for the programme figures
                await uow.tallies.add(week_start(now.astimezone(runtime.i18n.timezone).date()), notice.tally)
        elif outcome is Delivery.BLOCKED:
            await uow.outbox.blocked(message.id, now)
            result = "stopped"
        elif outcome is Delivery.UNKNOWN:
            await uow.outbox.finish(message.id, "unknown")
            result = "unknown"
        else:
            wait = BACKOFF[min(message.attempts, len(BACKOFF) - 1)]
            result = "retried" if await uow.outbox.retry(message.id, now + wait, MAX_TRIES) else "failed"
        await uow.commit()
    return result
