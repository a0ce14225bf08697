"""Webhook mode: one aiohttp application serving every channel's webhook route, and ``/healthz``.

Each platform proves a request is its own with a shared secret in a header (its route names the header; the
secret is set when the webhook is registered), compared in constant time; a request without it, or with a
wrong one, gets 401 and is logged without the secret. A body that is not JSON gets 400. An update is handled
before the answer (so the platform retries if the process dies meanwhile), and a redelivered one changes
nothing: its key is recorded in the transaction of its effects.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.channels.base import WebhookRoute
from bot.config import Settings
from core.logsafe import describe_exception

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
HEADER_TIMEOUT = 10.0  # seconds a new or idle connection has to send a request's headers
BODY_TIMEOUT = 10.0  # seconds to send the body once the headers have come
MAX_CONNECTIONS = 512  # open connections at once; more are closed at once (a proxy should queue before this)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A channel's webhook as served: its name (for logs and /healthz), its route and its secret."""

    name: str
    route: WebhookRoute
    secret: str


class BadUpdate(ValueError):
    """A body that is JSON but not an update this channel can read: answered 400, never retried."""


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def derive_secret(secret: bytes, purpose: str) -> str:
    """A webhook secret derived from a key: 48 hex characters, within what Telegram (A-Z a-z 0-9 _ -, up to
    256) and Zalo (8 to 256) accept."""
    return hmac.new(secret, f"webhook:{purpose}".encode(), "sha256").hexdigest()[:48]


def webhook_secret(settings: Settings, purpose: str) -> str:
    """The secret a platform sends with each webhook request: from ``DIEMTUA_WEBHOOK_KEY``, a value of its own
    that can be changed at any time (restart with ``DIEMTUA_PUBLIC_URL`` set and the webhooks are registered
    with the new secret), without touching the deployment secret behind pseudonyms; unset, from the
    deployment secret as before."""
    key = settings.webhook_key.get_secret_value().encode() if settings.webhook_key is not None else settings.secret()
    return derive_secret(key, purpose)


def _endpoint(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
    name, header, handle = endpoint.name.capitalize(), endpoint.route.header, endpoint.route.handle
    expected = endpoint.secret.encode()

    async def serve(request: web.Request) -> web.Response:
        given = request.headers.get(header, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("rejected a %s webhook request: %s secret", name, "wrong" if given else "no")
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            async with asyncio.timeout(BODY_TIMEOUT):  # (not wait_for: it makes a task of the read, per update)
                raw = await request.read()
        except TimeoutError:
            return web.json_response({"ok": False, "error": "the body came too slowly"}, status=408)
        try:
            body = json.loads(raw, parse_constant=_no_constants)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return web.json_response({"ok": False, "error": "the body is not JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"ok": False, "error": "the body is not an object"}, status=400)
        try:
            await handle(body)
        except BadUpdate:
            log.info("refused a %s webhook body that is not an update", name)
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        except Exception as exc:  # what a retry may mend (the database, say): the platform redelivers
            log.error("a %s webhook update could not be handled: %s", name, describe_exception(exc))
            return web.json_response({"ok": False, "error": "try again later"}, status=503)
        return web.json_response({"ok": True})

    return serve


class _Refused(asyncio.Protocol):
    """A connection over the cap: closed at once, before anything is read."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class GuardedSite(web.TCPSite):
    """A TCP site that keeps at most ``limit`` connections open: beyond, new ones are closed at once, so slow
    or idle clients cannot use up the process's file descriptors (aiohttp itself closes a connection that
    sends no request's headers within ``keepalive_timeout``: ``HEADER_TIMEOUT`` here)."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, *, limit: int = MAX_CONNECTIONS) -> None:
        super().__init__(runner, host, port)
        self.limit = limit
        self.refused = 0

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.BaseProtocol:
            if len(server.connections) >= self.limit:
                self.refused += 1
                return _Refused()
            return server()

        self._server = await asyncio.get_running_loop().create_server(protocol, self._host, self._port)


def create_runner(app: web.Application) -> web.AppRunner:
    """The application's runner: no access log (it would carry addresses), the header timeout."""
    return web.AppRunner(app, access_log=None, keepalive_timeout=HEADER_TIMEOUT)


def create_app(endpoints: Sequence[Endpoint]) -> web.Application:
    """The application: each channel's webhook, and ``/healthz`` naming the channels served."""
    app = web.Application(client_max_size=MAX_BODY)
    names = [endpoint.name for endpoint in endpoints]

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channels": names})

    app.router.add_get("/healthz", healthz)
    for endpoint in endpoints:
        app.router.add_post(endpoint.route.path, _endpoint(endpoint))
    return app
