"""The attacker's view: a copy of the database without the secret, after people have used every capability.

No value, in any column, is a platform id (a Telegram user, chat or update id, a Zalo user or message id);
no time is finer than docs/privacy.md says, so joining tables on times, or matching them against the
platform's own record of when each account wrote, finds nothing finer than an hour; sealed values carry no
timestamp and their lengths only a size class.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import DateTime, text

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.jobs.delivery import deliver_due
from bot.runtime import Runtime
from core.clock import ManualClock
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from storage.models import Base, CoarseDateTime, sealed_columns
from storage.sealing import PREFIX
from tests.conftest import TEST_TOKEN, ZALO_TOKEN, polling
from tests.dialog import TelegramDriver, ZaloDriver, play
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample
from tests.test_groups import leader_with_group, new_member_by_link
from tests.test_reminders import book_with_reminders, staff_with_notifications

# Times that are not about any person: when the operator loaded the directory.
NOT_PERSONAL = {("service_points", "updated_at")}
# Kept to the second only while in use, empty at rest: a delivery's lease, a running broadcast's last progress,
# the lease of replies not yet sent.
EMPTY_AT_REST = {("outbox", "lease_until"), ("broadcasts", "progress_at"), ("pending_replies", "lease_until")}
ODD = timedelta(minutes=17, seconds=41, microseconds=654321)  # every action happens at an odd second


def as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


async def dump(runtime: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, read as an attacker would: plain SQL, no model, no key."""
    tables: dict[str, list[dict[str, Any]]] = {}
    async with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            tables[table.name] = [dict(row._mapping) for row in rows]
    return tables


async def test_a_copy_of_the_database_without_the_secret_links_no_one(
    any_runtime: Runtime, fake_telegram: FakeTelegram, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    runtime = any_runtime
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC) + ODD)  # Monday 09:17:41.654321 in Hà Nội
    await load_sample(runtime)
    channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    async with polling(channel, fake_telegram) as telegram, httpx.AsyncClient(timeout=10) as http:
        zalo = ZaloChannel(
            runtime.conversation, runtime.pseudonyms, ZaloClient(http, ZALO_TOKEN, api_url=fake_zalo.url, backoff=0.01)
        )
        # A counsellor with notifications; a person books with reminders; a leader's group, a member by link
        # and a Zalo member by code; a broadcast; everything the bot sends by itself is delivered.
        await staff_with_notifications(runtime, fake_telegram, telegram)
        clock.advance(ODD)
        person = TelegramDriver(fake_telegram, telegram, user_id=8000002)
        await play(person, [START, ADULT])
        await book_with_reminders(person, "Thứ Tư, 25/11", "09:00")
        clock.advance(ODD)
        leader, start, code = await leader_with_group(runtime, fake_telegram, telegram)
        await new_member_by_link(fake_telegram, telegram, 8100002, start)
        zalo_polling = asyncio.create_task(zalo.run_polling(timeout=1))
        on_zalo = ZaloDriver(fake_zalo, zalo, user_id="5a0c0ffee00000000042")
        await play(on_zalo, [START, ADULT])
        await on_zalo.say(code)
        await on_zalo.press("Tham gia, có nhắc lịch")
        clock.advance(ODD)
        await leader.press("Gửi tin nhắn cho nhóm")
        await leader.say("Tối nay nhóm họp sớm hơn nửa tiếng.")
        await leader.press("Gửi")
        for _ in range(3):
            clock.advance(timedelta(seconds=31))
            await deliver_due(runtime, {"telegram": telegram, "zalo": zalo})
        await zalo.stop()
        await asyncio.wait_for(zalo_polling, 10)
    tables = await dump(runtime)
    assert tables["outbox"] and tables["consents"] and tables["bookings"] and tables["group_members"]

    # 1. No platform id anywhere: users, chats, updates (Telegram), users and messages (Zalo).
    numbers = {8000001, 8000002, 8100001, 8100002}
    numbers |= set(range(1000, 1000 + 3 * fake_telegram.pushed, 3))  # every update id the fake server issued
    strings = {on_zalo.user_id, *fake_zalo.message_ids}
    found = []
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                shown = str(value)
                if any(re.search(rf"(?<![0-9]){n}(?![0-9])", shown) for n in numbers) or any(
                    s in shown for s in strings
                ):
                    found.append((name, column, shown[:40]))
    assert found == [], f"platform ids in a copy of the database: {found}"

    # 2. No time finer than its purpose: schedules to the minute; people's actions to the hour or the day.
    finer: list[tuple[str, str, datetime]] = []
    checked: list[str] = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            kind = col.type
            if not isinstance(getattr(kind, "impl", kind), DateTime) or (table.name, col.name) in NOT_PERSONAL:
                continue
            checked.append(f"{table.name}.{col.name}")
            values = [as_datetime(row[col.name]) for row in tables[table.name] if row[col.name] is not None]
            if (table.name, col.name) in EMPTY_AT_REST:
                assert values == [], f"{table.name}.{col.name} keeps times at rest"
                continue
            unit = kind.unit if isinstance(kind, CoarseDateTime) else "minute"
            for value in values:
                # This week's schedules fall on the quarter hour; its actions on odd minutes (17, 35, 53, 11...).
                if value.second or value.microsecond or value.minute % 15:
                    finer.append((table.name, col.name, value))
                if unit in ("hour", "day") and value.minute:
                    finer.append((table.name, col.name, value))
                if unit == "day" and value.hour:
                    finer.append((table.name, col.name, value))
    assert len(checked) >= 20 and "consents.granted_at" in checked and "outbox.due_at" in checked
    assert finer == [], f"times finer than their purpose: {finer}"

    # 3. Sealed values: the new way (no timestamp inside), and every chat address the same length.
    sealed = [row["sealed"] for row in tables["contact_handles"]]
    sealed += [row["data"] for row in tables["conversation_states"]]
    sealed += [row["params"] for row in tables["outbox"]] + [row["sealed"] for row in tables["saved_results"]]
    assert sealed and all(value.startswith(PREFIX) for value in sealed)
    assert len({len(row["sealed"]) for row in tables["contact_handles"]}) == 1
    # Every sealed value is in a column marked sealed (which `keys rotate` reseals), and every such column
    # holds only sealed values: no column is sealed without the declaration, or declared but left in clear.
    marked = {(column.table.name, column.name) for column, _ in sealed_columns()}
    assert ("pending_replies", "sealed") in marked and len(marked) == 5
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                is_sealed = isinstance(value, str) and value.startswith(PREFIX)
                assert is_sealed == ((name, column) in marked), f"{name}.{column}"
