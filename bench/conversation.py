"""Benchmark: events per second through the conversation engine and storage (no network).

Each simulated person runs the onboarding and a few menu turns; people run concurrently.
Usage: python -m bench.conversation [--people N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bot.channels.console import INFO
from bot.config import Settings
from bot.runtime import open_runtime
from core.conversation import Conversation
from core.events import TextMessage
from storage import migrate
from storage.db import create_engine

SCRIPT = ("/start", "1", "/privacy", "quá liều", "/menu", "hello", "/khancap", "/menu")  # input (noqa: i18n)


async def person(conversation: Conversation, user: str, latencies: list[float]) -> None:
    for text in SCRIPT:
        started = time.perf_counter()
        await conversation.handle(TextMessage(user, "bench", text), INFO)
        latencies.append(time.perf_counter() - started)


async def main(people: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url, secret_key=SecretStr("b" * 40))
        engine = create_engine(settings.db_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        async with await open_runtime(settings) as runtime:
            latencies: list[float] = []
            started = time.perf_counter()
            await asyncio.gather(*(person(runtime.conversation, f"{n:064x}", latencies) for n in range(people)))
            elapsed = time.perf_counter() - started
    events = people * len(SCRIPT)
    quantiles = statistics.quantiles(latencies, n=100)
    kind = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    print(
        f"engine={kind} people={people} events={events} seconds={elapsed:.2f}",
        f"events_per_second={events / elapsed:.0f}",
    )
    print(f"latency_ms p50={quantiles[49] * 1000:.1f} p95={quantiles[94] * 1000:.1f} p99={quantiles[98] * 1000:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.database_url))
