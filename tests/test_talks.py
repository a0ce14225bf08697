"""Live talks as people and counsellors meet them, through the fake Telegram and Zalo servers: a counsellor goes on
duty, a person asks and waits, the first counsellor to take the talk gets it, every message reaches only its
counterpart, urgent words still open urgent help, either side ends it, and nothing of what was written is left in
the database, its WAL or the logs."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.channels.telegram.common import TelegramChannel
from bot.jobs.delivery import deliver_due
from bot.jobs.scheduler import watch_live_talks
from bot.runtime import Runtime
from core.clock import ManualClock, week_start
from core.ports.talks import TALKS
from domain.indicators import build_report
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from storage.models import ContactHandle, PendingReply, Tally
from storage.models.talks import TalkRow
from tests.conftest import Webhooks
from tests.dialog import ConsoleDriver, TelegramDriver, Turn, ZaloDriver, play
from tests.test_booking import invite_counsellor
from tests.test_dialogs import ADULT, START
from tests.test_finder import load_sample

ALIAS = re.compile(r"#[346789A-Y]{4}")
AGREE = "Có, tôi đồng ý"
TALK = "Nói chuyện với tư vấn viên"
SKIP = "Bỏ qua"
PERSON_CANARY = "zebracanary"
COUNSELLOR_CANARY = "quokkacanary"


async def on_duty(
    runtime: Runtime, fake: FakeTelegram, channel: TelegramChannel, user_id: int, name: str
) -> TelegramDriver:
    """A counsellor invited at the Hoàn Kiếm sample point, on duty under ``name``."""
    code = f"DUTY{user_id % 1000000:06d}"
    await invite_counsellor(runtime, code)
    counsellor = TelegramDriver(fake, channel, user_id=user_id)
    await play(counsellor, [START, ADULT])
    await counsellor.say(f"/staff {code}")
    await counsellor.press("Không, cảm ơn")  # no booking notifications
    turn = await counsellor.press("Trò chuyện trực tiếp: ca trực của tôi")
    assert "bạn đang không trực" in turn.text
    turn = await counsellor.press("Bắt đầu trực")
    assert "địa chỉ chat" in turn.text and turn.choices == [AGREE, "Không, cảm ơn"]
    turn = await counsellor.press(AGREE)
    assert "tên gì" in turn.text
    assert "1 đến 30 chữ" in (await counsellor.say("<script>")).text
    turn = await counsellor.say(name)
    assert f"Bạn đang trực với tên {name}" in turn.text
    return counsellor


async def asks_for_a_talk(person: TelegramDriver | ZaloDriver, province: str | None = None) -> str:
    """The person asks, reads what a talk is, agrees, gives their ``province`` or skips it; returns their
    alias."""
    turn = await person.press(TALK)
    assert "Một người thật sẽ đọc" in turn.text and "không phải dịch vụ cấp cứu" in turn.text
    assert "Không có gì bạn hay tư vấn viên viết được lưu lại" in turn.text
    assert turn.choices[-2:] == [AGREE, "Không, cảm ơn"]  # nothing pre-ticked
    turn = await agrees(person, province)
    alias = ALIAS.search(turn.text)
    assert alias is not None, turn.text
    return alias.group(0)


async def agrees(person: TelegramDriver | ZaloDriver, province: str | None = None) -> Turn:
    """Agree to live talks, then give a province or skip the question (it is optional)."""
    turn = await person.press(AGREE)
    assert "Bạn đang ở tỉnh hay thành phố nào" in turn.text and turn.choices == [SKIP, "Trợ giúp khẩn cấp"]
    return await (person.say(province) if province else person.press(SKIP))


def canary_free(path: Path) -> None:
    for file in path.parent.glob(path.name + "*"):  # the database, its WAL and shared memory
        data = file.read_bytes()
        for canary in (PERSON_CANARY, COUNSELLOR_CANARY):
            assert canary.encode() not in data, f"{canary} found in {file.name}"


async def count(runtime: Runtime, model: type, *where: object) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


async def test_a_talk_from_request_to_end_through_telegram(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7600001, "Lan")
    minh = await on_duty(runtime, fake_telegram, telegram, 7600002, "Minh")
    person = TelegramDriver(fake_telegram, telegram, user_id=7600003)
    await play(person, [START, ADULT])
    lan_before, minh_before = lan.count(), minh.count()
    alias = await asks_for_a_talk(person)
    await telegram.drain()
    # Offered to both counsellors with room, by alias only.
    for counsellor, before in ((lan, lan_before), (minh, minh_before)):
        offered = counsellor.receive(before)
        assert f"Có người đang chờ trò chuyện: {alias}" in offered.text
        assert offered.choices == [f"Nhận cuộc trò chuyện {alias}"]

    person_before = person.count()
    turn = await lan.press(f"Nhận cuộc trò chuyện {alias}")
    assert f"Bạn đang trò chuyện với {alias}" in turn.text
    await telegram.drain()
    assert "Tư vấn viên Lan đã vào" in person.receive(person_before).text
    assert "đã nhận" in (await minh.press(f"Nhận cuộc trò chuyện {alias}")).text  # the first press won

    # Each message reaches only its counterpart; the sender gets no echo.
    lan_before, minh_before = lan.count(), minh.count()
    said = await person.say(f"{PERSON_CANARY} dạo này mình buồn lắm")
    assert said.text == ""
    await telegram.drain()
    heard = lan.receive(lan_before).text
    assert alias in heard and f"{PERSON_CANARY} dạo này mình buồn lắm" in heard
    assert minh.count() == minh_before
    person_before = person.count()
    assert (await lan.say(f"{COUNSELLOR_CANARY} mình nghe đây, bạn kể tiếp nhé")).text == ""
    await telegram.drain()
    heard = person.receive(person_before).text
    assert "Lan" in heard and f"{COUNSELLOR_CANARY} mình nghe đây" in heard

    # A counsellor's words about overdose are for the person, not a crisis of their own.
    person_before = person.count()
    assert (await lan.say("Nếu thấy dấu hiệu quá liều thì gọi 115 ngay nhé")).text == ""
    await telegram.drain()
    assert "dấu hiệu quá liều" in person.receive(person_before).text

    # The person ends it: both told, the question "did it help?" counted anonymously.
    lan_before = lan.count()
    written = list(fake_telegram.incoming[person.user_id])
    lan_written = list(fake_telegram.incoming[lan.user_id])
    await person.say("kết thúc")  # the chat is cleared first, so its answer is read from the chat's end
    turn = TelegramDriver.turn(fake_telegram.messages(person.user_id)[-2:])
    assert "Cuộc trò chuyện đã kết thúc và các tin nhắn của nó đã được xóa" in turn.text
    # The talk's messages are gone from the person's chat, both sides' (a shared phone shows nothing of it).
    remaining = "\n".join(m.text for m in fake_telegram.messages(person.user_id))
    assert COUNSELLOR_CANARY not in remaining and "Tư vấn viên Lan đã vào" not in remaining
    assert "Chào mừng bạn đến với Điểm Tựa" in remaining  # from before the talk: kept
    deleted = set(fake_telegram.deleted[person.user_id])
    assert written[-1] in deleted  # what they wrote in the talk; what they wrote before it stays
    assert fake_telegram.incoming[person.user_id] and all(
        i < written[-1] for i in fake_telegram.incoming[person.user_id]
    )
    assert turn.choices == ["Có, đã giúp ích", "Chưa giúp được nhiều", "Menu chính"]
    await telegram.drain()
    assert f"{alias} đã kết thúc cuộc trò chuyện" in fake_telegram.messages(lan.user_id)[-1].text
    # ... and from the counsellor's chat: the person's words, and Lan's own (both sides' of that talk only).
    lan_chat = "\n".join(m.text for m in fake_telegram.messages(lan.user_id))
    assert PERSON_CANARY not in lan_chat and "dấu hiệu quá liều" not in lan_chat
    assert f"Bạn đang trò chuyện với {alias}" in lan_chat  # the bot's own notices to her stay
    assert set(lan_written[-2:]) <= set(fake_telegram.deleted[lan.user_id])  # her two messages in the talk
    assert not set(lan_written[:-2]) & set(fake_telegram.deleted[lan.user_id])  # what she wrote before it stays
    assert minh.user_id not in fake_telegram.deleted
    assert "Cảm ơn bạn đã cho mình biết" in (await person.press("Có, đã giúp ích")).text
    after = await person.say("xin chào")  # no longer relayed
    assert "Cuộc trò chuyện đã kết thúc" not in after.text and after.choices

    assert await count(runtime, TalkRow) == 0
    assert await count(runtime, ContactHandle, ContactHandle.purpose == "live_talk") == 0
    await runtime.conversation.sent.flush()  # the last event's, forgotten with the next (core.sent)
    assert await count(runtime, PendingReply) == 0  # every relayed message deleted once sent
    async with runtime.sessions() as session:
        kinds = {(t.kind, t.subject): t.count for t in await session.scalars(select(Tally))}
    assert kinds[("talk_requested", "")] == 1
    assert kinds[("talk_started", "0")] == 1  # taken within five minutes
    assert kinds[("talk_ended", "person")] == 1
    assert kinds[("talk_helpful", "yes")] == 1
    async with runtime.unit_of_work() as uow:
        week = week_start(runtime.clock.now().astimezone(runtime.i18n.timezone).date())
        report = build_report(await uow.tallies.between(week, week), [week])
    rows = {row.indicator.id: row.weeks[0].value for row in report.rows}
    assert {k: v for k, v in rows.items() if k.startswith("talks_") and v} == {
        "talks_requested": 1,
        "talks_started": 1,
        "talks_wait_0": 1,
        "talks_ended_person": 1,
        "talks_helped": 1,
    }
    await runtime.engine.dispose()
    canary_free(runtime.settings.data_dir / "diemtua.sqlite3")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert PERSON_CANARY not in logged and COUNSELLOR_CANARY not in logged


async def test_urgent_words_in_a_talk_reach_the_counsellor_and_open_urgent_help(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7610001, "Lan")
    person = TelegramDriver(fake_telegram, telegram, user_id=7610002)
    await play(person, [START, ADULT])
    alias = await asks_for_a_talk(person)
    await telegram.drain()
    await lan.press(f"Nhận cuộc trò chuyện {alias}")
    lan_before = lan.count()
    turn = await person.say("mình không muốn sống nữa")
    assert "096 306 1414" in turn.text  # the listening line, at once
    await telegram.drain()
    heard = lan.receive(lan_before).text
    assert "mình không muốn sống nữa" in heard and "màn hình trợ giúp khẩn cấp" in heard
    lan_before = lan.count()
    await person.say("cảm ơn, mình vẫn muốn nói chuyện tiếp")  # still relayed after the urgent screen
    await telegram.drain()
    assert "mình vẫn muốn nói chuyện tiếp" in lan.receive(lan_before).text

    # The counsellor ends it; the person is told and asked whether it helped.
    await lan.say("/ketthuc")  # her chat is cleared of the talk first, so its answer is read from the chat's end
    assert f"Cuộc trò chuyện với {alias} đã kết thúc" in fake_telegram.messages(lan.user_id)[-1].text
    assert not any("mình vẫn muốn nói chuyện tiếp" in m.text for m in fake_telegram.messages(lan.user_id))
    await telegram.drain()
    told = TelegramDriver.turn(fake_telegram.messages(person.user_id)[-2:])
    assert "Tư vấn viên đã kết thúc cuộc trò chuyện và các tin nhắn của nó đã được xóa" in told.text
    assert not any("Tư vấn viên Lan đã vào" in m.text for m in fake_telegram.messages(person.user_id))
    assert told.choices == ["Có, đã giúp ích", "Chưa giúp được nhiều", "Menu chính"]
    assert "Cảm ơn bạn đã cho mình biết" in (await person.press("Chưa giúp được nhiều")).text
    assert "Cảm ơn bạn đã cho mình biết" in (await person.press("Chưa giúp được nhiều")).text
    async with runtime.sessions() as session:
        helped = await session.scalar(select(Tally.count).where(Tally.kind == "talk_helpful"))
    assert helped == 1  # a second press is not counted again


async def test_nobody_on_duty_then_a_counsellor_starts_and_a_shift_ends_mid_talk(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    person = TelegramDriver(fake_telegram, telegram, user_id=7620001)
    await play(person, [START, ADULT])
    turn = await person.press(TALK)
    turn = await agrees(person)
    assert "chưa có tư vấn viên nào đang trực" in turn.text
    assert turn.choices == [
        "Báo tôi khi có người trực",
        "Đặt lịch tư vấn",
        "Tư vấn viên gọi lại cho tôi",
        "Thôi không chờ nữa",
        "Trợ giúp khẩn cấp",
        "Giữ lại tin nhắn",
    ]
    assert "sẽ được xóa khỏi khung chat này" in turn.text
    alias = ALIAS.search(turn.text)
    assert alias is not None
    said = await person.say("có ai không")
    assert "Chưa có tư vấn viên nào vào" in said.text  # not kept for later, and said so

    lan = await on_duty(runtime, fake_telegram, telegram, 7620002, "Lan")
    await telegram.drain()
    assert f"Nhận cuộc trò chuyện {alias.group(0)}" in lan.receive(0).choices
    await lan.press(f"Nhận cuộc trò chuyện {alias.group(0)}")
    minh = await on_duty(runtime, fake_telegram, telegram, 7620003, "Minh")
    person_before, minh_before = person.count(), minh.count()
    turn = await lan.press("Kết thúc ca")
    assert "Số cuộc trò chuyện được chuyển lại hàng chờ: 1" in turn.text
    await telegram.drain()
    assert "Tư vấn viên vừa phải rời đi" in person.receive(person_before).text
    assert f"Nhận cuộc trò chuyện {alias.group(0)}" in minh.receive(minh_before).choices
    await minh.press(f"Nhận cuộc trò chuyện {alias.group(0)}")
    minh_before = minh.count()
    await person.say("chào Minh")
    await telegram.drain()
    assert "chào Minh" in minh.receive(minh_before).text


async def test_forged_presses_change_nothing(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    person = TelegramDriver(fake_telegram, telegram, user_id=7630001)
    await play(person, [START, ADULT])
    await person.press(TALK)
    await agrees(person)
    async with runtime.unit_of_work() as uow:
        (talk,) = await uow.get(TALKS).waiting()
    stranger = TelegramDriver(fake_telegram, telegram, user_id=7630002)
    await play(stranger, [START, ADULT])
    turn = await stranger.press_data(f"talk.take:{talk.id}")  # not a counsellor
    assert "Bạn cần mình giúp gì" in turn.text or turn.choices
    turn = await stranger.press_data(f"talk.end:{talk.id}")  # not theirs
    assert "đã kết thúc rồi" in turn.text
    await stranger.press_data("talk.end:not-a-number")
    await stranger.press_data(f"talk.helped:{talk.id}:yes")
    async with runtime.unit_of_work() as uow:
        assert [t.id for t in await uow.get(TALKS).waiting()] == [talk.id]  # still waiting, untouched
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).where(Tally.kind == "talk_helpful")) == 0


async def test_a_zalo_person_talks_with_a_telegram_counsellor(
    runtime: Runtime, webhooks: Webhooks, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """Across platforms: the relay goes out through the other channel."""
    await load_sample(runtime)
    counsellor_driver = TelegramDriver(
        fake_telegram, webhooks.telegram, user_id=7640001, webhook=webhooks.telegram_update
    )
    code = "ZALOTALK01"
    await invite_counsellor(runtime, code)
    await play(counsellor_driver, [START, ADULT])
    await counsellor_driver.say(f"/staff {code}")
    await counsellor_driver.press("Không, cảm ơn")
    await counsellor_driver.press("Trò chuyện trực tiếp: ca trực của tôi")
    await counsellor_driver.press("Bắt đầu trực")
    await counsellor_driver.press(AGREE)
    await counsellor_driver.say("Hoa")
    person = ZaloDriver(fake_zalo, webhooks.zalo, user_id="9a8b7c6d5e4f3a2b1c0d", webhook=webhooks.zalo_update)
    await play(person, [START, ADULT])
    alias = await asks_for_a_talk(person)
    await webhooks.zalo.drain()
    await webhooks.telegram.drain()
    before = len(fake_zalo.messages(person.user_id))
    await counsellor_driver.press(f"Nhận cuộc trò chuyện {alias}")
    await webhooks.zalo.drain()
    assert any("Tư vấn viên Hoa đã vào" in m.text for m in fake_zalo.messages(person.user_id)[before:])
    lan_before = counsellor_driver.count()
    await person.say("1")  # a number typed in a talk is words for the counsellor, not a choice
    await webhooks.telegram.drain()
    assert alias in counsellor_driver.receive(lan_before).text
    before = len(fake_zalo.messages(person.user_id))
    await counsellor_driver.say("Mình là Hoa, bạn cứ nói nhé")
    await webhooks.zalo.drain()
    assert any("Mình là Hoa, bạn cứ nói nhé" in m.text for m in fake_zalo.messages(person.user_id)[before:])
    turn = await person.say("kết thúc")
    assert "Cuộc trò chuyện đã kết thúc" in turn.text
    assert "Cảm ơn bạn đã cho mình biết" in (await person.say("1")).text  # "did it help?" by number


async def test_two_counsellors_taking_one_talk_at_once_one_gets_it(any_runtime: Runtime) -> None:
    """The conditional update, on SQLite and PostgreSQL: of two units of work racing, exactly one wins."""
    runtime = any_runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        for pseudonym in ("p" * 64, "a" * 64, "b" * 64):
            await uow.users.touch(pseudonym, now.date())
        ids = []
        for pseudonym, code in (("a" * 64, "RACEA12345"), ("b" * 64, "RACEB12345")):
            await uow.staff.create_invite(code, "counsellor", None, now, now + timedelta(days=1))
            member = await uow.staff.redeem(code, pseudonym, now)
            assert member is not None
            ids.append(member.id)
        talk = await uow.get(TALKS).request("p" * 64, "#ABCD", now)
        await uow.commit()

    async def take(staff_id: int) -> bool:
        async with runtime.unit_of_work() as uow:
            won = await uow.get(TALKS).take(talk.id, staff_id, now)
            await uow.commit()
            return won

    results = await asyncio.gather(take(ids[0]), take(ids[1]))
    assert sorted(results) == [False, True]
    async with runtime.unit_of_work() as uow:
        taken = await uow.get(TALKS).get(talk.id)
    assert taken is not None and taken.counsellor_id == ids[results.index(True)]


async def test_from_the_self_check_the_person_chooses_to_share_its_highest_level(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    from tests.test_dialogs import DIALOGS

    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7650001, "Lan")
    person = TelegramDriver(fake_telegram, telegram, user_id=7650002)
    await play(person, DIALOGS["self-check: weekend drinking scores 11, moderate, with tips and counselling"])
    turn = await person.press(TALK)
    assert "Một người thật sẽ đọc" in turn.text
    turn = await person.press(AGREE)
    assert "cao nhất là nguy cơ trung bình" in turn.text and turn.choices == ["Có, hãy báo", "Không, đừng báo"]
    lan_before = lan.count()
    turn = await person.press("Có, hãy báo")
    assert "Bạn đang ở tỉnh hay thành phố nào" in turn.text
    assert "Mình chưa tìm thấy địa danh đó" in (await person.say("xyzzy")).text  # asked again, still optional
    turn = await person.say("hoan kiem")  # any place in it, without diacritics: its province is what is kept
    assert "trong hàng chờ" in turn.text
    await telegram.drain()
    offered = lan.receive(lan_before).text
    assert "đến từ phần tự đánh giá" in offered and "tự đánh giá: cao nhất là nguy cơ trung bình" in offered
    assert "ở Hà Nội" in offered and "Hoàn Kiếm" not in offered  # the province only
    assert "rượu" not in offered.lower()  # only the level, nothing of the answers


@pytest.fixture(params=["telegram", "ptb"], ids=["aiogram", "ptb"])
def either_telegram(request: pytest.FixtureRequest) -> TelegramChannel:
    channel: TelegramChannel = request.getfixturevalue(request.param)
    return channel


async def test_a_second_talk_is_answered_by_its_button(
    runtime: Runtime, fake_telegram: FakeTelegram, either_telegram: TelegramChannel
) -> None:
    """A counsellor holding two talks: each person's message says whose it is; "Answer #X" picks who gets the
    next words, and so does replying to a person's message (on both Telegram libraries)."""
    telegram = either_telegram
    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7660001, "Lan")
    first = TelegramDriver(fake_telegram, telegram, user_id=7660002)
    second = TelegramDriver(fake_telegram, telegram, user_id=7660003)
    aliases = []
    for person in (first, second):
        await play(person, [START, ADULT])
        aliases.append(await asks_for_a_talk(person))
        await telegram.drain()
        await lan.press(f"Nhận cuộc trò chuyện {aliases[-1]}")
    lan_before = lan.count()
    await first.say("chị ơi")
    await telegram.drain()
    heard = lan.receive(lan_before)
    assert aliases[0] in heard.text and heard.choices == [f"Trả lời {aliases[0]}"]
    second_before, first_before = second.count(), first.count()
    await lan.say("Chào bạn thứ hai")  # the talk taken last is the one being answered
    await telegram.drain()
    assert "Chào bạn thứ hai" in second.receive(second_before).text and first.count() == first_before
    turn = await lan.press(f"Trả lời {aliases[0]}")
    assert f"Đang trả lời {aliases[0]}" in turn.text
    await lan.say("Chào bạn thứ nhất")
    await telegram.drain()
    assert "Chào bạn thứ nhất" in first.receive(first_before).text
    # Answering by replying to a person's message: it goes to that person, whichever talk was being answered.
    lan_before = lan.count()
    await second.say("bạn thứ hai hỏi tiếp")
    await telegram.drain()
    asked = fake_telegram.messages(lan.user_id)[lan_before]
    assert "bạn thứ hai hỏi tiếp" in asked.text
    first_before, second_before = first.count(), second.count()
    assert (await lan.reply("Trả lời bạn thứ hai", asked)).text == ""  # no "now answering" line to send
    await telegram.drain()
    assert "Trả lời bạn thứ hai" in second.receive(second_before).text and first.count() == first_before
    await lan.say("Vẫn với bạn thứ hai")  # and the next words follow it
    await telegram.drain()
    assert "Vẫn với bạn thứ hai" in second.receive(second_before).text and first.count() == first_before
    turn = await lan.say("/truc")
    assert "đang nhận 2/3 cuộc" in turn.text


