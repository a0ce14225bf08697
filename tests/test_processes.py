"""The bot as deployed: ``python -m bot run`` and ``python -m bot webhook`` as processes of their own, with their
scheduler, against the fake Telegram and Zalo servers, on SQLite and PostgreSQL, seen from the outside.

A counsellor who agreed to notifications is told of a new booking within seconds; a leader's broadcast reaches
every member who agreed to group messages (and no one else); after a restart on a clock set just before they are
due, a group reminder and an appointment reminder arrive when due, not before.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import httpx
import pytest

from domain.quiet_hours import QuietHours
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from storage import migrate
from storage.db import create_engine
from tests.processes import Deployment, Mode, TelegramPerson, ZaloPerson, eventually, received, running

pytestmark = pytest.mark.slow

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=HANOI)  # Monday 30/11/2026, 08:00 in Hà Nội
AGREE = "Có, tôi đồng ý"
HOAN_KIEM = "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm"
LINK = re.compile(r"https://t\.me/diemtua_test_bot\?start=(g_[A-Z0-9]{8})")
GROUP_CODE = re.compile(r"Mã nhóm: ([A-Z0-9]{4}-[A-Z0-9]{4})")
BOOKING_CODE = re.compile(r"Mã đặt lịch của bạn: ([A-Z0-9]{4}-[A-Z0-9]{4})")


async def adult(person: TelegramPerson | ZaloPerson) -> None:
    await person.say("/start", "bao nhiêu tuổi")
    await person.press("Từ 16 tuổi trở lên", "giúp gì cho bạn")


async def create_group(leader: TelegramPerson) -> str:
    """A peer leader creates "Nhóm Bình Minh" in the chat (weekly, Mondays 18:00, reminded a day and an hour
    before); returns the bot's "ready" message with the join link and code."""
    await leader.press("Tạo nhóm mới", "Nhóm tên là gì")
    await leader.say("Nhóm Bình Minh", "")
    await leader.press("Nhóm dự phòng tái nghiện – duy trì hồi phục", "sinh hoạt ở đâu")
    await leader.press(leader.choices()[0], "")
    await leader.press("Hằng tuần", "")
    await leader.say("T2 18:00", "Nhắc thành viên khi nào")
    await leader.press("Trước 1 ngày và trước 1 giờ", "")
    return await leader.press("Tạo nhóm", "Nhóm đã sẵn sàng")


CASES = [
    pytest.param("run", "aiogram", "sqlite", id="run-aiogram-sqlite"),
    pytest.param("webhook", "ptb", "sqlite", id="webhook-ptb-sqlite"),
    pytest.param("run", "ptb", "postgresql", id="run-ptb-postgresql"),
    pytest.param("webhook", "aiogram", "postgresql", id="webhook-aiogram-postgresql"),
]


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str | None:
    """The engine a case runs on: None for the embedded SQLite file, else a fresh PostgreSQL database."""
    return str(request.getfixturevalue("postgres_url")) if request.param == "postgresql" else None


