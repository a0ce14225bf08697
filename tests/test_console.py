"""The web console through aiohttp's test client: signing in by the bot's link (once, for ten minutes), sessions
(idle, signed out everywhere, never fixed by the browser), form tokens, roles on every page, the security
headers, and the operator's directory and staff pages doing what the CLI does; HTML in a point's name escaped."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

import aiohttp

from bot.runtime import Runtime
from bot.web.app import pages
from bot.web.auth import COOKIE
from core.clock import ManualClock
from tests.dialog import ConsoleDriver
from tests.test_finder import load_sample
from tests.webconsole import HOAN_KIEM_ID, Web, get, link_from, post, signed_in, staff_chat


async def test_a_link_signs_in_once_within_ten_minutes_and_a_preview_does_not_use_it(
    web: Web, clock: ManualClock
) -> None:
    chat = await staff_chat(web.runtime, "operator", "op1")
    link = await link_from(chat)
    assert "10 phút" in (await chat.say("/web")).text
    browser = web.browser()
    for _ in range(2):  # a link preview fetching the page does not sign in, nor use the link up
        status, page = await get(browser, link)
        assert status == 200 and "Đăng nhập" in page
    async with browser.post(link, allow_redirects=False) as answer:
        assert answer.status == 303
        cookie = answer.cookies[COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/web"
    status, home = await get(browser, web.url("/web/"))
    assert status == 200 and "#1" in home
    again = web.browser()
    status, _, page = await post(again, link, {})
    assert status == 403 and "/web" in page  # used: refused, with what to do
    late = await link_from(chat)
    clock.advance(timedelta(minutes=10, seconds=1))
    assert (await post(again, late, {}))[0] == 403
    assert (await post(again, web.url("/web/in/forged-token"), {}))[0] == 403
    cross_site = await link_from(chat)  # another site auto-submitting a link for the visitor
    async with again.post(cross_site, headers={"Sec-Fetch-Site": "cross-site"}, allow_redirects=False) as answer:
        assert answer.status == 403 and COOKIE not in answer.cookies
    assert (await post(again, web.url("/web/in/" + "x" * 5000), {}))[0] in (403, 404)
    await browser.close()
    await again.close()


async def test_sessions_end_when_idle_and_when_signed_out_everywhere_from_the_chat(
    web: Web, clock: ManualClock
) -> None:
    chat = await staff_chat(web.runtime, "operator", "op1")
    browser, _ = await signed_in(web, chat)
    clock.advance(timedelta(minutes=29))
    assert (await get(browser, web.url("/web/")))[0] == 200  # used: the idle time starts again
    clock.advance(timedelta(minutes=29))
    assert (await get(browser, web.url("/web/")))[0] == 200
    clock.advance(timedelta(minutes=31))
    status, _ = await get(browser, web.url("/web/"))
    assert status == 303
    second, _ = await signed_in(web, chat)
    third, _ = await signed_in(web, chat)
    unused = await link_from(chat)
    turn = await chat.press("Đăng xuất mọi nơi")
    assert "mọi thiết bị" in turn.text
    for each in (second, third):
        assert (await get(each, web.url("/web/")))[0] == 303
    assert (await post(web.browser(), unused, {}))[0] == 403
    for each in (browser, second, third):
        await each.close()


async def test_a_session_lasts_twelve_hours_at_most(web: Web, clock: ManualClock) -> None:
    chat = await staff_chat(web.runtime, "manager", "m1")
    browser, _ = await signed_in(web, chat)
    for _ in range(30):
        clock.advance(timedelta(minutes=29))
        status, _ = await get(browser, web.url("/web/"))
        if status != 200:
            break
    assert status == 303
    await browser.close()


async def test_a_session_token_the_browser_brought_is_never_kept(web: Web) -> None:
    chat = await staff_chat(web.runtime, "operator", "op1")
    browser = web.browser()
    planted = "attacker-chosen-session-token"
    browser.cookie_jar.update_cookies({COOKIE: planted}, web.server.make_url("/web/"))
    assert (await get(browser, web.url("/web/")))[0] == 303  # not a session
    async with browser.post(await link_from(chat), allow_redirects=False) as answer:
        fresh = answer.cookies[COOKIE].value
    assert fresh != planted and len(fresh) >= 40
    other = web.browser()
    other.cookie_jar.update_cookies({COOKIE: planted}, web.server.make_url("/web/"))
    assert (await get(other, web.url("/web/")))[0] == 303
    await browser.close()
    await other.close()


async def test_every_page_checks_the_role_and_every_post_its_form_token(web: Web) -> None:
    await load_sample(web.runtime)
    counsellor, token = await signed_in(web, await staff_chat(web.runtime, "counsellor", "c1", HOAN_KIEM_ID))
    anonymous = web.browser()
    checked = 0
    for page in pages():
        if page.roles is None or "counsellor" in page.roles:
            continue
        path = re.sub(r"\{(\w+)(:[^}]*)?\}", "1", page.path)
        url = web.url("/web" + path)
        if page.method == "GET":
            status, text = await get(counsellor, url)
            assert (await get(anonymous, url))[0] == 303, path
        else:
            status, _, text = await post(counsellor, url, {"csrf": token})
            assert (await post(anonymous, url, {"csrf": token}))[0] == 303, path
        assert status == 403, (page.method, path)
        assert "vai trò" in text
        checked += 1
    assert checked >= 10
    operator, operator_token = await signed_in(web, await staff_chat(web.runtime, "operator", "op1"))
    for form in ({}, {"csrf": "wrong"}, {"csrf": "ngày-giả-✓"}, {"csrf": token}):  # another session's token too
        status, _, text = await post(operator, web.url("/web/staff/invite"), form | {"role": "operator"})
        assert status == 403 and "tải lại trang" in text
    async with web.runtime.unit_of_work() as uow:
        assert [m.id for m in await uow.staff.members("operator")] == [2]  # no invitation was made...
    status, _, text = await post(operator, web.url("/web/staff/invite"), {"csrf": operator_token, "role": "leader"})
    assert status == 200 and "/staff " in text  # ...until the form carried its own token
    for each in (counsellor, anonymous, operator):
        await each.close()


async def test_every_answer_carries_the_security_headers(web: Web) -> None:
    operator, _ = await signed_in(web, await staff_chat(web.runtime, "operator", "op1"))
    for url in ("/web/", "/web/points", "/web/no-such-page", "/web/signed-out", "/web/in/abc", "/web/points/99"):
        async with operator.get(web.url(url), allow_redirects=False) as answer:
            headers = answer.headers
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
            assert "default-src 'self'" in headers["Content-Security-Policy"]
            assert headers["Referrer-Policy"] == "no-referrer"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Cache-Control"] == "no-store"
            assert answer.status in (200, 404), url
    async with web.browser() as anonymous, anonymous.get(web.url("/web/staff"), allow_redirects=False) as answer:
        assert answer.status == 303 and answer.headers["Referrer-Policy"] == "no-referrer"
    await operator.close()


async def person_near_hoan_kiem(runtime: Runtime) -> str:
    person = ConsoleDriver(runtime, user_id="person")
    await person.say("/start")
    await person.press("Từ 16 tuổi trở lên")
    return (await person.share_location(21.0285, 105.8542)).text


async def point_of(runtime: Runtime, external_id: str) -> Any:
    async with runtime.unit_of_work() as uow:
        return next(p for p in await uow.directory.all_points() if p.external_id == external_id)


def form_values(page: str) -> dict[str, Any]:
    """The values a point's edit form shows (text inputs, selects and ticked boxes), as a browser would send."""
    values: dict[str, Any] = {}
    for name, value in re.findall(r'<input id="(\w+)" name="\w+" type="[a-z]+" value="([^"]*)"', page):
        values[name] = value
    for name, block in re.findall(r'<select id="(\w+)" name="\w+"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', block)
        values[name] = chosen.group(1) if chosen else ""
    values["kinds"] = re.findall(r'name="kinds" value="(\w+)" checked', page)
    return values


