"""The fake Telegram Bot API server in a process of its own (global flood limit lifted), so a benchmark's
load generator and the server do not share one CPU-bound event loop.

Usage: python -m bench.fake_process PORT
"""

from __future__ import annotations

import asyncio
import sys

from fakes.telegram_server import FakeTelegram, FloodPolicy


async def main(port: int) -> None:
    fake = FakeTelegram(policy=FloodPolicy(global_burst=1e9, global_rate=1e9))
    await fake.start(port)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
