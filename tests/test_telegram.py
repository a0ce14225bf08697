"""Telegram through the real aiogram stack against the fake Bot API server."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.channels.telegram.ptb_channel import PtbTelegram
from bot.runtime import Runtime
from fakes.telegram_server import FakeTelegram, FloodPolicy
from tests.conftest import TEST_TOKEN, start_polling
from tests.dialog import TelegramDriver

USER = 5550001


async def onboard(driver: TelegramDriver) -> None:
    await driver.say("/start")
    await driver.press("Từ 16 tuổi trở lên")


async def test_commands_menu_is_set_in_vietnamese(telegram: AiogramTelegram, fake_telegram: FakeTelegram) -> None:
    names = [c["command"] for c in fake_telegram.commands]
    assert names == [
        "start",
        "menu",
        "khancap",
        "datlich",
        "lichhen",
        "noichuyen",
        "nhom",
        "roinhom",
        "privacy",
        "xoa",
        "forget",
        "stop",
    ]
    descriptions = {c["command"]: c["description"] for c in fake_telegram.commands}
    assert descriptions["forget"] == "Xóa mọi thông tin về tôi"
    assert descriptions["khancap"] == "Trợ giúp khẩn cấp"
    assert descriptions["lichhen"] == "Lịch hẹn của tôi"


async def test_choices_are_inline_buttons_with_short_ascii_data(
    telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    menu = fake_telegram.last_message(USER)
    assert menu is not None and menu.reply_markup is not None
    data = [b["callback_data"] for b in menu.buttons]
    assert all(d.isascii() and len(d.encode()) <= 64 for d in data)
    assert menu.params["parse_mode"] == "HTML"


async def test_forged_button_data_is_refused_kindly_and_erases_nothing(
    telegram: AiogramTelegram, fake_telegram: FakeTelegram, runtime: Runtime
) -> None:
    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    user = runtime.pseudonyms.of("telegram", USER)
    # "erase" is only valid right after the person was asked to confirm; here it was never offered.
    for forged in ("erase", "age:child", "withdraw:appointment_reminders", "x" * 64, "m:../../etc", "resume"):
        fake_telegram.user_presses(USER, forged)
        driver.pushed += 1
        await telegram.wait_processed(driver.pushed)
        answer = fake_telegram.last_message(USER)
        assert answer is not None and "không còn dùng được" in answer.text, forged
    async with runtime.unit_of_work() as uow:
        record = await uow.users.get(user)
    assert record is not None and record.age_group is not None and record.age_group.value == "adult"


async def test_stale_confirmation_button_no_longer_erases(
    telegram: AiogramTelegram, fake_telegram: FakeTelegram, runtime: Runtime
) -> None:
    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    await driver.say("/forget")
    confirmation = fake_telegram.last_message(USER)
    assert confirmation is not None
    await driver.press("Không, giữ lại")
    # The old "yes, erase" button is pressed after the question was answered.
    fake_telegram.user_presses(USER, "erase", confirmation)
    driver.pushed += 1
    await telegram.wait_processed(driver.pushed)
    async with runtime.unit_of_work() as uow:
        assert await uow.users.get(runtime.pseudonyms.of("telegram", USER)) is not None


async def test_sticker_gets_a_kind_answer(telegram: AiogramTelegram, fake_telegram: FakeTelegram) -> None:
    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    fake_telegram.user_sends_sticker(USER)
    driver.pushed += 1
    await telegram.wait_processed(driver.pushed)
    answer = fake_telegram.last_message(USER)
    assert answer is not None and "chỉ đọc được tin nhắn chữ" in answer.text


async def test_group_messages_are_not_read(telegram: AiogramTelegram, fake_telegram: FakeTelegram) -> None:
    fake_telegram.group_message(-100123, USER, "/start")
    await telegram.wait_processed(1)
    assert fake_telegram.messages(-100123) == []
    assert fake_telegram.messages(USER) == []


async def test_huge_message_gets_an_answer(telegram: AiogramTelegram, fake_telegram: FakeTelegram) -> None:
    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    turn = await driver.say("<b>&amp;" + "ư" * 4090)
    assert "chưa hiểu ý bạn" in turn.text


async def test_a_heartfelt_5000_character_message_is_heard(
    telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    from tests.test_dialogs import STORY

    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    story = (STORY + " ") * (5000 // len(STORY) + 1)
    assert len(story) > 5000
    turn = await driver.say(story[:5000])
    assert "Cảm ơn bạn đã tin tưởng kể cho mình nghe" in turn.text and "chưa hiểu" not in turn.text
    assert "Đặt lịch nói chuyện với tư vấn viên" in turn.choices and "Trợ giúp khẩn cấp" in turn.choices


@pytest.mark.parametrize("library", [AiogramTelegram, PtbTelegram])
async def test_a_burst_is_answered_in_full_and_in_order_despite_flood_control(
    runtime: Runtime, library: type[AiogramTelegram | PtbTelegram]
) -> None:
    """Telegram answers 429 when a chat gets more than it allows: every reply still arrives, in order,
    and the bot never comes back before retry_after has passed; on aiogram and on python-telegram-bot."""
    fake = FakeTelegram(policy=FloodPolicy(chat_burst=3, chat_rate=2.0))
    await fake.start()
    channel = library(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake.url)
    task = await start_polling(channel, fake)
    try:
        # Pushed together: /start, then the age answer "1", then urgent help, then /privacy, then /menu.
        burst = ["/start", "1", "/khancap", "/privacy", "/menu", "/khancap", "/privacy", "/menu"]
        for text in burst:
            fake.user_sends(USER, text)
        await channel.wait_processed(len(burst), timeout=60)
        messages = fake.messages(USER)
    finally:
        fake.wake_polls()
        await channel.stop()
        await asyncio.wait_for(task, 10)
        await fake.stop()
    assert fake.violations == []
    assert fake.too_many_requests > 0, "the burst should have met flood control"
    assert fake.early_retries == 0, "a retry came before retry_after had passed"
    texts = [m.text for m in messages]
    # One answer per step, in order (the welcome ends with the age question).
    assert len(texts) == len(burst)
    assert "bao nhiêu tuổi" in texts[0]
    assert "giúp gì" in texts[1]  # "1" answered the age question: it was handled after /start
    order = ["115", "mã ẩn danh", "giúp gì", "115", "mã ẩn danh", "giúp gì"]
    assert all(expected in text for expected, text in zip(order, texts[2:], strict=True))
    assert channel.stats.retried_after_429 == fake.too_many_requests


async def test_different_people_are_served_concurrently(runtime: Runtime) -> None:
    """A person whose replies are held up by flood control does not hold up anyone else."""
    fake = FakeTelegram(policy=FloodPolicy(chat_burst=1, chat_rate=0.5))
    await fake.start()
    channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake.url)
    task = await start_polling(channel, fake)
    try:
        slow, quick = 7001, 7002
        fake.user_sends(slow, "/start")
        fake.user_sends(slow, "/privacy")  # the second reply to this chat waits ~2 s for flood control
        fake.user_sends(quick, "/khancap")
        started = time.monotonic()
        await fake.wait_for(quick, 1)
        quick_answered = time.monotonic() - started
        await fake.wait_for(slow, 2, timeout=15)
        slow_answered = time.monotonic() - started
    finally:
        await channel.stop()
        await asyncio.wait_for(task, 10)
        await fake.stop()
    assert quick_answered < slow_answered
    assert fake.too_many_requests >= 1


@pytest.mark.parametrize("bad_token", ["not-a-token", "123:short"])
async def test_fake_server_refuses_malformed_tokens(fake_telegram: FakeTelegram, bad_token: str) -> None:
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake_telegram.url}/bot{bad_token}/getMe") as resp,
    ):
        assert resp.status == 401


async def test_a_stale_answer_button_does_not_answer_the_current_question(
    telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    driver = TelegramDriver(fake_telegram, telegram)
    await onboard(driver)
    await driver.press("Tự đánh giá")
    await driver.press("Bắt đầu tự đánh giá")
    first_question = fake_telegram.last_message(USER)
    assert first_question is not None
    await driver.press("Có")  # question 1 answered: now question 2
    yes = next(b["callback_data"] for b in first_question.buttons if b["text"] == "Có")
    fake_telegram.user_presses(USER, yes, first_question)  # the old "yes" again
    driver.pushed += 1
    await telegram.wait_processed(driver.pushed)
    notice, again = fake_telegram.messages(USER)[-2:]
    assert "tin nhắn trước đó" in notice.text
    assert "Câu hỏi 2" in again.text  # the check goes on at the current question
    turn = await driver.press("Có")
    assert "Câu hỏi 3" in turn.text


@pytest.mark.parametrize("library", ["aiogram", "ptb"])
async def test_the_pseudonym_is_computed_once_per_update(
    library: str, fake_telegram: FakeTelegram, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The channel keys the person's turn and the event by one HMAC of the platform id, not one each."""
    kind = PtbTelegram if library == "ptb" else AiogramTelegram
    channel = kind(runtime.conversation, runtime.pseudonyms, token=TEST_TOKEN, api_url=fake_telegram.url)
    await channel.prepare()
    calls: list[object] = []
    original = runtime.pseudonyms.of

    def counting(platform: str, platform_id: int | str) -> str:
        calls.append(platform_id)
        return original(platform, platform_id)

    monkeypatch.setattr(runtime.pseudonyms, "of", counting)
    try:
        for update_id in (fake_telegram.user_sends(USER, "/start"), fake_telegram.user_presses(USER, "menu")):
            calls.clear()
            await channel.feed_update(fake_telegram.take(update_id))
            await channel.drain()
            assert calls == [USER], update_id
    finally:
        await channel.close()
