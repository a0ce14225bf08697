"""Replies sent after a webhook has been answered: the event is committed (its replies with it, in
``pending_replies``), the platform gets its 200 at once, and the replies follow in the background, in order
per chat.  A process that stops first waits for them (``drain``); one that dies leaves them to the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from core.events import Outcome, Reply, Wipe
from core.logsafe import describe_exception

log = logging.getLogger(__name__)


class Replier:
    def __init__(
        self,
        send: Callable[[str, Sequence[Reply], list[int] | None], Awaitable[bool]],
        sent: Callable[[int | None, str | None, Sequence[int]], Awaitable[None]],
        wipe: Callable[[str, Wipe], Awaitable[None]] | None = None,
    ) -> None:
        self._send = send
        self._sent = sent
        self._wipe = wipe
        self._last: dict[str, asyncio.Task[None]] = {}  # per chat, the replies sent last (to keep their order)
        self._running: set[asyncio.Task[None]] = set()

    async def answer(self, address: str, outcome: Outcome, *, later: bool) -> None:
        """Send an event's replies now, or (``later``: its webhook is to be answered first) in the background."""
        if later:
            self.later(address, outcome)
        else:
            await self._wiped(address, outcome)
            await self._sent_now(address, outcome)

    async def _sent_now(self, address: str, outcome: Outcome) -> bool:
        """Send the replies, then forget their sealed copy (and remember the sent messages' numbers under the
        outcome's mark); False when they could not be sent now."""
        ids: list[int] | None = [] if outcome.mark is not None else None
        if not await self._send(address, outcome.replies, ids):
            return False
        await self._sent(outcome.reply_id, outcome.mark, ids or ())
        return True

    async def _wiped(self, address: str, outcome: Outcome) -> None:
        """Delete what the outcome asks to delete from the chat first (a failure only logged: the replies go)."""
        if outcome.wipe is None or self._wipe is None:
            return
        try:
            await self._wipe(address, outcome.wipe)
        except Exception as exc:
            log.warning("deleting a chat's messages failed: %s", describe_exception(exc))

    def later(self, address: str, outcome: Outcome, then: Callable[[], Awaitable[None]] | None = None) -> None:
        """Send ``outcome``'s replies to ``address`` after whatever is still going to that chat (and, once they are
        sent, run ``then``)."""
        previous = self._last.get(address)

        async def run() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            try:
                await self._wiped(address, outcome)
                if await self._sent_now(address, outcome) and then is not None:
                    await then()
            except Exception as exc:  # left in pending_replies: the dispatcher sends it
                log.error("sending replies failed: %s", describe_exception(exc))

        task = asyncio.create_task(run())
        self._last[address] = task
        self._running.add(task)

        def finished(done: asyncio.Task[None]) -> None:
            self._running.discard(done)
            if self._last.get(address) is done:
                del self._last[address]

        task.add_done_callback(finished)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for every reply started so far (at most ``timeout`` seconds)."""
        while self._running:
            done, _ = await asyncio.wait(set(self._running), timeout=timeout)
            if not done:
                log.warning("%d replies were still being sent when the channel stopped", len(self._running))
                return
