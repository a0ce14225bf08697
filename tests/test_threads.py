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
    first_started, first_may_end, second_started = threading.Event(), threading.Event(), threading.Event()

    def first() -> float:
        first_started.set()
        second_started.wait(5)
        seen = sys.getswitchinterval()
        first_may_end.wait(5)
        return seen

    def second() -> tuple[float, str]:
        first_started.wait(5)  # both running: the turns are short until the last of them ends
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


async def test_a_caller_that_stops_waiting_leaves_the_turns_short_until_its_thread_ends() -> None:
    usual = sys.getswitchinterval()
    started, may_end, ended = threading.Event(), threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        may_end.wait(5)
        ended.set()

    waiting = asyncio.create_task(off_loop(work))
    assert await asyncio.to_thread(started.wait, 5)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert sys.getswitchinterval() == pytest.approx(SHORT_TURN)  # the thread still runs
    may_end.set()
    assert await asyncio.to_thread(ended.wait, 5)
    for _ in range(100):  # the thread sets the interval back just after its work returns
        if sys.getswitchinterval() == pytest.approx(usual):
            break
        await asyncio.sleep(0.01)
    assert sys.getswitchinterval() == pytest.approx(usual)
