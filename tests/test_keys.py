"""Key rotation: with a new sealing key first in DIEMTUA_SEAL_KEYS, old ciphertexts stay readable; after
``keys rotate`` every sealed value opens with the new key alone, and pseudonyms have not changed."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.telegram.render import INFO as TELEGRAM
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from core.clock import ManualClock
from core.events import TextMessage
from storage.models import ContactHandle, ConversationStateRow, OutboxMessage, PendingReply
from storage.rekey import reseal_all
from storage.sealing import LABEL, PREFIX, SealBroken, Sealer, _derive
from tests.conftest import TEST_SECRET
from tests.test_cli import bot

NEW_KEY = "new-sealing-key-" + "n" * 40


async def sealed_values(settings: Settings) -> list[str]:
    async with await open_runtime(settings, clock=ManualClock()) as runtime, runtime.sessions() as session:
        values = list(await session.scalars(select(ContactHandle.sealed)))
        values += list(await session.scalars(select(ConversationStateRow.data)))
        values += list(await session.scalars(select(OutboxMessage.params)))
        values += list(await session.scalars(select(PendingReply.sealed)))  # the /start answer, never sent here
    return values


async def person_with_a_chat_address(runtime: Runtime, *, message: bool = False) -> tuple[str, int]:
    """Someone who wrote /start (a sealed state, a pending reply) and whose chat address is kept (and, with
    ``message``, a broadcast waits for them); returns the pseudonym and the handle."""
    person = runtime.pseudonyms.of("telegram", 42)
    await runtime.conversation.handle(TextMessage(person, "telegram", "/start", address="42"), TELEGRAM)
    async with runtime.unit_of_work() as uow:
        handle = await uow.handles.keep(person, "group_reminders", "telegram", "42")
        if message:
            await uow.outbox.enqueue(handle, runtime.clock.now(), "group_broadcast", {"text": "x"}, "k")
        await uow.commit()
    return person, handle


async def test_rotation_reseals_everything_under_the_new_key_and_keeps_pseudonyms(tmp_path: Path) -> None:
    before = Settings(data_dir=tmp_path, secret_key=SecretStr(TEST_SECRET))
    async with await open_runtime(before, clock=ManualClock()) as runtime:
        person, _ = await person_with_a_chat_address(runtime, message=True)
    old = await sealed_values(before)
    assert len(old) == 4

    after = Settings(data_dir=tmp_path, secret_key=SecretStr(TEST_SECRET), seal_keys=SecretStr(f"{NEW_KEY}"))
    async with await open_runtime(after, clock=ManualClock()) as runtime:
        assert all(runtime.sealer.open(value) for value in old)  # still readable before the rotation
        assert runtime.pseudonyms.of("telegram", 42) == person  # pseudonyms do not depend on sealing keys
        report = await reseal_all(runtime.sessions, runtime.sealer, batch=2)
    assert (report.resealed, report.unreadable) == (4, 0)
    new = await sealed_values(after)
    only_new, only_old = Sealer(NEW_KEY.encode()), Sealer(TEST_SECRET.encode())
    assert [only_new.open(v) for v in new] == [only_old.open(v) for v in old]  # same values...
    for value in new:  # ...now under the new key alone
        with pytest.raises(SealBroken):
            only_old.open(value)


def test_keys_commands(tmp_path: Path) -> None:
    made = bot(tmp_path, "keys", "new")
    assert made.returncode == 0 and len(made.stdout.strip()) >= 48
    assert bot(tmp_path, "db", "upgrade").returncode == 0
    rotated = bot(tmp_path, "keys", "rotate", DIEMTUA_SEAL_KEYS=made.stdout.strip())
    assert rotated.returncode == 0 and "Đã niêm phong lại 0 giá trị" in rotated.stdout, rotated.stderr
    assert made.stdout.strip() not in rotated.stdout + rotated.stderr


async def test_rotation_never_overwrites_a_value_the_bot_changed_meanwhile(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(TEST_SECRET), seal_keys=SecretStr(NEW_KEY))
    async with await open_runtime(settings, clock=ManualClock()) as runtime:
        person = runtime.pseudonyms.of("telegram", 42)
        await runtime.conversation.handle(TextMessage(person, "telegram", "/start", address="42"), TELEGRAM)
        async with runtime.sessions() as session:
            (stale,) = await session.scalars(select(ConversationStateRow.data))
        newer = runtime.sealer.seal('{"flow":"written meanwhile"}')
        reseal = runtime.sealer.reseal

        def meanwhile(token: str) -> str:  # the bot writes the row between rotation's read and its write
            fresh = reseal(token)
            if token == stale:
                with sqlite3.connect(tmp_path / "diemtua.sqlite3") as db:
                    db.execute("UPDATE conversation_states SET data = ?", (newer,))
            return fresh

        runtime.sealer.reseal = meanwhile  # type: ignore[method-assign]
        report = await reseal_all(runtime.sessions, runtime.sealer)
        async with runtime.sessions() as session:
            (kept,) = await session.scalars(select(ConversationStateRow.data))
    assert kept == newer and report.changed == 1


async def test_values_sealed_the_old_way_are_sealed_anew_when_the_runtime_starts(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(TEST_SECRET))
    async with await open_runtime(settings, clock=ManualClock()) as runtime:
        _, handle = await person_with_a_chat_address(runtime)
    fernet = Fernet(base64.urlsafe_b64encode(_derive(TEST_SECRET.encode(), LABEL)))
    legacy = fernet.encrypt(b'{"address":"42","channel":"telegram"}').decode()
    with sqlite3.connect(tmp_path / "diemtua.sqlite3") as db:
        db.execute("UPDATE contact_handles SET sealed = ? WHERE id = ?", (legacy, handle))
    async with await open_runtime(settings, clock=ManualClock()) as runtime, runtime.sessions() as session:
        (sealed,) = await session.scalars(select(ContactHandle.sealed))
        states = list(await session.scalars(select(ConversationStateRow.data)))
    assert sealed.startswith(PREFIX) and all(state.startswith(PREFIX) for state in states)
    assert Sealer(TEST_SECRET.encode()).open_json(sealed) == {"address": "42", "channel": "telegram"}
