"""Fault tests (issue 8): redelivered updates in random order, several workers and dispatchers sharing one
PostgreSQL, a storm of 429s and a stretch of refused connections."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select, text

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.config import Settings
from bot.jobs.delivery import deliver_due
from bot.runtime import Runtime, open_runtime
from core.clock import ManualClock
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from storage import migrate
from storage.db import create_engine
from storage.models import Consent, User
from tests.conftest import TEST_SECRET, TEST_TOKEN, Webhooks
from tests.dialog import ConsoleDriver, play
from tests.test_dialogs import START
from tests.test_dispatcher import NOON_HANOI, RecordingSender, fill, states

SCRIPT = ("/start", "1", "/privacy", "/menu")  # the age answer "1" changes state: 16 or older


async def test_every_update_delivered_one_to_three_times_in_random_order_changes_state_once(
    webhooks: Webhooks, fake_zalo: FakeZalo, runtime: Runtime
) -> None:
    people = [f"{n:020x}" for n in range(1, 16)]
    rng = random.Random(20261126)
    # Each person's updates in their order; every update 1-3 times, a copy possibly after newer ones; the
    # people's streams run concurrently, so they interleave.
    streams: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        originals = [fake_zalo.update(person, "message.text.received", text=text) for text in SCRIPT]
        stream: list[dict[str, Any]] = []
        for index, update in enumerate(originals):
            stream.append(update)
            for _ in range(rng.randint(0, 2)):
                stream.insert(rng.randint(len(stream), len(stream) + index), update)  # now or after later ones
        streams[person] = stream
    await asyncio.gather(*(deliver_all(webhooks, streams[person]) for person in people))
    assert sum(len(s) for s in streams.values()) > len(people) * len(SCRIPT)  # there were repeats
    for person in people:
        texts = [m.text for m in fake_zalo.messages(person)]
        # One answer per update whatever the repeats (the welcome ends with the age question).
        assert len(texts) == len(SCRIPT), texts
        assert "bao nhiêu tuổi" in texts[0] and "giúp gì" in texts[1]
    async with runtime.sessions() as session:
        adults = await session.scalar(select(func.count()).select_from(User).where(User.age_group == "adult"))
        consents = await session.scalar(select(func.count()).select_from(Consent))
    assert adults == len(people) and consents == 0


async def deliver_all(webhooks: Webhooks, updates: list[dict[str, Any]]) -> None:
    for update in updates:
        assert await webhooks.zalo_update(update) == 200


async def test_two_workers_and_two_dispatchers_send_five_thousand_reminders_once_each(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two processes' worth of runtimes (each its own engine and pool) on one PostgreSQL, each with a
    dispatcher, over 5,000 due messages."""
    from storage import migrate
    from storage.db import create_engine

    engine = create_engine(postgres_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    clock = ManualClock(NOON_HANOI)
    runtimes: list[Runtime] = []
    for n in range(2):
        settings = Settings(data_dir=tmp_path / f"w{n}", database_url=postgres_url, secret_key=SecretStr(TEST_SECRET))
        runtimes.append(await open_runtime(settings, clock=clock))
    try:
        await fill(runtimes[0], 5000)
        senders = [RecordingSender(), RecordingSender()]
        reports = await asyncio.gather(
            *(deliver_due(rt, {"telegram": s}, batch=100) for rt, s in zip(runtimes, senders, strict=True))
        )
        copies = Counter(senders[0].sent + senders[1].sent)
        assert len(copies) == 5000 and set(copies.values()) == {1}  # none lost, none twice
        assert all(r.sent > 500 for r in reports), [r.sent for r in reports]  # both did a share
        assert await states(runtimes[1]) == {"sent": 5000}
    finally:
        for rt in runtimes:
            await rt.close()


async def test_a_storm_of_429s_and_a_stretch_of_refused_connections_lose_nothing(
    runtime: Runtime, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    """Through the real aiogram sender: 60 answers of 429, then the server down for a second and a half."""
    clock.set(NOON_HANOI)
    telegram = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    try:
        await fill(runtime, 100)
        fake_telegram.storm = 60
        report = await deliver_due(runtime, {"telegram": telegram})
        # Every 429 the server gave (the storm's 60, and the buckets' own when the retries came together) was
        # waited out and retried.
        assert report.sent == 100 and telegram.stats.retried_after_429 == fake_telegram.too_many_requests >= 60
        assert fake_telegram.early_retries == 0  # every retry waited its retry_after

        port = fake_telegram.port
        await fill(runtime, 20, first=5000)
        await fake_telegram.stop()
        sending = asyncio.create_task(deliver_due(runtime, {"telegram": telegram}))
        await asyncio.sleep(1.5)
        await fake_telegram.start(port)
        report = await asyncio.wait_for(sending, 60)
        assert report.sent == 20 and telegram.stats.retried_connection > 0
        chats = Counter(chat for chat, messages in fake_telegram.sent.items() for _ in messages)
        assert len(chats) == 120 and set(chats.values()) == {1}  # none lost, none twice
        assert await states(runtime) == {"sent": 120}
    finally:
        await telegram.close()


async def test_a_message_whose_answer_times_out_is_counted_unknown_and_never_sent_again(
    runtime: Runtime, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    """The request reached Telegram (the fake records it) but no answer came in time: the outbox cannot know
    whether it arrived, so it marks it unknown and does not send it again."""
    clock.set(NOON_HANOI)
    telegram = AiogramTelegram(
        runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url, request_timeout=0.5
    )
    try:
        await fill(runtime, 3)
        fake_telegram.answer_late, fake_telegram.late_by = 1, 2.0
        first = await deliver_due(runtime, {"telegram": telegram})
        assert (first.sent, first.unknown) == (2, 1) and telegram.stats.ambiguous == 1
        clock.advance(timedelta(hours=1))
        again = await deliver_due(runtime, {"telegram": telegram})
        assert again.handled == 0  # nothing resent
        chats = Counter(chat for chat, messages in fake_telegram.sent.items() for _ in messages)
        assert len(chats) == 3 and set(chats.values()) == {1}  # it had in fact arrived: exactly once
        assert await states(runtime) == {"sent": 2, "unknown": 1}
    finally:
        await telegram.close()


async def test_a_database_restart_costs_nobody_their_message(postgres_url: str, tmp_path: Path) -> None:
    """Every server connection is cut (as a PostgreSQL restart does) while the worker's pool holds them: the next
    person's message is still handled (the event is tried again on a fresh connection), not apologised for."""
    engine = create_engine(postgres_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    settings = Settings(data_dir=tmp_path / "data", secret_key=SecretStr("r" * 40), database_url=postgres_url)
    async with await open_runtime(settings) as runtime:
        chat = ConsoleDriver(runtime, user_id="before")
        await play(chat, [START])
        warm = [ConsoleDriver(runtime, user_id=f"warm-{n}") for n in range(4)]
        await asyncio.gather(*(play(driver, [START]) for driver in warm))  # the pool now holds several connections
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            cut = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        await admin.dispose()
        assert cut >= 3  # every connection the pool held
        turn = await ConsoleDriver(runtime, user_id="after").say("/start")
        assert "bao nhiêu tuổi" in turn.text and "Xin lỗi" not in turn.text
        assert "giúp gì" in (await chat.press("Từ 16 tuổi trở lên")).text  # and the first person goes on
