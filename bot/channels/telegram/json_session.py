"""aiogram's aiohttp session, sending a request that carries no file as one JSON body.

aiogram sends every request as a form, each field percent-encoded by ``urllib.parse.quote`` one byte at a time
in Python: for a reply of a few hundred Vietnamese characters (two to three bytes each in UTF-8) that cost more
CPU than the rest of sending it.  The Bot API takes ``application/json`` bodies as well; the fields are those
aiogram would send (its own ``prepare_value``: defaults filled in, empty fields left out), as JSON values rather
than JSON-in-a-string.  A request with a file still goes as aiogram's multipart form.

aiogram checks every answer with ``Response[method.__returning__]``, a pydantic generic model made on first use and
then held only weakly by pydantic's cache: each full garbage collection dropped it and the next request built it
again (about 3 ms of CPU, seen in a sampled profile under load).  The session holds the ones it has used.
"""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import BytesPayload, FormData

from bot.channels.telegram.lean import SendReply


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # UTF-8 on the wire: shorter than \u escapes


class JsonSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_dumps=_dumps, **kwargs)
        self._response_models: dict[Any, type[Response[Any]]] = {}

    def build_form_data(self, bot: Bot, method: TelegramMethod[Any]) -> FormData:
        if isinstance(method, SendReply):  # its fields are the Bot API's JSON already
            plain = self.json_dumps(method.model_dump(exclude_none=True)).encode()
            return BytesPayload(plain, content_type="application/json")  # type: ignore[return-value]
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

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._response_models:  # held for the session's life (see the module's docstring)
            self._response_models[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
