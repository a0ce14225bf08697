"""Crash test: kill the dispatcher (SIGKILL) in the middle of a broadcast, restart it, count the copies.

The parent process runs the fake Telegram Bot API server (so what reached "Telegram" survives the
crash), writes a group of N members and one broadcast to them, then starts the dispatcher as a child
process: the real aiogram sender, its limiter and flood control.  When the fake server has received a
given share of the messages the child is killed without warning; a new child is started (its first run
takes back the dead one's claims), and so on; the last child runs to the end.

Reported: members with exactly one copy, with none (lost), with more than one (doubled), and messages the
dispatcher marked "unknown" (the request had left when it died; never resent, counted instead).

Usage: python -m bench.broadcast_crash [--members N] [--kill-at 0.5 ...] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import func, select

from bench.fanout import FIRST_CHAT, TOKEN, noon_clock, populate
from bench.scratch import scratch_database
from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.config import Settings
from bot.jobs.delivery import deliver_due
from bot.runtime import open_runtime
from fakes.telegram_server import FakeTelegram
from services.group_outbox import start_broadcast
from storage import migrate
from storage.db import create_engine
from storage.models import OutboxMessage

SECRET = "crash-test-secret-" + "c" * 30
ROOT = Path(__file__).resolve().parent.parent


def settings_for(data_dir: str, database_url: str | None) -> Settings:
    return Settings(data_dir=Path(data_dir), database_url=database_url, secret_key=SecretStr(SECRET))


async def dispatch(data_dir: str, database_url: str | None, api_url: str) -> None:
    """The child: one dispatcher process, as the scheduler runs it after a start."""
    settings = settings_for(data_dir, database_url)
    async with await open_runtime(settings, clock=noon_clock(ZoneInfo(settings.timezone), minute=30)) as runtime:
        channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TOKEN, api_url=api_url)
        try:
            await deliver_due(runtime, {"telegram": channel}, startup=True)
        finally:
            await channel.close()


def member_messages(fake: FakeTelegram, members: int) -> int:
    return sum(len(fake.sent.get(FIRST_CHAT + n, ())) for n in range(members))


@dataclass(frozen=True)
class CrashResult:
    members: int
    killed_after: list[int]
    seconds: float
    copies: Counter[int]  # number of copies -> members who got that many
    states: dict[str, int]  # outbox rows per state afterwards

    @property
    def lost(self) -> int:
        return self.copies.get(0, 0)

    @property
    def doubled(self) -> int:
        return sum(n for k, n in self.copies.items() if k > 1)


async def main(members: int, kill_at: list[float], database_url: str | None) -> CrashResult:
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(tmp, database_url)
        engine = create_engine(settings.db_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        async with await open_runtime(settings, clock=noon_clock(ZoneInfo(settings.timezone))) as runtime:
            group_id = await populate(runtime, members, meeting_in=None)
            async with runtime.unit_of_work() as uow:
                group = await uow.groups.get(group_id)
                assert group is not None
                _, total = await start_broadcast(
                    uow,
                    group,
                    "Tối nay nhóm sinh hoạt lúc 19:00.",  # sample data (noqa: i18n)
                    runtime.clock.now(),
                    urgent=False,
                    notify_handle_id=None,
                )
                await uow.commit()
        command = [sys.executable, "-m", "bench.broadcast_crash", "--child", tmp, fake.url]
        if database_url:
            command += ["--database-url", database_url]
        started = time.perf_counter()
        kills = []
        for share in [*kill_at, None]:
            child = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
            )
            if share is None:
                await child.wait()
                break
            # Poll every 5 ms: the kill should land within one message (33 ms apart) of the chosen point.
            while member_messages(fake, members) < share * total and child.returncode is None:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            received = member_messages(fake, members)
            if child.returncode is not None:
                raise RuntimeError(f"the dispatcher exited by itself ({child.returncode}) before the kill")
            os.kill(child.pid, signal.SIGKILL)
            await child.wait()
            kills.append(received)
        elapsed = time.perf_counter() - started
        engine = create_engine(settings.db_url)
        async with engine.connect() as connection:
            rows = await connection.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
            states = {str(state): int(n) for state, n in rows}
        await engine.dispose()
    await fake.stop()
    copies = Counter(len(fake.sent.get(FIRST_CHAT + n, ())) for n in range(members))
    return CrashResult(members, kills, elapsed, copies, states)


async def run(members: int, kill_at: list[float], database_url: str | None) -> None:
    async with scratch_database(database_url) as url:
        result = await main(members, kill_at, url)
    kind = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    print(f"engine={kind} members={members} killed_after={result.killed_after} seconds={result.seconds:.1f}")
    print(
        f"exactly_one={result.copies.get(1, 0)} lost={result.lost} doubled={result.doubled} "
        f"outbox_states={result.states}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url = sys.argv[sys.argv.index("--database-url") + 1] if "--database-url" in sys.argv else None
        asyncio.run(dispatch(sys.argv[2], url, sys.argv[3]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--kill-at", type=float, nargs="*", default=[0.5])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.members, args.kill_at, args.database_url))