@pytest.mark.parametrize(("mode", "library", "database"), CASES, indirect=["database"])
async def test_the_running_process_delivers_notices_broadcasts_and_reminders(
    mode: Mode,
    library: Literal["aiogram", "ptb"],
    database: str | None,
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
) -> None:
    url = database
    deployment = Deployment(tmp_path / "data", fake_telegram, fake_zalo, database_url=url, library=library)
    if url:  # a shared server is migrated by the operator
        await deployment.cli("db", "upgrade")
    else:
        engine_ = create_engine(deployment.settings().db_url)
        await migrate.upgrade(engine_)
        await engine_.dispose()
    await deployment.cli("points", "load-sample")
    counsellor_code = await deployment.invite("counsellor", clock_start=MONDAY)
    leader_code = await deployment.invite("leader", clock_start=MONDAY)

    async with running(deployment, mode, clock_start=MONDAY, name="first") as bot:
        counsellor = TelegramPerson(fake_telegram, 9100001, bot)
        await adult(counsellor)
        await counsellor.say(f"/staff {counsellor_code}", "tư vấn viên")
        await counsellor.press(AGREE, "sẽ báo cho bạn")
        await counsellor.press("Đặt giờ làm việc trong tuần", "T2-T6 08:00-11:30")
        await counsellor.say("T2-T7 17:00-18:00", "30 phút")
        await counsellor.press("30 phút", "Gặp trực tiếp")
        await counsellor.press("Gặp trực tiếp", "Đã lưu")

        # A person books Tuesday 17:00 and agrees to reminders; the counsellor is told within seconds.
        person = TelegramPerson(fake_telegram, 9100002, bot)
        await adult(person)
        await person.press("Đặt lịch tư vấn", "không cần cho biết tên")
        await person.press(HOAN_KIEM, "")
        await person.press("Thứ Ba, 01/12", "")
        await person.press("17:00", "Đặt lịch Thứ Ba, 01/12 lúc 17:00")
        booked = await person.press("Có, xác nhận", "Mã đặt lịch của bạn")
        code = BOOKING_CODE.search(booked)
        assert code is not None, booked
        await person.press("Nhắc tôi trước giờ hẹn", AGREE)
        await person.press(AGREE, "nhắc bạn")
        told = f"Lịch hẹn mới: Thứ Ba, 01/12 lúc 17:00, gặp trực tiếp, mã {code.group(1)}."
        await eventually(lambda: told in counsellor.texts(), "the counsellor is told of the booking", timeout=15)

        # What people type is understood by the running process, a crisis by its kind (issue 18).
        typing = TelegramPerson(fake_telegram, 9100003, bot)
        await adult(typing)
        await typing.say("mình không muốn sống nữa", "096 306 1414")
        await typing.say("tim cho uong metha o quan 8", "Các điểm gần Quận 8 (TP Hồ Chí Minh) – Methadone")

        # Another person books Wednesday; the counsellor then takes Wednesday off and cancels it: the running
        # process's dispatcher carries the apology, with a button to book again.
        other = TelegramPerson(fake_telegram, 9100004, bot)
        await adult(other)
        await other.press("Đặt lịch tư vấn", "")
        await other.press(HOAN_KIEM, "")
        await other.press("Thứ Tư, 02/12", "")
        await other.press("17:00", "")
        await other.press("Có, xác nhận", "Mã đặt lịch của bạn")
        await other.press("Nhắc tôi trước giờ hẹn", AGREE)
        await other.press(AGREE, "nhắc bạn")
        await counsellor.say("/staff", "Menu tư vấn viên")
        await counsellor.press("Thêm ngày nghỉ", "")
        await counsellor.say("02/12", "Bạn có 1 lịch hẹn vào Thứ Tư, 02/12")
        await counsellor.press("Hủy và báo cho người đã đặt", "Đã hủy 1 lịch hẹn")
        sorry = "lịch hẹn của bạn vào Thứ Tư, 02/12 lúc 17:00"
        await eventually(received(other, sorry), "the apology for a day off")

        # A leader's group meets on Mondays at 18:00; two Telegram members and a Zalo member agree to its
        # messages, one more joins without them.
        leader = TelegramPerson(fake_telegram, 9100003, bot)
        await adult(leader)
        await leader.say(f"/staff {leader_code}", "trưởng nhóm")
        await leader.press(AGREE, "tin nhắn gửi nhóm")
        ready = await create_group(leader)
        link, group_code = LINK.search(ready), GROUP_CODE.search(ready)
        assert link is not None and group_code is not None, ready
        members = [TelegramPerson(fake_telegram, 9100010 + n, bot) for n in range(2)]
        for member in members:
            await member.say(f"/start {link.group(1)}", "bao nhiêu tuổi")
            await member.press("Từ 16 tuổi trở lên", "Nhóm Bình Minh")
            await member.press("Tham gia, có nhắc lịch", "Chào mừng bạn")
        on_zalo = ZaloPerson(fake_zalo, "5a0c0ffee0000000001", bot)
        await adult(on_zalo)
        await on_zalo.say(group_code.group(1), "Tham gia nhóm tự lực")
        await on_zalo.press("Tham gia, có nhắc lịch", "Chào mừng bạn")
        await on_zalo.say("ban toi bat tinh sau khi chich", "nằm nghiêng")  # a crisis on Zalo too
        silent = TelegramPerson(fake_telegram, 9100020, bot)
        await silent.say(f"/start {link.group(1)}", "bao nhiêu tuổi")
        await silent.press("Từ 16 tuổi trở lên", "Nhóm Bình Minh")
        await silent.press("Tham gia, không cần nhắc lịch", "")

        await leader.say("/nhom", "")
        await leader.press("Nhóm Bình Minh", "Thành viên: 4")
        await leader.press("Gửi tin nhắn cho nhóm", "")
        await leader.say("Tối nay có bác sĩ đến nói chuyện, mọi người đến đúng giờ nhé!", "3 thành viên")
        await leader.press("Gửi", "")
        news = "Tin nhắn từ Nhóm Bình Minh:\n\nTối nay có bác sĩ đến nói chuyện"
        receivers: list[TelegramPerson | ZaloPerson] = [*members, on_zalo]
        for receiver in receivers:
            await eventually(received(receiver, news), "the broadcast reaches a member")
        await eventually(received(leader, "Đã gửi xong"), "the leader's report")
        assert not any(news in t for t in silent.texts())

    # The process is stopped; a new one starts at 16:58 on a clock ten times faster: at 17:00 the group's
    # 1-hour reminder (meeting at 18:00) and the person's 24-hour reminder (appointment tomorrow 17:00) are due.
    due = MONDAY.replace(hour=17)
    reminder = "Nhắc lịch: Nhóm Bình Minh sinh hoạt vào Thứ Hai, 30/11 lúc 18:00"
    appointment = f"Nhắc lịch: ngày mai bạn có một lịch hẹn, Thứ Ba, 01/12 lúc 17:00. Mã của bạn: {code.group(1)}."
    silent_before = len(silent.texts())
    async with running(deployment, mode, clock_start=due - timedelta(minutes=2), clock_rate=10, name="second"):
        # Two minutes of the bot's clock are twelve seconds here: nothing is due yet.
        assert not any(reminder in t for r in receivers for t in r.texts())
        assert not any(appointment in t for t in person.texts())
        for receiver in receivers:
            await eventually(received(receiver, reminder), "a group reminder")
        await eventually(received(person, appointment), "the appointment reminder")
        assert len(silent.texts()) == silent_before
    for receiver in receivers:
        assert sum(reminder in t for t in receiver.texts()) == 1
    assert sum(appointment in t for t in person.texts()) == 1


