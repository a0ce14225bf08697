"""The web console in a real browser: Playwright for Python driving the system's Chromium (Debian's package;
``.ci/run`` installs it, and CI turns a missing browser into a failure).  Signing in through the bot's link, editing
a point and seeing the bot's answer change, an import's row-by-row report, and a screenshot of each page at a
phone's and a desktop's width, written outside the repository (``DIEMTUA_SCREENSHOTS``, else a temporary folder)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from tests.conftest import service_missing
from tests.dialog import ConsoleDriver
from tests.test_console import BAD_ROWS, person_near_hoan_kiem, point_of
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
    chat = await staff_chat(runtime, "operator", "op1")
    pages = {
        "home": "/web/",
        "points": "/web/points",
        "point": f"/web/points/{point.id}",
        "new-point": "/web/points/new",
        "import": "/web/points/import",
        "reported": "/web/points/reported",
        "staff": "/web/staff",
        "audit": "/web/audit",
    }
    for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = await signed_in_page(chromium, web, chat, viewport)
        for name, path in pages.items():
            answer = await page.goto(web.url(path))
            assert answer.status == 200, path
            await page.screenshot(path=str(shots / f"{name}-{width_name}.png"), full_page=True)
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, width_name, overflow, await page.evaluate(WIDER))
        assert page.problems == [], page.problems
    signed_out = await (await chromium.new_context(viewport=PHONE)).new_page()
    await signed_out.goto(web.url("/web/signed-out"))
    await signed_out.screenshot(path=str(shots / "signed-out-phone.png"), full_page=True)
