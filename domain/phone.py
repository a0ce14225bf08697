"""Vietnamese phone numbers as people type them: "0912 345 678", "+84 912.345.678", "024 3826 1234"."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
MOBILE = re.compile(r"^0[35789]\d{8}$")
LANDLINE = re.compile(r"^02\d{9}$")


def normalize_phone(text: str) -> str | None:
    """The number in national form ("0912345678"), or None if it is not a Vietnamese phone number."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if MOBILE.match(digits) or LANDLINE.match(digits):
        return digits
    return None
