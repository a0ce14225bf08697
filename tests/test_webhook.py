"""Webhook mode (Telegram and Zalo from one aiohttp application) and the Zalo channel's edges: forged
requests rejected, redeliveries change state once, bots ignored, content-less messages answered kindly,
long answers split, the Zalo client's errors and secrets."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.zalo.channel import PATH as ZALO_PATH
from bot.channels.zalo.channel import render
from bot.channels.zalo.client import ZaloClient, ZaloError, ZaloRateLimited, ZaloUnauthorized
from bot.runtime import Runtime
from core.events import Choice, Reply
from core.text import split_text
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from tests.conftest import TELEGRAM_HOOK_SECRET, ZALO_HOOK_SECRET, ZALO_TOKEN, Webhooks
from tests.dialog import TelegramDriver, play
from tests.test_dialogs import DIALOGS, START

ZALO_USER = "5f0e1d2c3b4a59687766"


async def test_health_and_forged_requests_are_rejected_without_logging_the_secret(
    webhooks: Webhooks, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    health = await webhooks.http.get(webhooks.url + "/healthz")
    assert health.status_code == 200 and health.json()["channels"] == ["telegram", "zalo"]
    update = fake_zalo.update(ZALO_USER, "message.text.received", text="/start")
    caplog.set_level(logging.INFO)
    for path in (TELEGRAM_PATH, ZALO_PATH):
        assert (await webhooks.post(path, update, None)).status_code == 401
        assert (await webhooks.post(path, update, "not-the-secret")).status_code == 401
    right = ZALO_HOOK_SECRET
    assert (await webhooks.post(ZALO_PATH, b"{not json", right)).status_code == 400
    assert (await webhooks.post(ZALO_PATH, b"[1, 2]", right)).status_code == 400
    assert (await webhooks.post(ZALO_PATH, {"ok": True, "result": {"event_name": "x"}}, right)).status_code == 200
    assert fake_zalo.messages(ZALO_USER) == []  # nothing forged or malformed reached the conversation
    logged = caplog.text
    assert "rejected a Zalo webhook request: wrong secret" in logged
    assert "not-the-secret" not in logged and TELEGRAM_HOOK_SECRET not in logged and ZALO_HOOK_SECRET not in logged


async def test_a_zalo_update_delivered_three_times_changes_state_once(webhooks: Webhooks, fake_zalo: FakeZalo) -> None:
    start = fake_zalo.update(ZALO_USER, "message.text.received", text="/start")
    assert await webhooks.zalo_update(start) == 200
    before = len(fake_zalo.messages(ZALO_USER))
    answer = fake_zalo.update(ZALO_USER, "message.text.received", text="1")  # "16 or older"
    bare = answer["result"]  # also accepted without the {ok, result} envelope
    for body in (answer, bare, answer):
        assert await webhooks.zalo_update(body) == 200
    replies = fake_zalo.messages(ZALO_USER)[before:]
    assert len(replies) == 1 and "giúp gì" in replies[0].text
    # A second process (no memory of the first) gets it once more: the database says it was handled.
    webhooks.zalo._seen.clear()
    assert await webhooks.zalo_update(answer) == 200
    assert len(fake_zalo.messages(ZALO_USER)) == before + 1


async def test_a_telegram_update_delivered_twice_is_answered_once(
    webhooks: Webhooks, fake_telegram: FakeTelegram
) -> None:
    driver = TelegramDriver(fake_telegram, webhooks.telegram, user_id=5550077, webhook=webhooks.telegram_update)
    await play(driver, [START])
    update_id = fake_telegram.user_presses(5550077, "age:adult")
    update = fake_telegram.take(update_id)
    before = len(fake_telegram.messages(5550077))
    assert await webhooks.telegram_update(update) == 200
    assert await webhooks.telegram_update(update) == 200
    assert len(fake_telegram.messages(5550077)) == before + 1


@pytest.mark.parametrize(
    "name", ["adult onboarding reaches the menu", "urgent words interrupt and the person can go back"]
)
async def test_dialogs_through_the_telegram_webhook(webhooks: Webhooks, fake_telegram: FakeTelegram, name: str) -> None:
    driver = TelegramDriver(fake_telegram, webhooks.telegram, webhook=webhooks.telegram_update)
    await play(driver, DIALOGS[name])


async def test_zalo_bots_are_ignored_and_a_message_without_content_is_answered_kindly(
    webhooks: Webhooks, fake_zalo: FakeZalo
) -> None:
    from_bot = fake_zalo.update(ZALO_USER, "message.text.received", text="/start")
    from_bot["result"]["message"]["from"]["is_bot"] = True
    assert await webhooks.zalo_update(from_bot) == 200
    assert fake_zalo.messages(ZALO_USER) == []
    assert await webhooks.zalo_update(fake_zalo.update(ZALO_USER, "message.unsupported.received")) == 200
    (answer, *_rest) = fake_zalo.messages(ZALO_USER)
    assert answer.text.strip()  # the age question first, kindly: nothing crashed, nothing was silent


async def test_zalo_plain_text_is_numbered_and_split_on_sentences(runtime: Runtime) -> None:
    reply = Reply("Câu một. " * 400, choices=(Choice("a", "Có"), Choice("b", "Không")))
    pieces = render(reply, runtime.i18n)
    assert len(pieces) > 1 and all(len(p) <= 1900 for p in pieces)
    assert all(p.endswith(".") or p.endswith("chọn.)") for p in pieces)
    assert pieces[-1].endswith("1. Có\n2. Không\n(Gõ số để chọn.)")
    assert split_text("a" * 4500, 2000) == ["a" * 2000, "a" * 2000, "a" * 500]
    assert Reply("x", request_location=True) and "phường" in render(Reply("x", request_location=True), runtime.i18n)[0]


async def test_the_zalo_client_checks_ok_backs_off_on_429_and_never_shows_the_token(fake_zalo: FakeZalo) -> None:
    async with httpx.AsyncClient() as http:
        bad = ZaloClient(http, "1:short", api_url=fake_zalo.url)
        with pytest.raises(ZaloUnauthorized) as refused:
            await bad.get_me()
        assert "short" not in str(refused.value)
        client = ZaloClient(http, ZALO_TOKEN, api_url=fake_zalo.url, backoff=0.01)
        assert (await client.get_me()).name == "diemtua_bot"
        assert await client.get_updates(timeout=0) is None  # 408: nothing new
        fake_zalo.update(ZALO_USER, "message.text.received", text="hi")  # the user wrote first
        fake_zalo.quota_errors = 2
        assert await client.send_message(ZALO_USER, "xin chào")  # two 429s waited out
        fake_zalo.quota_errors = 9
        with pytest.raises(ZaloRateLimited):
            await client.send_message(ZALO_USER, "xin chào")
        fake_zalo.quota_errors = 0
        with pytest.raises(ValueError):
            await client.send_message(ZALO_USER, "x" * 2001)
        unreachable = ZaloClient(http, ZALO_TOKEN, api_url="http://127.0.0.1:9")
        with pytest.raises(ZaloError) as down:
            await unreachable.get_me()
        assert ZALO_TOKEN not in str(down.value) and ZALO_TOKEN not in repr(unreachable)
        assert await client.set_webhook("https://bot.example.org/webhook/zalo", ZALO_HOOK_SECRET)
        assert (await client.get_webhook_info())["url"] == "https://bot.example.org/webhook/zalo"
        await client.delete_webhook()
