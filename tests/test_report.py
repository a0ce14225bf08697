"""Programme figures end to end: scripted conversations leave anonymous weekly events that add up to the
expected table; a manager reads it with /baocao; ``python -m bot report`` writes the table, CSV and PNG."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from matplotlib.ticker import MaxNLocator
from sqlalchemy import select, update

from bot.charts import chart
from bot.runtime import Runtime
from core.clock import ManualClock
from core.i18n import load_translator
from domain.indicators import build_report, whole_weeks
from handlers.report import report_lines
from services.reports import programme_report
from storage.models import Group, StaffMember, Tally
from tests.dialog import ConsoleDriver, Step, play, press, say
from tests.test_dialogs import ADULT, DIALOGS, START
from tests.test_finder import FINDER_DIALOGS, HEROIN, load_sample
from tests.test_groups import weekly_group

ROOT = Path(__file__).resolve().parent.parent
WEEK = date(2026, 11, 23)  # the ManualClock's week

METHADONE_REFERRAL = [
    *DIALOGS[HEROIN],
    press("Tìm nơi điều trị methadone hoặc buprenorphine"),
    say("Long Bien", "1. [Mẫu] Cơ sở điều trị methadone Long Biên"),
    press("[Mẫu] Cơ sở điều trị methadone Long Biên", "Đặt lịch tư vấn tại đây"),
    press("Quay lại danh sách"),
    press("[Mẫu] Cơ sở điều trị methadone Long Biên"),  # the same point again: one referral
]
SCRIPT: list[tuple[int, list[Step]]] = [
    (6, METHADONE_REFERRAL),  # high risk, a search and a referral to methadone in Hà Nội
    (5, DIALOGS["self-check: weekend drinking scores 11, moderate, with tips and counselling"]),
    (2, DIALOGS["self-check: no use at all is confirmed once, then thanked"]),  # and the family page
    (1, DIALOGS["under 16 gets the child line and a smaller menu"]),
    (
        1,
        FINDER_DIALOGS["a shared location: details with the weekly hours, then an anonymous report of a wrong listing"],
    ),
]


async def run_script(runtime: Runtime) -> None:
    await load_sample(runtime)
    person = 0
    for times, steps in SCRIPT:
        for _ in range(times):
            person += 1
            await play(ConsoleDriver(runtime, user_id=f"person-{person}"), steps)


TALK_ROWS = (
    "talks_requested",
    "talks_started",
    "talks_wait_0",
    "talks_wait_1",
    "talks_wait_2",
    "talks_wait_3",
    "talks_not_taken",
    "talks_ended_person",
    "talks_ended_counsellor",
    "talks_handed_back",
    "talks_helped",
    "talks_not_helped",
)


async def test_scripted_conversations_add_up_to_the_expected_table(runtime: Runtime) -> None:
    await run_script(runtime)
    async with runtime.unit_of_work() as uow:
        weeks = set(await uow.session.scalars(select(Tally.week)))
        tallies = await uow.tallies.between(WEEK, WEEK)
    assert weeks == {WEEK}  # nothing finer than the week, and no column that could name anyone (models)
    report = build_report(tallies, [WEEK])
    values = {row.indicator.id: row.weeks[0].value for row in report.rows}
    assert values == {
        "reached": 15,
        "family": 2,
        "selfcheck": 13,
        "selfcheck_high": 6,
        "selfcheck_moderate": 5,
        "selfcheck_low": 0,
        "selfcheck_none": 2,
        "booked": 0,
        "counselled": 0,
        "missed": 0,
        "searched": 7,
        "referred": 7,
        "referral_hiv_testing": 0,
        "referral_prep": 0,
        "referral_arv": 0,
        "referral_methadone": 6,
        "referral_detox": 0,
        "referral_mental_health": 0,
        "referral_vocational": 0,
        "referral_other": 0,
        "referral_unspecified": 1,
        "listing_reports": 1,
        "joined": 0,
        "reminders": 0,
        "meetings": 0,
        "attendance": 0,
        **{key: 0 for key in TALK_ROWS},  # no live talk in this script: tests/test_talks.py counts them
    }
    shown = {row.indicator.id: row.weeks[0] for row in report.rows}
    assert shown["family"].small and shown["selfcheck_none"].small and shown["listing_reports"].small
    assert not shown["selfcheck"].exact  # 13, but it would give the two "none" away: shown as at least 11
    assert shown["selfcheck"].low == 11 + 1
    assert shown["reached"].exact and shown["referral_methadone"].exact
    hanoi = build_report(tallies, [WEEK], province="ha-noi")
    assert hanoi.row("searched").weeks[0].value == 7 and hanoi.row("referral_methadone").weeks[0].value == 6


async def test_a_manager_reads_the_figures_in_the_chat_and_others_cannot(runtime: Runtime, clock: ManualClock) -> None:
    await run_script(runtime)
    now = clock.now()
    async with runtime.unit_of_work() as uow:
        await uow.staff.create_invite("MANA23456", "manager", None, now, now + timedelta(days=1))
        await uow.commit()
    outsider = ConsoleDriver(runtime, user_id="person-1")
    turn = await outsider.say("/baocao")
    assert "dành cho cán bộ quản lý" in turn.text and "tiếp cận" not in turn.text
    manager = ConsoleDriver(runtime, user_id="manager")
    await play(manager, [START, ADULT])
    turn = await manager.say("/staff MANA-23456")
    assert "cán bộ quản lý chương trình" in turn.text and "Số liệu chương trình 4 tuần gần nhất" in turn.choices
    clock.advance(timedelta(days=7))  # the week of the conversations has ended
    await manager.say("/staff")  # the manager's menu
    turn = await manager.press("Số liệu chương trình 4 tuần gần nhất")
    assert "4 tuần trọn vẹn (02/11/2026–29/11/2026), toàn quốc" in turn.text
    assert "Số người được tiếp cận mới: 0 · 0 · 0 · 16 (tổng 16)" in turn.text  # the manager was reached too
    assert "– điều trị Methadone (hoặc Buprenorphine): 0 · 0 · 0 · 6 (tổng 6)" in turn.text
    assert "Người nhà tìm hỗ trợ: 0 · 0 · 0 · <5 (tổng <5)" in turn.text
    assert "Số lượt sàng lọc (tự đánh giá) hoàn thành: 0 · 0 · 0 · ≥12 (tổng ≥12)" in turn.text
    turn = await manager.say("/baocao hue")
    assert "Huế" in turn.text and "Số lượt tra cứu điểm dịch vụ: 0 · 0 · 0 · 0 (tổng 0)" in turn.text
    turn = await manager.say("/baocao Atlantis")
    assert "chưa biết tỉnh" in turn.text


async def test_the_report_command_prints_and_writes_csv_and_png(runtime: Runtime, tmp_path: Path) -> None:
    october = whole_weeks(date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 26))
    async with runtime.unit_of_work() as uow:
        for n, week in enumerate(october):
            await uow.tallies.add(week, "reached", amount=10 + n)
            await uow.tallies.add(week, "find", subject="all", province="ha-noi", amount=n)  # 0, then 1 to 4
            await uow.tallies.add(week, "referral", subject="hiv_testing", province="ha-noi", amount=6)
        await uow.commit()
    out = tmp_path / "out"
    env = {
        **os.environ,
        "DIEMTUA_DATA_DIR": str(runtime.settings.data_dir),
        "DIEMTUA_SECRET_KEY": runtime.settings.secret_key.get_secret_value(),  # type: ignore[union-attr]
        "DIEMTUA_DATABASE_URL": runtime.settings.db_url,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)

    async def report(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "report",
            *args,
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
        return process.returncode or 0, stdout.decode(), stderr.decode()

    code, printed, errors = await report("--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out))
    assert code == 0, errors
    assert "Số người được tiếp cận mới" in printed and "<5" in printed
    stem = f"diemtua-{october[0].isoformat()}-{october[-1].isoformat()}"
    with (out / f"{stem}.csv").open(encoding="utf-8") as file:
        rows = {row[0]: row[3:] for row in csv.reader(file)}
    weeks = len(october)
    assert rows["indicator"] == [w.isoformat() for w in october] + ["Tổng"]
    assert rows["reached"] == [str(10 + n) for n in range(weeks)] + [str(sum(10 + n for n in range(weeks)))]
    assert rows["searched"] == ["0"] + ["<5"] * (weeks - 1) + [f"≥{weeks - 1}"]  # 1 to 4 each: total withheld
    assert rows["referral_hiv_testing"] == ["6"] * weeks + [str(6 * weeks)]
    png = (out / f"{stem}.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000

    code, printed, errors = await report("--from", "2026-10-01", "--to", "2026-10-31", "--province", "Ha Noi")
    assert code == 0, errors
    assert "Hà Nội" in printed and (tmp_path / f"{stem}-ha-noi.csv").exists()
    with (tmp_path / f"{stem}-ha-noi.csv").open(encoding="utf-8") as file:
        rows = {row[0]: row[3:] for row in csv.reader(file)}
    assert rows["reached"] == ["0"] * (weeks + 1)  # no province on those events
    assert rows["referral_hiv_testing"] == ["6"] * weeks + [str(6 * weeks)]
    code, _, errors = await report("--from", "2026-10-01", "--to", "2026-10-31", "--province", "Atlantis")
    assert code == 2 and "không rõ tỉnh" in errors
    code, _, errors = await report("--from", "2026-10-31", "--to", "2026-10-01")
    assert code == 2 and "sớm hơn" in errors

    # At 80 columns the weeks are split over tables that fit; a period running past the last whole week says
    # where it stopped and why (the subprocess runs on the real clock).
    env["COLUMNS"] = "80"
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    last_sunday = today - timedelta(days=today.weekday() + 1)
    code, printed, errors = await report("--from", "2026-10-01", "--to", (today + timedelta(days=30)).isoformat())
    assert code == 0, errors
    assert all(len(line) <= 80 for line in printed.splitlines()), printed
    assert "(1/" in printed and "Số người được tiếp cận mới" in printed
    assert f"Báo cáo dừng ở ngày {last_sunday.strftime('%d/%m/%Y')}" in " ".join(printed.split())


def test_a_chart_with_nothing_to_draw_says_so_on_whole_number_axes() -> None:
    i18n = load_translator("vi")
    weeks = (date(2026, 10, 5), date(2026, 10, 12))
    empty = build_report([], weeks)
    figure = chart(empty, report_lines(empty, i18n), i18n, "Cả nước")
    for axis in figure.axes:
        assert [t.get_text() for t in axis.texts] == ["Không có số liệu"]
        assert isinstance(axis.yaxis.get_major_locator(), MaxNLocator)
        assert all(float(tick).is_integer() for tick in axis.get_yticks())


async def test_a_leader_recording_attendance_counts_one_meeting_and_the_corrected_number(
    runtime: Runtime, clock: ManualClock
) -> None:
    now = clock.now()
    async with runtime.unit_of_work() as uow:
        await uow.staff.create_invite("LEAD23456", "leader", None, now, now + timedelta(days=1))
        await uow.commit()
    leader = ConsoleDriver(runtime, user_id="leader")
    await play(leader, [START, ADULT])
    await leader.say("/staff LEAD-23456")
    group = await weekly_group(runtime, "NHOM2345", "Nhóm Bình Minh")
    async with runtime.unit_of_work() as uow:  # the leader leads it
        await uow.session.execute(
            update(Group).where(Group.id == group.id).values(leader_id=select(StaffMember.id).scalar_subquery())
        )
        await uow.commit()
    clock.advance(timedelta(days=1, hours=14))  # after Tuesday's meeting (24/11, 18:30)
    await leader.say("/staff")
    await leader.press("Nhóm Bình Minh")
    await leader.press("Ghi số người đến")
    assert "Đã lưu: 8 người đến" in (await leader.say("8")).text
    await leader.press("Ghi số người đến")
    assert "Đã lưu: 6 người đến" in (await leader.say("6")).text  # a correction
    async with runtime.unit_of_work() as uow:
        counted = sorted((t.kind, t.count) for t in await uow.tallies.between(WEEK, WEEK))
    assert ("meeting_held", 1) in counted and ("meeting_attendance", 6) in counted


async def test_a_long_report_neither_waits_for_nor_holds_up_the_writers_turn(runtime: Runtime) -> None:
    """The console reads a report through ``Runtime.reading``: people's events write meanwhile (on SQLite every
    unit of work that writes takes the one writer's turn: a two-year report holding it stalled them all)."""
    week = date(2026, 11, 16)
    async with runtime.unit_of_work() as uow:
        for province in ("ha-noi", "hue"):
            await uow.tallies.add(week, "reached", province=province, amount=7)
        await uow.commit()
    async with runtime.reading() as reading:
        first = await reading.tallies.between(week, week)

        async def someone_writes() -> None:
            async with runtime.unit_of_work() as uow:
                await uow.users.touch("a" * 64, week)
                await uow.tallies.add(week, "reached", province="hue")
                await uow.commit()

        await asyncio.wait_for(someone_writes(), 5)  # not behind the open read
        report = await programme_report(reading, [week])
    assert sum(t.count for t in first) == 14
    (reached,) = [row for row in report.rows if row.indicator.id == "reached"]
    assert reached.weeks[0].value == 15  # the write made while the read was open was committed, and is counted
