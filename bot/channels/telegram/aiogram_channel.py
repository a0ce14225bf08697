"""The Telegram channel on aiogram 3: long polling, a configurable API server, flood control.

Updates of different people are handled concurrently; one person's updates in the order they came
(an outer middleware takes a per-person lock before anything else awaits).  The platform user id is
turned into a pseudonym at the door and goes no further.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    LinkPreviewOptions,
    Message,
    TelegramObject,
    Update,
)
from aiogram.types.update import UpdateTypeLookupError
from aiohttp import ClientConnectorError
from pydantic import ValidationError

from bot.channels.base import Delivery
from bot.channels.telegram.common import TelegramChannel
from bot.channels.telegram.events import message_event
from bot.channels.telegram.flood import ALREADY_LIMITED, FloodControl, RateLimit
from bot.channels.telegram.json_session import JsonSession
from bot.channels.telegram.lean import NO_PREVIEW, PARSE_MODE, send_reply
from bot.channels.telegram.render import (
    INFO,
    Button,
    TelegramMessage,
    command_menu,
    markup_json,
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


def _sender_id(update: Update) -> int | None:
    try:
        event = update.event
    except UpdateTypeLookupError:  # a kind of update this version does not know: nobody to order by
        return None
    user = getattr(event, "from_user", None)
    return user.id if user is not None else None


class AiogramTelegram(TelegramChannel):
    label = "Telegram (aiogram)"

    def __init__(
        self,
        conversation: Conversation,
        pseudonyms: Pseudonymizer,
        *,
        token: str,
        api_url: str = "https://api.telegram.org",
        limits: Limits = TELEGRAM,
        request_timeout: float = 60.0,
    ) -> None:
        super().__init__(conversation, pseudonyms, self.send_replies)
        self.flood = FloodControl()
        self.limiter = SendLimiter(limits)
        session = JsonSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")), timeout=request_timeout)
        session.middleware(RateLimit(self.limiter))
        session.middleware(self.flood)
        self.bot = Bot(
            token,
            session=session,
            default=DefaultBotProperties(
                parse_mode=PARSE_MODE, link_preview=LinkPreviewOptions.model_validate(NO_PREVIEW)
            ),
        )
        # The conversation keeps its own state and order: aiogram's FSM (a storage lookup per update) is not used.
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.dispatcher.update.outer_middleware(self._in_order)
        router = Router(name="diemtua")
        router.message.register(self._on_message)
        router.callback_query.register(self._on_callback)
        self.dispatcher.include_router(router)

    async def _in_order(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        update: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender = _sender_id(update) if isinstance(update, Update) else None
        person = self.pseudonym(sender) if sender is not None else None
        async with self.turn(person) as admitted:
            if not admitted:
                return None  # over the person's limit: dropped at once, not queued behind their turn
            data["person"] = person  # the pseudonym, computed once per update
            return await handler(update, data)

    @property
    def stats(self) -> SendStats:
        return self.flood.stats

    async def _on_message(self, message: Message, event_update: Update, person: str | None = None) -> None:
        if message.chat.type != ChatType.PRIVATE or message.from_user is None or message.from_user.is_bot:
            return  # groups are not conversations; nothing is read there
        user = person or self.pseudonym(message.from_user.id)
        await self.answer(
            message_event(message, user, self.delivery_key(event_update.update_id)), redeliverable=self.by_webhook
        )

    async def _on_callback(self, query: CallbackQuery, event_update: Update, person: str | None = None) -> None:
        try:
            await query.answer()
        except TelegramAPIError as exc:  # a query older than Telegram keeps: still handle the press
            log.info("could not answer a callback query: %s", type(exc).__name__)
        if not query.data or query.message is None or query.message.chat.type != ChatType.PRIVATE:
            return
        choice = self.press(
            person,
            query.from_user.id,
            query.data,
            query.message.chat.id,
            event_update.update_id,
            query.message.message_id,
        )
        await self.answer(choice, redeliverable=self.by_webhook)

    async def delete_batch(self, chat_id: int, message_ids: list[int]) -> bool:
        try:
            await self.bot.delete_messages(chat_id, message_ids)
        except TelegramAPIError as exc:
            log.info("Telegram deleted none of a batch of messages: %s", describe_exception(exc))
            return False
        return True

    async def send_replies(self, address: str, replies: Sequence[Reply], sent: list[int] | None = None) -> bool:
        """Send replies to a chat (the numbers of the messages sent added to ``sent``); False when Telegram could
        not be reached (the dispatcher tries again)."""
        chat_id = int(address)
        numbers = sent if sent is not None else []
        for reply in replies:
            for message in render(reply, self._conversation.i18n):
                try:
                    if message.attachment is not None:
                        document = BufferedInputFile(message.attachment.content, message.attachment.filename)
                        numbers.append((await self.bot.send_document(chat_id, document)).message_id)
                    if message.venue is not None:
                        venue = message.venue
                        shown = await self.bot.send_venue(
                            chat_id, venue.latitude, venue.longitude, venue.title[:256], venue.address[:256]
                        )
                        numbers.append(shown.message_id)
                    said = await self.bot(send_reply(chat_id, message.html, markup_json(message)))
                    numbers.append(said.message_id)
                except (TelegramNetworkError, TelegramServerError) as exc:
                    log.warning("a reply could not be sent now; it will be sent later: %s", describe_exception(exc))
                    return False
                except TelegramAPIError as exc:
                    log.error("sending a reply failed: %s", describe_exception(exc))
                    return True
        return True

    async def deliver(self, address: str, text: str, choices: Sequence[Choice] = ()) -> Delivery:
        """Send one message from the outbox (reminders, notifications, broadcasts) to a chat.  The
        dispatcher has already taken its place in :attr:`limiter`."""
        token = ALREADY_LIMITED.set(True)
        try:
            message = TelegramMessage(
                html.escape(text, quote=False), inline=tuple((Button(c.label, c.id),) for c in choices)
            )
            await self.bot(send_reply(int(address), message.html, markup_json(message)))
        except (TelegramForbiddenError, TelegramNotFound):
            return Delivery.BLOCKED
        except TelegramBadRequest as exc:
            if "chat not found" in str(exc).lower():
                return Delivery.BLOCKED
            log.error("a notice was refused: %s", describe_exception(exc))
            return Delivery.RETRY
        except TelegramNetworkError as exc:
            if isinstance(exc.__cause__, ClientConnectorError):  # it never reached Telegram
                return Delivery.RETRY
            log.warning("no answer to a notice; it may have arrived: %s", describe_exception(exc))
            return Delivery.UNKNOWN
        except TelegramAPIError as exc:
            log.info("a notice will be retried: %s", describe_exception(exc))
            return Delivery.RETRY
        except ValueError:
            return Delivery.BLOCKED
        finally:
            ALREADY_LIMITED.reset(token)
        return Delivery.SENT

    async def feed_update(self, body: dict[str, Any]) -> None:
        """Handle one update that came by webhook (the same path as a polled one); a body that is not an
        update raises :class:`BadUpdate` (pydantic's error, which quotes the input, is not passed on)."""
        self.by_webhook = True  # an update that cannot be committed is answered 503: Telegram sends it again
        try:
            update = Update.model_validate(body, context={"bot": self.bot})
        except (ValidationError, ValueError, TypeError, RecursionError):
            raise BadUpdate("not a Telegram update") from None
        try:
            update.event_type  # noqa: B018 - a kind this version does not know is ignored, not warned about in full
        except UpdateTypeLookupError:
            return
        await self.dispatcher.feed_update(self.bot, update)

    async def prepare(self) -> None:
        """Learn the bot's name (for join links) and set its command menu."""
        me = await self.bot.me()
        if me.username:
            self.info = replace(INFO, start_link=f"https://t.me/{me.username}?start=")
        await self.set_commands()

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(
            url, secret_token=secret, allowed_updates=["message", "callback_query"], drop_pending_updates=False
        )
        await self.prepare()

    async def set_commands(self) -> None:
        menu = command_menu(self._conversation.catalogue, self._conversation.i18n)
        await self.bot.set_my_commands([BotCommand(command=name, description=text) for name, text in menu])

    async def run_polling(self, *, handle_signals: bool = False, polling_timeout: int = 30) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.prepare()
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=handle_signals,
            polling_timeout=polling_timeout,
            allowed_updates=["message", "callback_query"],
            close_bot_session=True,
        )

    async def stop(self) -> None:
        await self.dispatcher.stop_polling()

    async def close(self) -> None:
        await self.drain()
        await self.bot.session.close()
