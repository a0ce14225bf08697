"""Privacy acceptance: after a real conversation over Telegram, neither the database files (SQLite main
file and WAL) nor the logs hold the person's platform id or anything they wrote."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.config import Settings
from bot.jobs.delivery import deliver_due
from bot.logsetup import configure_logging, redact
from bot.runtime import Runtime
from fakes.telegram_server import FakeTelegram
from storage.models import Base, ContactHandle, SavedResult, personal_tables
from tests.conftest import TEST_TOKEN, polling
from tests.dialog import ConsoleDriver, TelegramDriver, play
from tests.test_dialogs import ADULT, DIALOGS, START
from tests.test_groups import weekly_group

RAW_ID = 8_372_615_409
CANARY = "canary-Hoàng-0913-555-777-rất-riêng-tư"


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every log record at DEBUG level, through the project's own logging configuration."""
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)


def database_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.data_dir.iterdir() if p.name.startswith("diemtua.sqlite3"))


def occurrences(blob: bytes, needle: str) -> int:
    return blob.count(needle.encode()) + blob.count(needle.encode("utf-16-le"))


async def test_no_raw_id_or_message_text_on_disk_or_in_logs(
    captured_logs: io.StringIO,
    runtime: Runtime,
    telegram: AiogramTelegram,
    fake_telegram: FakeTelegram,
    settings: Settings,
) -> None:
    driver = TelegramDriver(fake_telegram, telegram, user_id=RAW_ID)
    await driver.say("/start")
    await driver.say(CANARY)  # before answering the age question
    await driver.press("Từ 16 tuổi trở lên")
    await driver.say(CANARY)
    await driver.say(f"số của tôi là {CANARY}, quá liều")
    await driver.press("Menu chính")
    await driver.share_location(21.0285, 105.8542)
    await driver.say("/privacy")
    await driver.say("<script>" + CANARY)

    files = database_files(settings)
    assert files, "the conversation should have written the SQLite database"
    blob = b"".join(p.read_bytes() for p in files)
    pseudonym = runtime.pseudonyms.of("telegram", RAW_ID)
    # The search works: the pseudonym, which is meant to be stored, is found.
    assert occurrences(blob, pseudonym) > 0
    assert occurrences(blob, str(RAW_ID)) == 0
    assert occurrences(blob, CANARY) == 0
    assert occurrences(blob, "21.0285") == 0, "a shared location must not be stored"

    logs = captured_logs.getvalue()
    assert logs, "logging was captured"
    assert str(RAW_ID) not in logs
    assert CANARY not in logs
    assert pseudonym not in logs
    assert TEST_TOKEN not in logs


async def test_forget_leaves_no_trace_in_sqlite_or_its_wal(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, settings: Settings
) -> None:
    driver = TelegramDriver(fake_telegram, telegram, user_id=RAW_ID)
    await driver.say("/start")
    await driver.press("Từ 16 tuổi trở lên")
    pseudonym = runtime.pseudonyms.of("telegram", RAW_ID)
    blob = b"".join(p.read_bytes() for p in database_files(settings))
    assert occurrences(blob, pseudonym) > 0
    await driver.say("/forget")
    await driver.press("Có, xóa toàn bộ")
    blob = b"".join(p.read_bytes() for p in database_files(settings))
    assert occurrences(blob, pseudonym) == 0, "secure_delete and a WAL checkpoint should leave nothing behind"


async def test_withdrawing_a_consent_shreds_what_was_kept_for_it(runtime: Runtime, settings: Settings) -> None:
    steps = DIALOGS["self-check: a saved result is compared next time, and withdrawing deletes it"]
    saved_at = next(i for i, step in enumerate(steps) if "Đã lưu" in step.expect)
    driver = ConsoleDriver(runtime)
    await play(driver, steps[: saved_at + 1])
    async with runtime.sessions() as session:
        (sealed,) = (await session.scalars(select(SavedResult.sealed))).all()
    assert occurrences(b"".join(p.read_bytes() for p in database_files(settings)), sealed) == 1
    await driver.say("/privacy")
    await driver.press("Rút lại: Lưu kết quả tự đánh giá")
    blob = b"".join(p.read_bytes() for p in database_files(settings))
    assert occurrences(blob, sealed) == 0, "the withdrawn result must not linger in the file or its WAL"


