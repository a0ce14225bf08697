"""Invitation codes: only a keyed hash is stored (a stolen database cannot be searched for the code), and
``/staff`` tries are limited per person and overall."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from core.clock import ManualClock
from core.codes import InviteCodes, normalize_code
from core.ratelimit import Attempts
from storage.models import StaffInvite
from tests.dialog import ConsoleDriver, play
from tests.test_dialogs import ADULT, START

CODE = "K7QM-3XPA-TR"


async def invite(runtime: Runtime, code: str = CODE) -> None:
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        await uow.staff.create_invite(code, "leader", None, now, now + timedelta(days=7))
        await uow.commit()


async def test_only_a_keyed_hash_of_the_code_is_stored(runtime: Runtime) -> None:
    await invite(runtime)
    async with runtime.sessions() as session:
        (stored,) = await session.scalars(select(StaffInvite.code_hash))
    plain = normalize_code(CODE)
    assert plain not in stored and stored != hashlib.sha256(plain.encode()).hexdigest()
    assert stored != InviteCodes(b"another-deployment-secret-0123456789").hash(CODE)  # the key is the secret's
    assert stored == InviteCodes(runtime.settings.secret()).hash(CODE.lower())  # read back ignoring case


def test_tries_are_limited_per_person_and_overall() -> None:
    now = [0.0]
    attempts = Attempts(per_person=3, overall=5, window=60, clock=lambda: now[0])
    assert [attempts.allow("a") for _ in range(4)] == [True, True, True, False]
    assert [attempts.allow("b") for _ in range(3)] == [True, True, False]  # 5 in all: nobody else now
    assert not attempts.allow("c")
    now[0] = 61.0
    assert attempts.allow("a") and attempts.allow("c")


async def test_a_person_guessing_codes_is_stopped_and_can_try_again_later(runtime: Runtime, clock: ManualClock) -> None:
    await invite(runtime)
    guesser = ConsoleDriver(runtime, user_id="guesser")
    await play(guesser, [START, ADULT])
    for n in range(5):
        assert "không hợp lệ" in (await guesser.say(f"/staff AAAA-BBBB-C{n}")).text
    turn = await guesser.say(f"/staff {CODE}")  # even the right one, while over the limit
    assert "quá nhiều lần thử mã mời" in turn.text and "trưởng nhóm" not in turn.text
    clock.advance(timedelta(hours=1, seconds=1))
    assert "trưởng nhóm" in (await guesser.say(f"/staff {CODE}")).text
