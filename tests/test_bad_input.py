"""Bad input at the webhooks: malformed, mistyped, deeply nested or unknown bodies, a non-ASCII secret header
and a flood from one account get a clean 4xx (or a 200 that ignores what no retry can mend), never a 500; the
log keeps nothing a person wrote, and nothing is amplified."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
from typing import Any

import httpx
import pytest

from bot.channels import webhook
from bot.channels.telegram.ptb_channel import PtbTelegram
from bot.channels.telegram.render import WEBHOOK_HEADER as TELEGRAM_HEADER
from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.webhook import BadUpdate
from bot.channels.zalo.channel import HEADER as ZALO_HEADER
from bot.channels.zalo.channel import PATH as ZALO_PATH
from core.ratelimit import Inbound
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from tests.conftest import TELEGRAM_HOOK_SECRET, ZALO_HOOK_SECRET, Webhooks

CANARY = "canary-text-0912345678"
USER = 987001122


def telegram_bodies() -> list[Any]:
    message = {"message_id": 1, "date": 1, "chat": {"id": USER, "type": "private"}, "text": CANARY}
    return [
        {"update_id": "not a number", "message": message},
        {"update_id": 5, "message": {**message, "chat": "a string, not a chat"}},
        {"update_id": 6, "message": {**message, "from": {"id": USER}}},  # a user without its required fields
        {"update_id": 7, "message": {**message, "date": math.nan}},
        {"update_id": 8, "some_future_update_type": {"x": 1}},
        {"update_id": 9, "callback_query": {"id": "1", "data": CANARY}},
        {"nothing": "of an update"},
        {"update_id": 10, "message": [[[[[[[[[[]]]]]]]]]]},
    ]


def zalo_bodies() -> list[Any]:
    return [
        {"ok": True, "result": {"event_name": "message.text.received", "message": {"from": "x", "chat": "y"}}},
        {"ok": True, "result": {"event_name": "message.text.received", "message": {"from": None, "text": CANARY}}},
        {"event_name": "message.text.received", "message": {"from": {"id": 5}, "chat": {"id": []}, "text": 5}},
        {"event_name": "message.text.received", "message": "not an object"},
        {"event_name": ["x"], "message": {}},
        {"ok": True, "result": [1, 2, 3]},
        {"ok": True, "result": {"event_name": "message.text.received", "message": {"text": math.inf}}},
    ]


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the bot logged (not the test's own HTTP client)."""
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "asyncio"))]


def deeply_nested(depth: int = 100_000) -> bytes:
    return b'{"update_id": 1, "message": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("index", range(len(telegram_bodies())))
async def test_a_malformed_telegram_update_is_refused_or_ignored_never_a_500(
    webhooks: Webhooks, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture, index: int
) -> None:
    caplog.set_level(logging.DEBUG)
    body = json.dumps(telegram_bodies()[index]).encode()  # json allows NaN, as a careless client might send
    answer = await webhooks.post(TELEGRAM_PATH, body, TELEGRAM_HOOK_SECRET)
    assert answer.status_code in (200, 400), answer.text
    assert fake_telegram.messages(USER) == []
    assert CANARY not in caplog.text and str(USER) not in caplog.text
    assert len(ours(caplog)) <= 2  # a line, not a page