async def test_an_operator_edits_a_point_and_the_finder_answers_with_it(web: Web) -> None:
    runtime = web.runtime
    await load_sample(runtime)
    assert "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm" in await person_near_hoan_kiem(runtime)
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    point = await point_of(runtime, HOAN_KIEM_ID)
    status, page = await get(operator, web.url(f"/web/points/{point.id}"))
    assert status == 200 and HOAN_KIEM_ID in page
    values = form_values(page)
    assert values["province"] == "ha-noi" and "counselling_point" in values["kinds"]
    data = [(k, v) for k, v in values.items() if k != "kinds"] + [("kinds", k) for k in values["kinds"]]
    edited = [(k, "Điểm tư vấn Hoàn Kiếm (mới)" if k == "name" else v) for k, v in data]
    status, where, _ = await post(operator, web.url(f"/web/points/{point.id}"), [("csrf", token), *edited])
    assert status == 303 and where.startswith("/web/points?saved=")
    answer = await person_near_hoan_kiem(runtime)
    assert "Điểm tư vấn Hoàn Kiếm (mới)" in answer and "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm" not in answer
    status, _, _ = await post(operator, web.url(f"/web/points/{point.id}/close"), {"csrf": token, "status": "defunct"})
    assert status == 303
    assert "Điểm tư vấn Hoàn Kiếm (mới)" not in await person_near_hoan_kiem(runtime)  # closed for good: not shown
    status, log = await get(operator, web.url("/web/audit"))
    assert status == 200 and "sửa điểm dịch vụ" in log and "đóng điểm dịch vụ" in log and "đăng nhập" in log
    await operator.close()


