"""The dispatcher: sends what is due in the outbox, through each channel's sender.

Run by the scheduler (one scheduler process per deployment: see README).  Each message is taken from the
database, sent outside any transaction, and its outcome recorded: sent; the recipient blocked the bot
(everything pending to them is dropped); or a transient failure, retried with back-off and given up after
a bounded number of tries.  Delivery is at least once: a crash between sending and recording can repeat
one message, never lose one.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.runtime import Runtime
from core.logsafe import describe_exception
from core.notices import STALE_AFTER, render_notice

log = logging.getLogger(__name__)

MAX_TRIES = 6
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


class Delivery(enum.Enum):
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot, or the chat is gone
    RETRY = "retry"  # a transient failure


class Sender(Protocol):
    async def deliver(self, address: str, text: str) -> Delivery: ...


@dataclass
class Report:
    sent: int = 0
    blocked: int = 0
    retried: int = 0
    given_up: int = 0
    stale: int = 0  # reminders too late to be right, dropped


async def deliver_due(runtime: Runtime, senders: Mapping[str, Sender], limit: int = 100) -> Report:
    report = Report()
    async with runtime.unit_of_work() as uow:
        due = await uow.delivery.due(runtime.clock.now(), limit)
        await uow.commit()
    for message in due:
        stale = STALE_AFTER.get(message.kind)
        if stale is not None and runtime.clock.now() > message.due_at + stale:
            async with runtime.unit_of_work() as uow:
                await uow.delivery.drop(message.id)
                await uow.commit()
            report.stale += 1
            continue
        sender = senders.get(message.channel)
        try:
            text = render_notice(runtime.i18n, message.kind, message.params)
            outcome = await sender.deliver(message.address, text) if sender else Delivery.RETRY
        except Exception as exc:  # a sender's own fault must not stop the others
            log.error("delivering a %s failed: %s", message.kind, describe_exception(exc))
            outcome = Delivery.RETRY
        async with runtime.unit_of_work() as uow:
            now = runtime.clock.now()
            if outcome is Delivery.SENT:
                await uow.delivery.sent(message.id, now)
                report.sent += 1
            elif outcome is Delivery.BLOCKED:
                await uow.delivery.blocked(message.id)
                report.blocked += 1
            else:
                wait = BACKOFF[min(message.attempts, len(BACKOFF) - 1)]
                if await uow.delivery.retry(message.id, now + wait, MAX_TRIES):
                    report.retried += 1
                else:
                    report.given_up += 1
            await uow.commit()
    if report.sent or report.blocked or report.retried or report.given_up:
        log.info(
            "delivery: %d sent, %d blocked, %d to retry, %d given up",
            report.sent,
            report.blocked,
            report.retried,
            report.given_up,
        )
    return report
