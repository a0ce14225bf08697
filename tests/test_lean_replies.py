"""Replies sent through aiogram's session without its models (``bot.channels.telegram.lean``): the same request
``Bot.send_message`` would make, the same errors, and the answer's model kept for the session's life."""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import SendMessage
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)

from bot.channels.telegram.json_session import JsonSession
from bot.channels.telegram.lean import send_reply
from bot.channels.telegram.render import TelegramMessage, markup_json, render
from core.events import Choice, Reply
from core.i18n import load_translator
from fakes.botapi_spec import check_request

VI = load_translator()
TOKEN = "123456:" + "A" * 35


def bot() -> Bot:
    session = JsonSession()
    return Bot(
        TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)),
    )


def models(message: TelegramMessage) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The buttons as aiogram's models, as the channel made them before it sent plain JSON (the yardstick)."""
    if message.inline:
        rows = [[InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row] for row in message.inline]
        return InlineKeyboardMarkup(inline_keyboard=rows)
    if message.keyboard:
        keys = [
            [KeyboardButton(text=b.label, request_location=b.request_location or None) for b in row]
            for row in message.keyboard
        ]
        return ReplyKeyboardMarkup(keyboard=keys, resize_keyboard=True, one_time_keyboard=True)
    return None


def body(bot: Bot, method: Any) -> dict[str, Any]:
    payload = bot.session.build_form_data(bot, method)  # type: ignore[attr-defined]
    return json.loads(payload._value)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "reply",
    [
        Reply(text="Bạn bao nhiêu tuổi?", choices=(Choice("age:adult", "Từ 16 tuổi trở lên"), Choice("m", "Menu"))),
        Reply(text="Bạn ở đâu? <b>", request_location=True, choices=(Choice("m", "Menu chính"),)),
        Reply(text="Chỉ có chữ & dấu."),
    ],
)
async def test_a_reply_is_the_request_send_message_would_make(reply: Reply) -> None:
    sender = bot()
    try:
        (message,) = render(reply, VI)
        lean = body(sender, send_reply(42, message.html, markup_json(message)))
        usual = body(sender, SendMessage(chat_id=42, text=message.html, reply_markup=models(message)))
        assert lean == usual
        assert check_request("sendMessage", lean, from_form=False) == []
    finally:
        await sender.session.close()


def answer(ok: bool, **fields: Any) -> str:
    return json.dumps({"ok": ok, **fields})


SENT = {
    "message_id": 7,
    "date": 1764750000,
    "chat": {"id": 42, "type": "private"},
    "text": "x",
    "reply_markup": {"inline_keyboard": [[{"text": "Menu", "callback_data": "m"}]]},
}


async def test_only_the_number_is_read_back_and_errors_are_aiograms() -> None:
    sender = bot()
    try:
        method = send_reply(42, "x", None)
        session = sender.session
        assert session.check_response(sender, method, 200, answer(True, result=SENT)).result.message_id == 7  # type: ignore[union-attr]
        flood = answer(False, error_code=429, description="Too Many Requests", parameters={"retry_after": 3})
        with pytest.raises(TelegramRetryAfter) as waited:
            session.check_response(sender, method, 429, flood)
        assert waited.value.retry_after == 3
        with pytest.raises(TelegramForbiddenError):
            session.check_response(sender, method, 403, answer(False, error_code=403, description="Forbidden: blocked"))
    finally:
        await sender.session.close()


async def test_the_model_that_checks_an_answer_outlives_a_garbage_collection() -> None:
    """pydantic holds ``Response[Message]`` weakly: without the session holding it, every full collection dropped
    it and the next answer built it again (about 3 ms)."""
    sender = bot()
    try:
        method = SendMessage(chat_id=42, text="x")
        checked = sender.session.check_response(sender, method, 200, answer(True, result=SENT))
        model = weakref.ref(type(checked))
        del checked
        gc.collect()
        assert model() is not None
    finally:
        await sender.session.close()
