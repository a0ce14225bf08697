"""Encryption at rest for the few personal values a person agreed to let us keep.

Values are sealed with AES-256-GCM (authenticated, tamper-evident) under a random 96-bit nonce: a sealed value
carries no timestamp (Fernet, used before, carried the second it was sealed), and each value is padded to a
size class (64, 128, 256 ... bytes) before sealing, so its length does not tell a phone number from a chat id
or one state from another.  The key is derived with HKDF-SHA256 from the deployment secret (kept outside the
database) under its own label, so it is never the key that makes pseudonyms, and a copy of the database alone
reveals nothing.

Keys can be rotated without touching pseudonyms: with ``DIEMTUA_SEAL_KEYS`` set, its first key seals and
every older key (the rest, then the deployment secret) still opens, until ``python -m bot keys rotate`` has
sealed everything again under the first one.  Values sealed the old way (Fernet, ``gAAAA...``) still open, and
are sealed again the new way when the runtime starts (``storage.rekey.reseal_all(legacy_only=True)``).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LABEL = b"diemtua/seal/v1"  # Fernet keys, for values sealed before v2
LABEL_V2 = b"diemtua/seal/v2"
PREFIX = "v2:"  # ":" is outside base64url, so a v2 value is never mistaken for a Fernet token
LEGACY_PREFIX = "gAAAA"  # every Fernet token starts so (version byte 0x80, then the timestamp's high bytes)
NONCE = 12
SMALLEST = 64  # bytes: the smallest size class (length prefix and value)


class SealBroken(ValueError):
    """A sealed value that cannot be opened: another secret, or tampered with."""


def _derive(secret: bytes, label: bytes) -> bytes:
    if len(secret) < 16:
        raise ValueError("the secret must be at least 16 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def _fernet(secret: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret, LABEL)))


def size_class(length: int) -> int:
    """The padded size of a value of ``length`` bytes: the next power of two from 64 on."""
    size = SMALLEST
    while size < length + 4:
        size *= 2
    return size


def _pad(data: bytes) -> bytes:
    body = len(data).to_bytes(4, "big") + data
    return body + bytes(size_class(len(data)) - len(body))


def _unpad(padded: bytes) -> bytes:
    length = int.from_bytes(padded[:4], "big")
    if length > len(padded) - 4:
        raise SealBroken("a sealed value could not be opened")
    return padded[4 : 4 + length]


class Sealer:
    def __init__(self, secret: bytes, previous: Sequence[bytes] = ()) -> None:
        """``secret`` seals (and opens); each of ``previous`` only opens what was sealed before a rotation."""
        self._keys = [AESGCM(_derive(key, LABEL_V2)) for key in (secret, *previous)]
        self._legacy = MultiFernet([_fernet(secret), *(_fernet(old) for old in previous)])

    def __repr__(self) -> str:
        return "Sealer(<key>)"

    def seal(self, value: str) -> str:
        nonce = os.urandom(NONCE)
        sealed = self._keys[0].encrypt(nonce, _pad(value.encode()), PREFIX.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")

    def open(self, token: str) -> str:
        try:
            if token.startswith(PREFIX):
                body = token[len(PREFIX) :]
                raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
                return _unpad(self._open_v2(raw)).decode()
            return self._legacy.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError, binascii.Error, ValueError):
            raise SealBroken("a sealed value could not be opened") from None

    def _open_v2(self, raw: bytes) -> bytes:
        nonce, sealed = raw[:NONCE], raw[NONCE:]
        for key in self._keys:
            try:
                return key.decrypt(nonce, sealed, PREFIX.encode())
            except InvalidTag:
                continue
        raise SealBroken("a sealed value could not be opened")

    def reseal(self, token: str) -> str:
        """The same value sealed under the current key, the current way (for key rotation)."""
        return self.seal(self.open(token))

    def seal_json(self, value: Any) -> str:
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True))

    def open_json(self, token: str) -> Any:
        return json.loads(self.open(token))
