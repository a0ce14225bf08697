"""The bot as it is deployed: ``python -m bot run`` (polling) or ``python -m bot webhook`` started as a process
of its own, with its scheduler, against the fake Telegram and Zalo servers of the test; and the people who
talk to it, seen only from the outside (what they send, what reaches their chat).

The process's clock is set from outside (``DIEMTUA_CLOCK_START`` / ``DIEMTUA_CLOCK_RATE``), so a reminder due
tomorrow is seen arriving in seconds; nothing here sleeps for the bot's sake but to wait for what it sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from bot.channels.telegram.render import WEBHOOK_HEADER as TELEGRAM_HEADER
from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.webhook import webhook_secret
from bot.channels.zalo.channel import HEADER as ZALO_HEADER
from bot.channels.zalo.channel import PATH as ZALO_PATH
from bot.config import Settings
from fakes.telegram_server import FakeTelegram, SentMessage
from fakes.zalo_server import FakeZalo
from tests.dialog import numbered_choices

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:PROCESS-token-abcdefghijklmnopqrstuvwxyz"
ZALO_TOKEN = "1234567890:zalo-process-token-abcdefgh"
SECRET = "process-test-secret-" + "y" * 40
SETTLE = 0.3  # seconds without a new message after the one awaited: the rest of the answer has come
WAIT = 30.0  # seconds at most for an answer (two CPUs shared with the test and the database)
Mode = Literal["run", "webhook"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Deployment:
    """One deployment's configuration: data folder, database, secret, channels, and the clock it runs on."""

    data_dir: Path
    fake: FakeTelegram
    zalo: FakeZalo | None = None
    database_url: str | None = None
    library: Literal["aiogram", "ptb"] = "aiogram"
    extra: dict[str, str] = field(default_factory=dict)

    def env(self, clock_start: datetime | None = None, clock_rate: float = 1.0) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIEMTUA_", "TELEGRAM_", "ZALO_"))}
        env.update(
            DIEMTUA_DATA_DIR=str(self.data_dir),
            DIEMTUA_SECRET_KEY=SECRET,
            DIEMTUA_LOG_LEVEL="INFO",
            DIEMTUA_TELEGRAM_LIBRARY=self.library,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.fake.url,
            DIEMTUA_CONSOLE_PORT="0",  # the web console on a free port: its address is in the log
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
            COLUMNS="200",
        )
        if self.zalo is not None:
            env.update(ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_URL=self.zalo.url)
        if self.database_url:
            env["DIEMTUA_DATABASE_URL"] = self.database_url
        if clock_start is not None:
            env["DIEMTUA_CLOCK_START"] = clock_start.isoformat()
        if clock_rate != 1.0:
            env["DIEMTUA_CLOCK_RATE"] = repr(clock_rate)
        env.update(self.extra)
        return env

    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, secret_key=SecretStr(SECRET), database_url=self.database_url)

    async def cli(self, *args: str, clock_start: datetime | None = None) -> str:
        """Run ``python -m bot ARGS`` as an operator would; returns what it printed."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.data_dir.parent,
            env=self.env(clock_start),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, f"bot {' '.join(args)} exited {process.returncode}: {err.decode()[-2000:]}"
        return out.decode() + err.decode()

    async def invite(self, role: str, point: str = "sample-hn-hk-01", clock_start: datetime | None = None) -> str:
        printed = await self.cli("staff", "invite", "--role", role, "--point", point, clock_start=clock_start)
        found = re.search(r"/staff\s+(\S+)", printed)
        assert found, printed
        return found.group(1)


@dataclass
class BotProcess:
    """A running ``python -m bot run|webhook``; its log is kept in a file and shown when a test fails."""

    deployment: Deployment
    mode: Mode
    process: asyncio.subprocess.Process
    log_path: Path
    port: int | None = None
    killed: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def console_url(self) -> str:
        """Where the process serves the web console: the address it logged (``run``), or /web beside the webhooks."""
        if self.mode == "webhook":
            return self.url + "/web"
        found = re.search(r"the web console is at (http://\S+/web)", self.log())
        assert found, self.log()[-2000:]
        return found.group(1)

    async def wait_ready(self, timeout: float = 60.0, *, follower: bool = False) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        polled = len([c for c in self.deployment.fake.calls if c[0] == "getUpdates"])
        async with httpx.AsyncClient(timeout=2) as http:
            while True:
                assert self.process.returncode is None, f"the bot exited {self.process.returncode}:\n{self.log()}"
                if self.mode == "webhook":
                    with contextlib.suppress(httpx.HTTPError):
                        if (await http.get(self.url + "/healthz")).status_code == 200:
                            break
                elif len([c for c in self.deployment.fake.calls if c[0] == "getUpdates"]) > polled:
                    break
                assert asyncio.get_running_loop().time() < deadline, f"the bot did not start:\n{self.log()}"
                await asyncio.sleep(0.05)
        # The scheduler starts once the process leads (at once on SQLite, within a lock check on PostgreSQL); a
        # second worker beside a leader waits to take over instead.
        while "the scheduler has started" not in self.log() and not (follower and "waits to take over" in self.log()):
            assert asyncio.get_running_loop().time() < deadline, f"the scheduler did not start:\n{self.log()}"
            await asyncio.sleep(0.05)

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            self.deployment.fake.wake_polls()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.deployment.fake._closing = False  # the next process polls normally
        return int(self.process.returncode or 0)

    async def kill(self) -> None:
        """kill -9: no clean-up at all."""
        self.killed = True
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self.deployment.fake._closing = False

    def problems(self) -> list[str]:
        """Log lines that mean something went wrong in the process (a failed or unawaited job, a traceback)."""
        bad = ("WARNING bot.jobs.scheduler", "never awaited", "Traceback", "ERROR ")
        return [line for line in self.log().splitlines() if any(b in line for b in bad)]


@contextlib.asynccontextmanager
async def running(
    deployment: Deployment,
    mode: Mode,
    *,
    clock_start: datetime | None = None,
    clock_rate: float = 1.0,
    name: str = "bot",
    follower: bool = False,
) -> AsyncIterator[BotProcess]:
    """The bot process for the length of the block, stopped with SIGTERM after it (and its log checked);
    ``follower``: another process already leads the scheduler."""
    port = free_port() if mode == "webhook" else None
    args = ["run"] if mode == "run" else ["webhook", "--host", "127.0.0.1", "--port", str(port)]
    log_path = deployment.data_dir.parent / f"{name}-{mode}.log"
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=deployment.data_dir.parent,
            env=deployment.env(clock_start, clock_rate),
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
        )
    bot = BotProcess(deployment, mode, process, log_path, port)
    try:
        await bot.wait_ready(follower=follower)
        yield bot
    except BaseException:
        sys.stderr.write(f"--- {log_path.name} ---\n{bot.log()[-6000:]}\n")
        raise
    finally:
        code = await bot.stop()
    if bot.killed:
        return
    assert code == 0, f"the bot exited {code}:\n{bot.log()[-4000:]}"
    assert bot.problems() == [], "\n".join(bot.problems())


async def eventually(check: Callable[[], bool], what: str | Callable[[], str], timeout: float = WAIT) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() >= deadline:
            raise AssertionError(f"never happened: {what if isinstance(what, str) else what()}")
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------------------- people, seen from outside


@dataclass
class TelegramPerson:
    """Someone on Telegram: sends through the fake server (polled by the bot, or POSTed to its webhook)."""

    fake: FakeTelegram
    user_id: int
    bot: BotProcess | None = None  # in webhook mode, where their updates are posted

    def messages(self) -> list[SentMessage]:
        return [m for m in self.fake.messages(self.user_id) if m.method == "sendMessage"]

    def texts(self) -> list[str]:
        return [m.text for m in self.messages()]

    async def _deliver(self, update_id: int) -> None:
        if self.bot is None or self.bot.mode == "run":
            return
        body = self.fake.take(update_id)
        secret = webhook_secret(self.bot.deployment.settings(), "telegram")
        async with httpx.AsyncClient(timeout=WAIT) as http:
            answer = await http.post(
                self.bot.url + TELEGRAM_PATH, content=json.dumps(body), headers={TELEGRAM_HEADER: secret}
            )
        assert answer.status_code == 200, f"the webhook answered {answer.status_code}"

    async def _turn(self, update_id: int, expect: str) -> str:
        before = len(self.messages())
        await self._deliver(update_id)
        return await answer_after(lambda: [shown(m) for m in self.messages()[before:]], expect)

    async def say(self, text: str, expect: str) -> str:
        return await self._turn(self.fake.user_sends(self.user_id, text), expect)

    async def send(self, text: str) -> None:
        """Write without waiting for an answer (in a live talk, the bot answers nothing: it passes it on)."""
        await self._deliver(self.fake.user_sends(self.user_id, text))

    async def press(self, label: str, expect: str) -> str:
        for message in reversed(self.messages()):
            for button in message.buttons:
                if button["text"] == label and "callback_data" in button:
                    return await self._turn(
                        self.fake.user_presses(self.user_id, button["callback_data"], message), expect
                    )
                if button["text"] == label:
                    return await self.say(label, expect)
        raise AssertionError(f"no button {label!r} in the chat of {self.user_id}: {self.texts()[-3:]}")

    def choices(self) -> list[str]:
        for message in reversed(self.messages()):
            if message.buttons:
                return message.labels
        return []


@dataclass
class ZaloPerson:
    """Someone on Zalo: plain text; choices are numbered and chosen by typing the number."""

    fake: FakeZalo
    user_id: str
    bot: BotProcess | None = None

    def texts(self) -> list[str]:
        return [m.text for m in self.fake.messages(self.user_id)]

    async def say(self, text: str, expect: str) -> str:
        before = len(self.texts())
        await self.send(text)
        return await answer_after(lambda: self.texts()[before:], expect)

    async def send(self, text: str) -> None:
        """Write without waiting for an answer."""
        if self.bot is not None and self.bot.mode == "webhook":
            update = self.fake.update(self.user_id, "message.text.received", text=text)
            secret = webhook_secret(self.bot.deployment.settings(), "zalo")
            async with httpx.AsyncClient(timeout=WAIT) as http:
                answer = await http.post(
                    self.bot.url + ZALO_PATH, content=json.dumps(update), headers={ZALO_HEADER: secret}
                )
            assert answer.status_code == 200, f"the webhook answered {answer.status_code}"
        else:
            self.fake.user_sends(self.user_id, text)

    async def press(self, label: str, expect: str) -> str:
        offered = numbered_choices("\n\n".join(self.texts()[-2:]))
        assert label in offered, f"{label!r} not offered to {self.user_id}; offered: {offered}"
        return await self.say(str(offered.index(label) + 1), expect)


def received(person: TelegramPerson | ZaloPerson, fragment: str) -> Callable[[], bool]:
    """Whether something holding ``fragment`` has reached the person's chat."""
    return lambda: any(fragment in text for text in person.texts())


def shown(message: SentMessage) -> str:
    """A message as the person sees it: its text, and its buttons' labels."""
    return "\n".join([message.text, *(f"[{label}]" for label in message.labels)])


async def answer_after(new: Callable[[], Sequence[str]], expect: str) -> str:
    """Wait until what arrived since the person's message holds ``expect``, and then for the rest of it."""
    try:
        await eventually(lambda: bool(new()) and expect in "\n\n".join(new()), f"an answer with {expect!r}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; what came instead: {list(new())}") from None
    seen = len(new())
    while True:
        await asyncio.sleep(SETTLE)
        if len(new()) == seen:
            return "\n\n".join(new())
        seen = len(new())


def dump(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, indent=1)