async def test_a_silent_counsellor_has_the_talk_handed_back_and_a_talk_nobody_takes_is_given_up(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    """The scheduler's watch, then its dispatcher: the person told, the counsellor told, a colleague offered it."""
    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7670001, "Lan")
    person = TelegramDriver(fake_telegram, telegram, user_id=7670002)
    await play(person, [START, ADULT])
    alias = await asks_for_a_talk(person)
    await telegram.drain()
    await lan.press(f"Nhận cuộc trò chuyện {alias}")
    minh = await on_duty(runtime, fake_telegram, telegram, 7670003, "Minh")
    await person.say("chị còn đó không")
    clock.advance(timedelta(minutes=9))
    assert await watch_live_talks(runtime) == 0  # not yet
    clock.advance(timedelta(minutes=2))
    person_before, lan_before, minh_before = person.count(), lan.count(), minh.count()
    assert await watch_live_talks(runtime) == 1
    await deliver_due(runtime, {"telegram": telegram})
    assert "trở lại đầu hàng chờ" in person.receive(person_before).text
    assert f"{alias} đã chờ 10 phút" in lan.receive(lan_before).text
    offered = minh.receive(minh_before)
    assert offered.choices == [f"Nhận cuộc trò chuyện {alias}"]
    assert f"Bạn đang trò chuyện với {alias}" in (await minh.press(f"Nhận cuộc trò chuyện {alias}")).text
    lan_before = lan.count()
    assert "đã kết thúc" not in (await lan.say("xin lỗi, mình vừa bận")).text  # no longer theirs: not relayed
    await telegram.drain()
    assert "xin lỗi, mình vừa bận" not in person.receive(person_before).text

    # Nobody takes another person's talk for twelve hours: it is given up, kindly, and nothing of it stays.
    await minh.press("Kết thúc trò chuyện")
    await lan.say("/truc")
    await lan.press("Kết thúc ca")
    await minh.say("/truc")
    await minh.press("Kết thúc ca")
    late = TelegramDriver(fake_telegram, telegram, user_id=7670004)
    await play(late, [START, ADULT])
    await asks_for_a_talk(late)
    clock.advance(timedelta(hours=12, minutes=1))
    late_before = late.count()
    assert await watch_live_talks(runtime) == 1
    await deliver_due(runtime, {"telegram": telegram})
    assert "chưa có tư vấn viên nào rảnh" in late.receive(late_before).text
    assert await count(runtime, TalkRow) == 0
    async with runtime.sessions() as session:
        kinds = {(t.kind, t.subject): t.count for t in await session.scalars(select(Tally))}
    assert kinds[("talk_handed_back", "")] == 1 and kinds[("talk_cancelled", "timeout")] == 1


