"""The Zalo channel (Zalo Bot Platform): long polling or webhook, plain text, numbered choices.

Zalo has no buttons, no location sharing and no markup: replies are rendered as plain text (choices as a
numbered list: typing the number or the label chooses; "share your location" becomes "type your district
or ward") and split at 2000 characters on sentence boundaries.  Updates are accepted with or without the
``{ok, result}`` envelope; messages from bots are ignored; a message id seen before is not handled again
(in memory for polling, and in the database with the handling's own transaction).  The Zalo user id
becomes a pseudonym at the door.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from bot.channels.base import Delivery, InOrder, WebhookRoute
from bot.channels.zalo.client import MAX_TEXT, ZaloClient, ZaloError, ZaloForbidden, ZaloNetworkError
from core.conversation import Conversation
from core.events import ChannelInfo, Choice, Event, Render, Reply, TextMessage, UnsupportedMessage
from core.logsafe import describe_exception
from core.ports import StorageUnavailable
from core.pseudonym import Pseudonymizer
from core.ratelimit import Limits, SendLimiter
from core.render import render_plain
from core.text import split_text, utf16_length

log = logging.getLogger(__name__)

CHANNEL = "zalo"
PATH = "/webhook/zalo"
HEADER = "X-Bot-Api-Secret-Token"  # Zalo sends the secret given with setWebhook in it
INFO = ChannelInfo(name=CHANNEL, renders=Render.NONE)
PIECE = 1900  # under Zalo's 2000, with room for emoji counted twice
# Zalo publishes no rate numbers: stay well under what Telegram allows, and back off on 429.
ZALO = Limits(per_second=10.0, chat_interval=1.0, group_per_minute=20)
UNSUPPORTED = {
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "other",
}


def unwrap(body: Any) -> dict[str, Any] | None:
    """An update with or without the ``{ok, result}`` envelope; None if it is not one."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        return None
    return body


def _plain_id(value: object) -> bool:
    """A Zalo id: a non-empty string (or number) of letters and digits, nothing else."""
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value).isalnum()


def render(reply: Reply, i18n: Any) -> list[str]:
    return split_text(render_plain(reply, i18n), PIECE, utf16_length)


