"""Benchmark: building the programme report while other people talk to the bot.

The tallies of W weeks (default 104: the longest period the console allows) for P provinces (default 34), a cell
for every kind, subject and level an indicator counts, are written to a fresh database; then the national report
of the whole period and one province's are built the way the console and /baocao build them, while a ticker asks
the event loop for a turn every millisecond and another person writes as every event does (see bench.planning).

Usage: python -m bench.report [--weeks W] [--provinces P] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import insert

from bench.meanwhile import percentile, person, quiet_writes, ticker
from bench.scratch import scratch_database
from bot.cli.app import settle_heap
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from domain.indicators import INDICATORS
from services.reports import programme_report
from storage import migrate
from storage.db import create_engine
from storage.models import Tally

FIRST_WEEK = date(2024, 12, 2)  # a Monday


def cells() -> list[tuple[str, str, str]]:
    """(kind, subject, level) of every cell an indicator counts."""
    found = set()
    for indicator in INDICATORS:
        if indicator.kind:
            for subject in sorted(indicator.subjects) or [""]:
                for level in sorted(indicator.levels) or [""]:
                    found.add((indicator.kind, subject, level))
    return sorted(found)


async def populate(runtime: Runtime, weeks: int, provinces: list[str]) -> int:
    kinds = cells()
    rows = [
        {"week": FIRST_WEEK + timedelta(weeks=w), "kind": kind, "instrument": "", "subject": subject,
         "level": level, "province": province, "count": (w * 7 + n) % 23}
        for w in range(weeks) for province in provinces for n, (kind, subject, level) in enumerate(kinds)
    ]  # fmt: skip
    async with runtime.sessions() as session:
        for start in range(0, len(rows), 20_000):
            await session.execute(insert(Tally), rows[start : start + 20_000])
        await session.commit()
    return len(rows)


async def timed(runtime: Runtime, weeks: list[date], province: str | None) -> dict[str, float]:
    gaps: list[float] = []
    waits: list[float] = []
    stop = asyncio.Event()
    ticking = asyncio.create_task(ticker(gaps, stop))
    writing = asyncio.create_task(person(runtime, waits, stop))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    async with runtime.reading() as uow:  # as the console reads
        report = await programme_report(uow, weeks, province=province)
    elapsed = (time.perf_counter() - started) * 1000
    await asyncio.sleep(0.02)
    stop.set()
    await ticking
    await writing
    assert len(report.weeks) == len(weeks) and report.rows
    return {
        "ms": elapsed, "p99_gap": percentile(gaps, 0.99), "max_gap": max(gaps),
        "p50_write": statistics.median(waits), "p99_write": percentile(waits, 0.99), "max_write": max(waits),
    }  # fmt: skip


async def main(weeks: int, provinces: int, database_url: str | None) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url, secret_key=SecretStr("r" * 40))
        engine = create_engine(settings.db_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        async with await open_runtime(settings) as runtime:
            ids = sorted(runtime.gazetteer.provinces)[:provinces]
            rows = await populate(runtime, weeks, ids)
            settle_heap()  # as the process does once started
            period = [FIRST_WEEK + timedelta(weeks=w) for w in range(weeks)]
            results["quiet"] = await quiet_writes(runtime)
            results["national"] = await timed(runtime, period, None)
            results["province"] = await timed(runtime, period, ids[0])
    kind = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    print(f"engine={kind} weeks={weeks} provinces={len(ids)} tally_rows={rows}")
    quiet = results["quiet"]
    print(f"nothing else running: another person's write p50={quiet['p50_write']:.1f}ms p99={quiet['p99_write']:.1f}ms")
    for name in ("national", "province"):
        f = results[name]
        print(
            f"{name} report: took={f['ms']:.0f}ms; another person's write p50={f['p50_write']:.1f}ms "
            f"p99={f['p99_write']:.1f}ms max={f['max_write']:.1f}ms; event-loop gaps p99={f['p99_gap']:.1f}ms "
            f"max={f['max_gap']:.1f}ms"
        )
    return results


async def run(weeks: int, provinces: int, database_url: str | None) -> dict[str, dict[str, float]]:
    async with scratch_database(database_url) as url:
        return await main(weeks, provinces, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.weeks, args.provinces, args.database_url))
