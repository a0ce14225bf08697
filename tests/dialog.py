"""Dialog tables: what the person sends -> what the bot must answer, run unchanged through every channel.

A driver plays one channel: the console (numbered choices, typed numbers) or Telegram (real aiogram
against the fake Bot API server, buttons pressed by their callback data).  A step names the person's
action and what the answer must contain; ``choices`` lists the labels offered, in order.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest

from bot.channels.console import ConsoleChannel
from bot.channels.zalo.channel import ZaloChannel
from bot.runtime import Runtime
from fakes.telegram_server import FakeTelegram, SentMessage
from fakes.zalo_server import FakeZalo


@dataclass(frozen=True)
class Turn:
    text: str
    choices: list[str]


@dataclass(frozen=True)
class Step:
    action: str  # "say" | "press" | "location"
    value: str
    expect: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    choices: tuple[str, ...] | None = None


def say(text: str, *expect: str, absent: Sequence[str] = (), choices: Sequence[str] | None = None) -> Step:
    return Step("say", text, tuple(expect), tuple(absent), tuple(choices) if choices is not None else None)


def press(label: str, *expect: str, absent: Sequence[str] = (), choices: Sequence[str] | None = None) -> Step:
    return Step("press", label, tuple(expect), tuple(absent), tuple(choices) if choices is not None else None)


def location(lat: float, lon: float, *expect: str, choices: Sequence[str] | None = None) -> Step:
    return Step("location", f"{lat} {lon}", tuple(expect), (), tuple(choices) if choices is not None else None)


def contact(phone: str, *expect: str, absent: Sequence[str] = (), choices: Sequence[str] | None = None) -> Step:
    return Step("contact", phone, tuple(expect), tuple(absent), tuple(choices) if choices is not None else None)


class Driver(Protocol):
    name: str

    async def say(self, text: str) -> Turn: ...

    async def press(self, label: str) -> Turn: ...

    async def share_location(self, latitude: float, longitude: float) -> Turn: ...

    async def share_contact(self, phone: str) -> Turn: ...


_NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


def numbered_choices(output: str) -> list[str]:
    """The choices of a plain-text answer: its last numbered list."""
    blocks = [b for b in output.split("\n\n") if _NUMBERED.search(b)]
    return [m.group(2) for m in _NUMBERED.finditer(blocks[-1])] if blocks else []


class ConsoleDriver:
    name = "console"

    def __init__(self, runtime: Runtime, user_id: str = "dialog-user") -> None:
        self._out = io.StringIO()
        self._channel = ConsoleChannel(
            runtime.conversation, runtime.pseudonyms, user_id=user_id, stdin=io.StringIO(), stdout=self._out
        )
        self._last: Turn = Turn("", [])

    async def say(self, text: str) -> Turn:
        self._out.seek(0)
        self._out.truncate()
        await self._channel.send(text)
        output = self._out.getvalue()
        self._last = Turn(output, numbered_choices(output))
        return self._last

    async def press(self, label: str) -> Turn:
        assert label in self._last.choices, f"{label!r} not offered; offered: {self._last.choices}"
        return await self.say(str(self._last.choices.index(label) + 1))

    async def share_location(self, latitude: float, longitude: float) -> Turn:
        return await self.say(f"/location {latitude} {longitude}")

    async def share_contact(self, phone: str) -> Turn:
        return await self.say(f"/contact {phone}")


class TelegramRuntime(Protocol):
    async def wait_processed(self, count: int, timeout: float = 10.0) -> None: ...

    async def drain(self) -> None:
        """The replies of updates already answered (by webhook) have been sent."""
        ...


@dataclass
class TelegramDriver:
    """Telegram through a real library (aiogram or python-telegram-bot) against the fake Bot API server."""

    fake: FakeTelegram
    channel: TelegramRuntime
    user_id: int = 5550001
    name: str = "telegram"
    pushed: int = field(default=0)
    # With a webhook, updates are POSTed to the bot's webhook application instead of polled.
    webhook: Callable[[dict[str, Any]], Awaitable[int]] | None = None

    async def _run(self, update_id: int) -> Turn:
        before = len(self.fake.messages(self.user_id))
        if self.webhook is not None:
            status = await self.webhook(self.fake.take(update_id))
            assert status == 200, f"the webhook answered {status}"
            await self.channel.drain()  # the webhook is answered first; the replies follow
            return self.turn(self.fake.messages(self.user_id)[before:])
        self.pushed = self.fake.pushed  # every driver of this fake server counts the same updates
        await self.channel.wait_processed(self.pushed)
        new = self.fake.messages(self.user_id)[before:]
        return self.turn(new)

    @staticmethod
    def turn(messages: list[SentMessage]) -> Turn:
        text = "\n\n".join(m.text for m in messages)
        with_buttons = [m for m in messages if m.buttons]
        choices = (
            [b["text"] for b in with_buttons[-1].buttons if not (b.get("request_location") or b.get("request_contact"))]
            if with_buttons
            else []
        )
        return Turn(text, choices)

    async def say(self, text: str) -> Turn:
        return await self._run(self.fake.user_sends(self.user_id, text))

    async def reply(self, text: str, to: SentMessage) -> Turn:
        """Write ``text`` as a reply to the bot's message ``to`` (Telegram's swipe-reply)."""
        return await self._run(self.fake.user_sends(self.user_id, text, replying_to=to))

    def receive(self, since: int) -> Turn:
        """What the bot sent on its own (reminders) from message number ``since`` on."""
        return self.turn(self.fake.messages(self.user_id)[since:])

    def count(self) -> int:
        return len(self.fake.messages(self.user_id))

    async def press_data(self, data: str) -> Turn:
        """Press a button with this callback data, offered or not (a replayed or forged press)."""
        return await self._run(self.fake.user_presses(self.user_id, data))

    async def press(self, label: str) -> Turn:
        for message in reversed(self.fake.messages(self.user_id)):
            for button in message.buttons:
                if button["text"] == label:
                    if "callback_data" in button:
                        return await self._run(self.fake.user_presses(self.user_id, button["callback_data"], message))
                    return await self.say(label)  # a reply-keyboard button sends its label
        raise AssertionError(f"no button {label!r} in the chat")

    async def share_location(self, latitude: float, longitude: float) -> Turn:
        return await self._run(self.fake.user_shares_location(self.user_id, latitude, longitude))

    async def share_contact(self, phone: str) -> Turn:
        return await self._run(self.fake.user_shares_contact(self.user_id, phone))

    async def share_contact_of_someone_else(self, phone: str) -> Turn:
        return await self._run(self.fake.user_shares_contact(self.user_id, phone, own=False))


@dataclass
class ZaloDriver:
    """Zalo: plain text in and out; choices are numbered, chosen by typing the number.  Updates reach the
    bot by long polling, or, with ``webhook`` set, are POSTed to the webhook application."""

    fake: FakeZalo
    channel: ZaloChannel
    user_id: str = "7a1e5b0c9d8f6e4a3b21"
    name: str = "zalo"
    can_share_location: bool = False
    webhook: Callable[[dict[str, Any]], Awaitable[int]] | None = None
    _last: Turn = field(default_factory=lambda: Turn("", []))

    async def _deliver(self, update: dict[str, Any]) -> None:
        if self.webhook is not None:
            status = await self.webhook(update)
            assert status == 200, f"the webhook answered {status}"
            await self.channel.drain()  # the webhook is answered first; the replies follow
        else:
            await self.channel.wait_processed(self.fake.pushed)

    async def say(self, text: str) -> Turn:
        before = len(self.fake.messages(self.user_id))
        if self.webhook is not None:
            await self._deliver(self.fake.update(self.user_id, "message.text.received", text=text))
        else:
            self.fake.user_sends(self.user_id, text)
            await self._deliver({})
        output = "\n\n".join(m.text for m in self.fake.messages(self.user_id)[before:])
        self._last = Turn(output, numbered_choices(output))
        return self._last

    async def press(self, label: str) -> Turn:
        assert label in self._last.choices, f"{label!r} not offered; offered: {self._last.choices}"
        return await self.say(str(self._last.choices.index(label) + 1))

    async def share_location(self, latitude: float, longitude: float) -> Turn:
        raise NotImplementedError("Zalo cannot share a location: the person types a place instead")

    def receive(self, since: int) -> Turn:
        """What the bot sent on its own (reminders) from message number ``since`` on, as the current turn."""
        output = "\n\n".join(m.text for m in self.fake.messages(self.user_id)[since:])
        self._last = Turn(output, numbered_choices(output))
        return self._last

    def count(self) -> int:
        return len(self.fake.messages(self.user_id))

    async def share_contact(self, phone: str) -> Turn:
        return await self.say(phone)  # no contact button on Zalo: the number is typed


async def play(driver: Driver, steps: Sequence[Step]) -> list[Turn]:
    turns = []
    for number, step in enumerate(steps, start=1):
        if step.action == "say":
            turn = await driver.say(step.value)
        elif step.action == "press":
            turn = await driver.press(step.value)
        elif step.action == "location":
            if not getattr(driver, "can_share_location", True):
                pytest.skip(f"{driver.name} has no location sharing (people type a place there instead)")
            lat, lon = (float(v) for v in step.value.split())
            turn = await driver.share_location(lat, lon)
        elif step.action == "contact":
            turn = await driver.share_contact(step.value)
        else:
            raise ValueError(step.action)
        where = f"[{driver.name}] step {number} ({step.action} {step.value!r})"
        assert turn.text.strip(), f"{where}: no answer"
        for fragment in step.expect:
            assert fragment in turn.text, f"{where}: expected {fragment!r} in:\n{turn.text}"
        for fragment in step.absent:
            assert fragment not in turn.text, f"{where}: did not expect {fragment!r} in:\n{turn.text}"
        if step.choices is not None:
            assert turn.choices == list(step.choices), f"{where}: choices {turn.choices}"
        turns.append(turn)
    return turns