async def on_duty(counsellor: TelegramPerson, code: str, name: str) -> None:
    await adult(counsellor)
    await counsellor.say(f"/staff {code}", "tư vấn viên")
    await counsellor.press("Không, cảm ơn", "Menu tư vấn viên")
    await counsellor.press("Trò chuyện trực tiếp: ca trực của tôi", "không trực")
    await counsellor.press("Bắt đầu trực", "địa chỉ chat")
    await counsellor.press(AGREE, "tên gì")
    await counsellor.say(name, f"Bạn đang trực với tên {name}")


async def asks_for_a_talk(person: TelegramPerson, province: str | None = None) -> str:
    """A Telegram person asks for a talk, agrees, gives ``province`` or skips it; their alias."""
    await adult(person)
    await person.press("Nói chuyện với tư vấn viên", "Một người thật sẽ đọc")
    await person.press(AGREE, "tỉnh hay thành phố nào")
    waiting = await (person.say(province, "hàng chờ") if province else person.press("Bỏ qua", "hàng chờ"))
    found = re.search(r"#[346789A-Y]{4}", waiting)
    assert found is not None, waiting
    return found.group(0)


TALK_CASES = [
    pytest.param("run", "aiogram", "sqlite", id="run-aiogram-sqlite"),
    pytest.param("webhook", "ptb", "postgresql", id="webhook-ptb-postgresql"),
]


