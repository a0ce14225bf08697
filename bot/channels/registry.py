"""The channels a deployment serves, chosen by which tokens are set, run by polling or by webhook; each is
also the outbox's sender for its platform.

A platform is registered here by one line in :data:`PLATFORMS`: its module's ``connect`` opens it when the
settings configure it (see :class:`bot.channels.base.Channel` for what it implements).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx

from bot.channels.base import Channel, Sender
from bot.channels.webhook import Endpoint, GuardedSite, create_app, create_runner, webhook_secret
from bot.config import Settings
from bot.runtime import Runtime
from core.logsafe import describe_exception

log = logging.getLogger(__name__)

Connect = Callable[[Settings, Runtime, httpx.AsyncClient], Channel | None]
# Each platform's module with its ``connect``, imported only when the process starts its channels.
PLATFORMS: tuple[str, ...] = (
    "bot.channels.telegram.connect",
    "bot.channels.zalo.connect",
)


def connectors(platforms: tuple[str, ...] = PLATFORMS) -> list[Connect]:
    return [importlib.import_module(name).connect for name in platforms]


@dataclass
class Channels:
    serving: list[Channel] = field(default_factory=list)

    def senders(self) -> dict[str, Sender]:
        return {channel.name: channel for channel in self.serving}

    def names(self) -> list[str]:
        return [channel.label for channel in self.serving]


@contextlib.asynccontextmanager
async def open_channels(
    settings: Settings, runtime: Runtime, platforms: tuple[str, ...] = PLATFORMS
) -> AsyncIterator[Channels]:
    channels = Channels()
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=45.0)) as http:
        for connect in connectors(platforms):
            if (channel := connect(settings, runtime, http)) is not None:
                channels.serving.append(channel)
        try:
            yield channels
        finally:
            for channel in reversed(channels.serving):
                try:
                    await channel.close()
                except Exception as exc:  # the others still close
                    log.warning("%s did not close cleanly: %s", channel.label, describe_exception(exc))


async def until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def poll(channels: Channels) -> None:
    """Long polling on every channel until SIGINT or SIGTERM."""
    tasks = [asyncio.create_task(channel.run_polling()) for channel in channels.serving]
    waiter = asyncio.create_task(until_signalled())
    done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not waiter and task.exception() is not None:
            log.error("a channel stopped: %s", type(task.exception()).__name__)
    for channel in channels.serving:
        await channel.stop()
    waiter.cancel()
    for task in tasks:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 15)


async def serve_webhooks(settings: Settings, runtime: Runtime, channels: Channels, host: str, port: int) -> None:
    """One aiohttp application for every channel's webhook, until SIGINT or SIGTERM."""
    from bot.web.serve import mount

    endpoints = [Endpoint(c.name, c.webhook, webhook_secret(settings, c.name)) for c in channels.serving]
    app = create_app(endpoints)
    if settings.console:
        mount(app, runtime)  # the web console at /web, behind the same proxy
    runner = create_runner(app)
    await runner.setup()
    site = GuardedSite(runner, host, port)
    await site.start()
    if settings.console and runtime.console.url is None:
        runtime.console.url = f"http://{host}:{port}/web"
    try:
        public = (settings.public_url or "").rstrip("/")
        for channel, endpoint in zip(channels.serving, endpoints, strict=True):
            await channel.register_webhook(public + endpoint.route.path if public else None, endpoint.secret)
        log.info("webhooks listening on %s:%d", host, port)
        await until_signalled()
    finally:
        await runner.cleanup()
