"""The bot's own replies as a lean aiogram method: ``sendMessage`` with plain JSON values, reading back only the
number of the message sent.

``Bot.send_message`` builds a pydantic model of the method and of every button, dumps them again to send, and
validates Telegram's whole answer into a ``Message`` (its chat, its sender, the keyboard echoed back: a model and
a bound bot for each).  A reply needs only ``message_id`` from that answer.  Sampled under load, the models were
about a fifth of the CPU of sending a reply.  :class:`SendReply` is still an aiogram method: it goes through the
session's middlewares (the rate limit and flood control) and its errors are aiogram's (``TelegramRetryAfter``,
``TelegramForbiddenError``, ...), raised by the same check of the answer.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import TelegramMethod
from pydantic import BaseModel, ConfigDict

# The bot's defaults (aiogram's DefaultBotProperties is made from these too): HTML, no link previews.
PARSE_MODE = "HTML"
NO_PREVIEW = {"is_disabled": True}


class SentMessage(BaseModel):
    """What the bot keeps of a message it sent: its number (for deleting it later)."""

    model_config = ConfigDict(extra="ignore")

    message_id: int


class SendReply(TelegramMethod[SentMessage]):
    """``sendMessage`` whose fields are already the Bot API's JSON (``reply_markup`` from
    :func:`bot.channels.telegram.render.markup_json`); sent by :class:`~bot.channels.telegram.json_session.JsonSession`
    as they are."""

    __returning__ = SentMessage
    __api_method__ = "sendMessage"

    chat_id: int
    text: str
    parse_mode: str | None = None
    link_preview_options: dict[str, Any] | None = None
    reply_markup: dict[str, Any] | None = None


def send_reply(chat_id: int, html: str, markup: dict[str, Any] | None) -> SendReply:
    """A reply as the bot's defaults send it: HTML, no link previews."""
    return SendReply(
        chat_id=chat_id, text=html, parse_mode=PARSE_MODE, link_preview_options=NO_PREVIEW, reply_markup=markup
    )