class ZaloChannel(InOrder):
    name = CHANNEL
    label = "Zalo"

    def __init__(
        self,
        conversation: Conversation,
        pseudonyms: Pseudonymizer,
        client: ZaloClient,
        *,
        limiter: SendLimiter | None = None,
    ) -> None:
        super().__init__(conversation, pseudonyms, self.send_replies)
        self.client = client
        self.info = INFO
        self.limiter = limiter or SendLimiter(ZALO, is_group=lambda chat: False)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task[bool]] = set()
        self._poll: asyncio.Task[Any] | None = None

    @property
    def webhook(self) -> WebhookRoute:
        return WebhookRoute(PATH, HEADER, functools.partial(self.handle_update, redeliverable=True))

    async def register_webhook(self, url: str | None, secret: str) -> None:
        if url is not None:
            await self.client.set_webhook(url, secret)

    async def close(self) -> None:
        await self.drain()

    # ------------------------------------------------------------------ in

    def event_of(self, update: Mapping[str, Any]) -> Event | None:
        """The event an update carries; None for one that is not a person's message (or is malformed)."""
        message = update["message"]
        sender, chat = message.get("from"), message.get("chat")
        if not isinstance(sender, dict) or not isinstance(chat, dict):
            return None
        if sender.get("is_bot") or not _plain_id(sender.get("id")) or not _plain_id(chat.get("id")):
            return None
        if str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE":
            return None  # group chats are not conversations
        user = self.pseudonym(str(sender["id"]))
        address, key = str(chat["id"]), self.delivery_key(str(message.get("message_id") or ""))
        name = str(update.get("event_name", ""))
        text = message.get("text")
        if name == "message.text.received" and isinstance(text, str) and text.strip():
            return TextMessage(user, CHANNEL, text, address=address, delivery_key=key)
        return UnsupportedMessage(user, CHANNEL, UNSUPPORTED.get(name, "other"), address=address, delivery_key=key)

    def _first_sight(self, key: str) -> bool:
        if not key:
            return True
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > 10_000:
            self._seen.popitem(last=False)
        return True

    async def handle_update(self, body: Any, *, redeliverable: bool = False) -> bool:
        """Handle one update (webhook body or polled result); False if it was not one, or a repeat.  With
        ``redeliverable`` (a webhook) an update that cannot be committed raises, for Zalo to send it again."""
        update = unwrap(body)
        event = self.event_of(update) if update is not None else None
        fresh = event is not None and self._first_sight(event.delivery_key)
        async with self.turn(event.user if event is not None and fresh else None) as admitted:
            if event is None or not fresh or not admitted:
                return False  # not a person's message, a repeat, or over the person's limit: dropped at once
            try:
                outcome = await self.answer(event, redeliverable=redeliverable)
            except StorageUnavailable:
                self._seen.pop(event.delivery_key, None)  # not handled: its redelivery must be
                raise
            return not outcome.duplicate

    # ------------------------------------------------------------------ out

    async def _send(self, chat_id: str, text: str, *, bulk: bool) -> None:
        await self.limiter.acquire(chat_id, bulk=bulk)
        await self.client.send_message(chat_id, text)

    async def send_replies(self, chat_id: str, replies: Sequence[Reply], sent: list[int] | None = None) -> bool:
        """Send replies to a chat; False when Zalo could not be reached (the dispatcher tries again).  Zalo's
        messages cannot be deleted, so none of their numbers are given back in ``sent``."""
        for reply in replies:
            for piece in render(reply, self._conversation.i18n):
                try:
                    await self._send(chat_id, piece, bulk=False)
                except ZaloNetworkError as exc:
                    log.warning(
                        "a Zalo reply could not be sent now; it will be sent later: %s", describe_exception(exc)
                    )
                    return False
                except ZaloError as exc:
                    log.error("sending a reply on Zalo failed: %s", describe_exception(exc))
                    return True
        return True

    async def deliver(self, address: str, text: str, choices: Sequence[Choice] = ()) -> Delivery:
        """Send one outbox message (the dispatcher has taken its place in :attr:`limiter`)."""
        reply = Reply(text=text, choices=tuple(choices))
        try:
            for piece in render(reply, self._conversation.i18n):
                await self.client.send_message(address, piece)
        except ZaloForbidden:
            return Delivery.BLOCKED
        except ZaloNetworkError as exc:
            return Delivery.UNKNOWN if exc.sent else Delivery.RETRY
        except ZaloError as exc:
            log.info("a Zalo notice will be retried: %s", describe_exception(exc))
            return Delivery.RETRY
        return Delivery.SENT

    # ------------------------------------------------------------------ polling

    async def run_polling(self, *, timeout: int = 30) -> None:
        """Long polling: one update per call; each is handled in its own task (one person's in order)."""
        await self.client.delete_webhook()
        self._stopping.clear()
        failures = 0
        while not self._stopping.is_set():
            self._poll = asyncio.ensure_future(self.client.get_updates(timeout=timeout))
            try:
                update = await self._poll
                failures = 0
            except asyncio.CancelledError:
                if not self._stopping.is_set():
                    raise
                break
            except ZaloError as exc:
                failures += 1
                delay = min(30.0, 0.5 * 2 ** min(failures, 6))
                log.warning("Zalo polling failed (%s): retry in %.1f s", describe_exception(exc), delay)
                await asyncio.sleep(delay)
                continue
            if update is not None:
                task = asyncio.create_task(self.handle_update(update))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        self._stopping.set()
        if self._poll is not None:
            self._poll.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task


__all__ = ["CHANNEL", "INFO", "MAX_TEXT", "ZaloChannel", "render", "unwrap"]
