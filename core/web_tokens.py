"""The web console's secrets, and the rules they follow (issue 20): single-use sign-in links, sessions, and the
CSRF token every form carries.

A token is random (``secrets``) and given to the browser only; the database keeps a keyed hash of it
(HMAC-SHA256 under the bot's secret, with a label per use), so a copy of the database cannot be turned into a
working link or session.  A link works once, for ten minutes; a session ends after half an hour without use, after
twelve hours whatever happens, and when its staff member signs out everywhere.  The CSRF token is derived from the
session's token (a keyed hash of it), so a page that never saw the session cannot forge one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

LINK_VALID = timedelta(minutes=10)
SESSION_IDLE = timedelta(minutes=30)
SESSION_LONGEST = timedelta(hours=12)
TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh random token for a link or a session (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class WebKeys:
    """Keyed hashes of the console's tokens, under the bot's secret (kept outside the database)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the web console's secret must be at least 16 bytes")
        self._secret = secret

    def __repr__(self) -> str:
        return "WebKeys(<secret>)"

    def _mac(self, label: str, token: str) -> str:
        return hmac.new(self._secret, f"web-{label}:{token}".encode(), hashlib.sha256).hexdigest()

    def link_hash(self, token: str) -> str:
        """What is stored for a sign-in link."""
        return self._mac("link", token)

    def session_hash(self, token: str) -> str:
        """What is stored for a session (its cookie holds the token)."""
        return self._mac("session", token)

    def csrf(self, session_token: str) -> str:
        """The CSRF token of the forms of a session."""
        return self._mac("csrf", session_token)[:43]

    def csrf_ok(self, session_token: str, given: str | None) -> bool:
        """Whether a form's CSRF token is its session's (compared in constant time, as bytes: a forged token may
        hold any character)."""
        return given is not None and hmac.compare_digest(self.csrf(session_token).encode(), given.encode())


@dataclass(frozen=True, slots=True)
class SignInLink:
    staff_id: int
    created_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        """Unused, and no older than :data:`LINK_VALID` (nor from the future: a clock set back)."""
        return self.used_at is None and self.created_at <= now < self.created_at + LINK_VALID


@dataclass(frozen=True, slots=True)
class WebSession:
    staff_id: int
    created_at: datetime
    last_seen: datetime

    def alive(self, now: datetime) -> bool:
        """Used within :data:`SESSION_IDLE`, and begun within :data:`SESSION_LONGEST`."""
        return now < self.last_seen + SESSION_IDLE and now < self.created_at + SESSION_LONGEST


@dataclass
class ConsoleAccess:
    """What the chat needs to hand out sign-in links: the keys, and the console's address once known (from the
    settings, or when the console starts listening; None while it is not served anywhere)."""

    keys: WebKeys
    url: str | None = None

    def link(self, token: str) -> str:
        if self.url is None:
            raise RuntimeError("the web console is not served")
        return f"{self.url.rstrip('/')}/in/{token}"
