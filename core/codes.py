"""Short codes people read aloud or type: booking codes and staff invitations.

Drawn with ``secrets`` from 31 symbols that cannot be confused (no 0/O, 1/I/L); an 8-symbol booking code
has 31**8 (about 850 billion) values, so guessing one is hopeless, and every use is checked against its
owner anyway.  Codes are shown in groups of four and read back ignoring case, spaces and dashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(typed: str) -> str:
    """A typed code in its stored form: upper case, without spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def show_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class InviteCodes:
    """What is stored of a one-time invitation code: a keyed hash (HMAC-SHA256 under a key derived from the
    deployment secret).  An unkeyed hash of a 10-symbol code could be reversed from a stolen database by
    trying every code; without the secret there is nothing to try against."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the secret must be at least 16 bytes")
        self._key = hmac.new(secret, b"diemtua/invite/v1", hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "InviteCodes(<key>)"

    def hash(self, code: str) -> str:
        return hmac.new(self._key, normalize_code(code).encode(), hashlib.sha256).hexdigest()
