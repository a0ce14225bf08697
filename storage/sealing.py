"""Encryption at rest for the few personal values a person agreed to let us keep.

Values are sealed with Fernet (AES-128-CBC + HMAC-SHA256: authenticated, tamper-evident).  The key is
derived with HKDF-SHA256 from the deployment secret (kept outside the database) under its own label,
so it is never the key that makes pseudonyms, and a copy of the database alone reveals nothing.

Keys can be rotated without touching pseudonyms: with ``DIEMTUA_SEAL_KEYS`` set, its first key seals and
every older key (the rest, then the deployment secret) still opens, until ``python -m bot keys rotate`` has
sealed everything again under the first one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LABEL = b"diemtua/seal/v1"


class SealBroken(ValueError):
    """A sealed value that cannot be opened: another secret, or tampered with."""


def _fernet(secret: bytes) -> Fernet:
    if len(secret) < 16:
        raise ValueError("the secret must be at least 16 bytes")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LABEL).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


class Sealer:
    def __init__(self, secret: bytes, previous: Sequence[bytes] = ()) -> None:
        """``secret`` seals (and opens); each of ``previous`` only opens what was sealed before a rotation."""
        self._fernet = MultiFernet([_fernet(secret), *(_fernet(old) for old in previous)])

    def __repr__(self) -> str:
        return "Sealer(<key>)"

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise SealBroken("a sealed value could not be opened") from None

    def reseal(self, token: str) -> str:
        """The same value sealed under the current key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise SealBroken("a sealed value could not be opened") from None

    def seal_json(self, value: Any) -> str:
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True))

    def open_json(self, token: str) -> Any:
        return json.loads(self.open(token))
