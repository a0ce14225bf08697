"""The Telegram channel on python-telegram-bot 22 (``DIEMTUA_TELEGRAM_LIBRARY=ptb``): the same behaviour as
the aiogram runtime, through the same core, renderer, limiter and outbox.

Only what is specific to the library lives here: turning its updates into core events, its objects for
keyboards, and its errors (``RetryAfter`` is waited out and sent again; a connection that never reached
Telegram is retried; a timeout after sending is not, and counts as unknown for the outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.channels.base import Delivery
from bot.channels.telegram.common import TelegramChannel
from bot.channels.telegram.events import message_event
from bot.channels.telegram.render import (
    INFO,
    TelegramMessage,
    command_menu,
    render,
)
from bot.channels.webhook import BadUpdate
from core.conversation import Conversation
from core.events import (
    Choice,
    Reply,
)
from core.logsafe import describe_exception
from core.pseudonym import Pseudonymizer
from core.ratelimit import TELEGRAM, Limits, SendLimiter, SendStats

log = logging.getLogger(__name__)
T = TypeVar("T")
# Durations as timedelta, as the next major version will have them (and no deprecation warning meanwhile).
os.environ.setdefault("PTB_TIMEDELTA", "1")


def to_markup(message: TelegramMessage) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if message.inline:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in message.inline]
        )
    if message.keyboard:
        return ReplyKeyboardMarkup(
            [
                [
                    KeyboardButton(
                        b.label, request_location=b.request_location or None, request_contact=b.request_contact or None
                    )
                    for b in row
                ]
                for row in message.keyboard
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return None


def _never_connected(exc: BaseException) -> bool:
    cause = exc.__cause__
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


class PtbTelegram(TelegramChannel):
    label = "Telegram (python-telegram-bot)"

    def __init__(
        self,
        conversation: Conversation,
        pseudonyms: Pseudonymizer,
        *,
        token: str,
        api_url: str = "https://api.telegram.org",
        limits: Limits = TELEGRAM,
        connection_retries: int = 5,
        backoff: float = 0.5,
    ) -> None:
        super().__init__(conversation, pseudonyms, self.send_replies)
        self.limiter = SendLimiter(limits)
        self.stats = SendStats()
        self._retries = connection_retries
        self._backoff = backoff
        base = api_url.rstrip("/")
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .concurrent_updates(256)
            # On stopping, PTB calls getUpdates once more (to mark what it fetched) while the long poll may
            # still hold the only connection: a second one keeps that call from timing out in the pool.
            .get_updates_connection_pool_size(2)
            .build()
        )
        self.bot = self.application.bot
        self.application.add_handler(MessageHandler(filters.ALL, self._on_message))
        self.application.add_handler(CallbackQueryHandler(self._on_callback))

    # ------------------------------------------------------------------ sending, within the limits

    async def _call(self, send: Callable[[], Awaitable[T]], chat: str, *, limited: bool) -> T:
        if not limited:
            await self.limiter.acquire(chat, bulk=False)
        failures = 0
        while True:
            try:
                return await send()
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                self.stats.retried_after_429 += 1
                log.warning("Telegram flood control: waiting %s s", seconds)
                await asyncio.sleep(seconds)
            except NetworkError as exc:
                if isinstance(exc, BadRequest | Forbidden) or not _never_connected(exc):
                    if isinstance(exc, TimedOut):
                        self.stats.ambiguous += 1
                    raise
                failures += 1
                if failures > self._retries:
                    raise
                self.stats.retried_connection += 1
                await asyncio.sleep(min(30.0, self._backoff * 2 ** (failures - 1)))

    async def _send_rendered(self, chat_id: int, message: TelegramMessage, *, limited: bool) -> list[int]:
        """Send one rendered message (its document and venue first); the numbers of the messages sent."""
        chat = str(chat_id)
        numbers = []
        if message.attachment is not None:
            document = InputFile(message.attachment.content, filename=message.attachment.filename)
            sent = await self._call(lambda: self.bot.send_document(chat_id, document), chat, limited=limited)
            numbers.append(sent.message_id)
        if message.venue is not None:
            venue = message.venue
            shown = await self._call(
                lambda: self.bot.send_venue(
                    chat_id, venue.latitude, venue.longitude, venue.title[:256], venue.address[:256]
                ),
                chat,
                limited=limited,
            )
            numbers.append(shown.message_id)
        said = await self._call(
            lambda: self.bot.send_message(
                chat_id,
                message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(message),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
            chat,
            limited=limited,
        )
        return [*numbers, said.message_id]

    # ------------------------------------------------------------------ receiving

    async def _counted(self, update: Update, handle: Callable[[str | None], Awaitable[None]]) -> None:
        user = update.effective_user
        person = self.pseudonym(user.id) if user is not None else None  # computed once per update
        async with self.turn(person) as admitted:
            if admitted:  # else over the person's limit: dropped at once, not queued behind their turn
                await handle(person)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async def handle(person: str | None) -> None:
            message = update.message
            if message is None or message.chat.type != ChatType.PRIVATE:
                return
            sender = message.from_user
            if sender is None or sender.is_bot:
                return
            user = person or self.pseudonym(sender.id)
            # PTB answers its webhook itself: an update that cannot be committed gets the apology, not a 503.
            await self.answer(message_event(message, user, self.delivery_key(update.update_id)))

        await self._counted(update, handle)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async def handle(person: str | None) -> None:
            query: CallbackQuery | None = update.callback_query
            if query is None:
                return
            try:
                await query.answer()
            except TelegramError as exc:
                log.info("could not answer a callback query: %s", type(exc).__name__)
            message = query.message
            if not query.data or message is None or message.chat.type != ChatType.PRIVATE:
                return
            await self.answer(
                self.press(
                    person, query.from_user.id, query.data, message.chat.id, update.update_id, message.message_id
                )
            )

        await self._counted(update, handle)

    async def delete_batch(self, chat_id: int, message_ids: list[int]) -> bool:
        try:
            await self.bot.delete_messages(chat_id, message_ids)
        except TelegramError as exc:
            log.info("Telegram deleted none of a batch of messages: %s", describe_exception(exc))
            return False
        return True

    async def send_replies(self, address: str, replies: Sequence[Reply], sent: list[int] | None = None) -> bool:
        """Send replies to a chat (the numbers of the messages sent added to ``sent``); False when Telegram could
        not be reached (the dispatcher tries again)."""
        chat_id = int(address)
        for reply in replies:
            for message in render(reply, self._conversation.i18n):
                try:
                    numbers = await self._send_rendered(chat_id, message, limited=False)
                    if sent is not None:
                        sent.extend(numbers)
                except BadRequest as exc:  # a NetworkError in PTB, but one no retry mends
                    log.error("sending a reply failed: %s", describe_exception(exc))
                    return True
                except NetworkError as exc:
                    log.warning("a reply could not be sent now; it will be sent later: %s", describe_exception(exc))
                    return False
                except TelegramError as exc:
                    log.error("sending a reply failed: %s", describe_exception(exc))
                    return True
        return True

    async def feed_update(self, body: dict[str, Any]) -> None:
        """Handle one update that came by webhook; a body that is not an update raises :class:`BadUpdate`."""
        self.by_webhook = True
        try:
            update = Update.de_json(body, self.bot)
        except (TypeError, KeyError, ValueError, AttributeError, RecursionError):
            raise BadUpdate("not a Telegram update") from None
        if update is not None:
            await self.application.process_update(update)

    # ------------------------------------------------------------------ the outbox

    async def deliver(self, address: str, text: str, choices: Sequence[Choice] = ()) -> Delivery:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.id)] for c in choices])
        try:
            chat_id = int(address)
        except ValueError:
            return Delivery.BLOCKED
        try:
            await self._call(
                lambda: self.bot.send_message(chat_id, text, reply_markup=markup if choices else None),
                address,
                limited=True,
            )
        except Forbidden:
            return Delivery.BLOCKED
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                return Delivery.BLOCKED
            log.error("a notice was refused: %s", describe_exception(exc))
            return Delivery.RETRY
        except NetworkError as exc:
            if _never_connected(exc):
                return Delivery.RETRY
            log.warning("no answer to a notice; it may have arrived: %s", describe_exception(exc))
            return Delivery.UNKNOWN
        except TelegramError as exc:
            log.info("a notice will be retried: %s", describe_exception(exc))
            return Delivery.RETRY
        return Delivery.SENT

    # ------------------------------------------------------------------ life cycle

    async def prepare(self) -> None:
        await self.application.initialize()
        me = self.bot.username
        if me:
            self.info = replace(INFO, start_link=f"https://t.me/{me}?start=")
        menu = command_menu(self._conversation.catalogue, self._conversation.i18n)
        await self.bot.set_my_commands([BotCommand(name, text) for name, text in menu])

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.prepare()
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=["message", "callback_query"])
        await self.application.start()

    async def run_polling(self, *, handle_signals: bool = False, polling_timeout: int = 30) -> None:
        """Poll until :meth:`stop` (aiogram's ``run_polling`` counterpart, for the same runner)."""
        await self.prepare()
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.application.start()
        updater = self.application.updater
        assert updater is not None
        await updater.start_polling(timeout=polling_timeout, allowed_updates=["message", "callback_query"])
        self._stopped = asyncio.Event()
        await self._stopped.wait()
        await updater.stop()
        await self.application.stop()
        await self.application.shutdown()

    async def stop(self) -> None:
        stopped = getattr(self, "_stopped", None)
        if stopped is not None:
            stopped.set()

    async def close(self) -> None:
        await self.drain()
        with contextlib.suppress(Exception):
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
