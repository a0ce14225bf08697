"""A small typed async client for the Zalo Bot Platform API, over an injected ``httpx.AsyncClient``.

Every method is ``POST <base>/bot<TOKEN>/<method>`` with a JSON body.  Zalo answers errors with HTTP 200 and
``ok: false``, so every answer's ``ok`` is checked; failures raise this module's exceptions, whose messages
never hold the token (it is part of the URL, so httpx's own errors are re-raised without their text).
``getUpdates`` returns one update at a time, and ``error_code`` 408 there means "nothing new", not a failure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000


class ZaloError(Exception):
    """The Zalo API refused a request (``ok: false``), or could not be reached."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method} failed ({code}): {description}")
        self.method = method
        self.code = code
        self.description = description


class ZaloUnauthorized(ZaloError):
    """The token is wrong or was reset (401)."""


class ZaloForbidden(ZaloError):
    """The bot may not write to that chat (403): the person blocked it, or never wrote first."""


class ZaloRateLimited(ZaloError):
    """Quota exceeded (429): back off."""


class ZaloNetworkError(ZaloError):
    """The request did not get an answer.  ``sent`` is False when it never reached the server."""

    def __init__(self, method: str, description: str, *, sent: bool) -> None:
        super().__init__(method, 0, description)
        self.sent = sent


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: str
    name: str


class ZaloClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        retries_after_429: int = 3,
        backoff: float = 1.0,
    ) -> None:
        self._http = http
        self._token = token
        self._base = api_url.rstrip("/")
        self._retries = retries_after_429
        self._backoff = backoff

    def __repr__(self) -> str:  # never the token
        return f"ZaloClient(api_url={self._base!r})"

    async def _call(self, method: str, body: dict[str, Any], *, timeout: float | None = None) -> Any:
        attempt = 0
        while True:
            try:
                response = await self._http.post(
                    f"{self._base}/bot{self._token}/{method}",
                    json=body,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.ConnectError:
                raise ZaloNetworkError(method, "cannot connect", sent=False) from None
            except httpx.TimeoutException as exc:
                sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                raise ZaloNetworkError(method, "timed out", sent=sent) from None
            except httpx.HTTPError as exc:
                raise ZaloNetworkError(method, type(exc).__name__, sent=True) from None
            try:
                payload = response.json()
            except ValueError:
                raise ZaloError(method, response.status_code, "the answer is not JSON") from None
            if not isinstance(payload, dict):
                raise ZaloError(method, response.status_code, "the answer is not an object")
            if payload.get("ok") is True:
                return payload.get("result")
            code = int(payload.get("error_code") or response.status_code or 0)
            description = str(payload.get("description") or "")[:200]
            if code == 429 and attempt < self._retries:
                attempt += 1
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("Zalo quota exceeded on %s: waiting %.1f s", method, delay)
                await asyncio.sleep(delay)
                continue
            kind = {401: ZaloUnauthorized, 403: ZaloForbidden, 429: ZaloRateLimited}.get(code, ZaloError)
            raise kind(method, code, description)

    async def get_me(self) -> BotInfo:
        result = await self._call("getMe", {})
        return BotInfo(str(result.get("id", "")), str(result.get("account_name") or result.get("display_name") or ""))

    async def get_updates(self, timeout: int = 30) -> dict[str, Any] | None:
        """One update, or None when there is none within ``timeout`` seconds (Zalo's 408)."""
        try:
            result = await self._call("getUpdates", {"timeout": timeout}, timeout=timeout + 10)
        except ZaloError as exc:
            if exc.code == 408:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("a Zalo webhook secret is 8 to 256 characters")
        return dict(await self._call("setWebhook", {"url": url, "secret_token": secret_token}) or {})

    async def delete_webhook(self) -> dict[str, Any]:
        return dict(await self._call("deleteWebhook", {}) or {})

    async def get_webhook_info(self) -> dict[str, Any]:
        return dict(await self._call("getWebhookInfo", {}) or {})

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send plain text (1 to 2000 characters); returns the message id."""
        if not 1 <= len(text) <= MAX_TEXT:
            raise ValueError(f"a Zalo message is 1 to {MAX_TEXT} characters, not {len(text)}")
        result = await self._call("sendMessage", {"chat_id": chat_id, "text": text})
        return str((result or {}).get("message_id", ""))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        body: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            body["caption"] = caption[:MAX_TEXT]
        result = await self._call("sendPhoto", body)
        return str((result or {}).get("message_id", ""))
