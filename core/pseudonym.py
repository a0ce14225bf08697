"""Keyed pseudonyms: the only name the bot knows a person by.

``HMAC-SHA256(secret, channel + ":" + platform_user_id)``, hex encoded.  The secret lives outside the
database, so a copy of the database alone cannot be joined back to platform accounts.
"""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_LENGTH = 64


class Pseudonymizer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the pseudonym secret must be at least 16 bytes")
        self._secret = secret

    def __repr__(self) -> str:
        return "Pseudonymizer(<secret>)"

    def of(self, channel: str, platform_user_id: str | int) -> str:
        message = f"{channel}:{platform_user_id}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def delivery_key(self, channel: str, platform_key: str | int) -> str:
        """What a redelivery is recognised by: a keyed hash of the platform's update or message id (which the
        platform could map to an account), never the id itself.  40 hex characters."""
        if platform_key in ("", None):
            return ""
        message = f"delivery:{channel}:{platform_key}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]
