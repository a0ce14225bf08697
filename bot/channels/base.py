"""What every channel is: the :class:`Channel` contract, and :class:`InOrder`, the base that handles a
platform's updates the same way on every platform.

A channel turns a platform's update into a platform-neutral event (the platform id becomes a pseudonym at the
door, once), hands it to the conversation in the person's turn, and renders the replies back; it is also the
outbox's sender for its platform, and serves its own webhook route.  Adding a platform is implementing this
contract in its own folder plus one line in :mod:`bot.channels.registry`.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.channels.replying import Replier
from core.conversation import Conversation
from core.events import ChannelInfo, Choice, Event, Outcome, Passed, Render, Reply, Wipe
from core.pseudonym import Pseudonymizer
from core.ratelimit import SendLimiter

UpdateHandler = Callable[[dict[str, Any]], Awaitable[object]]


class Delivery(enum.Enum):
    """How sending one outbox message went."""

    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot, or the chat is gone
    RETRY = "retry"  # a transient failure; the message did not arrive
    UNKNOWN = "unknown"  # the request left and no answer came: it may have arrived


class Sender(Protocol):
    """What the dispatcher needs of a channel to send outbox messages and left-over replies."""

    limiter: SendLimiter
    info: ChannelInfo

    async def deliver(self, address: str, text: str, choices: Sequence[Choice] = ()) -> Delivery: ...

    async def send_replies(self, address: str, replies: Sequence[Reply], sent: list[int] | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class WebhookRoute:
    """A channel's webhook: its path, the header that carries the platform's secret, and the handler of one
    update body (which raises ``BadUpdate`` for a body that is not an update)."""

    path: str
    header: str
    handle: UpdateHandler


class Channel(Sender, Protocol):
    """One platform, as the process runs it."""

    name: str  # the channel name events carry: "telegram", "zalo"
    label: str  # for the operator: "Telegram (aiogram)"

    @property
    def webhook(self) -> WebhookRoute: ...

    async def run_polling(self) -> None:
        """Long polling until :meth:`stop`."""

    async def stop(self) -> None:
        """Stop polling (the updates being handled finish)."""

    async def register_webhook(self, url: str | None, secret: str) -> None:
        """Tell the platform where the webhook is (``url``), or, without one, only get ready to serve it."""

    async def close(self) -> None:
        """Send what is left to send and let go of the platform's connections."""


class InOrder:
    """The base of every channel's inbound side: one person's updates are handled in the order they came (the
    conversation's own per-person lock, taken once per update), one person over their rate limit is dropped at
    once, replies are sent in order (by webhook: after the platform has its answer), and handled updates are
    counted (for health checks and tests)."""

    name: str
    info: ChannelInfo

    def __init__(self, conversation: Conversation, pseudonyms: Pseudonymizer, send: SendReplies) -> None:
        self._conversation = conversation
        self._pseudonyms = pseudonyms
        self.by_webhook = False  # updates come by webhook: the platform delivers again what was not answered 200
        self.replier = Replier(send, conversation.replies_sent, self.delete_messages)
        self.processed = 0
        self._progress = asyncio.Condition()
        conversation.onward.register(self.name, self.pass_here)

    def pseudonym(self, platform_id: int | str) -> str:
        return self._pseudonyms.of(self.name, platform_id)

    def delivery_key(self, update_id: int | str) -> str:
        return self._pseudonyms.delivery_key(self.name, str(update_id))

    @contextlib.asynccontextmanager
    async def turn(self, person: str | None) -> AsyncIterator[bool]:
        """Hold ``person``'s turn while their update is handled and answered (None: an update from nobody,
        handled without one).  Yields False when the person is over their limit: drop the update."""
        try:
            if person is None:
                yield True
            elif not self._conversation.admit(person):
                yield False
            else:
                async with self._conversation.turn(person):
                    yield True
        finally:
            async with self._progress:
                self.processed += 1
                self._progress.notify_all()

    async def answer(self, event: Event, *, redeliverable: bool = False) -> Outcome:
        """Handle ``event`` in its person's turn (held by :meth:`turn`) and send its replies.  With
        ``redeliverable``, an update that cannot be committed raises, for the platform to send it again."""
        outcome = await self._conversation.handle(event, self.info, redeliverable=redeliverable, in_turn=True)
        if not outcome.duplicate and event.address:  # by webhook: after the platform has its answer
            await self.replier.answer(event.address, outcome, later=self.by_webhook or redeliverable)
        self._conversation.onward.send(outcome.passed)
        return outcome

    async def delete_messages(self, address: str, wipe: Wipe) -> None:
        """Delete a chat's messages ``wipe.first`` to ``wipe.last`` (a channel that can: ``Render.DELETE``)."""

    def pass_here(self, passed: Passed) -> None:
        """Send a message passed on by another person's event to an address of this channel, in the background
        after whatever is still going to that chat; without buttons, its choices become answerable by number."""
        choices = [choice for reply in passed.replies for choice in reply.choices]
        then = None
        if choices and not self.info.renders & Render.BUTTONS:

            async def then() -> None:
                await self._conversation.offer(passed.pseudonym, choices)

        outcome = Outcome(replies=list(passed.replies), reply_id=passed.reply_id, wipe=passed.wipe, mark=passed.mark)
        self.replier.later(passed.address, outcome, then)

    async def wait_processed(self, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` updates in all have been handled."""
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: self.processed >= count), timeout)

    async def drain(self) -> None:
        """Wait for the replies still being sent after their webhook was answered."""
        await self.replier.drain()


# Send replies to an address; the numbers of the messages sent are added to the list, when one is given.
SendReplies = Callable[[str, Sequence[Reply], list[int] | None], Awaitable[bool]]