@pytest.mark.parametrize("index", range(len(zalo_bodies())))
async def test_a_malformed_zalo_update_is_refused_or_ignored_never_a_500(
    webhooks: Webhooks, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture, index: int
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await webhooks.post(ZALO_PATH, json.dumps(zalo_bodies()[index]).encode(), ZALO_HOOK_SECRET)
    assert answer.status_code in (200, 400), answer.text
    assert CANARY not in caplog.text
    assert len(ours(caplog)) <= 2


@pytest.mark.parametrize("path", [TELEGRAM_PATH, ZALO_PATH])
async def test_deep_nesting_and_a_non_ascii_secret_get_a_4xx(webhooks: Webhooks, path: str) -> None:
    secret = TELEGRAM_HOOK_SECRET if path == TELEGRAM_PATH else ZALO_HOOK_SECRET
    assert (await webhooks.post(path, deeply_nested(), secret)).status_code == 400
    header = TELEGRAM_HEADER if path == TELEGRAM_PATH else ZALO_HEADER
    forged = await webhooks.http.post(
        webhooks.url + path, content=b"{}", headers={header.encode(): "bí-mật-không-đúng".encode()}
    )
    assert forged.status_code == 401


def test_a_validation_error_is_logged_without_what_it_quotes() -> None:
    """aiogram logs "Failed to fetch updates - ValidationError: ..." with the update's text and user id."""
    from aiogram.types import Update
    from pydantic import ValidationError

    from bot.logsetup import configure_logging

    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        try:
            Update.model_validate({"update_id": 1, "message": {"chat": {"id": USER}, "text": CANARY}})
        except ValidationError as exc:
            logging.getLogger("aiogram.dispatcher").error("Failed to fetch updates - %s: %s", type(exc).__name__, exc)
            logging.getLogger("aiogram.dispatcher").exception("and with its traceback")
    finally:
        logging.getLogger().removeHandler(handler)
    logged = stream.getvalue()
    assert "validation error" in logged and "details withheld" in logged
    assert CANARY not in logged and str(USER) not in logged


async def test_python_telegram_bot_refuses_or_ignores_the_same_bodies(
    ptb: PtbTelegram, fake_telegram: FakeTelegram
) -> None:
    refused = 0
    for body in telegram_bodies():
        try:
            await ptb.feed_update(body)  # anything but BadUpdate would be a 503 (or worse) at the webhook
        except BadUpdate:
            refused += 1
    assert refused >= 1 and fake_telegram.messages(USER) == []


async def test_a_thousand_messages_from_one_account_are_dropped_at_the_door(
    webhooks: Webhooks, fake_telegram: FakeTelegram
) -> None:
    """One account floods the webhook: beyond its burst its updates are answered at once and dropped (one
    kind "slow down"), so the requests are not held open, and someone else is answered as usual meanwhile."""
    webhooks.telegram._conversation.inbound = Inbound()  # the deployed default: 20 at once, then 30 a minute
    flooder, other = 987002001, 987002002
    bodies = [fake_telegram.take(fake_telegram.user_sends(flooder, f"tin {n}")) for n in range(1000)]
    gate = asyncio.Semaphore(50)

    async def post(body: dict[str, Any]) -> int:
        async with gate:
            return await webhooks.telegram_update(body)

    flood = asyncio.gather(*(post(body) for body in bodies))
    answer = await webhooks.telegram_update(fake_telegram.take(fake_telegram.user_sends(other, "/start")))
    statuses = await asyncio.wait_for(flood, 120)
    assert answer == 200 and "bao nhiêu tuổi" in fake_telegram.messages(other)[-1].text
    assert statuses == [200] * 1000
    replies = [m.text for m in fake_telegram.messages(flooder)]
    assert sum("gửi tin nhắn rất nhanh" in text for text in replies) == 1
    assert len(replies) <= 30  # the burst, what refilled meanwhile (one every 2 s) and the "slow down": not 1,000


def test_the_inbound_limit_takes_a_burst_warns_once_then_drops_and_refills() -> None:
    now = [0.0]
    inbound = Inbound(burst=3, per_minute=60, clock=lambda: now[0])
    assert [inbound.admit("a") for _ in range(6)] == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert inbound.admit("b") == "ok"  # someone else is not affected
    now[0] = 1.0  # a second: one more message
    assert inbound.admit("a") == "ok" and inbound.admit("a") == "drop"
    now[0] = 10.0  # calm again: a later flood is warned about again
    assert [inbound.admit("a") for _ in range(5)] == ["ok", "ok", "ok", "warn", "drop"]


async def test_idle_and_excess_connections_are_closed_and_health_answers_again(
    monkeypatch: pytest.MonkeyPatch, webhooks: Webhooks
) -> None:
    """Slow clients cannot hold the server: a connection sending no headers is closed after the header
    timeout, one over the cap at once, and a body that comes too slowly gets 408."""
    monkeypatch.setattr(webhook, "HEADER_TIMEOUT", 1.0)
    monkeypatch.setattr(webhook, "BODY_TIMEOUT", 0.5)
    app = webhook.create_app([webhook.Endpoint("telegram", webhooks.telegram.webhook, TELEGRAM_HOOK_SECRET)])
    runner = webhook.create_runner(app)
    await runner.setup()
    site = webhook.GuardedSite(runner, "127.0.0.1", 0, limit=5)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)  # the sixth: over the cap
        assert await asyncio.wait_for(reader.read(), 2) == b"" and site.refused == 1
        writer.close()
        for reader, _ in idle:  # closed by the server after the header timeout, having sent nothing
            assert await asyncio.wait_for(reader.read(), 5) == b""
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST {TELEGRAM_PATH} HTTP/1.1\r\nHost: x\r\n{TELEGRAM_HEADER}: {TELEGRAM_HOOK_SECRET}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode()
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(200), 5)
        assert answer.startswith(b"HTTP/1.1 408")
        writer.close()
        for _, idle_writer in idle:
            idle_writer.close()
    finally:
        await runner.cleanup()