async def test_a_new_point_with_mistakes_is_shown_back_with_each_reason_beside_its_field(web: Web) -> None:
    runtime = web.runtime
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    wrong = {
        "csrf": token,
        "external_id": "hn new!",
        "name": "Điểm mới",
        "province": "ha-noi",
        "latitude": "105.85",
        "longitude": "21.02",
        "phone": "call me",
        "hours": "sometimes",
    }
    status, _, page = await post(operator, web.url("/web/points/new"), wrong)
    assert status == 422
    for field in ("external_id", "kinds", "latitude", "phone", "hours"):
        assert f'id="{field}-error"' in page, field
    assert 'value="Điểm mới"' in page  # what was typed is kept
    assert "bị đảo chỗ" in page
    async with runtime.unit_of_work() as uow:
        assert await uow.directory.all_points() == []
    right = wrong | {"external_id": "hn-new-1", "latitude": "21.02", "longitude": "105.85", "phone": "024 3825 2143"}
    right |= {"hours": "Mo-Fr 08:00-17:00", "kinds": "hiv_testing"}
    status, _, _ = await post(operator, web.url("/web/points/new"), right)
    assert status == 303
    assert (await point_of(runtime, "hn-new-1")).kinds == ("hiv_testing",)
    status, _, page = await post(operator, web.url("/web/points/new"), right)  # the same external id again
    assert status == 422 and 'id="external_id-error"' in page
    await operator.close()


async def test_html_in_a_point_name_is_escaped_on_every_page(web: Web) -> None:
    runtime = web.runtime
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    point = {
        "csrf": token,
        "external_id": "evil-1",
        "name": evil,
        "kinds": "hiv_testing",
        "province": "ha-noi",
        "latitude": "21.02",
        "longitude": "105.85",
        "address": evil,
    }
    assert (await post(operator, web.url("/web/points/new"), point))[0] == 303
    stored = await point_of(runtime, "evil-1")
    async with runtime.unit_of_work() as uow:
        await uow.directory.report(stored.id, "wrong_phone", runtime.clock.now().date())
        await uow.commit()
    for path in ("/web/points", f"/web/points/{stored.id}", "/web/points/reported", "/web/staff", "/web/points?q=x"):
        status, page = await get(operator, web.url(path))
        assert status == 200, path
        assert "<script>alert" not in page and "<img src=x" not in page, path
    status, page = await get(operator, web.url("/web/points"))
    assert "&lt;script&gt;alert(" in page
    await operator.close()


