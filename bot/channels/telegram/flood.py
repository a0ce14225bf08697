"""Rate limits and flood control for aiogram: no reply is ever dropped.

aiogram raises ``TelegramRetryAfter`` on 429 and never retries by itself.  This request middleware waits
``retry_after`` and sends again.  Connection errors where the request never reached Telegram are retried
with back-off; a timeout after the request was sent is *not* retried (Telegram has no idempotency key,
so the message may well have been delivered) and is counted instead.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiohttp import ClientConnectorError

from core.ratelimit import SendLimiter, SendStats

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


# Set while the dispatcher sends a message it has already taken a place for in the limiter.
ALREADY_LIMITED: ContextVar[bool] = ContextVar("already_limited", default=False)
LIMITED_METHODS = ("send", "forward", "copy")


class RateLimit(BaseRequestMiddleware):
    """Replies wait for their place in the shared limiter (ahead of bulk traffic)."""

    def __init__(self, limiter: SendLimiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        chat = getattr(method, "chat_id", None)
        if chat is not None and not ALREADY_LIMITED.get() and method.__api_method__.startswith(LIMITED_METHODS):
            await self.limiter.acquire(str(chat), bulk=False)
        return await make_request(bot, method)


class FloodControl(BaseRequestMiddleware):
    def __init__(self, *, connection_retries: int = 5, backoff: float = 0.5, max_backoff: float = 30.0) -> None:
        self.connection_retries = connection_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = SendStats()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        failures = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self.stats.retried_after_429 += 1
                log.warning("Telegram flood control on %s: waiting %s s", method.__api_method__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except TelegramNetworkError as exc:
                if not isinstance(exc.__cause__, ClientConnectorError):
                    if method.__api_method__.startswith(LIMITED_METHODS):
                        self.stats.ambiguous += 1
                    raise
                failures += 1
                if failures > self.connection_retries:
                    raise
                self.stats.retried_connection += 1
                delay = min(self.max_backoff, self.backoff * 2 ** (failures - 1))
                log.warning("cannot reach Telegram for %s: retry %d in %.1f s", method.__api_method__, failures, delay)
                await asyncio.sleep(delay)
