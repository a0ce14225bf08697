"""Shared fixtures: settings on a temporary data dir, a runtime with a manual clock, the local
PostgreSQL (skipped where absent, unless DIEMTUA_REQUIRE_SERVICES=1), and the fake Telegram server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.telegram.aiogram_channel import AiogramTelegram
from core.clock import ManualClock
from storage import migrate
from storage.db import create_engine
from tests.fakes.telegram_server import FakeTelegram

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
    return Settings(data_dir=tmp_path / "data", secret_key=SecretStr(TEST_SECRET))


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
    settings = Settings(data_dir=tmp_path / "data", secret_key=SecretStr(TEST_SECRET), database_url=url)
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


async def start_polling(channel: AiogramTelegram, fake: FakeTelegram) -> asyncio.Task[None]:
    task = asyncio.create_task(channel.run_polling(handle_signals=False, polling_timeout=1))
    for _ in range(200):
        if any(method == "getUpdates" for method, _ in fake.calls) or task.done():
            break
        await asyncio.sleep(0.02)
    if task.done():
        task.result()
    return task


@pytest.fixture
async def telegram(runtime: Runtime, fake_telegram: FakeTelegram) -> AsyncIterator[AiogramTelegram]:
    """The real aiogram stack, polling the fake Bot API server."""
    channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    task = await start_polling(channel, fake_telegram)
    try:
        yield channel
    finally:
        await channel.stop()
        await asyncio.wait_for(task, 10)
