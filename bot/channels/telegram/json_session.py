"""aiogram's aiohttp session, sending a request that carries no file as one JSON body.

aiogram sends every request as a form, each field percent-encoded by ``urllib.parse.quote`` one byte at a time
in Python: for a reply of a few hundred Vietnamese characters (two to three bytes each in UTF-8) that cost more
CPU than the rest of sending it.  The Bot API takes ``application/json`` bodies as well; the fields are those
aiogram would send (its own ``prepare_value``: defaults filled in, empty fields left out), as JSON values rather
than JSON-in-a-string.  A request with a file still goes as aiogram's multipart form.
"""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiohttp import BytesPayload, FormData


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # UTF-8 on the wire: shorter than \u escapes


class JsonSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_dumps=_dumps, **kwargs)

    def build_form_data(self, bot: Bot, method: TelegramMethod[Any]) -> FormData:
        files: dict[str, Any] = {}
        body = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared:  # as aiogram's form: a field with nothing in it is not sent
                body[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        # Not a form, but what aiohttp's post takes as data just as well.
        return BytesPayload(self.json_dumps(body).encode(), content_type="application/json")  # type: ignore[return-value]
