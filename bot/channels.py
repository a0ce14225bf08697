"""The channels a deployment serves, chosen by which tokens are set: Telegram (on aiogram or
python-telegram-bot) and Zalo; run by polling or by webhook, each also the outbox's sender for itself."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import httpx

from bot.config import Settings
from bot.delivery import Sender
from bot.runtime import Runtime
from bot.telegram.aiogram_channel import AiogramTelegram
from bot.telegram.ptb_channel import PtbTelegram
from bot.webhook import TELEGRAM_PATH, ZALO_PATH, GuardedSite, create_app, create_runner, webhook_secret
from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient
from core.ratelimit import TELEGRAM

log = logging.getLogger(__name__)


@dataclass
class Channels:
    telegram: AiogramTelegram | PtbTelegram | None = None
    zalo: ZaloChannel | None = None

    def senders(self) -> dict[str, Sender]:
        found: dict[str, Sender] = {}
        if self.telegram is not None:
            found["telegram"] = self.telegram
        if self.zalo is not None:
            found["zalo"] = self.zalo
        return found

    def names(self) -> list[str]:
        names = []
        if self.telegram is not None:
            names.append(
                "Telegram (python-telegram-bot)" if isinstance(self.telegram, PtbTelegram) else "Telegram (aiogram)"
            )
        if self.zalo is not None:
            names.append("Zalo")
        return names


@contextlib.asynccontextmanager
async def open_channels(settings: Settings, runtime: Runtime) -> AsyncIterator[Channels]:
    channels = Channels()
    if settings.telegram_bot_token is not None:
        kind = PtbTelegram if settings.telegram_library == "ptb" else AiogramTelegram
        channels.telegram = kind(
            runtime.conversation,
            runtime.pseudonyms,
            token=settings.telegram_bot_token.get_secret_value(),
            api_url=settings.telegram_api_url,
            limits=replace(TELEGRAM, per_second=settings.telegram_per_second),
        )
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=45.0)) as http:
        if settings.zalo_bot_token is not None:
            client = ZaloClient(http, settings.zalo_bot_token.get_secret_value(), api_url=settings.zalo_api_url)
            channels.zalo = ZaloChannel(runtime.conversation, runtime.pseudonyms, client)
        try:
            yield channels
        finally:
            if channels.zalo is not None:
                await channels.zalo.drain()
            if channels.telegram is not None:
                await channels.telegram.close()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def poll(channels: Channels) -> None:
    """Long polling on every channel until SIGINT or SIGTERM."""
    tasks = []
    if channels.telegram is not None:
        tasks.append(asyncio.create_task(channels.telegram.run_polling(handle_signals=False)))
    if channels.zalo is not None:
        tasks.append(asyncio.create_task(channels.zalo.run_polling()))
    waiter = asyncio.create_task(_until_signalled())
    done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not waiter and task.exception() is not None:
            log.error("a channel stopped: %s", type(task.exception()).__name__)
    if channels.telegram is not None:
        await channels.telegram.stop()
    if channels.zalo is not None:
        await channels.zalo.stop()
    waiter.cancel()
    for task in tasks:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 15)


async def serve_webhooks(settings: Settings, runtime: Runtime, channels: Channels, host: str, port: int) -> None:
    """One aiohttp application for every channel's webhook, until SIGINT or SIGTERM."""
    telegram = zalo = None
    if channels.telegram is not None:
        telegram = (webhook_secret(settings, "telegram"), channels.telegram.feed_update)
    if channels.zalo is not None:
        zalo = (webhook_secret(settings, "zalo"), functools.partial(channels.zalo.handle_update, redeliverable=True))
    runner = create_runner(create_app(telegram=telegram, zalo=zalo))
    await runner.setup()
    site = GuardedSite(runner, host, port)
    await site.start()
    try:
        public = (settings.public_url or "").rstrip("/")
        if channels.telegram is not None and telegram is not None:
            if public:
                await channels.telegram.set_webhook(public + TELEGRAM_PATH, telegram[0])
            else:
                await channels.telegram.prepare()
        if public and channels.zalo is not None and zalo is not None:
            await channels.zalo.client.set_webhook(public + ZALO_PATH, zalo[0])
        log.info("webhooks listening on %s:%d", host, port)
        await _until_signalled()
    finally:
        await runner.cleanup()
