"""Vietnamese phone numbers as people type them."""

from __future__ import annotations

import pytest

from domain.phone import normalize_phone


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(+84) 35-123-4567", "0351234567"),
        ("024 3826 1234", "02438261234"),
        (" 0987654321 ", "0987654321"),
    ],
)
def test_accepted(typed: str, number: str) -> None:
    assert normalize_phone(typed) == number


@pytest.mark.parametrize("typed", ["", "12345", "0112345678", "091234567", "09123456789", "call me", "+1 555 0100"])
def test_refused(typed: str) -> None:
    assert normalize_phone(typed) is None