@pytest.mark.parametrize(("mode", "library", "database"), TALK_CASES, indirect=["database"])
async def test_the_running_process_relays_a_live_talk_and_keeps_it_across_a_restart(
    mode: Mode,
    library: Literal["aiogram", "ptb"],
    database: str | None,
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
) -> None:
    """Issue 19 as deployed: a counsellor on duty takes a Telegram person's talk and then a Zalo person's; each
    message reaches only its counterpart, within a second; the process is stopped mid-talk and the next one
    carries on, nothing lost or doubled; a talk left unanswered is handed back by the scheduler's watch."""
    url = database
    deployment = Deployment(tmp_path / "data", fake_telegram, fake_zalo, database_url=url, library=library)
    if url:
        await deployment.cli("db", "upgrade")
    await deployment.cli("points", "load-sample")
    code = await deployment.invite("counsellor", clock_start=MONDAY)
    async with running(deployment, mode, clock_start=MONDAY, name="first") as bot:
        lan = TelegramPerson(fake_telegram, 9200001, bot)
        await on_duty(lan, code, "Lan")

        person = TelegramPerson(fake_telegram, 9200002, bot)
        alias = await asks_for_a_talk(person, "Hà Nội")
        await eventually(received(lan, f"Có người đang chờ trò chuyện: {alias}, ở Hà Nội"), "the offer")
        await lan.press(f"Nhận cuộc trò chuyện {alias}", "Bạn đang trò chuyện với")
        await eventually(received(person, "Tư vấn viên Lan đã vào"), "the person told")

        loop = asyncio.get_running_loop()
        started = loop.time()
        await person.send("mình muốn kể chuyện này")
        await eventually(received(lan, "mình muốn kể chuyện này"), "the person's message relayed")
        first_relay = loop.time() - started
        await lan.send("Mình nghe đây")
        await eventually(received(person, "Mình nghe đây"), "the counsellor's answer relayed")

        # A Zalo person asks too; the same counsellor takes the second talk and answers it by its button.
        on_zalo = ZaloPerson(fake_zalo, "5a0c0ffee0000000002", bot)
        await adult(on_zalo)
        await on_zalo.press("Nói chuyện với tư vấn viên", "Một người thật sẽ đọc")
        await on_zalo.press(AGREE, "tỉnh hay thành phố nào")
        zalo_waiting = await on_zalo.press("Bỏ qua", "hàng chờ")
        zalo_found = re.search(r"#[346789A-Y]{4}", zalo_waiting)
        assert zalo_found is not None, zalo_waiting
        zalo_alias = zalo_found.group(0)
        await eventually(received(lan, f"Có người đang chờ trò chuyện: {zalo_alias}"), "the second offer")
        await lan.press(f"Nhận cuộc trò chuyện {zalo_alias}", "Bạn đang trò chuyện với")
        await eventually(received(on_zalo, "Tư vấn viên Lan đã vào"), "the Zalo person told")
        await on_zalo.send("chào chị")
        await eventually(received(lan, "chào chị"), "the Zalo person's message relayed")
        await lan.send("Chào bạn, mình là Lan")
        await eventually(received(on_zalo, "Chào bạn, mình là Lan"), "to the Zalo person")
        assert not any("Chào bạn, mình là Lan" in t for t in person.texts())  # only its counterpart

        # Stopped right after a message arrives: the next process delivers it, once.
        await person.send("tin nhắn lúc khởi động lại")
    async with running(deployment, mode, clock_start=MONDAY + timedelta(minutes=5), name="second") as bot:
        lan.bot = person.bot = bot
        on_zalo.bot = bot
        await eventually(received(lan, "tin nhắn lúc khởi động lại"), "the message across the restart", timeout=30)
        await lan.press(f"Trả lời {alias}", "Đang trả lời")
        await lan.send("Mình vẫn ở đây")
        await eventually(received(person, "Mình vẫn ở đây"), "the talk goes on after the restart")
        await person.send("kết thúc")  # the talk's messages are deleted from the chat first, then the answer
        await eventually(received(person, "các tin nhắn của nó đã được xóa"), "the talk ended and cleared")
        assert not any("Mình vẫn ở đây" in t for t in person.texts())  # nothing of the talk left on the phone
        await eventually(received(lan, f"{alias} đã kết thúc cuộc trò chuyện"), "the counsellor told")
        # ... and from the counsellor's chat: the person's words, sent before and across the restart, and her own.
        for words in ("mình muốn kể chuyện này", "tin nhắn lúc khởi động lại"):
            assert not received(lan, words)(), words
        assert any("mình muốn kể chuyện này" in m.text for m in fake_telegram.removed[lan.user_id])
        assert received(lan, "chào chị")()  # the other talk, still open, keeps its messages
        await on_zalo.send("chị ơi, chị còn đó không")  # and the counsellor does not answer
        await eventually(received(lan, "chị còn đó không"), "the Zalo person's question relayed")
    # Fifteen minutes later by the bot's clock, the running scheduler's watch hands the unanswered talk back.
    async with running(deployment, mode, clock_start=MONDAY + timedelta(minutes=20), name="third") as bot:
        lan.bot = on_zalo.bot = bot
        await eventually(received(on_zalo, "trở lại đầu hàng chờ"), "the Zalo person told", timeout=30)
        await eventually(received(lan, f"{zalo_alias} đã chờ 10 phút"), "the counsellor told", timeout=30)
    everything = [*lan.texts(), *(m.text for m in fake_telegram.removed[lan.user_id])]  # shown, then deleted
    assert sum("tin nhắn lúc khởi động lại" in t for t in everything) == 1
    assert first_relay < 5.0  # generous on a loaded machine; the benchmark measures the p99


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_two_webhook_workers_on_postgresql_route_each_talk_to_exactly_one_counsellor(
    database: str, tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    """Two `python -m bot webhook` workers share one PostgreSQL database: two counsellors, each on a different
    worker, press "take" for the same talk at the same moment, three times; each time exactly one gets it, and
    the talk then runs across the workers (the person on one, the counsellor on the other)."""
    deployment = Deployment(tmp_path / "data", fake_telegram, fake_zalo, database_url=database, library="aiogram")
    await deployment.cli("db", "upgrade")
    await deployment.cli("points", "load-sample")
    codes = [await deployment.invite("counsellor", clock_start=MONDAY) for _ in range(2)]
    async with (
        running(deployment, "webhook", clock_start=MONDAY, name="worker-a") as a,
        running(deployment, "webhook", clock_start=MONDAY, name="worker-b", follower=True) as b,
    ):
        lan, minh = TelegramPerson(fake_telegram, 9300001, a), TelegramPerson(fake_telegram, 9300002, b)
        await on_duty(lan, codes[0], "Lan")
        await on_duty(minh, codes[1], "Minh")
        winners = []
        for n in range(3):
            person = TelegramPerson(fake_telegram, 9300010 + n, (a, b)[n % 2])
            alias = await asks_for_a_talk(person)
            for counsellor in (lan, minh):
                await eventually(received(counsellor, f"Có người đang chờ trò chuyện: {alias}"), "the offer")
            answers = await asyncio.gather(
                lan.press(f"Nhận cuộc trò chuyện {alias}", alias), minh.press(f"Nhận cuộc trò chuyện {alias}", alias)
            )
            won = [c for c, answer in zip((lan, minh), answers, strict=True) if "Bạn đang trò chuyện với" in answer]
            lost = [c for c, answer in zip((lan, minh), answers, strict=True) if "đã nhận" in answer]
            assert len(won) == 1 and len(lost) == 1, answers
            winners.append(won[0].user_id)
            name = "Lan" if won[0] is lan else "Minh"
            await eventually(received(person, f"Tư vấn viên {name} đã vào"), "the person told who joined")
            await won[0].send(f"chào bạn {n}")  # through the counsellor's worker, to the person's
            await eventually(received(person, f"chào bạn {n}"), "relayed across the workers")
            await person.send(f"em chào {name} {n}")
            await eventually(received(won[0], f"em chào {name} {n}"), "and back")
            assert not received(lost[0], f"em chào {name} {n}")()
    assert len(winners) == 3


async def eventually_async(
    fetch: Callable[[], Awaitable[httpx.Response]], good: Callable[[httpx.Response], bool], what: str
) -> None:
    for _ in range(200):
        if good(await fetch()):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


SIGN_IN_LINK = re.compile(r"(http://\S+/web/in/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
Q8_METHADONE = "[Mẫu] Cơ sở điều trị methadone Quận 8"


@pytest.mark.parametrize(("mode", "library"), [("run", "aiogram"), ("webhook", "ptb")])
async def test_the_running_process_serves_the_console_and_an_operators_edit_reaches_the_finder(
    mode: Mode, library: Literal["aiogram", "ptb"], tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """An operator invited from the CLI signs in by the link the bot sends, renames a point in the browser, and a
    person's next search in the chat shows the new name; signing out everywhere from the chat ends the session."""
    deployment = Deployment(tmp_path / "data", fake_telegram, library=library)
    await deployment.cli("db", "upgrade")
    await deployment.cli("points", "load-sample")
    code = await deployment.invite("operator")
    leader_code = await deployment.invite("leader")
    async with running(deployment, mode) as bot:
        operator = TelegramPerson(fake_telegram, 9400001, bot)
        await adult(operator)
        await operator.say(f"/staff {code}", "điều phối viên")
        found = SIGN_IN_LINK.search(await operator.say("/web", "/web/in/"))
        assert found is not None and found.group(1).startswith(bot.console_url())
        person = TelegramPerson(fake_telegram, 9400002, bot)
        await adult(person)
        assert Q8_METHADONE in await person.say("tim cho uong metha o quan 8", "Các điểm gần Quận 8")

        async with httpx.AsyncClient(timeout=30) as browser:
            assert (await browser.get(found.group(1))).status_code == 200  # the page with the button
            signed = await browser.post(found.group(1))
            assert signed.status_code == 303 and "dt_session" in signed.cookies
            listing = await browser.get(bot.console_url() + "/points", params={"q": "methadone quan 8"})
            point_id = re.search(r'href="/web/points/(\d+)">\[Mẫu\] Cơ sở điều trị methadone Quận 8<', listing.text)
            assert point_id is not None, listing.text[-2000:]
            page = (await browser.get(bot.console_url() + f"/points/{point_id.group(1)}")).text
            csrf = CSRF.search(page)
            assert csrf is not None
            form = [(k, v) for k, v in re.findall(r'<input id="(\w+)" name="\w+" type="[a-z]+" value="([^"]*)"', page)]
            form = [(k, "Cơ sở methadone Quận 8 (đã đổi tên)" if k == "name" else v) for k, v in form]
            form += [("province", "ho-chi-minh"), ("kinds", "methadone"), ("csrf", csrf.group(1))]
            saved = await browser.post(bot.console_url() + f"/points/{point_id.group(1)}", data=dict(form))
            assert saved.status_code == 303, saved.text[-2000:]
            renamed = await person.say("tim cho uong metha o quan 8", "Các điểm gần Quận 8")
            assert "Cơ sở methadone Quận 8 (đã đổi tên)" in renamed and Q8_METHADONE not in renamed

            await operator.press("Đăng xuất mọi nơi", "mọi thiết bị")
            assert (await browser.get(bot.console_url() + "/points")).status_code == 303

        # A peer leader's group, with one member who agreed to its messages: the leader writes in the browser,
        # sees the exact message, sends it, and the running process delivers it.
        leader = TelegramPerson(fake_telegram, 9400003, bot)
        await adult(leader)
        await leader.say(f"/staff {leader_code}", "trưởng nhóm")
        await leader.press("Không, cảm ơn", "")
        link = LINK.search(await create_group(leader))
        assert link is not None
        member = TelegramPerson(fake_telegram, 9400004, bot)
        await member.say(f"/start {link.group(1)}", "bao nhiêu tuổi")
        await member.press("Từ 16 tuổi trở lên", "Nhóm Bình Minh")
        await member.press("Tham gia, có nhắc lịch", "Chào mừng bạn")
        found = SIGN_IN_LINK.search(await leader.say("/web", "/web/in/"))
        assert found is not None
        async with httpx.AsyncClient(timeout=30) as browser:
            await browser.post(found.group(1))
            groups = (await browser.get(bot.console_url() + "/groups")).text
            group_id = re.search(r'href="/web/groups/(\d+)">Nhóm Bình Minh<', groups)
            assert group_id is not None, groups[-2000:]
            group_page = await browser.get(bot.console_url() + f"/groups/{group_id.group(1)}")
            token = CSRF.search(group_page.text)
            assert token is not None
            text = "Tối nay có bác sĩ đến nói chuyện, mọi người đến đúng giờ nhé!"
            message = {"csrf": token.group(1), "text": text}
            hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
            if QuietHours().is_quiet(datetime.now(hanoi), hanoi):
                # The process runs on the wall clock: at night an ordinary broadcast rightly waits for the morning
                # (tested with a manual clock in test_groups), so a run at night sends this one as urgent.
                message["urgent"] = "true"
            shown = await browser.post(bot.console_url() + f"/groups/{group_id.group(1)}/preview", data=message)
            assert "Tin nhắn từ Nhóm Bình Minh:" in shown.text and "1 thành viên" in shown.text
            sent = await browser.post(bot.console_url() + f"/groups/{group_id.group(1)}/send", data=message)
            assert sent.status_code == 303
            news = f"Tin nhắn từ Nhóm Bình Minh:\n\n{text}"
            await eventually(received(member, news), "the broadcast sent from the browser reaches the member")
            progress = bot.console_url() + f"/groups/{group_id.group(1)}/progress"
            await eventually_async(lambda: browser.get(progress), lambda r: r.json().get("sent") == 1, "progress 1/1")
