"""core.threads: long work in a thread, with short turns at the GIL while it runs."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from core.threads import SHORT_TURN, off_loop


async def test_turns_are_short_while_work_runs_and_set_back_after_the_last() -> None:
    usual = sys.getswitchinterval()
    assert usual > SHORT_TURN  # the interpreter's default, 5 ms
    first_may_end, second_started = threading.Event(), threading.Event()

    def first() -> float:
        second_started.wait(5)
        seen = sys.getswitchinterval()
        first_may_end.wait(5)
        return seen

    def second() -> tuple[float, str]:
        second_started.set()
        return sys.getswitchinterval(), threading.current_thread().name

    running = asyncio.create_task(off_loop(first))
    during, name = await off_loop(second)
    assert during == pytest.approx(SHORT_TURN) and name != threading.current_thread().name
    assert sys.getswitchinterval() == pytest.approx(SHORT_TURN)  # the first still runs
    first_may_end.set()
    assert await running == pytest.approx(SHORT_TURN)
    assert sys.getswitchinterval() == pytest.approx(usual)


async def test_work_that_fails_sets_the_turns_back_and_raises() -> None:
    usual = sys.getswitchinterval()

    def broken(value: int) -> int:
        raise ValueError(value)

    with pytest.raises(ValueError):
        await off_loop(broken, 3)
    assert sys.getswitchinterval() == pytest.approx(usual)

    def add(a: int, b: int = 0) -> int:
        return a + b

    assert await off_loop(add, 2, b=5) == 7
