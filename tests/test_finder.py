"""The nearest support point, as people meet it through the console and Telegram, on the sample data."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.cli.points import SAMPLE, parse_file, store
from bot.runtime import Runtime
from core.clock import ManualClock
from domain.directory import About, ServicePoint
from domain.gazetteer import commune_places
from domain.geo import haversine_km
from fakes.telegram_server import FakeTelegram
from handlers import directory_cache
from handlers.directory_cache import DirectoryCache
from handlers.finder import KEEP_RESULTS_SECONDS
from storage.models import ConversationStateRow, ListingReport, coarsen
from tests.dialog import ConsoleDriver, Driver, Step, TelegramDriver, location, play, press, say
from tests.test_dialogs import ADULT, DIALOGS, START

FIND = press("Điểm hỗ trợ gần nhất", "chia sẻ vị trí", "không lưu lại", choices=("Chọn dịch vụ", "Menu chính"))
HEROIN = "self-check: daily heroin and frequent injecting is high risk with treatment and testing next"

FINDER_DIALOGS: dict[str, list[Step]] = {
    "a typed former district, accents left out, gives distances, hours, phone, map links and more pages": [
        START,
        ADULT,
        FIND,
        say(
            "quan 8",
            "Các điểm gần Quận 8 (TP Hồ Chí Minh) – Mọi dịch vụ",
            "Đây là thông tin mẫu",
            "1. [Mẫu] Điểm tư vấn cộng đồng Quận 8 (50 m)",
            "2. [Mẫu] Cơ sở điều trị methadone Quận 8 (2,9 km)",
            "Đang mở cửa, đến 11:30",
            "Đang đóng cửa, mở lúc 18:00",
            "☎ 0000 000 031",
            "🗺 1. [Mẫu] Điểm tư vấn cộng đồng Quận 8",
        ),
        # The next page is numbered as its choices are: 1 to 5, then "more" and "choose the service".
        press(
            "Xem thêm",
            "2. [Mẫu] Cơ sở cắt cơn Thủ Đức",
            "5. [Mẫu]",
            absent=("Điểm tư vấn cộng đồng Quận 8 (", "6. [Mẫu]"),
        ),
        say("2", "[Mẫu] Cơ sở cắt cơn Thủ Đức", "Cắt cơn"),  # the number read is the number typed
    ],
    "a shared location: details with the weekly hours, then an anonymous report of a wrong listing": [
        START,
        ADULT,
        location(21.0285, 105.8542, "Các điểm gần bạn", "1. [Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm (240 m)"),
        press(
            "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm",
            "Thứ Hai–Thứ Sáu: 07:30–11:30, 13:30–17:00",
            "Chủ Nhật: nghỉ",
            "Thông tin này chưa được kiểm tra",
            "Nguồn: Dữ liệu mẫu của Điểm Tựa.",  # a person reads the source in Vietnamese
            "Thông tin mẫu để dùng thử bot",
            "Mở bản đồ",
            absent=("sample data", "Dữ liệu mẫu để thử bot"),  # and the sample warning once
            choices=("Đặt lịch tư vấn tại đây", "Báo thông tin này bị sai", "Quay lại danh sách", "Menu chính"),
        ),
        press("Báo thông tin này bị sai", "sai ở điểm nào"),
        press("Số điện thoại bị sai", "Cảm ơn bạn", "ẩn danh", choices=("Quay lại danh sách", "Menu chính")),
        press("Quay lại danh sách", "1. [Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm"),
    ],
    "the self-check's next step arrives filtered: only methadone or buprenorphine": [
        *DIALOGS[HEROIN],
        press("Tìm nơi điều trị methadone hoặc buprenorphine", "Đang tìm: Methadone hoặc buprenorphine"),
        say(
            "Long Bien",
            "Các điểm gần Phường Long Biên (Hà Nội) – Methadone hoặc buprenorphine",
            "1. [Mẫu] Cơ sở điều trị methadone Long Biên",
            "2. [Mẫu] Cơ sở điều trị methadone Hoàn Kiếm",
            absent=("Điểm tư vấn cộng đồng",),
        ),
    ],
    "an ambiguous name asks which one; an unknown one says so kindly": [
        START,
        ADULT,
        FIND,
        say("Atlantis", "Mình chưa tìm thấy địa danh đó", choices=("Chọn dịch vụ", "Menu chính")),
        say("thanh", "Bạn muốn nói nơi nào?"),
        press(
            "Phường Thanh Xuân (Hà Nội)",
            "Các điểm gần Phường Thanh Xuân (Hà Nội)",
            "1. [Mẫu] Điểm tư vấn cộng đồng Thanh Xuân",
        ),
    ],
    "choose a service first, then a pre-2025 province name": [
        START,
        ADULT,
        FIND,
        press("Chọn dịch vụ", "dịch vụ nào"),
        press("Cắt cơn", "Đang tìm: Cắt cơn"),
        say(
            "Bình Dương",
            "Các điểm gần Bình Dương (nay là TP Hồ Chí Minh) – Cắt cơn",
            "1. [Mẫu] Cơ sở cắt cơn Thủ Đức",
            "2. [Mẫu] Cơ sở cắt cơn Thanh Trì",
            "Mở cửa 24 giờ",
            choices=("[Mẫu] Cơ sở cắt cơn Thủ Đức", "[Mẫu] Cơ sở cắt cơn Thanh Trì", "Chọn dịch vụ", "Menu chính"),
        ),
        press("Chọn dịch vụ"),
        press("Trợ giúp pháp lý", "Các điểm gần Bình Dương (nay là TP Hồ Chí Minh) – Trợ giúp pháp lý"),
    ],
    "typed: a service and a place go straight to the answer": [
        START,
        ADULT,
        say("methadone o quan 8", "Các điểm gần Quận 8 (TP Hồ Chí Minh) – Methadone hoặc buprenorphine"),
    ],
    "typed: wanting to stop leads to detox; a family worry typed at the place question is answered as such": [
        START,
        ADULT,
        say("tôi muốn cai nghiện", "Đang tìm: Cắt cơn"),
        say("con tôi nghiện ma túy", "Dành cho gia đình", absent=("chưa tìm thấy địa danh",)),
        say("tim cho uong metha", "Đang tìm: Methadone hoặc buprenorphine"),
        say("Atlantis", "chưa tìm thấy địa danh"),  # neither a place nor a request: asked again
        say("cảm ơn", "Không có gì đâu", absent=("chưa tìm thấy địa danh",)),  # a word back, and the question
        say("Quận 8", "Quận 8"),
    ],
    "someone under 16 is not sent to services by location": [
        START,
        press("Dưới 16 tuổi"),
        location(21.0285, 105.8542, "không lưu lại vị trí"),
    ],
}


async def load_sample(runtime: Runtime) -> None:
    await store(runtime, parse_file(runtime, SAMPLE, "csv"))


@pytest.mark.parametrize("name", list(FINDER_DIALOGS))
async def test_finder_dialog(driver: Driver, runtime: Runtime, name: str) -> None:
    await load_sample(runtime)
    await play(driver, FINDER_DIALOGS[name])


def scan_order(runtime_points: list[tuple[str, float, float]], lat: float, lon: float) -> list[str]:
    ranked = sorted(runtime_points, key=lambda p: (haversine_km(lat, lon, p[1], p[2]), p[0]))
    return [name for name, _, _ in ranked[:5]]


@pytest.mark.parametrize(
    ("how", "value"),
    [
        ("location", (21.0285, 105.8542)),
        ("location", (16.06, 108.21)),
        ("location", (12.25, 109.19)),
        ("typed", "Vũng Tàu"),
        ("typed", "bac giang"),
        ("typed", "Q.1"),
        ("typed", "Nam Từ Liêm"),
    ],
)
async def test_results_are_ordered_exactly_as_a_full_haversine_scan(
    driver: Driver,
    runtime: Runtime,
    how: str,
    value: tuple[float, float] | str,
) -> None:
    await load_sample(runtime)
    async with runtime.unit_of_work() as uow:
        listed = await uow.directory.all_points()
    points = [(p.name, p.lat, p.lon) for p in listed]
    await play(driver, [START, ADULT])
    if isinstance(value, tuple):
        if not getattr(driver, "can_share_location", True):
            pytest.skip(f"{driver.name} has no location sharing (people type a place there instead)")
        turn = await driver.share_location(*value)
        lat, lon = value
    else:
        await driver.press("Điểm hỗ trợ gần nhất")
        turn = await driver.say(value)
        communes = commune_places([(p.province, p.commune, p.lat, p.lon) for p in listed if p.commune])
        (place,) = runtime.gazetteer.lookup(value, extra=communes)
        lat, lon = place.lat, place.lon
    assert turn.choices[:5] == scan_order(points, lat, lon)


async def test_telegram_sends_the_chosen_point_as_a_venue(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    driver = TelegramDriver(fake_telegram, telegram)
    await play(driver, [START, ADULT, location(21.0285, 105.8542)])
    await driver.press("[Mẫu] Cơ sở điều trị methadone Hoàn Kiếm")
    (venue,) = [m for m in fake_telegram.messages(driver.user_id) if m.method == "sendVenue"]
    assert (float(venue.params["latitude"]), float(venue.params["longitude"])) == (21.0245, 105.856)
    assert venue.params["title"] == "[Mẫu] Cơ sở điều trị methadone Hoàn Kiếm"


async def test_a_shared_location_is_not_stored_and_the_answer_expires(runtime: Runtime, clock: ManualClock) -> None:
    await load_sample(runtime)
    driver = ConsoleDriver(runtime)
    (*_, answer) = await play(driver, [START, ADULT, location(21.0285, 105.8542, "Các điểm gần bạn")])
    assert "https://www.openstreetmap.org/?mlat=21.02900&mlon=105.85200#map=17/21.02900/105.85200" in answer.text
    async with runtime.unit_of_work() as uow:
        (row,) = (await uow.session.scalars(select(ConversationStateRow))).all()
        state, expires = uow.states.unseal(row.data), row.expires_at
    kept = state.to_json()
    assert "21.0285" not in kept and "105.8542" not in kept  # the origin itself is gone
    assert len(state.data["results"]) == 25 and "origin" in state.data and state.data["origin"] == ""
    # Rounded up to the hour, as every expiry is (docs/privacy.md).
    assert expires == coarsen(clock.now() + timedelta(seconds=KEEP_RESULTS_SECONDS), "hour", up=True)
    clock.set(expires + timedelta(seconds=1))
    turn = await driver.say("1")
    assert "Các điểm gần bạn" not in turn.text  # the list is gone: "1" now means nothing in particular


async def test_a_report_is_stored_with_the_point_only(runtime: Runtime) -> None:
    await load_sample(runtime)
    await play(
        ConsoleDriver(runtime),
        FINDER_DIALOGS["a shared location: details with the weekly hours, then an anonymous report of a wrong listing"],
    )
    async with runtime.unit_of_work() as uow:
        reports = await uow.directory.reports()
        columns = set(ListingReport.__table__.c.keys())
    assert [(r.point.external_id, r.counts) for r in reports] == [("sample-hn-hk-01", {"wrong_phone": 1})]
    assert columns == {"id", "point_id", "reason", "reported_on"}


async def test_forged_report_buttons_store_nothing(
    runtime: Runtime, telegram: AiogramTelegram, fake_telegram: FakeTelegram
) -> None:
    await load_sample(runtime)
    driver = TelegramDriver(fake_telegram, telegram)
    await play(driver, [START, ADULT, location(21.0285, 105.8542)])
    forged_data = ("find.reason:1:closed", "find.reason:999999:closed", "find.point:abc", "find.reason:1:../../x")
    for forged in (*forged_data, "find.which:99", "find.more"):
        before = len(fake_telegram.messages(driver.user_id))
        fake_telegram.user_presses(driver.user_id, forged)
        driver.pushed += 1
        await telegram.wait_processed(driver.pushed)
        answers = fake_telegram.messages(driver.user_id)[before:]
        assert answers, forged
    async with runtime.unit_of_work() as uow:
        assert await uow.directory.reports() == []


async def test_a_point_shut_for_a_public_holiday_says_so_and_names_the_coming_holidays(
    runtime: Runtime, clock: ManualClock
) -> None:
    await load_sample(runtime)
    clock.set(datetime(2026, 9, 2, 2, 0, tzinfo=UTC))  # 09:00 on National Day, a Wednesday
    driver = ConsoleDriver(runtime)
    (*_, answer) = await play(driver, [START, ADULT, location(21.0290, 105.8520, "Các điểm gần bạn")])
    first = answer.text.split("\n\n")[1]
    assert "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm" in first
    assert "Hôm nay nghỉ lễ (Quốc khánh), mở lúc 07:30 ngày mai" in first
    methadone = next(block for block in answer.text.split("\n\n") if "methadone Hoàn Kiếm" in block)
    assert "Đang mở cửa" in methadone  # open every day, holidays included
    clock.set(datetime(2027, 2, 1, 2, 0, tzinfo=UTC))  # the Monday before Tết 2027
    await driver.say("/menu")
    await driver.share_location(21.0290, 105.8520)
    detail = await driver.say("1")
    assert "Nghỉ ngày lễ: 04/02–10/02 (Tết Nguyên Đán)" in detail.text
    assert "Thứ Hai–Thứ Sáu: 07:30–11:30, 13:30–17:00" in detail.text


async def test_listing_details_status_and_a_defunct_point_in_the_finder(runtime: Runtime) -> None:
    parsed = parse_file(runtime, SAMPLE, "csv")
    changed = {
        "sample-hn-hk-01": About(
            status="temporarily_closed", fee="free", languages=("vi", "en"), min_age=18, url="https://example.org"
        ),
        "sample-hn-hk-02": About(status="defunct"),
    }
    parsed.accepted = [
        (row, replace(point, about=changed.get(point.external_id, point.about))) for row, point in parsed.accepted
    ]
    await store(runtime, parsed)
    driver = ConsoleDriver(runtime)
    (*_, answer) = await play(driver, [START, ADULT, location(21.0290, 105.8520, "Các điểm gần bạn")])
    assert "methadone Hoàn Kiếm" not in answer.text  # defunct: kept in the directory, never shown
    first = answer.text.split("\n\n")[1]
    assert "Điểm tư vấn cộng đồng Hoàn Kiếm" in first and "Tạm ngừng hoạt động" in first
    detail = await driver.say("1")
    assert "Miễn phí" in detail.text and "Tiếng Việt, Tiếng Anh" in detail.text
    assert "Dành cho người từ 18 tuổi" in detail.text and "https://example.org" in detail.text
    assert "Thứ Hai–Thứ Sáu" not in detail.text  # no weekly hours while it is closed


async def test_typed_coordinates_that_are_wrong_are_explained_and_the_finder_stays(runtime: Runtime) -> None:
    await load_sample(runtime)
    driver = ConsoleDriver(runtime, user_id="typed-coordinates")
    await play(
        driver,
        [START, ADULT, press("Điểm hỗ trợ gần nhất"), press("Chọn dịch vụ"), press("Methadone hoặc buprenorphine")],
    )
    turn = await driver.say("/location abc")
    assert "Bạn gõ vĩ độ rồi đến kinh độ" in turn.text and "không hiểu lệnh" not in turn.text
    turn = await driver.say("/location 91 200")
    assert "không phải là một vị trí trên Trái Đất" in turn.text
    turn = await driver.say("/location 21,0285 105,8542")  # decimal commas; the chosen service is kept
    assert "Các điểm gần bạn – Methadone hoặc buprenorphine" in turn.text
    assert "methadone Hoàn Kiếm" in turn.text


@pytest.mark.parametrize(
    ("lat", "lon", "says"),
    [
        (48.8566, 2.3522, "nằm ngoài Việt Nam"),  # Paris: 9,000 km from the nearest point
        (22.3364, 103.8438, "Không có điểm nào trong vòng 100 km quanh bạn"),  # Sa Pa, Lào Cai: no sample point
    ],
)
async def test_far_results_say_there_is_nothing_near_and_offer_phone_counselling(
    runtime: Runtime, lat: float, lon: float, says: str
) -> None:
    await load_sample(runtime)
    driver = ConsoleDriver(runtime, user_id=f"far-{lat}")
    await play(driver, [START, ADULT])
    turn = await driver.say(f"/location {lat} {lon}")
    assert says in turn.text and "Điểm gần nhất ở" in turn.text
    assert "Tư vấn qua điện thoại" in turn.choices


async def test_a_point_nearby_gets_no_far_warning(runtime: Runtime) -> None:
    await load_sample(runtime)
    driver = ConsoleDriver(runtime, user_id="near-warning")
    await play(driver, [START, ADULT])
    turn = await driver.say("/location 21.0285 105.8542")
    assert "Không có điểm nào" not in turn.text and "Tư vấn qua điện thoại" not in turn.choices


async def test_a_reload_is_built_once_off_the_event_loop_and_swapped_in() -> None:
    """Searches arriving while the directory reloads wait for that one build; the build runs in a thread."""
    import threading

    from handlers.directory_cache import DirectoryCache

    built_in: list[str] = []
    point = ServicePoint("p-1", "Point", ("hiv_testing",), "", "ha-noi", "Phường X", 21.0, 105.8, id=1)  # (noqa: i18n)

    class Directory:
        def __init__(self) -> None:
            self.loads, self.current = 0, 1

        async def version(self) -> int:
            return self.current

        async def all_points(self) -> list[ServicePoint]:
            self.loads += 1
            await asyncio.sleep(0.05)  # a slow read: the other search arrives meanwhile
            return [point]

    class Work:
        directory = Directory()

    cache = DirectoryCache(lambda snapshot: built_in.append(threading.current_thread().name))
    work = Work()
    first, second = await asyncio.gather(cache.get(work), cache.get(work))  # type: ignore[arg-type]
    assert first is second and work.directory.loads == 1 and list(first.points) == [1]
    assert built_in and built_in[0] != threading.current_thread().name  # prepared in another thread
    assert (await cache.get(work)) is first  # type: ignore[arg-type]
    work.directory.current = 2
    assert (await cache.get(work)) is not first and work.directory.loads == 2  # type: ignore[arg-type]


async def test_a_directory_slow_to_reload_is_reloaded_in_the_background_while_searches_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On SQLite a reload inside an event's transaction held the writer's turn from everyone else (3 s for 100,000
    points): a directory larger than the threshold is reloaded in the background, from its own reading unit
    of work, and searches meanwhile get the snapshot already held."""
    monkeypatch.setattr(directory_cache, "BACKGROUND_POINTS", 0)  # every directory counts as large
    point = ServicePoint("p-1", "A", ("hiv_testing",), "", "ha-noi", "", 21.0, 105.8, id=1)

    class Directory:
        current = 1

        async def version(self) -> int:
            return self.current

        async def all_points(self) -> list[ServicePoint]:
            await asyncio.sleep(0.05)
            return [dataclasses.replace(point, name=f"A{self.current}")]

    class Work:
        def __init__(self, name: str) -> None:
            self.name = name
            self.directory = shared

        async def __aenter__(self) -> Work:
            return self

        async def __aexit__(self, *exc: object) -> None:
            return None

    shared = Directory()
    readings: list[Work] = []

    def reading() -> Work:
        readings.append(Work("reading"))
        return readings[-1]

    cache = DirectoryCache(reading=reading)  # type: ignore[arg-type]
    event = Work("event")
    first = await cache.get(event)  # type: ignore[arg-type]
    assert first.points[1].name == "A1" and not readings  # the first load: at once, in the event's own
    shared.current = 2
    meanwhile = await cache.get(event)  # type: ignore[arg-type]
    assert meanwhile is first  # served at once from what is held ...
    fresh = await cache.settled()
    assert fresh is not None and fresh.version == 2 and fresh.points[1].name == "A2" and len(readings) == 1
    assert (await cache.get(event)) is fresh  # type: ignore[arg-type]
    monkeypatch.setattr(directory_cache, "BACKGROUND_POINTS", 1)  # a small one is reloaded at once, as before
    shared.current = 3
    assert (await cache.get(event)).version == 3 and len(readings) == 1  # type: ignore[arg-type]
