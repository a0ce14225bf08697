"""Another writer holds the SQLite database (a long import, a backup) while a message comes by webhook: the
event is tried again with back-off within the request and answered normally; when even that is not enough,
the webhook answers 503, so Telegram delivers the update again, and the redelivery is answered: nothing lost,
and no apology for a message that was never handled."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

from bot.channels.telegram.render import WEBHOOK_HEADER as TELEGRAM_HEADER
from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.runtime import Runtime
from fakes.telegram_server import FakeTelegram
from tests.conftest import TELEGRAM_HOOK_SECRET, Webhooks


@contextlib.asynccontextmanager
async def another_writer(database: Path, seconds: float) -> AsyncIterator[None]:
    """A second process's connection holding the write lock for ``seconds`` (in the background)."""
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    async def release() -> None:
        await asyncio.sleep(seconds)
        holder.execute("COMMIT")
        holder.close()

    task = asyncio.create_task(release())
    try:
        yield
    finally:
        await task


def database_of(runtime: Runtime) -> Path:
    return Path(str(runtime.engine.url.database))


async def test_a_message_during_a_long_write_is_answered_once_the_lock_is_gone(
    runtime: Runtime, webhooks: Webhooks, fake_telegram: FakeTelegram
) -> None:
    update = fake_telegram.take(fake_telegram.user_sends(6100001, "/start"))
    async with another_writer(database_of(runtime), 20.0):  # four times SQLite's 5-second busy timeout
        answer = await webhooks.http.post(
            webhooks.url + TELEGRAM_PATH,
            content=json.dumps(update),
            headers={TELEGRAM_HEADER: TELEGRAM_HOOK_SECRET},
            timeout=60,  # Telegram waits about a minute
        )
        status = answer.status_code
        await webhooks.telegram.drain()
    assert status == 200
    texts = [m.text for m in fake_telegram.messages(6100001)]
    assert len(texts) == 1 and "bao nhiêu tuổi" in texts[0] and "trục trặc" not in texts[0]


async def test_when_the_lock_outlasts_the_retries_telegram_is_asked_to_deliver_again(
    runtime: Runtime, webhooks: Webhooks, fake_telegram: FakeTelegram
) -> None:
    runtime.conversation._retry_delays = ()  # no retry within the request: the platform's redelivery must do
    update = fake_telegram.take(fake_telegram.user_sends(6100002, "/start"))
    async with another_writer(database_of(runtime), 6.0):
        assert await webhooks.telegram_update(update) == 503  # nothing kept, nothing answered
        assert fake_telegram.messages(6100002) == []
    assert await webhooks.telegram_update(update) == 200  # Telegram's redelivery
    texts = [m.text for m in fake_telegram.messages(6100002)]
    assert len(texts) == 1 and "bao nhiêu tuổi" in texts[0]
