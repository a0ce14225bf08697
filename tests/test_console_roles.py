"""The console's pages for counsellors, managers and the duty roster: hours set on the grid are the hours people
book in the chat; a day off with appointments asks first and cancels as the chat does; bookings show codes, never
people; a manager's figures are the CLI's, small cells and all; the roster is set on the same grid."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import os
import re
import sys
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.runtime import Runtime
from core.ports.talks import TALKS
from domain.hours import parse_hours
from domain.indicators import whole_weeks
from domain.recurrence import Repeat, Schedule
from handlers.groups.shared import GROUP_REMINDERS
from services.group_outbox import GROUP_BROADCAST, GROUP_CANCELLED
from storage.models import OutboxMessage
from tests.dialog import ConsoleDriver
from tests.test_booking import book_in_person
from tests.test_finder import load_sample
from tests.webconsole import HOAN_KIEM_ID, Web, get, post, signed_in, staff_chat

ROOT = Path(__file__).resolve().parent.parent
MORNINGS = [f"{day}-{slot}" for day in range(6) for slot in range(16, 23)]  # Mo-Sa 08:00-11:30


async def person(runtime: Runtime, user: str = "person") -> ConsoleDriver:
    chat = ConsoleDriver(runtime, user_id=user)
    await chat.say("/start")
    await chat.press("Từ 16 tuổi trở lên")
    return chat


async def test_hours_ticked_on_the_grid_are_booked_in_the_chat_and_the_booking_shows_by_code(web: Web) -> None:
    runtime = web.runtime
    await load_sample(runtime)
    counsellor, token = await signed_in(web, await staff_chat(runtime, "counsellor", "c1", HOAN_KIEM_ID))
    status, page = await get(counsellor, web.url("/web/hours"))
    assert status == 200 and 'name="cell" value="0-16"' in page and "checked" not in page.split("week-grid")[1][:2000]
    form = [("csrf", token), *(("cell", c) for c in MORNINGS), ("holidays", "true"), ("slot", "30")]
    form += [("mode", "in_person"), ("cell", "9-99"), ("cell", "<b>")]  # forged cells are left out
    status, where, _ = await post(counsellor, web.url("/web/hours"), form)
    assert status == 303 and where == "/web/hours?saved=1"
    async with runtime.unit_of_work() as uow:
        availability = await uow.staff.availability(1)
    assert availability is not None and availability.slot_minutes == 30
    assert availability.pattern == parse_hours("Mo-Sa 08:00-11:30; PH off")
    status, page = await get(counsellor, web.url("/web/hours?saved=1"))
    assert "Thứ Hai: 08:00–11:30" in page and page.count(" checked>") >= len(MORNINGS)

    # Tuesday 24/11/2026 is a public holiday (Vietnamese Culture Day), closed with "no appointments on holidays".
    code, _ = await book_in_person(await person(runtime), "Thứ Tư, 25/11", "09:30")
    status, page = await get(counsellor, web.url("/web/bookings"))
    assert status == 200 and code in page and "09:30" in page and "gặp trực tiếp" in page
    assert "person" not in page

    assert (await post(counsellor, web.url("/web/hours"), {"csrf": token, "slot": "30", "mode": "phone"}))[0] == 422
    await counsellor.close()


async def test_a_day_off_with_appointments_asks_first_then_cancels_them(web: Web) -> None:
    runtime = web.runtime
    await load_sample(runtime)
    counsellor, token = await signed_in(web, await staff_chat(runtime, "counsellor", "c1", HOAN_KIEM_ID))
    await post(
        counsellor,
        web.url("/web/hours"),
        [("csrf", token), *(("cell", c) for c in MORNINGS), ("slot", "30"), ("mode", "in_person")],
    )
    code, _ = await book_in_person(await person(runtime), "Thứ Ba, 24/11", "08:45")
    status, _, page = await post(counsellor, web.url("/web/days-off"), {"csrf": token, "day": "2026-11-24"})
    assert status == 200 and "1 lịch hẹn" in page and code in page and "08:45" in page  # asked first
    async with runtime.unit_of_work() as uow:
        assert (await uow.staff.availability(1)).days_off == frozenset()  # type: ignore[union-attr]
    status, where, _ = await post(
        counsellor, web.url("/web/days-off"), {"csrf": token, "day": "2026-11-24", "answer": "cancel"}
    )
    assert status == 303 and "cancelled=1" in where
    async with runtime.unit_of_work() as uow:
        assert (await uow.staff.availability(1)).days_off == frozenset({date(2026, 11, 24)})  # type: ignore[union-attr]
        assert await uow.bookings.of_counsellor(1, runtime.clock.now(), runtime.clock.now().replace(year=2027)) == []
    status, page = await get(counsellor, web.url(where))
    assert "Lịch hẹn đã hủy: 1" in page
    assert (await post(counsellor, web.url("/web/days-off"), {"csrf": token, "day": "2020-01-01"}))[0] == 400
    assert (await post(counsellor, web.url("/web/days-off/remove"), {"csrf": token, "day": "2026-11-24"}))[0] == 303
    async with runtime.unit_of_work() as uow:
        assert (await uow.staff.availability(1)).days_off == frozenset()  # type: ignore[union-attr]
    await counsellor.close()


async def test_a_manager_sees_the_figures_the_cli_prints_small_cells_and_all(web: Web, tmp_path: Path) -> None:
    runtime = web.runtime
    october = whole_weeks(date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 23))
    async with runtime.unit_of_work() as uow:
        for n, week in enumerate(october):
            await uow.tallies.add(week, "reached", amount=10 + n)
            await uow.tallies.add(week, "find", subject="all", province="ha-noi", amount=n)  # 0, then 1 to 4
        await uow.commit()
    env = {
        **os.environ,
        "DIEMTUA_DATA_DIR": str(runtime.settings.data_dir),
        "DIEMTUA_SECRET_KEY": runtime.settings.secret_key.get_secret_value(),  # type: ignore[union-attr]
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "report", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(tmp_path),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, errors.decode()
    cli_csv = await asyncio.to_thread(lambda: next(tmp_path.glob("diemtua-*.csv")).read_text(encoding="utf-8"))

    manager, _ = await signed_in(web, await staff_chat(runtime, "manager", "m1"))
    period = "from=2026-10-01&to=2026-10-31"
    async with manager.get(web.url(f"/web/reports.csv?{period}")) as answer:
        assert answer.status == 200 and "attachment" in answer.headers["Content-Disposition"]
        web_csv = await answer.text()
    assert list(csv.reader(io.StringIO(web_csv))) == list(csv.reader(io.StringIO(cli_csv)))
    searched = next(row for row in csv.reader(io.StringIO(web_csv)) if row[0] == "searched")
    assert searched[3:] == ["0"] + ["<5"] * (len(october) - 1) + [f"≥{len(october) - 1}"]
    status, page = await get(manager, web.url(f"/web/reports?{period}"))
    assert status == 200 and page.count('<td class="num">&lt;5</td>') >= len(october) - 1
    assert "Số người được tiếp cận mới" in page
    async with manager.get(web.url(f"/web/reports/chart.png?{period}")) as answer:
        assert answer.status == 200 and (await answer.read()).startswith(b"\x89PNG")
    status, page = await get(manager, web.url(f"/web/reports?{period}&province=ha-noi"))
    assert status == 200 and "Hà Nội" in page
    assert (await get(manager, web.url("/web/reports?from=2026-13-01")))[0] == 400
    assert (await get(manager, web.url("/web/reports?province=atlantis")))[0] == 400
    await manager.close()


async def test_the_roster_is_set_on_the_grid_and_live_counts_show_numbers_only(web: Web) -> None:
    runtime = web.runtime
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    cells = [("cell", f"{day}-{slot}") for day in range(5) for slot in range(16, 34)]  # Mo-Fr 08:00-17:00
    status, where, _ = await post(operator, web.url("/web/roster"), [("csrf", token), ("province", "ha-noi"), *cells])
    assert status == 303 and where == "/web/talks"
    async with runtime.unit_of_work() as uow:
        assert (await uow.get(TALKS).rosters()) == {"ha-noi": "Mo-Fr 08:00-17:00"}
    status, page = await get(operator, web.url("/web/talks"))
    assert status == 200 and "Mo-Fr 08:00-17:00" in page and "Hà Nội" in page
    status, page = await get(operator, web.url("/web/roster?province=ha-noi"))
    assert page.count(" checked>") == len(cells)
    assert (await post(operator, web.url("/web/roster"), {"csrf": token, "province": "ha-noi", "action": "clear"}))[
        0
    ] == 303
    async with runtime.unit_of_work() as uow:
        assert (await uow.get(TALKS).rosters()) == {}
    manager, _ = await signed_in(web, await staff_chat(runtime, "manager", "m1"))
    assert (await get(manager, web.url("/web/talks")))[0] == 200
    assert (await get(manager, web.url("/web/roster")))[0] == 403
    await operator.close()
    await manager.close()


async def leader_group(runtime: Runtime, leader_id: int) -> int:
    """A weekly group of this leader, with three members: two get reminders (and so messages), one does not."""
    now = runtime.clock.now()
    async with runtime.unit_of_work() as uow:
        group = await uow.groups.create(
            code="BINH2345",
            name="Nhóm <b>Bình Minh</b>",
            kind="relapse_prevention",
            leader_id=leader_id,
            point_id=None,
            place="Nhà văn hóa phường",
            schedule=Schedule(Repeat.WEEKLY, time(18, 30), frozenset({1}), date(2026, 11, 23)),
            reminder_minutes=(1440, 60),
            now=now,
        )
        for n in range(3):
            pseudonym = f"{n}" * 64
            await uow.users.touch(pseudonym, now.date())
            member = await uow.groups.join(group.id, pseudonym, now)
            if n < 2:
                handle = await uow.handles.keep(pseudonym, GROUP_REMINDERS.id, "telegram", f"90000{n}")
                await uow.groups.set_handle(member, handle)
        await uow.commit()
    return group.id


async def test_a_leader_previews_the_exact_message_then_follows_its_delivery(web: Web) -> None:
    runtime = web.runtime
    leader, token = await signed_in(web, await staff_chat(runtime, "leader", "l1"))
    group_id = await leader_group(runtime, 1)
    status, page = await get(leader, web.url("/web/groups"))
    assert (
        status == 200
        and "Nhóm &lt;b&gt;Bình Minh&lt;/b&gt;" in page
        and "Thành viên: 3 (2 người nhận nhắc lịch)" in page
    )
    status, page = await get(leader, web.url(f"/web/groups/{group_id}"))
    assert status == 200 and "trước 1 ngày" in page and "trước 1 giờ" in page and "18:30" in page and "0000" not in page
    message = "Tuần này mình gặp sớm hơn, 18:00 nhé."
    status, _, page = await post(leader, web.url(f"/web/groups/{group_id}/preview"), {"csrf": token, "text": message})
    expected, _ = GROUP_BROADCAST.render(runtime.i18n, {"group": "Nhóm <b>Bình Minh</b>", "text": message})
    assert status == 200 and html.escape(expected, quote=False) in page and "2 thành viên" in page
    async with runtime.unit_of_work() as uow:
        assert await uow.broadcasts.latest(group_id) is None  # a preview sends nothing
    status, where, _ = await post(leader, web.url(f"/web/groups/{group_id}/send"), {"csrf": token, "text": message})
    assert status == 303 and where == f"/web/groups/{group_id}#progress"
    async with leader.get(web.url(f"/web/groups/{group_id}/progress")) as answer:
        progress = await answer.json()
    assert progress["total"] == 2 and progress["sent"] == 0 and progress["waiting"] == 2
    status, page = await get(leader, web.url(f"/web/groups/{group_id}"))
    assert "Đang gửi" in page
    too_long = {"csrf": token, "text": "x" * 3001}
    assert (await post(leader, web.url(f"/web/groups/{group_id}/preview"), too_long))[0] == 422

    other, other_token = await signed_in(web, await staff_chat(runtime, "leader", "l2"))
    for path in (f"/web/groups/{group_id}", f"/web/groups/{group_id}/progress"):
        assert (await get(other, web.url(path)))[0] == 404  # another leader's group is not found
    form = {"csrf": other_token, "text": "hi"}
    assert (await post(other, web.url(f"/web/groups/{group_id}/send"), form))[0] == 404
    await leader.close()
    await other.close()


async def test_a_leader_changes_the_schedule_and_calls_off_a_meeting_members_told(web: Web) -> None:
    runtime = web.runtime
    leader, token = await signed_in(web, await staff_chat(runtime, "leader", "l1"))
    group_id = await leader_group(runtime, 1)
    url = web.url(f"/web/groups/{group_id}")
    form = {"csrf": token, "name": "Nhóm Bình Minh", "place": "Phòng 2", "repeat": "weekly", "at": "19:00"}
    form |= {"reminders": "60"}
    status, where, _ = await post(leader, url + "/edit", [*form.items(), ("day", "1"), ("day", "3")])
    assert status == 303 and where.endswith("?saved=1")
    async with runtime.unit_of_work() as uow:
        group = await uow.groups.get(group_id)
    assert group is not None and group.name == "Nhóm Bình Minh" and group.place == "Phòng 2"
    assert group.schedule.weekdays == frozenset({1, 3}) and group.schedule.at == time(19, 0)
    assert group.reminder_minutes == (60,)
    status, page = await get(leader, url + "?saved=1")
    assert "Đã lưu" in page and "Thứ Ba, Thứ Năm" in page and "trước 1 giờ" in page
    for wrong in ({"repeat": "daily"}, {"at": "25:99"}, {"name": ""}, {"reminders": "5"}):
        assert (await post(leader, url + "/edit", [*(form | wrong).items(), ("day", "1")]))[0] == 400
    assert (await post(leader, url + "/edit", list(form.items())))[0] == 400  # no day

    day = re.search(r'name="day" value="(\d{4}-\d\d-\d\d)"', page)
    assert day is not None
    assert (await post(leader, url + "/call-off", {"csrf": token, "day": day.group(1)}))[0] == 400  # not confirmed
    status, _, _ = await post(leader, url + "/call-off", {"csrf": token, "day": day.group(1), "sure": "yes"})
    assert status == 303
    async with runtime.unit_of_work() as uow:
        group = await uow.groups.get(group_id)
    assert group is not None and date.fromisoformat(day.group(1)) in group.schedule.cancelled
    async with runtime.unit_of_work() as uow:
        told = await uow.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == GROUP_CANCELLED.kind)
        )
    assert told == 2  # the two members who get the group's messages
    assert (await post(leader, url + "/call-off", {"csrf": token, "day": "2020-01-01", "sure": "yes"}))[0] == 404
    status, log = await get(leader, web.url(f"/web/groups/{group_id}"))
    assert day.group(1) not in log.split("Các buổi sinh hoạt sắp tới")[1].split("</table>")[0]
    await leader.close()


async def test_an_operator_does_what_the_staff_and_points_commands_do(web: Web) -> None:
    """Sample points into an empty directory, a counsellor's full availability, blocks from live talks lifted."""
    runtime = web.runtime
    operator, token = await signed_in(web, await staff_chat(runtime, "operator", "op1"))
    status, page = await get(operator, web.url("/web/points"))
    assert "Nạp các điểm mẫu" in page
    assert (await post(operator, web.url("/web/points/load-sample"), {"csrf": token}))[0] == 303
    async with runtime.unit_of_work() as uow:
        assert len(await uow.directory.all_points()) > 30
    assert (await post(operator, web.url("/web/points/load-sample"), {"csrf": token}))[0] == 400  # not empty now

    await staff_chat(runtime, "counsellor", "c1", HOAN_KIEM_ID)
    cells = [("cell", f"{day}-{slot}") for day in range(5) for slot in range(16, 23)]
    numbers = {"csrf": token, "slot": "60", "buffer": "0", "notice": "24", "horizon": "30"}
    form = [*numbers.items(), *cells, ("mode", "phone"), ("mode", "online")]
    assert (await post(operator, web.url("/web/staff/2/hours"), form))[0] == 303
    async with runtime.unit_of_work() as uow:
        availability = await uow.staff.availability(2)
    assert availability is not None and availability.pattern == parse_hours("Mo-Fr 08:00-11:30")
    assert (availability.slot_minutes, availability.buffer_minutes, availability.horizon_days) == (60, 0, 30)
    assert availability.notice == timedelta(hours=24) and availability.modes == ("phone", "online")
    wrong = [*(numbers | {"slot": "500"}).items(), *cells, ("mode", "phone")]
    status, _, page = await post(operator, web.url("/web/staff/2/hours"), wrong)
    assert status == 422 and "5 đến 240 phút" in page
    assert (await get(operator, web.url("/web/staff/1/hours")))[0] == 404  # an operator, not a counsellor

    async with runtime.unit_of_work() as uow:
        await uow.users.touch("b" * 64, runtime.clock.now().date())
        await uow.get(TALKS).block("b" * 64, "#K7Q2", runtime.clock.now() + timedelta(days=7))
        await uow.commit()
    status, page = await get(operator, web.url("/web/blocks"))
    assert status == 200 and "#K7Q2" in page and "b" * 64 not in page
    assert (await post(operator, web.url("/web/blocks/lift"), {"csrf": token, "alias": "#K7Q2"}))[0] == 303
    async with runtime.unit_of_work() as uow:
        assert await uow.get(TALKS).blocks(runtime.clock.now()) == []
    assert (await post(operator, web.url("/web/blocks/lift"), {"csrf": token, "alias": "#NONE"}))[0] == 404
    await operator.close()
