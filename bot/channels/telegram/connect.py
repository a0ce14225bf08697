"""Telegram in a deployment: served when ``TELEGRAM_BOT_TOKEN`` is set, on aiogram (the default) or
python-telegram-bot (``DIEMTUA_TELEGRAM_LIBRARY=ptb``)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from bot.channels.base import Channel
from bot.config import Settings
from bot.runtime import Runtime
from core.ratelimit import TELEGRAM


def connect(settings: Settings, runtime: Runtime, http: httpx.AsyncClient) -> Channel | None:
    if settings.telegram_bot_token is None:
        return None
    if settings.telegram_library == "ptb":  # only the library in use is imported
        from bot.channels.telegram.ptb_channel import PtbTelegram as Kind
    else:
        from bot.channels.telegram.aiogram_channel import AiogramTelegram as Kind  # type: ignore[assignment]
    return Kind(
        runtime.conversation,
        runtime.pseudonyms,
        token=settings.telegram_bot_token.get_secret_value(),
        api_url=settings.telegram_api_url,
        limits=replace(TELEGRAM, per_second=settings.telegram_per_second),
    )
