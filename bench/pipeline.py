"""Benchmark: the whole pipeline (webhook update in -> database -> reply out at the fake Bot API server),
against a bare aiogram echo bot on the same fake server, in the same run.

Every bot runs as its own process behind a webhook (``python -m bot webhook`` for Điểm Tựa, ``bench.echo_bot``
for the yardstick); this process runs the fake Bot API server (global flood limit lifted, per-chat limits as
Telegram's) and the load: each update comes from a different person, who sends ``/menu`` as a first message
(Điểm Tựa answers with its welcome, which ends with the age question: a user row, a conversation state and
one message; the echo bot echoes).

* throughput: N updates posted at once (64 at a time); rate = N / time until every person had a reply;
* latency at a steady load: R updates a second for S seconds; time from posting an update to the first reply
  reaching the fake server; p50, p99;
* CPU per update: the CPU time (user + system, read from /proc) each bot's processes spent over the throughput
  run, divided by its updates.  Unlike throughput, it does not depend on what else the machine is doing, so the
  ratio to the echo bot is the figure to compare.  The load generator's and the fake server's CPU per update are
  printed beside it: a generator that needs more CPU than the bot would be what is measured.

The load generator posts pre-encoded bodies with aiohttp's client (httpx's pool cost more CPU per update than the
echo bot itself).

Usage: python -m bench.pipeline [--updates N] [--rate R] [--seconds S] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx

from bench.fanout import TOKEN
from bench.scratch import scratch_database
from bot.channels.telegram.render import WEBHOOK_HEADER as TELEGRAM_HEADER
from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.webhook import derive_secret
from core.i18n import load_translator
from fakes.telegram_server import FakeTelegram
from storage import migrate
from storage.db import create_engine

ROOT = Path(__file__).resolve().parent.parent
KEY = "pipeline-bench-secret-" + "p" * 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The welcome a new person's /menu gets ends with the age question (in the bot's language).
WELCOME = load_translator().gettext("Before we start: how old are you?")


@dataclass
class Target:
    name: str
    urls: list[str]
    secret: str
    answer: str  # what every first reply must contain (an apology for an error is no answer)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (fields 14 and 15 of /proc/PID/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


@contextlib.asynccontextmanager
async def processes(commands: list[tuple[list[str], dict[str, str]]], urls: list[str]) -> AsyncIterator[list[int]]:
    children = [
        await asyncio.create_subprocess_exec(
            *command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for command, env in commands
    ]
    try:
        async with httpx.AsyncClient() as http:
            for url in urls:
                for _ in range(300):
                    with contextlib.suppress(httpx.HTTPError):
                        if (await http.get(url + "/healthz")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
        yield [child.pid for child in children]
    finally:
        for child in children:
            child.terminate()
        for child in children:
            await child.wait()


class Load:
    """The load generator.  ``fake`` is only used to write updates; the server runs in its own process."""

    def __init__(self, fake: FakeTelegram, api_url: str, server_pid: int | None = None) -> None:
        self.fake = fake
        self.api_url = api_url
        self.server_pid = server_pid
        self.next_user = 10_000_000

    def updates(self, count: int) -> list[tuple[int, bytes]]:
        """One update per new person, encoded before the clock starts."""
        found = []
        for _ in range(count):
            self.next_user += 1
            update = self.fake.take(self.fake.user_sends(self.next_user, "/menu"))
            found.append((self.next_user, json.dumps(update).encode()))
        return found

    @staticmethod
    async def _post(http: aiohttp.ClientSession, target: Target, n: int, body: bytes) -> None:
        url = target.urls[n % len(target.urls)] + TELEGRAM_PATH
        headers = {TELEGRAM_HEADER: target.secret, "Content-Type": "application/json"}
        async with http.post(url, data=body, headers=headers) as response:
            response.raise_for_status()
            await response.read()

    async def replies(self, target: Target, users: list[int], timeout: float = 120) -> dict[int, float]:
        """When each person's first reply reached the server (wall clock); stops if any was not the answer."""
        deadline = time.time() + timeout
        async with httpx.AsyncClient() as http:
            while True:
                first = (await http.get(self.api_url + "/_fake/first-replies")).json()
                got = {u: float(first[str(u)]) for u in users if str(u) in first}
                if len(got) == len(users) or time.time() > deadline:
                    break
                await asyncio.sleep(0.2)
            said = (await http.get(self.api_url + "/_fake/first-replies", params={"text": "1"})).json()
        wrong = [u for u in got if target.answer not in said[str(u)][1]]
        if wrong:
            example = said[str(wrong[0])][1]
            raise SystemExit(f"{target.name}: {len(wrong)} first replies were not the answer, e.g. {example!r}")
        return got

    async def throughput(self, target: Target, count: int) -> float:
        batch = self.updates(count)
        gate = asyncio.Semaphore(64)
        connector = aiohttp.TCPConnector(limit=64)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:

            async def one(n: int, update: bytes) -> None:
                async with gate:
                    await self._post(http, target, n, update)

            started = time.time()
            await asyncio.gather(*(one(n, u) for n, (_, u) in enumerate(batch)))
            got = await self.replies(target, [u for u, _ in batch])
        assert len(got) == count, f"{count - len(got)} updates got no reply"
        return count / (max(got.values()) - started)

    async def latency(self, target: Target, rate: float, seconds: float) -> list[float]:
        batch = self.updates(int(rate * seconds))
        sent: dict[int, float] = {}
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
            started = time.time()

            async def one(n: int, user: int, update: bytes) -> None:
                await asyncio.sleep(max(0.0, started + n / rate - time.time()))
                sent[user] = time.time()
                await self._post(http, target, n, update)

            await asyncio.gather(*(one(n, user, u) for n, (user, u) in enumerate(batch)))
            got = await self.replies(target, [u for u, _ in batch])
        assert len(got) == len(batch), f"{len(batch) - len(got)} updates got no reply"
        return [got[u] - sent[u] for u, _ in batch]