def multipart(token: str | None, name: str, content: bytes, **fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    if token is not None:
        form.add_field("csrf", token)
    form.add_field("file", content, filename=name, content_type="text/csv")
    for key, value in fields.items():
        form.add_field(key, value)
    return form


BAD_ROWS = (
    "external_id,name,kinds,province,latitude,longitude,phone\n"
    "imp-1,Điểm một,hiv_testing,Hà Nội,21.03,105.85,\n"
    "imp-2,Điểm hai,no_such_kind,Hà Nội,21.03,105.85,\n"
    "imp-3,Điểm ba,prep,Atlantis,21.03,105.85,\n"
    "imp-4,Điểm bốn,prep,Hà Nội,48.85,2.35,not a phone\n"
).encode()


async def test_an_import_with_bad_rows_reports_each_row_and_a_dry_run_imports_nothing(web: Web) -> None:
    runtime = web.runtime
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    url = web.url("/web/points/import")
    async with operator.post(url, data=multipart(token, "points.csv", BAD_ROWS, action="check")) as answer:
        assert answer.status == 422
        page = await answer.text()
    assert "4 dòng: 1 hợp lệ, 3 bị từ chối" in page and "Chạy thử" in page
    for row, words in ((3, "no_such_kind"), (4, "Atlantis"), (5, "not a phone")):
        assert re.search(rf"<td>{row}</td><td>imp-{row - 1}</td><td>.*?{words}", page, re.S), row
    async with runtime.unit_of_work() as uow:
        assert await uow.directory.all_points() == []
    form = multipart(token, "points.csv", BAD_ROWS, strict="true", action="import")
    async with operator.post(url, data=form) as answer:
        assert "Chưa nhập gì" in await answer.text()
    async with operator.post(url, data=multipart(token, "points.csv", BAD_ROWS, action="import")) as answer:
        assert "Đã nhập: 1 mới, 0 cập nhật, 0 không đổi" in await answer.text()
    assert [p.external_id for p in await all_points(runtime)] == ["imp-1"]
    async with operator.post(url, data=multipart(None, "points.csv", BAD_ROWS, action="import")) as answer:
        assert answer.status == 403  # no form token first: refused before the file is read
    async with operator.post(url, data=multipart(token, "x.csv", b"\xff\xfe\x00bad", action="import")) as answer:
        assert answer.status == 400 and "UTF-8" in await answer.text()
    async with operator.post(url, data=multipart(token, "x.csv", b"just,a,header\n", action="import")) as answer:
        assert answer.status == 400 and "external_id" in await answer.text()
    async with operator.get(web.url("/web/points/export?format=csv")) as answer:
        exported = await answer.text()
        assert answer.status == 200 and "attachment" in answer.headers["Content-Disposition"]
    assert exported.startswith("external_id,name,kinds") and "imp-1" in exported
    async with operator.get(web.url("/web/points/export?format=geojson")) as answer:
        assert (await answer.json(content_type=None))["type"] == "FeatureCollection"
    await operator.close()


async def all_points(runtime: Runtime) -> list[Any]:
    async with runtime.unit_of_work() as uow:
        return await uow.directory.all_points()


async def test_reported_listings_are_verified_today_or_fixed(web: Web, clock: ManualClock) -> None:
    runtime = web.runtime
    await load_sample(runtime)
    point = await point_of(runtime, HOAN_KIEM_ID)
    async with runtime.unit_of_work() as uow:
        for reason in ("wrong_phone", "wrong_phone", "closed"):
            await uow.directory.report(point.id, reason, clock.now().date())
        await uow.commit()
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    status, page = await get(operator, web.url("/web/points/reported"))
    assert status == 200 and "Hoàn Kiếm" in page and "Số điện thoại bị sai: 2" in page and 'class="old"' in page
    status, _, _ = await post(operator, web.url(f"/web/points/{point.id}/verified"), {"csrf": token})
    assert status == 303
    assert (await point_of(runtime, HOAN_KIEM_ID)).verified_on == clock.now().astimezone(runtime.i18n.timezone).date()
    async with runtime.unit_of_work() as uow:
        assert await uow.directory.reports() == []
    status, page = await get(operator, web.url("/web/points/reported"))
    assert "Chưa có thông tin nào bị báo sai" in page
    await operator.close()


async def test_operators_invite_change_and_revoke_staff_by_number_only(web: Web) -> None:
    runtime = web.runtime
    await load_sample(runtime)
    point = await point_of(runtime, HOAN_KIEM_ID)
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    form = {"csrf": token, "role": "counsellor", "point": str(point.id)}
    status, _, page = await post(operator, web.url("/web/staff/invite"), form)
    command = re.search(r"<code>(/staff [A-Z0-9-]+)</code>", page)
    assert status == 200 and command
    newcomer = ConsoleDriver(runtime, user_id="newcomer")
    await newcomer.say("/start")
    await newcomer.press("Từ 16 tuổi trở lên")
    assert "tư vấn viên" in (await newcomer.say(command.group(1))).text
    status, page = await get(operator, web.url("/web/staff"))
    assert "#2" in page and "Hoàn Kiếm" in page and command.group(1) not in page  # the code is shown once
    newcomer_browser, _ = await signed_in(web, newcomer)
    assert (await post(operator, web.url("/web/staff/1/revoke"), {"csrf": token, "sure": "yes"}))[0] == 403
    assert (await post(operator, web.url("/web/staff/2/revoke"), {"csrf": token}))[0] == 400  # not confirmed
    assert (await post(operator, web.url("/web/staff/2"), {"csrf": token, "role": "leader", "point": ""}))[0] == 303
    async with runtime.unit_of_work() as uow:
        assert (await uow.staff.get(2)).role == "leader"  # type: ignore[union-attr]
    assert (await post(operator, web.url("/web/staff/2/revoke"), {"csrf": token, "sure": "yes"}))[0] == 303
    assert (await get(newcomer_browser, web.url("/web/")))[0] == 303  # signed out everywhere
    assert "dành cho cán bộ" in (await newcomer.say("/web")).text
    status, log = await get(operator, web.url("/web/audit"))
    assert "mời cán bộ" in log and "thu hồi cán bộ" in log and "#2" in log
    async with runtime.unit_of_work() as uow:
        pseudonyms = [s.pseudonym for role in ("operator", "revoked") for s in await uow.staff.members(role)]
    for path in ("/web/", "/web/staff", "/web/audit", "/web/points"):
        page = (await get(operator, web.url(path)))[1]
        assert not any(p in page for p in pseudonyms) and "newcomer" not in page
    await operator.close()
    await newcomer_browser.close()


async def test_bad_requests_get_a_clear_page_never_a_500(web: Web) -> None:
    operator, token = await signed_in(web, await staff_chat(web.runtime, "operator", "op1"))
    cases = [
        ("GET", "/web/points/99999", None, 404),
        ("GET", "/web/nothing-here", None, 404),
        ("GET", "/web/points?page=abc&q=" + "ả" * 500, None, 200),
        ("POST", "/web/points/new", {"csrf": token, "name": "x" * 100_000}, 422),
        ("POST", "/web/staff/invite", {"csrf": token, "role": "admin"}, 400),
        ("POST", "/web/staff/invite", {"csrf": token, "role": "leader", "point": "12abc"}, 400),
        ("POST", "/web/points/99999/close", {"csrf": token, "status": "defunct"}, 404),
        ("DELETE", "/web/points", None, 405),
    ]
    for method, path, data, expected in cases:
        async with operator.request(method, web.url(path), data=data, allow_redirects=False) as answer:
            assert answer.status == expected, (method, path, answer.status)
            assert answer.headers["Content-Type"].startswith("text/html")
    raw = b"--x\r\nContent-Disposition: form-data; name=csrf\r\n\r\n" + token.encode() + b"\r\n--x\r\nbroken"
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    async with operator.post(web.url("/web/points/import"), data=raw, headers=headers) as answer:
        assert 400 <= answer.status < 500
    await operator.close()


async def test_the_list_follows_changes_made_elsewhere(web: Web) -> None:
    """The console keeps its list between requests, and reads it again whenever the directory changed (an import on
    the command line, another worker's edit)."""
    runtime = web.runtime
    await load_sample(runtime)
    operator, _ = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    assert "Điểm mới ở nơi khác" not in (await get(operator, web.url("/web/points")))[1]
    point = await point_of(runtime, HOAN_KIEM_ID)
    async with runtime.unit_of_work() as uow:
        await uow.directory.upsert([dataclasses.replace(point, name="Điểm mới ở nơi khác")], runtime.clock.now())
        await uow.commit()
    status, page = await get(operator, web.url("/web/points?q=diem moi o noi khac"))
    assert status == 200 and "Điểm mới ở nơi khác" in page and "1 trên 38 điểm" in page
    await operator.close()


async def test_the_console_benchmark_runs() -> None:
    """A short run of ``bench.console`` (so it cannot rot): every page it times answered without an error."""
    from bench.console import run

    figures = await run(points=200, requests=3, seed=1)
    assert len(figures["list"]) == 3 and len(figures["import"]) == 2 and all(v > 0 for v in figures["import"])
