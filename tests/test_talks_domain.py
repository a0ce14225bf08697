"""The queue arithmetic of live talks (domain/talks.py): aliases, order, offers, estimates, coarse times."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta

import pytest

from domain.hours import parse_hours
from domain.talks import (
    ALIAS_ALPHABET,
    Estimate,
    OnDuty,
    Usually,
    Waiting,
    alias_from,
    coarse,
    estimate_wait,
    offer_to,
    position,
    silent,
    usually_on,
    wait_band,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_an_alias_is_four_unmistakable_characters_and_fresh_each_time() -> None:
    aliases = {alias_from(secrets.token_bytes(8)) for _ in range(500)}
    assert all(len(a) == 5 and a[0] == "#" and set(a[1:]) <= set(ALIAS_ALPHABET) for a in aliases)
    assert not set("01ILOSZ25") & set(ALIAS_ALPHABET)
    assert len(aliases) > 490  # 27**4 = 531,441 of them: repeats among 500 are rare
    assert alias_from(bytes(8)) == "#3333"  # the same bytes, the same alias: nothing else goes into it
    with pytest.raises(ValueError):
        alias_from(b"abc")


def test_first_come_first_served() -> None:
    queue = [Waiting(7, T0 + timedelta(minutes=2)), Waiting(3, T0), Waiting(5, T0)]
    assert [position(queue, t) for t in (3, 5, 7, 9)] == [1, 2, 3, None]


def test_a_talk_is_offered_to_those_with_room_its_province_first_then_the_least_busy() -> None:
    on_duty = [
        OnDuty(1, T0, talks=2, capacity=2, province="Hà Nội"),  # full
        OnDuty(2, T0 + timedelta(minutes=5), talks=1, capacity=3, province="Hà Nội"),
        OnDuty(3, T0, talks=0, capacity=2, province="TP Hồ Chí Minh"),
        OnDuty(4, T0 - timedelta(hours=1), talks=0, capacity=2),
    ]
    assert offer_to(Waiting(1, T0, "Hà Nội"), on_duty) == [2, 4, 3]
    assert offer_to(Waiting(1, T0), on_duty) == [4, 3, 2]  # no province: the least busy, then longest on duty
    assert offer_to(Waiting(1, T0), on_duty[:1]) == []


def test_the_wait_is_an_honest_range_and_unknown_when_nobody_is_on_duty() -> None:
    talk = timedelta(minutes=20)
    one = [OnDuty(1, T0, talks=1, capacity=2)]
    assert estimate_wait(1, [], talk) is None
    assert estimate_wait(1, one, talk) == Estimate(0, 0) and Estimate(0, 0).soon
    assert estimate_wait(2, one, talk) == Estimate(10, 20)  # the first talk to end frees a place
    assert estimate_wait(4, one, talk) == Estimate(30, 40)  # two rounds
    two = [*one, OnDuty(2, T0, talks=2, capacity=2)]
    assert estimate_wait(4, two, talk) == Estimate(10, 20)  # four places among them: one round


def test_silence_coarse_times_and_wait_bands() -> None:
    assert silent(T0, T0 + timedelta(minutes=10), timedelta(minutes=10))
    assert not silent(T0, T0 + timedelta(minutes=9, seconds=59), timedelta(minutes=10))
    assert coarse(T0.replace(minute=44, second=31, microsecond=9)) == T0.replace(minute=30)
    assert coarse(T0) == T0
    bands = [timedelta(minutes=m) for m in (0, 4, 5, 14, 15, 59, 60, 600)]
    assert [wait_band(b) for b in bands] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_when_someone_is_usually_on_duty_comes_from_the_rosters() -> None:
    weekdays, evenings = parse_hours("T2-T6 08:00-17:00"), parse_hours("T7 18:00-21:00")
    assert weekdays is not None and evenings is not None
    tuesday_noon = datetime(2026, 12, 1, 12, 0)  # local time, a Tuesday
    assert usually_on([weekdays, evenings], tuesday_noon) == Usually(True)
    friday_night = datetime(2026, 12, 4, 22, 0)
    assert usually_on([weekdays, evenings], friday_night) == Usually(False, 1, time(18, 0))  # Saturday evening
    assert usually_on([weekdays], friday_night) == Usually(False, 3, time(8, 0))  # Monday morning
    assert usually_on([], friday_night) is None
