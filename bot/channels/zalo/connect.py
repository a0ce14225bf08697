"""Zalo in a deployment: served when ``ZALO_BOT_TOKEN`` is set."""

from __future__ import annotations

import httpx

from bot.channels.base import Channel
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.config import Settings
from bot.runtime import Runtime


def connect(settings: Settings, runtime: Runtime, http: httpx.AsyncClient) -> Channel | None:
    if settings.zalo_bot_token is None:
        return None
    client = ZaloClient(http, settings.zalo_bot_token.get_secret_value(), api_url=settings.zalo_api_url)
    return ZaloChannel(runtime.conversation, runtime.pseudonyms, client)
