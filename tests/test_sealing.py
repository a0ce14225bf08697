"""Sealed values: readable only with the deployment secret, tamper-evident, never the pseudonym key."""

from __future__ import annotations

import pytest

from storage.sealing import SealBroken, Sealer

SECRET = b"a-deployment-secret-of-enough-length"


def test_round_trip_and_every_seal_differs() -> None:
    sealer = Sealer(SECRET)
    first, second = sealer.seal("0912 345 678"), sealer.seal("0912 345 678")
    assert first != second and "0912" not in first
    assert sealer.open(first) == sealer.open(second) == "0912 345 678"
    assert sealer.open_json(sealer.seal_json({"rượu": 11})) == {"rượu": 11}


def test_another_secret_or_a_changed_byte_cannot_open() -> None:
    token = Sealer(SECRET).seal("hello")
    with pytest.raises(SealBroken):
        Sealer(b"another-secret-of-enough-length!!").open(token)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SealBroken):
        Sealer(SECRET).open(tampered)
    with pytest.raises(SealBroken):
        Sealer(SECRET).open("not a token at all ✓")


def test_the_key_is_derived_and_not_shown() -> None:
    sealer = Sealer(SECRET)
    assert "secret" not in repr(sealer) and SECRET.decode() not in repr(sealer)
    with pytest.raises(ValueError):
        Sealer(b"short")
