"""Shared fixtures: settings on a temporary data dir, a runtime with a manual clock, the local
PostgreSQL (skipped where absent, unless DIEMTUA_REQUIRE_SERVICES=1), and the fake Telegram server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.channels.telegram.ptb_channel import PtbTelegram
from bot.channels.telegram.render import WEBHOOK_HEADER as TELEGRAM_HEADER
from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.webhook import Endpoint, create_app
from bot.channels.zalo.channel import HEADER as ZALO_HEADER
from bot.channels.zalo.channel import PATH as ZALO_PATH
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from core.clock import ManualClock
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from storage import migrate
from storage.db import create_engine
from tests.dialog import ConsoleDriver, Driver, TelegramDriver, ZaloDriver
from tests.webconsole import web_console  # noqa: F401 - the web console's fixture (``web``), shared

REQUIRE_SERVICES = os.environ.get("DIEMTUA_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("DIEMTUA_TEST_POSTGRES_URL", "postgresql+asyncpg://root@127.0.0.1:5432/test")
ENV_VARS = (
    "DIEMTUA_DATABASE_URL",
    "DIEMTUA_DATA_DIR",
    "DIEMTUA_SECRET_KEY",
    "DIEMTUA_TIMEZONE",
    "DIEMTUA_LOG_LEVEL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "ZALO_BOT_TOKEN",
    "ZALO_API_URL",
    "DIEMTUA_SECRET_FILE",
    "DIEMTUA_WEBHOOK_KEY",
    "DIEMTUA_SEAL_KEYS",
    "DIEMTUA_PUBLIC_URL",
    "DIEMTUA_CONSOLE",
    "DIEMTUA_CONSOLE_HOST",
    "DIEMTUA_CONSOLE_PORT",
    "DIEMTUA_CONSOLE_URL",
    "DIEMTUA_CLOCK_START",
    "DIEMTUA_CLOCK_RATE",
    "DIEMTUA_INBOUND_BURST",
    "DIEMTUA_INBOUND_PER_MINUTE",
)
TEST_SECRET = "test-secret-" + "x" * 40


def service_missing(reason: str) -> None:
    """Skip a test whose server is absent, or fail it where CI demands every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (DIEMTUA_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's environment or .env file."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Scripted people answer faster than anyone types: the inbound limit is tested on its own.
    return Settings(data_dir=tmp_path / "data", secret_key=SecretStr(TEST_SECRET), inbound_burst=100_000)


@pytest.fixture
async def runtime(settings: Settings, clock: ManualClock) -> AsyncIterator[Runtime]:
    async with await open_runtime(settings, clock=clock) as rt:
        yield rt


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"diemtua_t_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server
        await admin.dispose()
        service_missing(f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).host}: {type(exc).__name__}")
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Storage tests run on both engines."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'storage.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The storage tests' database, migrated to the head, on each engine."""
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def any_runtime(any_database: str | None, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Runtime]:
    """A runtime with a manual clock on SQLite and on a fresh PostgreSQL database (migrated first)."""
    url = any_database
    if url:
        engine = create_engine(url)
        await migrate.upgrade(engine)
        await engine.dispose()
    settings = Settings(
        data_dir=tmp_path / "data", secret_key=SecretStr(TEST_SECRET), database_url=url, inbound_burst=100_000
    )
    async with await open_runtime(settings, clock=clock) as runtime:
        yield runtime


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert fake.violations == [], f"requests Telegram would refuse: {fake.violations}"


TEST_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


async def start_polling(channel: AiogramTelegram | PtbTelegram, fake: FakeTelegram) -> asyncio.Task[None]:
    task = asyncio.create_task(channel.run_polling(handle_signals=False, polling_timeout=1))
    for _ in range(200):
        if any(method == "getUpdates" for method, _ in fake.calls) or task.done():
            break
        await asyncio.sleep(0.02)
    if task.done():
        task.result()
    return task


T = TypeVar("T", AiogramTelegram, PtbTelegram)


@contextlib.asynccontextmanager
async def polling(channel: T, fake: FakeTelegram) -> AsyncIterator[T]:
    """A Telegram runtime polling the fake server for the length of the block; stopped without waiting out
    a long poll."""
    task = await start_polling(channel, fake)
    try:
        yield channel
    finally:
        fake.wake_polls()
        await channel.stop()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def telegram(runtime: Runtime, fake_telegram: FakeTelegram) -> AsyncIterator[AiogramTelegram]:
    """The real aiogram stack, polling the fake Bot API server."""
    channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    async with polling(channel, fake_telegram):
        yield channel


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert fake.violations == [], f"requests Zalo would refuse: {fake.violations}"