async def test_the_console_says_where_live_talks_happen(runtime: Runtime) -> None:
    console = ConsoleDriver(runtime)
    await play(console, [START, ADULT])
    turn = await console.press(TALK)
    assert "diễn ra trong khung chat Telegram hoặc Zalo" in turn.text
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TalkRow)) == 0


async def test_the_talk_benchmark_runs_and_loses_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """A short run of ``bench.talks`` (so it cannot rot): every relayed message arrives once, where it should."""
    from bench.talks import run

    await run(talks=4, counsellors=2, rounds=2, interval=0.5, database_url=None)
    printed = capsys.readouterr().out
    assert "relayed=16" in printed and "lost=0 doubled=0 misrouted=0" in printed


async def test_xoa_deletes_the_chats_recent_messages_on_telegram_and_says_why_not_on_zalo(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, zalo_driver: ZaloDriver
) -> None:
    person = TelegramDriver(fake_telegram, telegram, user_id=7680001)
    await play(person, [START, ADULT])
    await person.say("methadone")
    written = list(fake_telegram.incoming[person.user_id])
    turn = await person.say("/xoa")
    assert "48 giờ" in turn.text and turn.choices == ["Có, xóa đi", "Không"]
    await person.press("Có, xóa đi")
    left = fake_telegram.messages(person.user_id)
    assert "đã được xóa" in left[-1].text and "bản của tư vấn viên" in left[-1].text
    assert len(left) == 1 and "đã được xóa" in left[0].text  # only the answer that says so
    assert set(written) <= set(fake_telegram.deleted[person.user_id])  # the person's own messages too
    assert "không được" not in (await person.press_data("device.wipe")).text  # a replayed button: expired, kindly

    await play(zalo_driver, [START, ADULT])
    turn = await zalo_driver.say("/xoa")
    assert "Zalo không cho phép bot xóa" in turn.text


