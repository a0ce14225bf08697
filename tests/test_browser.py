"""The web console in a real browser: Playwright for Python driving the system's Chromium (Debian's package;
``.ci/run`` installs it, and CI turns a missing browser into a failure).  Signing in through the bot's link, editing
a point and seeing the bot's answer change, an import's row-by-row report, and a screenshot of each page at a
phone's and a desktop's width, written outside the repository (``DIEMTUA_SCREENSHOTS``, else a temporary folder)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from core.clock import ManualClock
from domain.indicators import whole_weeks
from tests.conftest import service_missing
from tests.dialog import ConsoleDriver
from tests.test_booking import book_in_person
from tests.test_console import BAD_ROWS, person_near_hoan_kiem, point_of
from tests.test_console_roles import leader_group
from tests.test_finder import load_sample
from tests.webconsole import HOAN_KIEM_ID, Web, link_from, staff_chat

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll, .map'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
SHOTS = Path(os.environ.get("DIEMTUA_SCREENSHOTS") or Path(tempfile.gettempdir()) / "diemtua-screenshots")


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        service_missing("no Chromium here: apt-get install chromium (the browser tests drive it)")
    playwright_api = pytest.importorskip("playwright.async_api")
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def signed_in_page(chromium: Any, web: Web, chat: ConsoleDriver, viewport: dict[str, int] = DESKTOP) -> Any:
    """A browser page signed in the way staff do it: the link from /web, then the button."""
    context = await chromium.new_context(viewport=viewport, locale="vi-VN")
    page = await context.new_page()
    problems: list[str] = []
    # Map tiles cannot load here; a form sent back with its mistakes is answered 422, which Chromium logs.
    offline = ("ERR_NAME_NOT_RESOLVED", "ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_REFUSED", "status of 422")
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and not any(o in m.text for o in offline) else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    await page.goto(await link_from(chat))
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url("**/web/")
    return page


async def test_sign_in_through_the_bots_link_then_edit_a_point_and_the_finder_changes(
    chromium: Any, web: Web, runtime: Runtime
) -> None:
    await load_sample(runtime)
    page = await signed_in_page(chromium, web, await staff_chat(runtime, "operator", "op1"))
    assert "cán bộ #1, điều phối viên" in await page.inner_text("main")
    await page.get_by_role("link", name="Danh bạ", exact=True).first.click()
    await page.get_by_label("Tìm", exact=True).fill("tu van hoan kiem")
    await page.get_by_role("button", name="Lọc").click()
    await page.get_by_role("link", name="[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm").click()
    await page.locator("#name").fill("Điểm tư vấn Hoàn Kiếm (đã sửa trong trình duyệt)")
    await page.locator("#phone").fill("số sai")
    await page.get_by_role("button", name="Lưu").click()
    assert "không phải là số điện thoại" in await page.inner_text("#phone-error")  # beside its field
    await page.locator("#phone").fill("024 3825 2143")
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url("**/web/points?saved=*")
    assert "Đã lưu: sample-hn-hk-01" in await page.inner_text("main")
    answer = await person_near_hoan_kiem(runtime)
    assert "Điểm tư vấn Hoàn Kiếm (đã sửa trong trình duyệt)" in answer and "☎ 024 3825 2143" in answer
    assert (await point_of(runtime, HOAN_KIEM_ID)).phone == "024 3825 2143"
    assert page.problems == []


async def test_an_import_with_bad_rows_shows_its_report_in_the_browser(
    chromium: Any, web: Web, runtime: Runtime, tmp_path: Path
) -> None:
    page = await signed_in_page(chromium, web, await staff_chat(runtime, "operator", "op1"))
    await page.goto(web.url("/web/points/import"))
    upload = tmp_path / "points.csv"
    upload.write_bytes(BAD_ROWS)
    await page.get_by_label("Tệp", exact=True).set_input_files(str(upload))
    await page.get_by_role("button", name="Chỉ kiểm tra (chạy thử)").click()
    report = await page.inner_text("section.report")
    assert "4 dòng: 1 hợp lệ, 3 bị từ chối" in report and "Chạy thử: chưa nhập gì." in report
    rows = await page.locator("table.rejected tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["3", "4", "5"]
    assert "no_such_kind" in rows[0] and "Atlantis" in rows[1]
    await page.get_by_label("Tệp", exact=True).set_input_files(str(upload))
    await page.get_by_role("button", name="Nhập", exact=True).click()
    assert "Đã nhập: 1 mới" in await page.inner_text("section.report")
    assert page.problems == []


async def test_a_counsellor_drags_across_the_grid_and_a_person_books_one_of_those_times(
    chromium: Any, web: Web, runtime: Runtime
) -> None:
    await load_sample(runtime)
    page = await signed_in_page(chromium, web, await staff_chat(runtime, "counsellor", "c1", HOAN_KIEM_ID))
    await page.get_by_role("link", name="Giờ làm hằng tuần của tôi").first.click()
    first = page.locator("input[name=cell][value='2-16']")  # Wednesday 08:00
    last = page.locator("input[name=cell][value='2-19']")  # Wednesday 09:30
    start, end = await first.bounding_box(), await last.bounding_box()
    await page.mouse.move(start["x"] + 5, start["y"] + 5)
    await page.mouse.down()
    await page.mouse.move(end["x"] + 5, end["y"] + 5, steps=12)  # across 08:30 and 09:00 on the way
    await page.mouse.up()
    await page.locator("input[name=cell][value='3-20']").click()  # and Thursday 10:00 on its own
    await page.locator("input[name=cell][value='3-20']").press("Space")  # ...untick it by keyboard
    await page.locator("input[name=cell][value='3-21']").focus()
    await page.keyboard.press("Space")  # tick Thursday 10:30 by keyboard
    await page.get_by_role("button", name="Lưu giờ làm của tôi").click()
    await page.wait_for_url("**/web/hours?saved=1")
    summary = await page.inner_text("main")
    assert "Thứ Tư: 08:00–10:00" in summary and "Thứ Năm: 10:30–11:00" in summary
    chat = ConsoleDriver(runtime, user_id="person")
    await chat.say("/start")
    await chat.press("Từ 16 tuổi trở lên")
    code, _ = await book_in_person(chat, "Thứ Tư, 25/11", "08:00")
    await page.get_by_role("link", name="Lịch hẹn của tôi").first.click()
    bookings = await page.inner_text("table.bookings")
    assert code in bookings and "08:00" in bookings
    assert page.problems == []


async def test_a_manager_sees_the_small_cells_the_cli_shows(chromium: Any, web: Web, runtime: Runtime) -> None:
    october = whole_weeks(date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 23))
    async with runtime.unit_of_work() as uow:
        for n, week in enumerate(october):
            await uow.tallies.add(week, "find", subject="all", province="ha-noi", amount=n)  # 0, then 1 to 4
        await uow.commit()
    page = await signed_in_page(chromium, web, await staff_chat(runtime, "manager", "m1"))
    await page.get_by_role("link", name="Số liệu chương trình").first.click()
    await page.locator("input[name=from]").fill("2026-10-01")
    await page.locator("input[name=to]").fill("2026-10-31")
    await page.get_by_label("Tỉnh/thành").select_option("ha-noi")
    await page.get_by_role("button", name="Xem").click()
    row = await page.locator("table.figures tr", has_text="Số lượt tra cứu điểm dịch vụ").first.inner_text()
    assert row.split("\t")[1:] == ["0"] + ["<5"] * (len(october) - 1) + [f"≥{len(october) - 1}"]
    await page.wait_for_function("() => document.querySelector('figure.chart img').complete", timeout=60_000)
    assert await page.locator("figure.chart img").evaluate("img => img.naturalWidth") > 300  # the chart drew
    assert page.problems == []


async def test_a_used_or_expired_link_is_refused_in_the_browser(
    chromium: Any, web: Web, runtime: Runtime, clock: ManualClock
) -> None:
    chat = await staff_chat(runtime, "operator", "op1")
    link = await link_from(chat)
    first = await (await chromium.new_context()).new_page()
    await first.goto(link)
    await first.get_by_role("button", name="Đăng nhập").click()
    await first.wait_for_url("**/web/")
    again = await (await chromium.new_context()).new_page()
    await again.goto(link)
    await again.get_by_role("button", name="Đăng nhập").click()
    assert "liên kết đã được dùng, hoặc đã quá 10 phút" in await again.inner_text("main")
    late = await link_from(chat)
    clock.advance(timedelta(minutes=11))
    await again.goto(late)
    await again.get_by_role("button", name="Đăng nhập").click()
    assert "liên kết đã được dùng, hoặc đã quá 10 phút" in await again.inner_text("main")
    assert (await again.goto(web.url("/web/points"))).url.endswith("/web/signed-out")  # still not signed in


async def test_a_counsellor_opening_an_operator_page_gets_403_and_a_form_without_its_token_is_refused(
    chromium: Any, web: Web, runtime: Runtime
) -> None:
    page = await signed_in_page(chromium, web, await staff_chat(runtime, "counsellor", "c1"))
    answer = await page.goto(web.url("/web/staff"))
    assert answer.status == 403 and "không dành cho vai trò của bạn" in await page.inner_text("main")
    operator = await signed_in_page(chromium, web, await staff_chat(runtime, "operator", "op1"))
    await operator.goto(web.url("/web/staff"))
    await operator.eval_on_selector("form[action='/web/staff/invite'] input[name=csrf]", "e => e.remove()")
    await operator.get_by_role("button", name="Tạo mã mời").click()
    assert "tải lại trang" in await operator.inner_text("main")


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


async def test_every_page_at_phone_and_desktop_widths(chromium: Any, web: Web, runtime: Runtime, shots: Path) -> None:
    """Screenshots to look at (kept out of the repository); each page fits a phone's width without sideways
    scrolling of the page itself (wide tables scroll inside their box)."""
    await load_sample(runtime)
    point = await point_of(runtime, HOAN_KIEM_ID)
    async with runtime.unit_of_work() as uow:
        await uow.directory.report(point.id, "wrong_hours", runtime.clock.now().date())
        await uow.commit()
    chats = {
        "operator": await staff_chat(runtime, "operator", "op1"),
        "counsellor": await staff_chat(runtime, "counsellor", "c1", HOAN_KIEM_ID),
        "manager": await staff_chat(runtime, "manager", "m1"),
        "leader": await staff_chat(runtime, "leader", "l1"),
    }
    group_id = await leader_group(runtime, 4)
    pages = {
        "home": "/web/",
        "points": "/web/points",
        "point": f"/web/points/{point.id}",
        "new-point": "/web/points/new",
        "import": "/web/points/import",
        "reported": "/web/points/reported",
        "staff": "/web/staff",
        "audit": "/web/audit",
        "talks": "/web/talks",
        "roster": "/web/roster",
        "counsellor:hours": "/web/hours",
        "counsellor:days-off": "/web/days-off",
        "counsellor:bookings": "/web/bookings",
        "manager:reports": "/web/reports",
        "manager:talks": "/web/talks",
        "blocks": "/web/blocks",
        "staff-hours": "/web/staff/2/hours",
        "leader:groups": "/web/groups",
        "leader:group": f"/web/groups/{group_id}",
    }
    for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        signed = {role: await signed_in_page(chromium, web, chat, viewport) for role, chat in chats.items()}
        for name, path in pages.items():
            role = name.split(":")[0] if ":" in name else "operator"
            page = signed[role]
            name = name.replace(":", "-")
            answer = await page.goto(web.url(path))
            assert answer.status == 200, path
            await page.screenshot(path=str(shots / f"{name}-{width_name}.png"), full_page=True)
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, width_name, overflow, await page.evaluate(WIDER))
        for page in signed.values():
            assert page.problems == [], page.problems
    signed_out = await (await chromium.new_context(viewport=PHONE)).new_page()
    await signed_out.goto(web.url("/web/signed-out"))
    await signed_out.screenshot(path=str(shots / "signed-out-phone.png"), full_page=True)
