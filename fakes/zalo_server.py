"""A fake Zalo Bot Platform API server on loopback, strict where Zalo is.

``POST /bot<TOKEN>/<method>`` with a JSON body; answers ``{ok, result}`` and errors as HTTP 200 with
``ok: false`` and an ``error_code`` (401 for a bad token, 408 for "no update" from getUpdates).  Text must be
1 to 2000 characters of plain text; a bot may only write to a chat whose user wrote first.  Anything Zalo
would refuse is answered with its error and recorded in ``violations``.

It plays the users too: ``user_sends`` and friends queue updates, handed out one per ``getUpdates`` call,
or built with ``update`` for a test to POST to a webhook.  ``sent`` records what the bot sent to each chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{8,}$")
METHODS = frozenset(
    {
        "getme",
        "getupdates",
        "setwebhook",
        "deletewebhook",
        "getwebhookinfo",
        "sendmessage",
        "sendchataction",
        "sendphoto",
        "sendsticker",
    }
)
MARKUP = re.compile(r"<[a-z/][^>]*>|\*\*|__|\{[^}]*\}")


@dataclass
class ZaloSent:
    chat_id: str
    message_id: str
    method: str
    text: str


@dataclass
class FakeZalo:
    host: str = "127.0.0.1"
    bot_id: str = "b0a7a1b2c3d4e5f6"

    def __post_init__(self) -> None:
        self.violations: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: dict[str, list[ZaloSent]] = defaultdict(list)
        self.blocked: set[str] = set()
        self.quota_errors = 0  # the next so many sends answer 429
        self.webhook: dict[str, Any] | None = None
        self.pushed = 0
        self._updates: list[dict[str, Any]] = []
        self._known_chats: set[str] = set()
        self._ids = itertools.count(1)
        self.message_ids: list[str] = []
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._new_update.set()  # a waiting getUpdates answers at once
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ playing the users

    def update(self, user_id: str, event_name: str, **content: Any) -> dict[str, Any]:
        """An update as Zalo pushes it (with the envelope)."""
        self._known_chats.add(user_id)
        message = {
            "from": {"id": user_id, "display_name": "Test", "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": self._issue_id(),
            "date": int(time.time() * 1000),
            **content,
        }
        return {"ok": True, "result": {"event_name": event_name, "message": message}}

    def _issue_id(self) -> str:
        """A message id, remembered (a test can look for every id Zalo gave out)."""
        message_id = f"{next(self._ids):020x}"
        self.message_ids.append(message_id)
        return message_id

    def _queue(self, update: dict[str, Any]) -> dict[str, Any]:
        self.pushed += 1
        self._updates.append(update["result"])
        self._new_update.set()
        return update

    def user_sends(self, user_id: str, text: str) -> dict[str, Any]:
        return self._queue(self.update(user_id, "message.text.received", text=text))

    def user_sends_sticker(self, user_id: str) -> dict[str, Any]:
        return self._queue(self.update(user_id, "message.sticker.received", sticker="abc", url="https://x.invalid/s"))

    def user_sends_unsupported(self, user_id: str) -> dict[str, Any]:
        """What Zalo sends for a protected sender (a child): the event, without content."""
        return self._queue(self.update(user_id, "message.unsupported.received"))

    # ------------------------------------------------------------------ what the bot sent

    def messages(self, chat_id: str) -> list[ZaloSent]:
        return list(self.sent.get(chat_id, []))

    # ------------------------------------------------------------------ the API

    def _fail(self, code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description})

    def _violation(self, description: str) -> web.Response:
        self.violations.append(description)
        return self._fail(400, description)

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if not TOKEN_RE.match(token):
            return self._fail(401, "Unauthorized")
        lowered = method.lower()
        if lowered not in METHODS:
            return self._violation(f"{method}: no such method")
        if request.content_type != "application/json":
            return self._violation(f"{method}: the body must be JSON, not {request.content_type}")
        try:
            body = await request.json()
        except ValueError:
            return self._violation(f"{method}: the body is not JSON")
        if not isinstance(body, dict):
            return self._violation(f"{method}: the body is not an object")
        self.calls.append((method, body))
        handler = getattr(self, f"_m_{lowered}")
        response: web.Response = await handler(body)
        return response

    def _ok(self, result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def _m_getme(self, body: dict[str, Any]) -> web.Response:
        return self._ok({"id": self.bot_id, "account_name": "diemtua_bot", "account_type": "BASIC"})

    async def _m_getupdates(self, body: dict[str, Any]) -> web.Response:
        if self.webhook is not None:
            return self._violation("getUpdates while a webhook is set")
        timeout = min(float(body.get("timeout", 0) or 0), 1.0)  # short polls keep tests quick
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        if not self._updates:
            return self._fail(408, "Request timeout")
        return self._ok(self._updates.pop(0))

    async def _m_setwebhook(self, body: dict[str, Any]) -> web.Response:
        url, secret = str(body.get("url", "")), str(body.get("secret_token", ""))
        if not url.startswith("https://") or not 8 <= len(secret) <= 256:
            return self._violation("setWebhook needs an https url and a secret_token of 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        return self._ok({"url": url, "updated_at": self.webhook["updated_at"]})

    async def _m_deletewebhook(self, body: dict[str, Any]) -> web.Response:
        self.webhook = None
        return self._ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _m_getwebhookinfo(self, body: dict[str, Any]) -> web.Response:
        return self._ok({"url": (self.webhook or {}).get("url", ""), "updated_at": 0})

    def _check_chat(self, body: dict[str, Any]) -> web.Response | None:
        chat = str(body.get("chat_id", ""))
        if not chat:
            return self._violation("chat_id is missing")
        if chat not in self._known_chats:
            return self._violation(f"chat {chat} never wrote to the bot")
        if chat in self.blocked:
            return self._fail(403, "Forbidden: the user has blocked the bot")
        if self.quota_errors > 0:
            self.quota_errors -= 1
            return self._fail(429, "Quota exceeded")
        return None

    def _record(self, method: str, body: dict[str, Any], text: str) -> web.Response:
        chat = str(body["chat_id"])
        message_id = f"m{next(self._ids):019x}"
        self.sent[chat].append(ZaloSent(chat, message_id, method, text))
        return self._ok({"message_id": message_id, "date": int(time.time() * 1000)})

    async def _m_sendmessage(self, body: dict[str, Any]) -> web.Response:
        if refusal := self._check_chat(body):
            return refusal
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000 or not text.strip():
            return self._violation(f"sendMessage text must be 1-2000 characters, is {len(str(text or ''))}")
        if "parse_mode" in body or MARKUP.search(text):
            return self._violation(f"sendMessage text is not plain: {text[:60]!r}")
        return self._record("sendMessage", body, text)

    async def _m_sendchataction(self, body: dict[str, Any]) -> web.Response:
        if refusal := self._check_chat(body):
            return refusal
        return self._ok(True)

    async def _m_sendphoto(self, body: dict[str, Any]) -> web.Response:
        if refusal := self._check_chat(body):
            return refusal
        if not str(body.get("photo", "")).startswith("https://"):
            return self._violation("sendPhoto needs an image URL")
        return self._record("sendPhoto", body, str(body.get("caption", "")))

    async def _m_sendsticker(self, body: dict[str, Any]) -> web.Response:
        if refusal := self._check_chat(body):
            return refusal
        return self._record("sendSticker", body, "")


__all__ = ["FakeZalo", "ZaloSent"]
