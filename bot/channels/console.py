"""The console channel: the same conversation in a terminal, or over piped stdin for scripts and tests.

Choices are numbered (type the number or the label); ``/location LAT LON`` shares a location,
``/contact PHONE`` shares a phone number, ``/quit`` (or end of input) leaves.
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import TextIO

from rich.console import Console

from core.conversation import Conversation
from core.events import (
    ChannelInfo,
    ContactShared,
    Event,
    Location,
    LocationShared,
    Render,
    Reply,
    TextMessage,
)
from core.pseudonym import Pseudonymizer
from core.render import render_plain

CHANNEL = "console"
INFO = ChannelInfo(name=CHANNEL, renders=Render.NONE)
_LOCATION = re.compile(r"^/location\s+(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)\s*$", re.IGNORECASE)
_CONTACT = re.compile(r"^/contact\s+(\+?[\d\s.-]{6,20})$", re.IGNORECASE)
QUIT = frozenset({"/quit", "/exit"})


def parse_line(line: str, user: str) -> Event:
    if match := _LOCATION.match(line.strip()):
        try:
            return LocationShared(user, CHANNEL, Location(float(match.group(1)), float(match.group(2))))
        except ValueError:
            pass
    if match := _CONTACT.match(line.strip()):
        return ContactShared(user, CHANNEL, phone=match.group(1).strip(), own=True)
    return TextMessage(user, CHANNEL, line)


class ConsoleChannel:
    def __init__(
        self,
        conversation: Conversation,
        pseudonyms: Pseudonymizer,
        *,
        user_id: str = "local",
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self._conversation = conversation
        self._user = pseudonyms.of(CHANNEL, user_id)
        self._stdin = stdin or sys.stdin
        self._out = Console(file=stdout or sys.stdout, highlight=False, soft_wrap=True, emoji=False)
        self._interactive = self._stdin.isatty()

    def show(self, reply: Reply) -> None:
        text = render_plain(reply, self._conversation.i18n)
        if reply.title:
            self._out.print(reply.title, style="bold", markup=False)
            text = text.removeprefix(reply.title).lstrip("\n")
        self._out.print(text, markup=False)
        self._out.print()

    async def send(self, line: str) -> None:
        outcome = await self._conversation.handle(parse_line(line, self._user), INFO)
        for reply in outcome.replies:
            self.show(reply)

    async def run(self, *, greet: bool = True) -> None:
        if greet:
            await self.send("/start")
        while True:
            if self._interactive:
                self._out.print("> ", end="")
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:  # end of input
                break
            line = line.rstrip("\n")
            if line.strip().lower() in QUIT:
                break
            if not line.strip():
                continue
            await self.send(line)
