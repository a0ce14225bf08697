"""Sealed values: readable only with the deployment secret, tamper-evident, never the pseudonym key."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from storage.sealing import LABEL, LEGACY_PREFIX, NONCE, PREFIX, SealBroken, Sealer, _derive, size_class

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


def test_a_sealed_value_carries_no_time_and_its_length_only_a_size_class() -> None:
    sealer = Sealer(SECRET)
    short, phone, longer = sealer.seal("1"), sealer.seal("+84 912 345 678"), sealer.seal("x" * 50)
    assert short.startswith(PREFIX)
    assert len(short) == len(phone) == len(longer)  # all in the 64-byte class
    assert len(sealer.seal("x" * 61)) > len(short)  # the next class
    assert [size_class(n) for n in (0, 60, 61, 124, 125)] == [64, 64, 128, 128, 256]
    # Nothing in the token changes with the time it was sealed: its bytes are a nonce and ciphertext only,
    # where Fernet's 9th to 1st bytes were the second of sealing.
    raw = base64.urlsafe_b64decode(short[len(PREFIX) :] + "==")
    assert len(raw) == NONCE + 64 + 16


def test_values_sealed_the_old_way_still_open_and_reseal_the_new_way() -> None:
    legacy = Fernet(base64.urlsafe_b64encode(_derive(SECRET, LABEL))).encrypt(b'{"address":"42"}').decode()
    assert legacy.startswith(LEGACY_PREFIX)
    sealer = Sealer(SECRET)
    assert sealer.open(legacy) == '{"address":"42"}'
    fresh = sealer.reseal(legacy)
    assert fresh.startswith(PREFIX) and sealer.open(fresh) == '{"address":"42"}'
