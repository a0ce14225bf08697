"""Replies survive the process: they are written in the transaction of the event that caused them and sent
at once after the commit; if the process dies in between (or the platform cannot be reached), the dispatcher
sends them once their lease has run out, so the person still gets the answer (urgent help included)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.channels.telegram.render import INFO
from bot.channels.telegram.render import WEBHOOK_PATH as TELEGRAM_PATH
from bot.jobs.delivery import deliver_due
from bot.runtime import Runtime, open_runtime
from core.clock import ManualClock
from core.conversation import REPLY_LEASE
from core.events import Attachment, Choice, Link, Reply, TextMessage, Venue
from core.replies import replies_from_json, replies_to_json
from fakes.telegram_server import FakeTelegram
from storage.models import PendingReply
from tests.conftest import TELEGRAM_HOOK_SECRET, Webhooks
from tests.dialog import TelegramDriver, play
from tests.processes import Deployment, TelegramPerson, eventually, received, running
from tests.test_dialogs import ADULT, START


def test_replies_round_trip_as_data() -> None:
    replies = [
        Reply("one", title="T", choices=(Choice("a:1", "A"),), links=(Link("L", "https://x.invalid"),)),
        Reply("two", request_location=True, request_contact=True, venue=Venue(21.0, 105.8, "V", "addr")),
        Reply("three", attachment=Attachment("f.ics", b"\x00BEGIN", "text/calendar")),
    ]
    assert replies_from_json(replies_to_json(replies)) == replies


async def pending(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(PendingReply)) or 0)


async def test_replies_sent_at_once_leave_nothing_behind(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    """Each event's kept replies are forgotten once sent: with the next event, or a moment later (core.sent)."""
    await play(TelegramDriver(fake_telegram, telegram), [START, ADULT])
    waiting = len(runtime.conversation.sent)
    assert waiting <= 1 and await pending(runtime) == waiting  # the first event's went with the second's
    for _ in range(100):
        if await pending(runtime) == 0:
            break
        await asyncio.sleep(0.05)
    assert await pending(runtime) == 0 and not runtime.conversation.sent


async def test_replies_of_a_process_that_died_after_the_commit_are_sent_after_the_restart(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    user = runtime.pseudonyms.of("telegram", 4242)
    # The event is handled and committed; the process dies before a single reply leaves (nothing sends them).
    outcome = await runtime.conversation.handle(TextMessage(user, "telegram", "tôi muốn chết", address="4242"), INFO)
    assert outcome.reply_id is not None and await pending(runtime) == 1
    assert (await deliver_due(runtime, {"telegram": telegram})).replies == 0  # the live process still may
    clock.advance(REPLY_LEASE + timedelta(seconds=1))
    async with await open_runtime(runtime.settings, clock=clock) as restarted:
        report = await deliver_due(restarted, {"telegram": telegram}, startup=True)
    assert report.replies == 1 and await pending(runtime) == 0
    texts = [m.text for m in fake_telegram.messages(4242)]
    assert texts and any("115" in text for text in texts)  # the urgent help, not lost


async def test_replies_this_process_sent_are_not_sent_again_when_the_clock_passes_their_lease(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    """Sent replies wait a moment before they are forgotten (core.sent); the dispatcher of the same process must
    not take them for a dead process's (it once did, when a test's clock jumped a week: a reminder's
    confirmation arrived twice)."""
    runtime.conversation.sent._delay = 3600  # nothing forgets them by itself in this test
    driver = TelegramDriver(fake_telegram, telegram)
    await play(driver, [START])
    assert len(runtime.conversation.sent) == 1 and await pending(runtime) == 1
    before = len(fake_telegram.messages(driver.user_id))
    clock.advance(REPLY_LEASE + timedelta(days=7))
    assert (await deliver_due(runtime, {"telegram": telegram})).replies == 0
    assert len(fake_telegram.messages(driver.user_id)) == before and await pending(runtime) == 0


async def test_a_process_killed_between_commit_and_send_answers_after_its_restart(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """kill -9 of ``python -m bot run`` while its reply is on the way: the restarted process sends it."""
    deployment = Deployment(tmp_path / "data", fake_telegram)
    person = TelegramPerson(fake_telegram, 9300001)
    async with running(deployment, "run", name="first") as bot:
        person.bot = bot
        await person.say("/start", "bao nhiêu tuổi")
        fake_telegram.swallow.add(person.user_id)  # the next reply never reaches the chat ...
        question = person.messages()[-1]
        data = next(b["callback_data"] for b in question.buttons if b["text"] == "Từ 16 tuổi trở lên")
        fake_telegram.user_presses(person.user_id, data, question)
        await eventually(lambda: fake_telegram.swallowed > 0, "the reply on its way")
        await bot.kill()  # ... and the process dies, kill -9, after the commit
    fake_telegram.swallow.clear()
    assert not received(person, "giúp gì cho bạn")()
    later = datetime.now(UTC) + REPLY_LEASE + timedelta(seconds=5)  # the dead process's lease has run out
    async with running(deployment, "run", clock_start=later, name="second"):
        await eventually(received(person, "giúp gì cho bạn"), "the reply after the restart")


async def test_a_webhook_is_answered_before_its_replies_are_sent(
    runtime: Runtime, webhooks: Webhooks, fake_telegram: FakeTelegram
) -> None:
    """Telegram gets its 200 as soon as the update is committed; the replies follow, in order."""
    fake_telegram.swallow.add(4343)  # replies to this chat hang: the webhook must not wait for them
    update = fake_telegram.take(fake_telegram.user_sends(4343, "/start"))
    answer = await asyncio.wait_for(webhooks.post(TELEGRAM_PATH, update, TELEGRAM_HOOK_SECRET), 5)
    assert answer.status_code == 200
    await eventually(lambda: fake_telegram.swallowed == 1, "the reply on its way, after the answer")
    fake_telegram.swallow.clear()
    second = fake_telegram.take(fake_telegram.user_sends(4343, "Từ 16 tuổi trở lên"))
    assert (await webhooks.post(TELEGRAM_PATH, second, TELEGRAM_HOOK_SECRET)).status_code == 200
    fake_telegram._swallowing.set()  # the held reply fails now (502): left for the dispatcher, not lost
    await webhooks.telegram.drain()
    await runtime.conversation.sent.flush()  # the second's, sent: forgotten (core.sent)
    assert await pending(runtime) == 1  # the first answer, sent by the dispatcher once its lease runs out
    assert [m.text for m in fake_telegram.messages(4343)][-1].startswith("Cảm ơn bạn")  # the second, in its turn