def worker_command(
    port: int, api_url: str, data_dir: str, database_url: str | None
) -> tuple[list[str], dict[str, str]]:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DIEMTUA_SECRET_KEY": KEY,
        "DIEMTUA_DATA_DIR": data_dir,
        "DIEMTUA_TELEGRAM_PER_SECOND": "1000",
        "DIEMTUA_LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DIEMTUA_DATABASE_URL"] = database_url
    return [sys.executable, "-m", "bot", "webhook", "--port", str(port)], env


async def measure(
    name: str, load: Load, target: Target, pids: list[int], updates: int, rate: float, seconds: float
) -> dict[str, float]:
    await load.throughput(target, 50)  # warm up: connections, caches, first-time imports
    server = [load.server_pid] if load.server_pid else []
    bot, fake, mine = cpu_seconds(pids), cpu_seconds(server), time.process_time()
    rate_reached = await load.throughput(target, updates)
    bot, fake, mine = cpu_seconds(pids) - bot, cpu_seconds(server) - fake, time.process_time() - mine
    latencies = sorted(await load.latency(target, rate, seconds))
    p = statistics.quantiles(latencies, n=100)
    figures = {
        "throughput": rate_reached, "cpu_ms": bot / updates * 1000, "generator_ms": mine / updates * 1000,
        "server_ms": fake / updates * 1000, "p50": p[49] * 1000, "p99": p[98] * 1000,
    }  # fmt: skip
    print(
        f"{name}: throughput={rate_reached:.0f} updates/s; CPU per update {figures['cpu_ms']:.2f} ms "
        f"(load generator {figures['generator_ms']:.2f} ms, fake server {figures['server_ms']:.2f} ms); "
        f"at {rate:.0f}/s: p50={figures['p50']:.1f} ms p99={figures['p99']:.1f} ms max={latencies[-1] * 1000:.1f} ms"
    )
    return figures


async def main(updates: int, rate: float, seconds: float, database_url: str | None) -> None:
    api_port = free_port()
    api = f"http://127.0.0.1:{api_port}"
    load = Load(FakeTelegram(), api)
    server = [sys.executable, "-m", "bench.fake_process", str(api_port)]
    async with processes([(server, {})], []) as pids:
        load.server_pid = pids[0]
        await wait_listening(api_port)
        results = await run_all(load, api, updates, rate, seconds, database_url)
    echo = results["echo"]["cpu_ms"]
    for name, figures in results.items():
        if name != "echo":
            print(f"{name}: CPU per update {figures['cpu_ms'] / echo:.2f}x the echo bot's")


async def wait_listening(port: int) -> None:
    for _ in range(300):
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the fake server did not start")


async def run_all(
    load: Load, api: str, updates: int, rate: float, seconds: float, database_url: str | None
) -> dict[str, dict[str, float]]:
    results = {}
    port = free_port()
    secret = "echo-bench-secret-0123456789"
    echo = Target("echo", [f"http://127.0.0.1:{port}"], secret, "/menu")
    command = [sys.executable, "-m", "bench.echo_bot", str(port), api, secret]
    async with processes([(command, {})], echo.urls) as pids:
        results["echo"] = await measure("aiogram echo bot", load, echo, pids, updates, rate, seconds)
    hook = derive_secret(KEY.encode(), "telegram")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        one = Target("sqlite", [f"http://127.0.0.1:{port}"], hook, WELCOME)
        async with processes([worker_command(port, api, tmp, None)], one.urls) as pids:
            name = "Điểm Tựa, SQLite, 1 worker"  # (noqa: i18n)
            results[name] = await measure(name, load, one, pids, updates, rate, seconds)
    if database_url:
        async with scratch_database(database_url) as url:
            assert url is not None
            engine = create_engine(url)
            await migrate.upgrade(engine)
            await engine.dispose()
            for workers in (1, 2):
                with tempfile.TemporaryDirectory() as tmp:
                    ports = [free_port() for _ in range(workers)]
                    target = Target("pg", [f"http://127.0.0.1:{p}" for p in ports], hook, WELCOME)
                    commands = [worker_command(p, api, f"{tmp}/{p}", url) for p in ports]
                    async with processes(commands, target.urls) as pids:
                        name = f"Điểm Tựa, PostgreSQL, {workers} worker{'s' if workers > 1 else ''}"  # (noqa: i18n)
                        results[name] = await measure(name, load, target, pids, updates, rate, seconds)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.rate, args.seconds, args.database_url))
