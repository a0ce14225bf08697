"""Benchmark: how long a directory reload holds up a worker's event loop.  A worker's finder holds a snapshot of N
points (default 100,000) on SQLite; the directory changes (one point edited); the next search reloads it.  Meanwhile
a ticker asks the loop for a turn every millisecond, as another person's message would: the gaps it sees are how
long that person would wait behind the reload.

Usage: python -m bench.reload [--points N] [--communes C] [--seed X]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bench.meanwhile import percentile, person, ticker
from bot.config import Settings
from bot.runtime import open_runtime
from domain.directory import KINDS, ServicePoint
from handlers.directory_cache import DirectoryCache
from storage.db import is_sqlite


async def run(points: int, communes: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", secret_key=SecretStr("bench-" + "r" * 40))
        async with await open_runtime(settings) as runtime:
            provinces = list(runtime.gazetteer.provinces.values())
            made = []
            for i in range(points):
                province = rng.choice(provinces)
                made.append(
                    ServicePoint(
                        external_id=f"r-{i:06d}", name=f"Point {i}", kinds=(rng.choice(list(KINDS)),), address="",
                        province=province.id, commune=f"Commune {i % communes}" if communes else "",
                        lat=province.lat + rng.uniform(-0.2, 0.2), lon=province.lon + rng.uniform(-0.2, 0.2),
                        hours=None,
                    )
                )  # fmt: skip
            async with runtime.unit_of_work() as uow:
                await uow.directory.upsert(made, runtime.clock.now())
                await uow.commit()
            gazetteer = runtime.gazetteer
            reading = runtime.reading if is_sqlite(runtime.engine) else None  # as the runtime gives its finder
            cache = (
                DirectoryCache(lambda snapshot: gazetteer.prepare(snapshot.communes), reading)
                if hasattr(gazetteer, "prepare")
                else DirectoryCache()
            )
            async with runtime.unit_of_work() as uow:
                await cache.get(uow)
            async with runtime.unit_of_work() as uow:
                await uow.directory.upsert([dataclasses.replace(made[0], name="Point 0, edited")], runtime.clock.now())
                await uow.commit()
            gaps: list[float] = []
            waits: list[float] = []
            stop = asyncio.Event()
            ticking = asyncio.create_task(ticker(gaps, stop))
            writing = asyncio.create_task(person(runtime, waits, stop))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            async with runtime.unit_of_work() as uow:  # the event whose search finds the directory changed
                snapshot = await cache.get(uow)
                snapshot.nearest(21.0, 105.8, "opioid_treatment", 5)
                gazetteer.lookup("commune 7", extra=snapshot.communes)
            searched_ms = (time.perf_counter() - started) * 1000
            fresh = await cache.settled()  # reloaded in the background, where it was
            reload_ms = (time.perf_counter() - started) * 1000
            assert fresh is not None and fresh.version >= snapshot.version
            stale = fresh.version > snapshot.version  # the search was served from the previous version
            await asyncio.sleep(0.02)
            stop.set()
            await ticking
            await writing
    figures = {"reload": reload_ms, "max_gap": max(gaps), "p99_gap": percentile(gaps, 0.99)}
    figures |= {"p99_write": percentile(waits, 0.99), "max_write": max(waits)}
    print(
        f"points={points} communes={communes} first_search_ms={searched_ms:.0f} "
        f"(from the {'previous' if stale else 'new'} snapshot) reloaded_after_ms={reload_ms:.0f}"
    )
    print(
        f"event-loop gaps during the reload: n={len(gaps)} p50={statistics.median(gaps):.1f}ms "
        f"p99={figures['p99_gap']:.1f}ms max={figures['max_gap']:.1f}ms; another person's write "
        f"p50={statistics.median(waits):.1f}ms p99={figures['p99_write']:.1f}ms max={figures['max_write']:.1f}ms"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    asyncio.run(run(args.points, args.communes, args.seed))


if __name__ == "__main__":
    main()
