"""Typed button data: packed and unpacked by the core, checked when built and when pressed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.console import INFO
from bot.runtime import Runtime
from core.choices import ChoiceData, ForgedChoice
from core.events import ChoiceMade, TextMessage
from handlers.groups.shared import Act, Reminders
from services.group_outbox import Rsvp


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Sample(ChoiceData, prefix="test.sample"):
    number: int
    name: str
    flag: bool
    day: date
    answer: Literal["y", "n"]
    colour: Colour
    minutes: tuple[int, ...]


SAMPLE = Sample(-3, "abc", True, date(2026, 12, 1), "n", Colour.BLUE, (1440, 60))


def test_a_choice_packs_to_its_prefix_and_fields_and_back() -> None:
    assert SAMPLE.pack() == "test.sample:-3:abc:1:20261201:n:blue:1440,60"
    assert Sample.unpack(SAMPLE.pack()) == SAMPLE
    assert SAMPLE.choice("Label").id == SAMPLE.pack()
    assert Reminders.unpack(Reminders(()).pack()) == Reminders(())
    assert Rsvp(7, date(2026, 11, 24), "y").pack() == "gr:7:20261124:y"  # reminders already sent keep working


@pytest.mark.parametrize(
    "data",
    [
        "test.sample:-3:abc:1:20261201:n:blue",  # a field missing
        "test.sample:-3:abc:1:20261201:n:blue:1:extra",  # one too many
        "test.sample:x:abc:1:20261201:n:blue:1",  # not a number
        "test.sample:99999999999999999999:abc:1:20261201:n:blue:1",  # absurdly large
        "test.sample:1:abc:yes:20261201:n:blue:1",  # not a flag
        "test.sample:1:abc:1:20261341:n:blue:1",  # no such date
        "test.sample:1:abc:1:20261201:maybe:blue:1",  # not offered
        "test.sample:1:abc:1:20261201:n:green:1",  # no such colour
        "test.sample:1:abc:1:20261201:n:blue:1,x",  # not minutes
        "other:1:abc:1:20261201:n:blue:1",  # another kind's data
    ],
)
def test_data_no_button_could_carry_is_forged(data: str) -> None:
    with pytest.raises(ForgedChoice):
        Sample.unpack(data)


@given(st.text(max_size=80))
def test_any_text_unpacks_or_is_forged(data: str) -> None:
    try:
        Sample.unpack(data)
        Act.unpack(data)
    except ForgedChoice:
        pass


def test_a_button_too_long_for_telegram_fails_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Sample(1, "x" * 60, False, date(2026, 1, 1), "y", Colour.RED, ()).pack()
    with pytest.raises(ValueError, match="cannot hold"):
        Sample(1, "a:b", False, date(2026, 1, 1), "y", Colour.RED, ()).pack()


def test_a_prefix_is_short_and_has_no_separator() -> None:
    with pytest.raises(ValueError, match="prefix"):

        class Bad(ChoiceData, prefix="a:b"):
            pass


async def test_forged_typed_data_is_answered_as_an_expired_button(runtime: Runtime) -> None:
    user = "f" * 64
    await runtime.conversation.handle(TextMessage(user, "console", "/start"), INFO)
    await runtime.conversation.handle(ChoiceMade(user, "console", "age:adult"), INFO)
    # "I'll come" is accepted at any time (reminders are old messages), so its data is all that is checked.
    for forged in ("gr:1:2026:y", "gr:x:20261124:y", "gr:1:20261124:maybe", "gr:1:20261124:y:1"):
        out = await runtime.conversation.handle(ChoiceMade(user, "console", forged), INFO)
        assert "không còn dùng được" in out.replies[-1].text, forged
    # Well-formed, but not this person's membership: refused by the handler's own check.
    out = await runtime.conversation.handle(ChoiceMade(user, "console", "gr:1:20261124:y"), INFO)
    assert "không còn hiệu lực" in out.replies[-1].text
