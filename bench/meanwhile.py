"""What the other people on a worker see while it does something long: a ticker that asks the event loop for a
turn every millisecond (the gaps are how long a message would wait for the loop), and a person whose every message
is a transaction that writes, as every event's is (the waits include SQLite's writer turn)."""

from __future__ import annotations

import asyncio
import statistics
import time

from bot.runtime import Runtime


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def ticker(gaps: list[float], stop: asyncio.Event) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append((now - last) * 1000)
        last = now


async def person(runtime: Runtime, waits: list[float], stop: asyncio.Event) -> None:
    """Someone's messages meanwhile: each one a transaction that writes (as every event does)."""
    pseudonym = "f" * 64
    while not stop.is_set():
        started = time.perf_counter()
        async with runtime.unit_of_work() as uow:
            await uow.users.touch(pseudonym, runtime.clock.now().date())
            await uow.commit()
        waits.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.01)


async def quiet_writes(runtime: Runtime) -> dict[str, float]:
    """The same person's writes for a second with nothing else running: the baseline."""
    waits: list[float] = []
    stop = asyncio.Event()
    writing = asyncio.create_task(person(runtime, waits, stop))
    await asyncio.sleep(1)
    stop.set()
    await writing
    return {"p50_write": statistics.median(waits), "p99_write": percentile(waits, 0.99), "max_write": max(waits)}