def test_tokens_are_redacted_from_any_log_line() -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TEST_TOKEN}/sendMessage failed")
        except RuntimeError:
            logging.getLogger("test").exception("request failed for %s", TEST_TOKEN)
    finally:
        logging.getLogger().removeHandler(handler)
    assert TEST_TOKEN not in stream.getvalue()
    assert "<token>" in stream.getvalue()
    assert redact("id 12345 is fine") == "id 12345 is fine"


def test_http_client_request_logging_is_silenced() -> None:
    handler = configure_logging("DEBUG", io.StringIO())
    try:
        for name in ("httpx", "httpcore", "aiogram.event", "aiosqlite", "sqlalchemy.engine"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
    finally:
        logging.getLogger().removeHandler(handler)


async def test_forget_after_joining_a_group_with_reminders_leaves_no_trace_on_either_engine(
    captured_logs: io.StringIO, any_runtime: Runtime, any_database: str | None, fake_telegram: FakeTelegram
) -> None:
    """A person joins a group with reminders (a sealed chat handle, outbox rows, a membership, a consent),
    gets a reminder, writes a canary, then /forget: the SQLite file and WAL, or every PostgreSQL table, and
    the logs hold neither the raw id, nor the pseudonym, nor the canary, nor the sealed handle."""
    runtime = any_runtime
    runtime.clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    await weekly_group(runtime, "PRVC2345", "Nhóm Riêng Tư")
    channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    async with polling(channel, fake_telegram):
        driver = TelegramDriver(fake_telegram, channel, user_id=RAW_ID)
        await play(driver, [START, ADULT])
        await driver.say("PRVC-2345")
        await driver.press("Tham gia, có nhắc lịch")
        await driver.say(CANARY)
        runtime.clock.set(datetime(2026, 11, 23, 11, 30, tzinfo=UTC))  # type: ignore[attr-defined]
        assert (await deliver_due(runtime, {"telegram": channel})).sent == 1
        pseudonym = runtime.pseudonyms.of("telegram", RAW_ID)
        async with runtime.sessions() as session:
            (sealed,) = (await session.scalars(select(ContactHandle.sealed))).all()
        assert pseudonym in await stored_text(runtime, any_database)  # the search finds what is there
        await driver.say("/forget")
        await driver.press("Có, xóa toàn bộ")
    stored = await stored_text(runtime, any_database)
    for needle in (pseudonym, str(RAW_ID), CANARY, sealed):
        assert needle not in stored, f"{needle[:12]}… is still stored"
    logs = captured_logs.getvalue()
    for needle in (pseudonym, str(RAW_ID), CANARY):
        assert needle not in logs


async def stored_text(runtime: Runtime, database: str | None) -> str:
    """Everything stored, as text: the SQLite file and its WAL, or every row of every PostgreSQL table."""
    if database is None:
        files = sorted(p for p in runtime.settings.data_dir.iterdir() if p.name.startswith("diemtua.sqlite3"))
        blob = b"".join(p.read_bytes() for p in files)
        return blob.decode("utf-8", "replace") + blob.decode("utf-16-le", "replace")
    parts = []
    async with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT t::text FROM "{table.name}" AS t'))
            parts += [str(row[0]) for row in rows]
    return "\n".join(parts)


def test_privacy_can_name_every_step_of_every_conversation(runtime: Runtime) -> None:
    """/privacy shows where a conversation is in words: a flow without a name would show its raw id."""
    named = runtime.conversation.catalogue.flows
    unnamed = {flow for flow in runtime.conversation.flows | {"onboarding"} if flow not in named}
    assert unnamed == set()


def test_privacy_can_name_every_kind_of_record_kept_about_a_person(runtime: Runtime) -> None:
    """A new table with a pseudonym must say how /privacy names it, or the page would show its raw name."""
    shown_otherwise = {"users", "conversation_states", "consents"}  # the page's own sections
    named = runtime.conversation.catalogue.records
    unnamed = {t for t in personal_tables() if t not in shown_otherwise and t not in named}
    assert unnamed == set()
