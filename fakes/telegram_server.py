"""A fake Telegram Bot API server on loopback, strict where Telegram is.

Every request is checked against the official spec (method, required fields, field types, nested
keyboards); message text must be 1-4096 characters after HTML parsing, callback_data 1-64 bytes; and
flood control answers 429 with ``retry_after`` like Telegram (per-chat and global token buckets).
Anything Telegram would refuse is answered with its error *and* recorded in ``violations`` (a request
that breaks the spec) so a test can assert there were none.

The server also plays the users: ``user_sends``, ``user_presses`` and ``user_shares_location`` queue
updates for ``getUpdates``; ``sent`` records what the bot sent to each chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from fakes.botapi_spec import check_request, method_spec
from fakes.telegram_html import ParseError, parse_html, utf16_len

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{10,}$")
SEND_METHODS = frozenset({"sendmessage", "sendlocation", "sendvenue", "senddocument", "sendphoto", "sendcontact"})
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass
class Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> float:
        """Take one token; returns 0 if granted, else the seconds until one is available."""
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    method: str
    html: str
    text: str  # visible text
    reply_markup: dict[str, Any] | None
    params: dict[str, Any]
    at: float = field(default_factory=time.time)  # when it arrived (wall clock, comparable across processes)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]

    @property
    def labels(self) -> list[str]:
        return [b["text"] for b in self.buttons]


@dataclass
class FloodPolicy:
    chat_burst: float = 20.0
    chat_rate: float = 1.0
    global_burst: float = 30.0
    global_rate: float = 30.0


@dataclass
class FakeTelegram:
    policy: FloodPolicy = field(default_factory=FloodPolicy)
    bot_id: int = 987654321
    bot_username: str = "diemtua_test_bot"
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        self.violations: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.json_bodies: list[str] = []  # the methods called with an application/json body (not a form)
        self.sent: dict[int, list[SentMessage]] = defaultdict(list)
        self.incoming: dict[int, list[int]] = {}  # the message ids the person wrote, per chat
        self.deleted: dict[int, list[int]] = {}  # ids deleted by the bot, per chat
        self.removed: dict[int, list[SentMessage]] = defaultdict(list)  # the bot's messages it deleted, per chat
        self.too_many_requests = 0
        self.early_retries = 0  # requests that came back before their retry_after had passed
        self.commands: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000, 3)  # not consecutive, as Telegram warns
        self.pushed = 0
        self.uploads: list[tuple[str, bytes]] = []  # (file name, content) of every file sent
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_message = asyncio.Event()
        self._chat_buckets: dict[int, Bucket] = {}
        self._global = Bucket(self.policy.global_burst, self.policy.global_rate)
        self._penalty_until: dict[int, float] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.delivered_up_to = 0
        self.blocked: set[int] = set()
        self.storm = 0  # the next so many sends answer 429 whatever the buckets say
        self.answer_late = 0  # the next so many sends are delivered but answered only after late_by seconds
        self.late_by = 5.0
        # Sends to these chats are held, never delivered nor answered (until stop): a process killed meanwhile
        # died between committing an event and its reply reaching the chat.
        self.swallow: set[int] = set()
        self.swallowed = 0
        self._closing = False  # chats whose user has blocked the bot (sends answer 403)
        self._swallowing = asyncio.Event()

    # ------------------------------------------------------------------ server lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self, port: int = 0) -> None:
        """Listen on ``port`` (0: any free one; the same one again to come back after :meth:`stop`)."""
        self._closing = False
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/_fake/first-replies", self._first_replies)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, port, reuse_address=True)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])

    def wake_polls(self) -> None:
        """Answer waiting and later getUpdates calls at once (so a bot stopping its polling needn't wait)."""
        self._closing = True
        self._new_update.set()

    async def stop(self) -> None:
        self.wake_polls()
        self._swallowing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ playing the users

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "vi"}

    def _push(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.pushed += 1  # updates sent to the bot in all, whoever sent them
        self._updates.append({"update_id": update_id, **payload})
        self._new_update.set()
        return update_id

    def _incoming(self, user_id: int, **content: Any) -> dict[str, Any]:
        message_id = next(self._message_ids)
        self.incoming.setdefault(user_id, []).append(message_id)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "from": self._user(user_id),
            **content,
        }

    def user_sends(self, user_id: int, text: str, replying_to: SentMessage | None = None) -> int:
        """The person writes ``text`` (as a reply to the bot's message ``replying_to``, if given)."""
        content: dict[str, Any] = {"text": text}
        if replying_to is not None:
            content["reply_to_message"] = self._message_object(replying_to)
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return self._push({"message": self._incoming(user_id, **content)})

    def user_shares_location(self, user_id: int, latitude: float, longitude: float) -> int:
        return self._push({"message": self._incoming(user_id, location={"latitude": latitude, "longitude": longitude})})

    def user_shares_contact(self, user_id: int, phone: str, *, own: bool = True) -> int:
        contact = {"phone_number": phone, "first_name": "Test", "user_id": user_id if own else user_id + 1}
        return self._push({"message": self._incoming(user_id, contact=contact)})

    def user_sends_sticker(self, user_id: int) -> int:
        sticker = {
            "file_id": "CAACAgIAAxkBAAE",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self._push({"message": self._incoming(user_id, sticker=sticker)})

    def user_presses(self, user_id: int, data: str, message: SentMessage | None = None) -> int:
        message = message or self.last_message(user_id)
        query: dict[str, Any] = {
            "id": str(next(self._message_ids)),
            "from": self._user(user_id),
            "chat_instance": "42",
            "data": data,
        }
        if message is not None:
            query["message"] = self._message_object(message)
        return self._push({"callback_query": query})

    def group_message(self, group_id: int, user_id: int, text: str) -> int:
        message = self._incoming(user_id, text=text)
        message["chat"] = {"id": group_id, "type": "group", "title": "Group"}
        return self._push({"message": message})

    def take(self, update_id: int) -> dict[str, Any]:
        """Remove a queued update, to deliver it by webhook instead of getUpdates."""
        for index, update in enumerate(self._updates):
            if update["update_id"] == update_id:
                return self._updates.pop(index)
        raise KeyError(update_id)

    # ------------------------------------------------------------------ what the bot sent

    def last_message(self, chat_id: int) -> SentMessage | None:
        messages = self.sent.get(chat_id)
        return messages[-1] if messages else None

    def messages(self, chat_id: int) -> list[SentMessage]:
        return list(self.sent.get(chat_id, []))

    async def wait_for(self, chat_id: int, count: int, timeout: float = 10.0) -> list[SentMessage]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.sent.get(chat_id, [])) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: {len(self.sent.get(chat_id, []))} of {count} messages")
            self._new_message.clear()
            try:
                await asyncio.wait_for(self._new_message.wait(), remaining)
            except TimeoutError:
                continue
        return self.messages(chat_id)

    # ------------------------------------------------------------------ the API

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], bool]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
                return params, False
            form = await request.post()
            files = {key: value for key, value in form.items() if isinstance(value, web.FileField)}
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
            # Files travel as parts of their own, referenced from a field as "attach://<part name>".
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                    upload = files.pop(value[9:])
                    self.uploads.append((upload.filename, upload.file.read()))
                    params[key] = "<file>"
            for key in files:  # a file part no field refers to is itself a (file) field
                params[key] = "<file>"
        return params, True

    async def _first_replies(self, request: web.Request) -> web.Response:
        """For a benchmark running the server in another process: when each chat got its first message, and with
        ``?text=1`` what it said."""
        if request.query.get("text"):
            return web.json_response({str(c): [m[0].at, m[0].text] for c, m in self.sent.items() if m})
        return web.json_response({str(chat): messages[0].at for chat, messages in self.sent.items() if messages})

    def _error(self, status: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    def _violation(self, description: str) -> web.Response:
        self.violations.append(description)
        return self._error(400, f"Bad Request: {description}")

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if not TOKEN_RE.match(token):
            return self._error(401, "Unauthorized")
        if method_spec(method) is None:
            self.violations.append(f"{method}: no such method")
            return self._error(404, "Not Found: method not found")
        params, from_form = await self._params(request)
        self.calls.append((method, params))
        if not from_form:
            self.json_bodies.append(method)
        errors = check_request(method, params, from_form=from_form)
        if errors:
            return self._violation("; ".join(errors))
        lowered = method.lower()
        if lowered in SEND_METHODS:
            if int(params["chat_id"]) in self.swallow:
                self.swallowed += 1
                await self._swallowing.wait()
                return self._error(502, "Bad Gateway")
            if int(params["chat_id"]) in self.blocked:
                return self._error(403, "Forbidden: bot was blocked by the user")
            refusal = self._flood_check(params)
            if refusal is not None:
                return refusal
        handler: Callable[[dict[str, Any], bool], Awaitable[web.Response]] | None = getattr(self, f"_m_{lowered}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        response = await handler(params, from_form)
        if lowered in SEND_METHODS and self.answer_late:  # delivered, but the answer is slow to come
            self.answer_late -= 1
            await asyncio.sleep(self.late_by)
        return response

    def _flood_check(self, params: dict[str, Any]) -> web.Response | None:
        chat_id = int(params["chat_id"])
        now = time.monotonic()
        if self.storm > 0:
            self.storm -= 1
            self.too_many_requests += 1
            self._penalty_until[chat_id] = now + 1 - 0.05
            return self._error(429, "Too Many Requests: retry after 1", retry_after=1)
        if now < self._penalty_until.get(chat_id, 0.0):
            self.early_retries += 1
        bucket = self._chat_buckets.setdefault(chat_id, Bucket(self.policy.chat_burst, self.policy.chat_rate))
        wait = max(bucket.take(now), self._global.take(now))
        if wait <= 0:
            return None
        retry_after = max(1, math.ceil(wait))
        self._penalty_until[chat_id] = now + retry_after - 0.05
        self.too_many_requests += 1
        return self._error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def _loads(self, value: Any, from_form: bool) -> Any:
        return json.loads(value) if from_form and isinstance(value, str) else value

    def _check_markup(self, markup: dict[str, Any] | None) -> str | None:
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                actions = [a for a in BUTTON_ACTIONS if a in button]
                if len(actions) != 1:
                    return f"inline button {button.get('text')!r} must have exactly one action, has {actions}"
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return f"BUTTON_DATA_INVALID: callback_data is {len(data.encode())} bytes"
                if not button.get("text"):
                    return "inline button text is empty"
        for row in markup.get("keyboard", []):
            for button in row:
                if not button.get("text"):
                    return "keyboard button text is empty"
        return None

    def _message_object(self, message: SentMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private", "first_name": "Test"},
            "from": {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Điểm Tựa",  # the bot's name, as Telegram gives it (noqa: i18n)
                "username": self.bot_username,
            },
        }
        if message.method == "sendMessage":
            result["text"] = message.text
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    def _record(
        self, method: str, params: dict[str, Any], html_text: str, text: str, markup: dict[str, Any] | None
    ) -> web.Response:
        chat_id = int(params["chat_id"])
        message = SentMessage(chat_id, next(self._message_ids), method, html_text, text, markup, params)
        self.sent[chat_id].append(message)
        self._new_message.set()
        return web.json_response({"ok": True, "result": self._message_object(message)})

    async def _m_sendmessage(self, params: dict[str, Any], from_form: bool) -> web.Response:
        raw = str(params["text"])
        parse_mode = params.get("parse_mode")
        try:
            text = parse_html(raw) if parse_mode == "HTML" else raw
        except ParseError as exc:
            return self._violation(str(exc))
        if parse_mode not in (None, "HTML"):
            return self._violation(f"parse mode {parse_mode} is not what the bot uses")
        length = utf16_len(text)
        if not 1 <= length <= 4096 or not text.strip():
            return self._violation(f"message text is {length} characters after entity parsing (1-4096, not blank)")
        markup = self._loads(params.get("reply_markup"), from_form)
        if problem := self._check_markup(markup):
            return self._violation(problem)
        return self._record("sendMessage", params, raw, text, markup)

    async def _m_deletemessages(self, params: dict[str, Any], from_form: bool) -> web.Response:
        """A private chat's messages, both sides' (what the bot sent, and what the person wrote), by id."""
        ids = self._loads(params["message_ids"], from_form)
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            return self._violation("deleteMessages takes 1 to 100 message ids")
        chat_id, wanted = int(params["chat_id"]), {int(i) for i in ids}
        kept = [m for m in self.sent.get(chat_id, []) if m.message_id not in wanted]
        gone = [m for m in self.sent.get(chat_id, []) if m.message_id in wanted]
        if chat_id in self.sent:
            self.sent[chat_id] = kept
        written = [i for i in self.incoming.get(chat_id, []) if i in wanted]
        self.incoming[chat_id] = [i for i in self.incoming.get(chat_id, []) if i not in wanted]
        self.deleted.setdefault(chat_id, []).extend([*(m.message_id for m in gone), *written])
        self.removed[chat_id].extend(gone)
        return web.json_response({"ok": True, "result": True})

    async def _m_sendvenue(self, params: dict[str, Any], from_form: bool) -> web.Response:
        return self._record("sendVenue", params, "", f"{params['title']}\n{params['address']}", None)

    async def _m_sendlocation(self, params: dict[str, Any], from_form: bool) -> web.Response:
        return self._record("sendLocation", params, "", "", None)

    async def _m_senddocument(self, params: dict[str, Any], from_form: bool) -> web.Response:
        return self._record("sendDocument", params, "", str(params.get("caption", "")), None)

    async def _m_getme(self, params: dict[str, Any], from_form: bool) -> web.Response:
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "id": self.bot_id,
                    "is_bot": True,
                    "first_name": "Điểm Tựa",  # the bot's name, as Telegram gives it (noqa: i18n)
                    "username": self.bot_username,
                    "can_join_groups": False,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                },
            }
        )

    async def _m_setmycommands(self, params: dict[str, Any], from_form: bool) -> web.Response:
        commands = self._loads(params["commands"], from_form)
        for command in commands:
            if not COMMAND_RE.match(command["command"]):
                return self._violation(f"BOT_COMMAND_INVALID: {command['command']!r}")
            if not 1 <= len(command["description"]) <= 256:
                return self._violation("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return web.json_response({"ok": True, "result": True})

    async def _m_answercallbackquery(self, params: dict[str, Any], from_form: bool) -> web.Response:
        if len(str(params.get("text", ""))) > 200:
            return self._violation("callback answer text is over 200 characters")
        return web.json_response({"ok": True, "result": True})

    async def _m_getupdates(self, params: dict[str, Any], from_form: bool) -> web.Response:
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        timeout = 0.0 if self._closing else min(float(params.get("timeout", 0) or 0), 2.0)  # short polls
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self.delivered_up_to = max(self.delivered_up_to, offset - 1)
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return web.json_response({"ok": True, "result": self._updates[:limit]})
