"""Benchmark: how long ``python -m bot webhook`` takes until ``/healthz`` answers, and how much memory it holds.

A fake Bot API server runs in its own process; the bot starts against it on a fresh SQLite data folder (the first
start creates the schema and loads nothing else) and is started again on the same folder (every later start).  For
each: seconds from spawning the process until ``/healthz`` answers 200, its resident memory (VmRSS from /proc) once
healthy and after it has answered a few people, and its peak (VmHWM).  The aiogram echo bot is the yardstick.

Usage: python -m bench.startup [--runs N] [--library aiogram|ptb] [--no-echo]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.fanout import TOKEN
from bench.pipeline import KEY, free_port, wait_listening
from bot.channels.telegram.render import WEBHOOK_HEADER, WEBHOOK_PATH
from bot.channels.webhook import derive_secret
from fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


async def start(command: list[str], env: dict[str, str], url: str) -> tuple[asyncio.subprocess.Process, float]:
    started = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    async with httpx.AsyncClient() as http:
        for _ in range(3000):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(url + "/healthz")).status_code == 200:
                    return child, time.perf_counter() - started
            if child.returncode is not None:
                break
            await asyncio.sleep(0.01)
    child.terminate()
    raise RuntimeError(f"{command[2]} did not become healthy")


async def talk(url: str, secret: str, fake: FakeTelegram, people: int) -> None:
    """A few people each send /menu, one after another, so the process has done its ordinary work once."""
    async with httpx.AsyncClient(timeout=30) as http:
        for n in range(people):
            update = fake.take(fake.user_sends(20_000_000 + n, "/menu"))
            (await http.post(url + WEBHOOK_PATH, json=update, headers={WEBHOOK_HEADER: secret})).raise_for_status()
    await asyncio.sleep(1)


async def measure(
    name: str, command: list[str], env: dict[str, str], secret: str, fake: FakeTelegram, port: int
) -> dict[str, float]:
    url = f"http://127.0.0.1:{port}"
    child, healthy = await start(command, env, url)
    try:
        await asyncio.sleep(1)
        idle = memory(child.pid)["VmRSS"]
        await talk(url, secret, fake, 20)
        used = memory(child.pid)
    finally:
        child.terminate()
        await child.wait()
    figures = {"healthy": healthy, "idle": idle, "after": used["VmRSS"], "peak": used["VmHWM"]}
    print(
        f"{name}: healthy after {healthy:.2f} s; RSS idle {idle:.0f} MB, after 20 people {used['VmRSS']:.0f} MB, "
        f"peak {used['VmHWM']:.0f} MB"
    )
    return figures


async def run(runs: int, library: str = "aiogram", echo: bool = True) -> dict[str, list[dict[str, float]]]:
    api_port = free_port()
    api = f"http://127.0.0.1:{api_port}"
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.fake_process", str(api_port), cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    fake = FakeTelegram()  # only to write updates
    results: dict[str, list[dict[str, float]]] = {"echo": [], "first": [], "later": []}
    try:
        await wait_listening(api_port)
        echo_secret = "startup-bench-secret-0123456789"
        for _ in range(runs if echo else 0):
            port = free_port()
            command = [sys.executable, "-m", "bench.echo_bot", str(port), api, echo_secret]
            results["echo"].append(await measure("aiogram echo bot", command, {}, echo_secret, fake, port))
        hook = derive_secret(KEY.encode(), "telegram")
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                env = {
                    "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api, "DIEMTUA_SECRET_KEY": KEY,
                    "DIEMTUA_DATA_DIR": tmp, "DIEMTUA_LOG_LEVEL": "WARNING", "DIEMTUA_TELEGRAM_LIBRARY": library,
                }  # fmt: skip
                for phase in ("first", "later"):
                    port = free_port()
                    command = [sys.executable, "-m", "bot", "webhook", "--port", str(port)]
                    label = f"python -m bot webhook ({library}), {phase} start"
                    results[phase].append(await measure(label, command, env, hook, fake, port))
    finally:
        server.terminate()
        await server.wait()
    for phase, found in results.items():
        if len(found) > 1:
            print(
                f"{phase}: median healthy {statistics.median(f['healthy'] for f in found):.2f} s, "
                f"idle RSS {statistics.median(f['idle'] for f in found):.0f} MB"
            )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--library", choices=("aiogram", "ptb"), default="aiogram")
    parser.add_argument("--no-echo", action="store_true", help="leave out the echo bot")
    args = parser.parse_args()
    asyncio.run(run(args.runs, args.library, not args.no_echo))
