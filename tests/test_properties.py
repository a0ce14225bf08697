"""Property-based tests (hypothesis): random text and Unicode, very long messages, forged and stale button
data and malformed webhook bodies, fed to the conversation as every channel delivers them.  Nothing escapes
as an exception, every event gets an answer, and every answer is valid for the channel that will send it
(Telegram: 1-4096 characters after HTML parsing, callback data 1-64 bytes; Zalo: plain text, 1-2000)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.channels.console import INFO as CONSOLE
from bot.channels.telegram.render import INFO as TELEGRAM
from bot.channels.telegram.render import render as telegram_render
from bot.channels.zalo.channel import INFO as ZALO
from bot.channels.zalo.channel import ZaloChannel, unwrap
from bot.channels.zalo.channel import render as zalo_render
from bot.channels.zalo.client import ZaloClient
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from core.events import ChannelInfo, ChoiceMade, Event, Reply, TextMessage
from core.text import utf16_length
from fakes.telegram_html import parse_html
from tests.conftest import TEST_SECRET

CHANNELS = {"console": CONSOLE, "telegram": TELEGRAM, "zalo": ZALO}
STALE = (
    "age:adult",
    "age:child",
    "menu",
    "bk:ok",
    "bk:cxok:1",
    "erase",
    "gr:1:20261124:y",
    "lead.group:1",
    "group.join:1:1",
)


class Loop:
    """One event loop and one runtime for every example of a module (opening one per example is slow)."""

    def __init__(self, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        config = Settings(data_dir=data_dir, secret_key=SecretStr(TEST_SECRET))
        self.runtime: Runtime = self.loop.run_until_complete(open_runtime(config))

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        self.loop.run_until_complete(self.runtime.close())
        self.loop.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    loop = Loop(tmp_path_factory.mktemp("properties"))
    try:
        yield loop
    finally:
        loop.close()


def valid_for(channel: ChannelInfo, reply: Reply, shared: Loop) -> None:
    i18n = shared.runtime.i18n
    if channel is TELEGRAM:
        for message in telegram_render(reply, i18n):
            visible = parse_html(message.html)
            assert 1 <= utf16_length(visible) <= 4096 and visible.strip()
            for row in message.inline:
                for button in row:
                    assert button.data and 1 <= len(button.data.encode()) <= 64 and button.label.strip()
    elif channel is ZALO:
        for piece in zalo_render(reply, i18n):
            assert 1 <= len(piece) <= 2000 and piece.strip()
    else:
        assert reply.text.strip() or reply.choices


async def answer(shared: Loop, event: Event, channel: ChannelInfo) -> list[Reply]:
    outcome = await shared.runtime.conversation.handle(event, channel)
    return outcome.replies


texts = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.text(st.characters(codec="utf-8"), min_size=4000, max_size=20_000),
    st.sampled_from(
        ["/start", "/menu", "1", "2", "9", "/forget", "/privacy", "/staff", "/nhom", "/roinhom", "/lichhen"]
    ),
    st.from_regex(r"\A/[a-z_]{1,40}( .{0,80})?\Z"),
)
choice_data = st.one_of(
    st.sampled_from(STALE), st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=64)
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    person=st.integers(min_value=1, max_value=6),
    channel=st.sampled_from(sorted(CHANNELS)),
    text=texts,
    data=choice_data,
    press=st.booleans(),
)
def test_anything_typed_or_pressed_gets_a_valid_answer_and_nothing_escapes(
    shared: Loop, caplog: pytest.LogCaptureFixture, person: int, channel: str, text: str, data: str, press: bool
) -> None:
    info = CHANNELS[channel]
    user = f"{person:064x}"
    event: Event = (
        ChoiceMade(user, channel, data, address="42")
        if press and data
        else TextMessage(user, channel, text, address="42")
    )
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        replies = shared.run(answer(shared, event, info))
    assert replies, "never silence"
    assert not [r for r in caplog.records if "failed" in r.getMessage()], "a handler raised"
    for reply in replies:
        valid_for(info, reply, shared)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
zalo_like = st.fixed_dictionaries(
    {
        "event_name": st.sampled_from(
            ["message.text.received", "message.image.received", "message.unsupported.received", "x", ""]
        ),
        "message": st.fixed_dictionaries(
            {
                "from": st.fixed_dictionaries({"id": json_values, "is_bot": json_values}),
                "chat": st.fixed_dictionaries({"id": json_values, "chat_type": json_values}),
                "message_id": json_values,
                "text": json_values,
            }
        ),
    }
)


class SilentClient(ZaloClient):
    """Sends nowhere: these tests are about what the channel accepts, not about delivery."""

    def __init__(self) -> None:
        pass

    async def send_message(self, chat_id: str, text: str) -> str:
        assert 1 <= len(text) <= 2000
        return "m1"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values, zalo_like, st.fixed_dictionaries({"ok": st.just(True), "result": zalo_like})))
def test_malformed_zalo_webhook_bodies_are_ignored_or_answered_never_raised(shared: Loop, body: Any) -> None:
    channel = ZaloChannel(shared.runtime.conversation, shared.runtime.pseudonyms, SilentClient())
    handled = shared.run(channel.handle_update(body))
    update = unwrap(body)
    if update is None:
        assert handled is False


def test_digits_that_are_not_decimal_do_not_break_choosing_by_number(
    shared: Loop, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the property test above: "³".isdigit() is true but int("³") raises."""
    user = "9" * 64
    with caplog.at_level(logging.ERROR):
        for text in ("/start", "³", "¹", "٣"):  # superscripts, and an Arabic-Indic three (a decimal digit)
            replies = shared.run(answer(shared, TextMessage(user, "console", text), CONSOLE))
            assert replies and replies[0].text.strip()
    assert not caplog.records, "a handler raised"
