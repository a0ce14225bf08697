"""The foundation's conversations, as dialog tables, through the console and through Telegram."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from bot.telegram.aiogram_channel import AiogramTelegram
from tests.dialog import ConsoleDriver, Driver, Step, TelegramDriver, contact, location, play, press, say
from tests.fakes.telegram_server import FakeTelegram

MENU = (
    "Tự đánh giá",
    "Điểm hỗ trợ gần nhất",
    "Đặt lịch tư vấn",
    "Nhóm tự lực",
    "Dành cho gia đình",
    "Trợ giúp khẩn cấp",
    "Quyền riêng tư và dữ liệu của bạn",
)
CHILD_MENU = ("Dành cho gia đình", "Trợ giúp khẩn cấp", "Quyền riêng tư và dữ liệu của bạn")
AGE = ("Từ 16 tuổi trở lên", "Dưới 16 tuổi")
URGENT = ("115", "quá liều", "nằm nghiêng")

START = say("/start", "trợ lý tự động", "không biết bạn là ai", "/forget", "bao nhiêu tuổi", choices=AGE)
ADULT = press("Từ 16 tuổi trở lên", "giúp gì", choices=MENU)

DIALOGS: dict[str, list[Step]] = {
    "adult onboarding reaches the menu": [START, ADULT],
    "under 16 gets the child line and a smaller menu": [
        START,
        press("Dưới 16 tuổi", "111", "người lớn mà bạn tin tưởng", choices=CHILD_MENU),
        say("/menu", choices=CHILD_MENU),
    ],
    "a first message that is not /start gets the welcome": [
        say("xin chào", "trợ lý tự động", "bao nhiêu tuổi", choices=AGE),
        say("1", "giúp gì", choices=MENU),
    ],
    "age answered by typing the label, without accents": [
        START,
        say("duoi 16 tuoi", "111", choices=CHILD_MENU),
    ],
    "urgent words interrupt and the person can go back": [
        START,
        say("ban toi bi qua lieu roi", *URGENT, choices=("Quay lại chỗ đang dở", "Menu chính")),
        press("Quay lại chỗ đang dở", "bao nhiêu tuổi", choices=AGE),
        press("Từ 16 tuổi trở lên", "giúp gì", choices=MENU),
    ],
    "tự tử typed without accents is urgent, từ từ (slowly) is not": [
        START,
        ADULT,
        say("từ từ đã", "chưa hiểu ý bạn", absent=("115",), choices=MENU),
        say("tu tu", *URGENT, "kết thúc cuộc sống"),
        say("Muốn chết", "kết thúc cuộc sống"),
    ],
    "urgent help from the menu and by command": [
        START,
        ADULT,
        press("Trợ giúp khẩn cấp", *URGENT, choices=("Menu chính",)),
        press("Menu chính", choices=MENU),
        say("/khancap", *URGENT),
    ],
    "items not built yet say so politely and show the menu": [
        START,
        ADULT,
        press("Tự đánh giá", "sẽ sớm có", choices=MENU),
        press("Nhóm tự lực", "sẽ sớm có", choices=MENU),
    ],
    "unknown input and unknown commands get a kind answer and the menu": [
        START,
        ADULT,
        say("asdfghjkl 12345 !!!", "chưa hiểu ý bạn", choices=MENU),
        say("/khonglenhnao", "chưa biết lệnh này", choices=MENU),
        say("99", "chưa hiểu ý bạn", choices=MENU),
    ],
    "a shared location outside any flow is not kept": [
        START,
        ADULT,
        location(21.0285, 105.8542, "không lưu lại vị trí", choices=MENU),
        contact("+84 912 345 678", "không lưu lại số này", absent=("912",), choices=MENU),
    ],
    "privacy shows what is stored, and keeping it erases nothing": [
        START,
        ADULT,
        say(
            "/privacy",
            "mã ẩn danh",
            "từ 16 tuổi trở lên",
            "chưa đồng ý",
            choices=("Xóa toàn bộ", "Menu chính"),
        ),
        press("Xóa toàn bộ", "Không thể khôi phục", choices=("Có, xóa toàn bộ", "Không, giữ lại")),
        press("Không, giữ lại", "Chưa có gì bị xóa", choices=MENU),
        say("/privacy", "từ 16 tuổi trở lên"),
    ],
    "forget erases everything and the next message starts afresh": [
        START,
        ADULT,
        say("/forget", "Không thể khôi phục", choices=("Có, xóa toàn bộ", "Không, giữ lại")),
        press("Có, xóa toàn bộ", "đã được xóa"),
        say("/privacy", "mã ẩn danh", absent=("từ 16 tuổi trở lên",)),
        say("xin chào", "bao nhiêu tuổi", choices=AGE),
    ],
    "stop ends all messages until /start": [
        START,
        ADULT,
        say("/stop", "không gửi thêm tin nhắn"),
        say("/privacy", "không gửi tin nhắn nào cho bạn"),
        START,
        ADULT,
        say("/privacy", absent=("không gửi tin nhắn nào cho bạn",)),
    ],
}


@pytest.fixture
def console_driver(runtime: Runtime) -> Driver:
    return ConsoleDriver(runtime)


@pytest.fixture
def telegram_driver(telegram: AiogramTelegram, fake_telegram: FakeTelegram) -> Driver:
    return TelegramDriver(fake_telegram, telegram)


@pytest.fixture(params=["console", "telegram"])
def driver(request: pytest.FixtureRequest) -> Driver:
    return request.getfixturevalue(f"{request.param}_driver")  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_dialog(driver: Driver, name: str) -> None:
    await play(driver, DIALOGS[name])
