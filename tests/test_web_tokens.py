"""The web console's secrets (issue 20, started): links and sessions stored only as keyed hashes, a link used once
within ten minutes, a session ending when idle or old, and a CSRF token only its session can give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.web_tokens import LINK_VALID, SESSION_IDLE, SESSION_LONGEST, SignInLink, WebKeys, WebSession, new_token

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEYS = WebKeys(b"k" * 32)


def test_tokens_are_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) == 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def test_what_is_stored_is_a_keyed_hash_different_per_use_and_per_secret() -> None:
    token = new_token()
    stored = {KEYS.link_hash(token), KEYS.session_hash(token), KEYS.csrf(token)}
    assert len(stored) == 3 and token not in "".join(stored)
    assert WebKeys(b"o" * 32).link_hash(token) != KEYS.link_hash(token)  # a stolen database without the secret
    assert KEYS.link_hash(token) == KEYS.link_hash(token)
    with pytest.raises(ValueError):
        WebKeys(b"short")
    assert "k" not in repr(KEYS).replace("WebKeys", "")


@given(st.text(max_size=60))
def test_only_the_sessions_own_csrf_token_passes(forged: str) -> None:
    session = "s" * 43
    assert KEYS.csrf_ok(session, KEYS.csrf(session))
    assert not KEYS.csrf_ok(session, None)
    if forged != KEYS.csrf(session):
        assert not KEYS.csrf_ok(session, forged)
    assert not KEYS.csrf_ok("t" * 43, KEYS.csrf(session))  # another session's token


def test_a_link_works_once_for_ten_minutes() -> None:
    link = SignInLink(staff_id=1, created_at=NOW)
    assert link.usable(NOW) and link.usable(NOW + LINK_VALID - timedelta(seconds=1))
    assert not link.usable(NOW + LINK_VALID)
    assert not link.usable(NOW - timedelta(seconds=1))  # from the future: a clock set back
    assert not SignInLink(1, NOW, used_at=NOW).usable(NOW + timedelta(seconds=5))


def test_a_session_ends_when_idle_or_old() -> None:
    fresh = WebSession(staff_id=1, created_at=NOW, last_seen=NOW)
    assert fresh.alive(NOW + SESSION_IDLE - timedelta(seconds=1))
    assert not fresh.alive(NOW + SESSION_IDLE)
    busy = WebSession(1, NOW, last_seen=NOW + SESSION_LONGEST - timedelta(minutes=1))
    assert busy.alive(NOW + SESSION_LONGEST - timedelta(seconds=1))
    assert not busy.alive(NOW + SESSION_LONGEST)  # however busy, twelve hours at most
