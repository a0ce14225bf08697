"""Kept replies that have been sent, forgotten together.

Every event keeps its replies, sealed, in its own transaction (``core.replies``) and deletes them once they are
sent.  A transaction of its own for each deletion cost about as much as the event; instead the numbers of the
sent ones wait here and are deleted in the next event's transaction, or after ``delay`` seconds when no event
comes first (and when the process stops).  Until then a row only waits: its lease (two minutes) is far longer,
so the dispatcher does not send it again; a process that dies in between leaves it to the dispatcher, which sends
it once more (as it would have after a death between the sending and the deletion).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from core.logsafe import describe_exception

log = logging.getLogger(__name__)

# Delete in a transaction of its own; raise when that failed.
Forget = Callable[[list[int]], Awaitable[None]]


class SentReplies:
    def __init__(self, forget: Forget, delay: float = 0.25) -> None:
        self._forget = forget
        self._delay = delay
        self._ids: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, reply_ids: Iterable[int]) -> None:
        """These kept replies were sent: forget them soon."""
        self._ids.update(reply_ids)
        if self._ids and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._start_flush)

    def take(self) -> list[int]:
        """The ones waiting, for a transaction to delete (``add`` them back if it is not committed)."""
        taken, self._ids = sorted(self._ids), set()
        return taken

    def _start_flush(self) -> None:
        self._timer = None
        task = asyncio.create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self, *, again: bool = True) -> None:
        """Delete the ones waiting now; after a failure (logged) they wait for the next try, ``again``."""
        taken = self.take()
        if not taken:
            return
        try:
            await self._forget(taken)
        except Exception as exc:  # without a next try their leases run out: the dispatcher sends them once more
            log.warning("could not forget %d sent replies: %s", len(taken), describe_exception(exc))
            if again:
                self.add(taken)

    async def close(self) -> None:
        """Delete what is waiting before the process stops."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        await self.flush(again=False)