def test_the_usual_duty_hours_are_set_from_the_command_line(tmp_path: Path) -> None:
    from tests.test_cli import bot

    assert bot(tmp_path, "db", "upgrade").returncode == 0
    refused = bot(tmp_path, "staff", "roster", "--hours", "every day 8h")
    assert refused.returncode == 2 and "không phải là một ngày" in refused.stderr + refused.stdout
    assert bot(tmp_path, "staff", "roster", "--province", "nowhere", "--hours", "T2-T6 08:00-17:00").returncode == 2
    done = bot(tmp_path, "staff", "roster", "--hours", "T2-T6 08:00-17:00")
    assert done.returncode == 0 and "Mo-Fr 08:00-17:00" in done.stdout
    assert bot(tmp_path, "staff", "roster", "--province", "ha-noi", "--hours", "Sa 18:00-21:00").returncode == 0
    listed = bot(tmp_path, "staff", "roster").stdout
    assert "ha-noi" in listed and "Sa 18:00-21:00" in listed
    cleared = bot(tmp_path, "staff", "roster", "--province", "ha-noi", "--clear").stdout
    assert "ha-noi" not in cleared and "Mo-Fr 08:00-17:00" in cleared


async def test_nobody_on_duty_says_when_someone_usually_is(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    async with runtime.unit_of_work() as uow:  # as `staff roster --hours "T2-T6 08:00-17:00"` sets them
        await uow.get(TALKS).set_roster(None, "Mo-Fr 08:00-17:00")
        await uow.commit()
    person = TelegramDriver(fake_telegram, telegram, user_id=7690001)
    await play(person, [START, ADULT])
    await person.press(TALK)
    turn = await agrees(person)  # the test clock: Monday 23/11/2026, 09:00 in Hà Nội
    assert "chưa có tư vấn viên nào đang trực" in turn.text
    assert "thường trực vào giờ này" in turn.text


async def test_a_counsellor_ends_and_blocks_an_abusive_talk_and_fast_writing_is_held_back(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7700001, "Lan")
    person = TelegramDriver(fake_telegram, telegram, user_id=7700002)
    await play(person, [START, ADULT])
    alias = await asks_for_a_talk(person)
    await telegram.drain()
    turn = await lan.press(f"Nhận cuộc trò chuyện {alias}")
    assert turn.choices == [
        "Kết thúc trò chuyện",
        "Gửi trợ giúp hoặc chuyển tiếp",
        f"Kết thúc và chặn {alias} trong 7 ngày",
    ]
    lan_before = lan.count()
    answers = [await person.say(f"tin số {n}") for n in range(22)]
    assert "viết rất nhanh" in answers[-1].text and "viết rất nhanh" not in answers[19].text  # twenty a minute pass
    await telegram.drain()
    assert sum("tin số" in m.text for m in fake_telegram.messages(lan.user_id)[lan_before:]) == 20
    assert "096 306 1414" in (await person.say("mình không muốn sống nữa")).text  # urgent words are never held

    await lan.press(f"Kết thúc và chặn {alias} trong 7 ngày")
    await telegram.drain()
    assert "tạm thời chưa thể dùng" in fake_telegram.messages(person.user_id)[-1].text
    turn = await person.say("/noichuyen")
    assert "tạm thời chưa thể dùng" in turn.text
    async with runtime.unit_of_work() as uow:
        assert [a for a, _ in await uow.get(TALKS).blocks(runtime.clock.now())] == [alias]
        assert await uow.get(TALKS).lift(alias[1:].lower()) == 1
        await uow.commit()
    assert "Bạn đang ở tỉnh hay thành phố nào" in (await person.say("/noichuyen")).text  # lifted: they may ask
    assert "hàng chờ" in (await person.press(SKIP)).text


async def test_a_counsellor_sends_urgent_help_points_and_booking_then_hands_the_talk_to_a_colleague(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    """The tools in a talk: what the counsellor sends reaches the person as the bot's own message, with buttons
    that work in the person's chat; a handover moves the talk, and the person is told by whom."""
    await load_sample(runtime)
    lan = await on_duty(runtime, fake_telegram, telegram, 7700001, "Lan")
    minh = await on_duty(runtime, fake_telegram, telegram, 7700002, "Minh")
    person = TelegramDriver(fake_telegram, telegram, user_id=7700003)
    await play(person, [START, ADULT])
    alias = await asks_for_a_talk(person)
    await telegram.drain()
    turn = await lan.press(f"Nhận cuộc trò chuyện {alias}")
    assert "Gửi trợ giúp hoặc chuyển tiếp" in turn.choices

    turn = await lan.press("Gửi trợ giúp hoặc chuyển tiếp")
    assert turn.choices == [
        "Thẻ trợ giúp khẩn cấp",
        "Các điểm dịch vụ gần một nơi",
        "Nút đặt lịch hẹn",
        "Chuyển cuộc trò chuyện cho đồng nghiệp",
        "Ghi chú riêng cho tôi",
        f"Quay lại trò chuyện với {alias}",
    ]
    before = person.count()
    turn = await lan.press("Thẻ trợ giúp khẩn cấp")
    assert f"Đã gửi cho {alias}" in turn.text and "115" in turn.text
    await telegram.drain()
    card = person.receive(before)
    assert "Trợ giúp khẩn cấp, do Lan gửi" in card.text and "115" in card.text and "/khancap" in card.text
    assert "Có người có thể bị quá liều, gọi không tỉnh" in card.choices
    screen = await person.press("Có người có thể bị quá liều, gọi không tỉnh")  # works inside the talk
    assert "Gọi ngay 115" in screen.text or "115" in screen.text

    await lan.press("Gửi trợ giúp hoặc chuyển tiếp")
    turn = await lan.press("Các điểm dịch vụ gần một nơi")
    assert "methadone Quận 8" in turn.text
    before = person.count()
    turn = await lan.say("methadone Hoàn Kiếm")  # a place for the person: not relayed, not an urgent word
    assert turn.choices[:2] == ["Hoàn Kiếm (Hà Nội)", "Phường Hoàn Kiếm (Hà Nội)"]
    turn = await lan.press("Hoàn Kiếm (Hà Nội)")
    assert f"Đã gửi cho {alias}" in turn.text
    await telegram.drain()
    points = person.receive(before)
    assert "Lan gợi ý, gần Hoàn Kiếm" in points.text and "Cơ sở điều trị methadone Hoàn Kiếm" in points.text
    assert "methadone Hoàn Kiếm" not in points.text.split("\n")[-1]  # the counsellor's words were not relayed
    assert any(label.startswith("Đặt lịch tại") for label in points.choices)

    await lan.press("Gửi trợ giúp hoặc chuyển tiếp")
    before = person.count()
    await lan.press("Nút đặt lịch hẹn")
    await telegram.drain()
    booking = person.receive(before)
    assert "/datlich" in booking.text and booking.choices == ["Đặt lịch tư vấn"]
    opened = await person.press("Đặt lịch tư vấn")  # the booking begins in the person's own chat
    assert "Buổi tư vấn miễn phí và được giữ bí mật" in opened.text  # at Lan's point, which has no times yet

    # A private note, with Lan's own consent: topics picked from a list, never text.
    await lan.press("Gửi trợ giúp hoặc chuyển tiếp")
    turn = await lan.press("Ghi chú riêng cho tôi")
    assert "không bao giờ lưu chữ" in turn.text and turn.choices == [AGREE, "Không, cảm ơn"]
    turn = await lan.press(AGREE)
    assert "Đã chọn: chưa có gì" in turn.text
    first = turn.choices[0]
    turn = await lan.press(first)
    assert f"✓ {first}" in turn.choices
    turn = await lan.say(f"{COUNSELLOR_CANARY} bạn ấy nói là ...")  # typed in a note: refused, and not relayed
    assert "Ghi chú không lưu chữ nào" in turn.text
    await lan.press("đã gợi ý theo dõi tiếp")
    before = person.count()
    turn = await lan.press("Lưu ghi chú")
    assert f"Đã lưu ghi chú cho {alias}" in turn.text
    await telegram.drain()
    assert person.count() == before  # nothing of the note reaches the person
    async with runtime.unit_of_work() as uow:
        (note,) = await uow.get(TALKS).notes(telegram.pseudonym(lan.user_id))
    assert note.alias == alias and note.topics[1] == "followup" and len(note.topics) == 2
    assert COUNSELLOR_CANARY not in " ".join(note.topics)
    turn = await lan.say("/truc")
    assert "Ghi chú của tôi (1)" in turn.choices
    turn = await lan.press("Ghi chú của tôi (1)")
    assert alias in turn.text and "đã gợi ý theo dõi tiếp" in turn.text
    await lan.press(f"Trả lời {alias}")

    # Handing over: Minh gets the talk, the person is told, Lan's words no longer reach them, and the talk's copy
    # in Lan's chat is deleted (the person did not keep the messages).
    await person.say(f"{PERSON_CANARY} em cảm ơn chị")
    await telegram.drain()
    assert PERSON_CANARY in fake_telegram.messages(lan.user_id)[-1].text
    await lan.press("Gửi trợ giúp hoặc chuyển tiếp")
    turn = await lan.press("Chuyển cuộc trò chuyện cho đồng nghiệp")
    assert turn.choices == ["Minh (đang nhận 0/3)", f"Quay lại trò chuyện với {alias}"]
    person_before, minh_before = person.count(), minh.count()
    await lan.press("Minh (đang nhận 0/3)")
    assert f"Bạn đã chuyển {alias} cho Minh" in fake_telegram.messages(lan.user_id)[-1].text
    assert not any(PERSON_CANARY in m.text for m in fake_telegram.messages(lan.user_id))
    await telegram.drain()
    assert "Lan đã chuyển cuộc trò chuyện của bạn cho một đồng nghiệp, Minh" in person.receive(person_before).text
    given = minh.receive(minh_before)
    assert f"Lan đã chuyển cho bạn cuộc trò chuyện với {alias}" in given.text
    assert given.choices == [f"Trả lời {alias}", "Kết thúc trò chuyện"]
    await minh.press(f"Trả lời {alias}")
    person_before = person.count()
    await minh.say("Chào bạn, mình là Minh")
    await lan.say("Lan vẫn ở đây")
    await telegram.drain()
    heard = person.receive(person_before).text
    assert "Chào bạn, mình là Minh" in heard and "Lan vẫn ở đây" not in heard
    stale = await lan.press("Minh (đang nhận 0/3)")  # an old button: the talk is no longer Lan's
    assert "không còn do bạn nhận" in stale.text
    async with runtime.unit_of_work() as uow:
        talk = await uow.get(TALKS).of_person(telegram.pseudonym(person.user_id))
        minh_member = await uow.staff.of(telegram.pseudonym(minh.user_id))
    assert talk is not None and minh_member is not None and talk.counsellor_id == minh_member.id


async def test_on_zalo_a_counsellor_switches_talks_by_number_and_a_person_books_by_command(
    runtime: Runtime, webhooks: Webhooks, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """Without buttons, typed numbers in a talk are words for the other side: /truc steps out of the talk to
    choose another by number, and the booking card names /datlich, which works inside a talk."""
    await load_sample(runtime)
    code = "ZALODUTY01"
    await invite_counsellor(runtime, code)
    hoa = ZaloDriver(fake_zalo, webhooks.zalo, user_id="1f2e3d4c5b6a79880716", webhook=webhooks.zalo_update)
    await play(hoa, [START, ADULT])
    await hoa.say(f"/staff {code}")
    await hoa.press("Không, cảm ơn")
    await hoa.say("/truc")
    await hoa.press("Bắt đầu trực")
    await hoa.press(AGREE)
    assert "Bạn đang trực với tên Hoa" in (await hoa.say("Hoa")).text
    people = [
        TelegramDriver(fake_telegram, webhooks.telegram, user_id=user_id, webhook=webhooks.telegram_update)
        for user_id in (7710001, 7710002)
    ]
    aliases = []
    for person in people:
        await play(person, [START, ADULT])
        aliases.append(await asks_for_a_talk(person))
        await webhooks.telegram.drain()
        await webhooks.zalo.drain()
    assert f"1. Nhận cuộc trò chuyện {aliases[1]}" in fake_zalo.messages(hoa.user_id)[-1].text
    await hoa.say("1")  # the offer shown last: nothing is being answered yet, so the number takes it
    # Now a talk is being answered, so a number would go to its person: /truc lists the talks, the waiting ones too.
    turn = await hoa.say("/truc")
    assert "Gõ số của cuộc trò chuyện" in turn.text
    assert turn.choices[:2] == [f"Trả lời {aliases[1]}", f"Nhận cuộc trò chuyện {aliases[0]}"]
    await hoa.press(f"Nhận cuộc trò chuyện {aliases[0]}")
    async with runtime.unit_of_work() as uow:
        member = await uow.staff.of(webhooks.zalo.pseudonym(hoa.user_id))
        assert member is not None
        assert len(await uow.get(TALKS).held_by(member.id)) == 2

    turn = await hoa.say("/truc")
    assert "Gõ số của cuộc trò chuyện" in turn.text
    assert sorted(turn.choices[:2]) == sorted(f"Trả lời {alias}" for alias in aliases)
    turn = await hoa.press(f"Trả lời {aliases[0]}")  # typed as its number
    assert f"Đang trả lời {aliases[0]}" in turn.text
    first_before, second_before = people[0].count(), people[1].count()
    await hoa.say("2")  # now words for the first person
    await webhooks.telegram.drain()
    assert people[0].receive(first_before).text.endswith("2") and people[1].count() == second_before

    # The booking card, and /datlich typed by a person in a talk (a command is never relayed).
    turn = await hoa.say("/gui")
    assert turn.choices[2] == "Nút đặt lịch hẹn"
    first_before = people[0].count()
    turn = await hoa.press("Nút đặt lịch hẹn")  # typed "3": a choice here, not words for the person
    assert f"Đã gửi cho {aliases[0]}" in turn.text
    await webhooks.telegram.drain()
    card = people[0].receive(first_before)
    assert "/datlich" in card.text and not card.text.endswith("3")
    hoa_before = len(fake_zalo.messages(hoa.user_id))
    opened = await people[0].say("/datlich")
    assert "Buổi tư vấn miễn phí và được giữ bí mật" in opened.text
    await webhooks.zalo.drain()
    assert not any("/datlich" in m.text for m in fake_zalo.messages(hoa.user_id)[hoa_before:])  # not relayed
    await hoa.say("Bạn đặt lịch xong thì báo mình nhé")  # the talk is answered again after the tool
    await webhooks.telegram.drain()
    assert "Bạn đặt lịch xong thì báo mình nhé" in people[0].receive(first_before).text


async def test_marked_messages_are_remembered_per_chat_taken_once_and_purged(any_runtime: Runtime) -> None:
    """The store behind deleting a talk's copy in a counsellor's chat, on SQLite and PostgreSQL: numbers only,
    by mark; taking them forgets them; what is older than Telegram can delete is purged."""
    runtime = any_runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        await uow.replies.remember("talk.1.1", [11, 12], now - timedelta(hours=50))
        await uow.replies.remember("talk.1.1", [13], now)
        await uow.replies.remember("talk.1.2", [11], now)
        await uow.commit()
    async with runtime.unit_of_work() as uow:
        assert await uow.replies.purge_marked(now - timedelta(hours=48)) == 2
        assert await uow.replies.take_marked(["talk.1.1"]) == [13]
        await uow.commit()
    async with runtime.unit_of_work() as uow:
        assert await uow.replies.take_marked(["talk.1.1"]) == []
        assert await uow.replies.take_marked(["talk.1.2", "talk.9.9"]) == [11]
        assert await uow.replies.take_marked([]) == []


async def test_private_notes_go_after_30_days_and_with_the_consent(any_runtime: Runtime) -> None:
    runtime = any_runtime
    now = runtime.clock.now()
    me, other = "c" * 64, "d" * 64
    async with runtime.unit_of_work() as uow:
        for pseudonym in (me, other):
            await uow.users.touch(pseudonym, now.date())
            await uow.consents.grant(pseudonym, "talk_notes", "2026-12-v1", now)
        repo = uow.get(TALKS)
        await repo.add_note(me, "#AAAA", ["detox"], now - timedelta(days=31))
        await repo.add_note(me, "#BBBB", ["followup", "family"], now)
        await repo.add_note(other, "#CCCC", ["urgent"], now)
        await uow.commit()
    async with runtime.unit_of_work() as uow:
        assert await uow.get(TALKS).purge_notes(now - timedelta(days=30)) == 1
        assert [(n.alias, n.topics) for n in await uow.get(TALKS).notes(me)] == [("#BBBB", ("followup", "family"))]
        assert await uow.consents.withdraw(me, "talk_notes", now)
        await uow.commit()
    async with runtime.unit_of_work() as uow:
        assert await uow.get(TALKS).notes(me) == []  # withdrawn: deleted with the consent
        assert len(await uow.get(TALKS).notes(other)) == 1  # only hers


async def test_told_once_when_a_counsellor_is_next_on_duty_instead_of_waiting(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    """Nobody on duty: the person leaves the queue and asks to be told; the first counsellor going on duty sets off
    one discreet notice (through the outbox), and its button brings the person back to a talk."""
    await load_sample(runtime)
    person = TelegramDriver(fake_telegram, telegram, user_id=7720001)
    await play(person, [START, ADULT])
    await person.press(TALK)
    turn = await agrees(person)
    assert "chưa có tư vấn viên nào đang trực" in turn.text
    turn = await person.press("Báo tôi khi có người trực")
    assert "trong vòng 24 giờ tới, mình sẽ gửi bạn một tin nhắn" in turn.text
    assert await count(runtime, TalkRow) == 0  # not waiting: no counsellor will be offered a talk nobody is at
    said = await person.say("có ai không")
    assert "Chưa có tư vấn viên nào vào" not in said.text  # no longer in a talk

    before = person.count()
    lan = await on_duty(runtime, fake_telegram, telegram, 7720002, "Lan")
    await deliver_due(runtime, {"telegram": telegram})
    notice = person.receive(before)
    assert "Hiện đã có tư vấn viên đang trực" in notice.text and notice.choices == [TALK]
    assert "Có người đang chờ" not in "\n".join(m.text for m in fake_telegram.messages(lan.user_id))
    await on_duty(runtime, fake_telegram, telegram, 7720003, "Minh")  # told once only
    await deliver_due(runtime, {"telegram": telegram})
    assert person.count() == before + 1

    lan_before = lan.count()
    turn = await person.press(TALK)  # consent given already: straight to the optional province
    assert "Bạn đang ở tỉnh hay thành phố nào" in turn.text
    turn = await person.press(SKIP)
    assert "trong hàng chờ" in turn.text
    await telegram.drain()
    assert "Có người đang chờ trò chuyện" in lan.receive(lan_before).text
    async with runtime.sessions() as session:
        kinds = {(t.kind, t.subject): t.count for t in await session.scalars(select(Tally))}
    assert kinds[("talk_cancelled", "wish")] == 1


async def test_typed_words_asking_to_talk_now_open_a_live_talk(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    """Words asking for someone now ("chat", "ngay", "trực") open the live talk; words asking for someone to talk
    with, without "now", still lead to booking."""
    person = TelegramDriver(fake_telegram, telegram, user_id=7730001)
    await play(person, [START, ADULT])
    turn = await person.say("cho mình chat với tư vấn viên ngay được không")
    assert "Một người thật sẽ đọc" in turn.text and turn.choices[-2:] == [AGREE, "Không, cảm ơn"]
    turn = await person.say("mình muốn tâm sự với ai đó")
    assert "Một người thật sẽ đọc" not in turn.text and "tư vấn" in turn.text.lower()