ZALO_TOKEN = "1234567890:zalo-test-token-abcdefgh"


@pytest.fixture
async def zalo(runtime: Runtime, fake_zalo: FakeZalo) -> AsyncIterator[ZaloChannel]:
    """The Zalo channel with its own httpx client, long polling the fake Zalo server."""
    async with httpx.AsyncClient(timeout=10) as http:
        client = ZaloClient(http, ZALO_TOKEN, api_url=fake_zalo.url, backoff=0.01)
        channel = ZaloChannel(runtime.conversation, runtime.pseudonyms, client)
        task = asyncio.create_task(channel.run_polling(timeout=1))
        try:
            yield channel
        finally:
            await channel.stop()
            await asyncio.wait_for(task, 10)


# ---------------------------------------------------------------------------- dialog drivers, one per channel


@pytest.fixture
def console_driver(runtime: Runtime) -> Driver:
    return ConsoleDriver(runtime)


@pytest.fixture
def telegram_driver(telegram: AiogramTelegram, fake_telegram: FakeTelegram) -> Driver:
    return TelegramDriver(fake_telegram, telegram)


@pytest.fixture
async def ptb(runtime: Runtime, fake_telegram: FakeTelegram) -> AsyncIterator[PtbTelegram]:
    """The python-telegram-bot runtime, polling the fake Bot API server."""
    channel = PtbTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    async with polling(channel, fake_telegram):
        yield channel


@pytest.fixture
def ptb_driver(ptb: PtbTelegram, fake_telegram: FakeTelegram) -> Driver:
    return TelegramDriver(fake_telegram, ptb, name="telegram-ptb")


@pytest.fixture
def zalo_driver(zalo: ZaloChannel, fake_zalo: FakeZalo) -> Driver:
    return ZaloDriver(fake_zalo, zalo)


TELEGRAM_HOOK_SECRET = "telegram-webhook-secret-for-tests"
ZALO_HOOK_SECRET = "zalo-webhook-secret-for-tests"


@dataclass
class Webhooks:
    """The webhook application on loopback, serving a Telegram (aiogram) and a Zalo channel."""

    url: str
    telegram: AiogramTelegram
    zalo: ZaloChannel
    http: httpx.AsyncClient

    async def post(self, path: str, body: object, secret: str | None) -> httpx.Response:
        header = TELEGRAM_HEADER if path == TELEGRAM_PATH else ZALO_HEADER
        headers = {header: secret} if secret is not None else {}
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await self.http.post(self.url + path, content=content, headers=headers)

    async def telegram_update(self, body: dict[str, Any]) -> int:
        """Post an update, then wait for its replies (which follow the webhook's answer)."""
        status = (await self.post(TELEGRAM_PATH, body, TELEGRAM_HOOK_SECRET)).status_code
        await self.telegram.drain()
        return status

    async def zalo_update(self, body: dict[str, Any]) -> int:
        status = (await self.post(ZALO_PATH, body, ZALO_HOOK_SECRET)).status_code
        await self.zalo.drain()
        return status


@pytest.fixture
async def webhooks(runtime: Runtime, fake_telegram: FakeTelegram, fake_zalo: FakeZalo) -> AsyncIterator[Webhooks]:
    telegram = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    async with httpx.AsyncClient(timeout=10) as http:
        zalo = ZaloChannel(
            runtime.conversation, runtime.pseudonyms, ZaloClient(http, ZALO_TOKEN, api_url=fake_zalo.url, backoff=0.01)
        )
        await telegram.prepare()
        app = create_app(
            [
                Endpoint("telegram", telegram.webhook, TELEGRAM_HOOK_SECRET),
                Endpoint("zalo", zalo.webhook, ZALO_HOOK_SECRET),
            ]
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            yield Webhooks(f"http://127.0.0.1:{port}", telegram, zalo, http)
        finally:
            await runner.cleanup()
            await telegram.close()


@pytest.fixture
def zalo_webhook_driver(webhooks: Webhooks, fake_zalo: FakeZalo) -> Driver:
    return ZaloDriver(fake_zalo, webhooks.zalo, name="zalo-webhook", webhook=webhooks.zalo_update)


@pytest.fixture
def telegram_webhook_driver(webhooks: Webhooks, fake_telegram: FakeTelegram) -> Driver:
    return TelegramDriver(fake_telegram, webhooks.telegram, name="telegram-webhook", webhook=webhooks.telegram_update)


@pytest.fixture(params=["console", "telegram", "ptb", "zalo", "zalo_webhook"])
def driver(request: pytest.FixtureRequest) -> Driver:
    """Every dialog table runs through every channel."""
    return request.getfixturevalue(f"{request.param}_driver")  # type: ignore[no-any-return]
