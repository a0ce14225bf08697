"""Groups as a Meeting Guide JSON feed: the spec's day numbering, times, types, places, and no members."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.runtime import Runtime
from core.ports import GroupRecord
from domain.directory import ServicePoint
from domain.meeting_guide import NO_PLACE, NOT_WEEKLY, feed, slug
from domain.recurrence import Repeat, Schedule
from tests.test_cli import bot
from tests.test_finder import load_sample

UPDATED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
ONLINE = "https://meet.example/abc"
POINT = ServicePoint(
    external_id="p",
    name="[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm",
    kinds=("self_help_venue",),
    address="Số 1 (địa chỉ mẫu)",
    province="ha-noi",
    commune="Phường Hoàn Kiếm",
    lat=21.029012,
    lon=105.852049,
    id=7,
)


def group(
    group_id: int, name: str, kind: str, schedule: Schedule, point_id: int | None, place: str = ""
) -> GroupRecord:
    return GroupRecord(group_id, "CODE", name, kind, None, point_id, place, schedule, (1440, 60))


def test_weekly_point_online_and_typed_place_groups() -> None:
    tuesday_saturday = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({1, 5}), date(2026, 11, 1), minutes=90)
    sunday = Schedule(Repeat.WEEKLY, time(9, 30), frozenset({6}), date(2026, 11, 8), minutes=60)
    made = feed(
        [
            (group(1, "Nhóm Hoàn Kiếm", "relapse_prevention", tuesday_saturday, 7), UPDATED),
            (group(2, "Gia đình cùng đồng hành", "family_support", sunday, None, ONLINE), UPDATED),
            (group(3, "Nhóm nhà văn hóa", "other", sunday, None, "Nhà văn hóa phường"), UPDATED),
        ],
        {7: POINT},
        {"ha-noi": "Hà Nội"},
    )
    assert made.left_out == []
    by_slug = {e["slug"]: e for e in made.entries}
    assert list(by_slug) == ["gia-dinh-cung-dong-hanh-2", "nhom-hoan-kiem-1", "nhom-nha-van-hoa-3"]
    assert by_slug["nhom-hoan-kiem-1"] == {
        "name": "Nhóm Hoàn Kiếm",
        "slug": "nhom-hoan-kiem-1",
        "day": [2, 6],  # Tuesday and Saturday, counted from Sunday = 0
        "time": "19:00",
        "end_time": "20:30",
        "timezone": "Asia/Ho_Chi_Minh",
        "types": ["C", "D"],
        "group": "Nhóm Hoàn Kiếm",
        "updated": "2026-11-20 08:30:00",
        "location": "[Mẫu] Điểm tư vấn cộng đồng Hoàn Kiếm",
        "formatted_address": "Số 1 (địa chỉ mẫu), Phường Hoàn Kiếm, Hà Nội, Việt Nam",
        "latitude": 21.02901,
        "longitude": 105.85205,
        "approximate": "no",  # readers would call a 4-part address exact anyway; a 3-part one would be inactive
        "region": "Hà Nội",
    }
    online = by_slug["gia-dinh-cung-dong-hanh-2"]
    assert online["day"] == [0] and online["types"] == ["O", "D"] and online["conference_url"] == ONLINE
    assert online["approximate"] == "yes" and "notes" not in online
    assert by_slug["nhom-nha-van-hoa-3"]["formatted_address"] == "Nhà văn hóa phường, Việt Nam"


def test_what_the_weekly_format_cannot_say_is_left_out_with_the_reason() -> None:
    """A reader shows every entry as meeting every week on its days: an every-other-week or monthly group would
    be shown wrongly, and one with no place at all is dropped by readers; both are left out, and said so."""
    weekly = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({1}), date(2026, 11, 1))
    fortnightly = Schedule(Repeat.FORTNIGHTLY, time(9, 30), frozenset({6}), date(2026, 11, 8))
    monthly = Schedule(Repeat.MONTHLY, time(18, 0), frozenset({0}), date(2026, 11, 1), ordinal=-1)
    made = feed(
        [
            (group(1, "Hai tuần", "other", fortnightly, 7), UPDATED),
            (group(2, "Hằng tháng", "other", monthly, 7), UPDATED),
            (group(3, "Không nơi", "other", weekly, None, "  "), UPDATED),
            (group(4, "Được", "other", weekly, 7), UPDATED),
        ],
        {7: POINT},
        {"ha-noi": "Hà Nội"},
    )
    assert [e["name"] for e in made.entries] == ["Được"]
    assert [(g.id, reason) for g, reason in made.left_out] == [(1, NOT_WEEKLY), (2, NOT_WEEKLY), (3, NO_PLACE)]


def test_an_end_past_midnight_is_left_out_not_written_before_the_start() -> None:
    late = Schedule(Repeat.WEEKLY, time(23, 0), frozenset({4}), date(2026, 11, 1), minutes=90)
    (entry,) = feed([(group(1, "Khuya", "other", late, 7), UPDATED)], {7: POINT}, {}).entries
    assert entry["time"] == "23:00" and "end_time" not in entry


def test_the_slug_is_kept_when_the_group_is_renamed() -> None:
    weekly = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({1}), date(2026, 11, 1))
    renamed = replace(group(5, "Tên mới", "other", weekly, 7), slug="ten-cu-5")
    (entry,) = feed([(renamed, UPDATED)], {7: POINT}, {}).entries
    assert entry["slug"] == "ten-cu-5" and entry["name"] == "Tên mới"


def test_slugs_are_ascii_and_unique_by_id() -> None:
    assert slug("Đồng hành: Nhóm #1!", 12) == "dong-hanh-nhom-1-12"
    assert slug("!!!", 3) == "nhom-3"


async def test_the_cli_writes_the_feed(runtime: Runtime, tmp_path: Path) -> None:
    await load_sample(runtime)
    async with runtime.unit_of_work() as uow:
        point = next(p for p in await uow.directory.all_points() if p.external_id == "sample-hn-tt-02")
        await uow.groups.create(
            code="GRPTEST1",
            name="Nhóm Thanh Trì",
            kind="relapse_prevention",
            leader_id=None,
            point_id=point.id,
            place="",
            schedule=Schedule(Repeat.WEEKLY, time(19, 0), frozenset({5}), date(2026, 11, 1)),
            reminder_minutes=(60,),
            now=UPDATED,
        )
        await uow.commit()
    result = bot(runtime.settings.data_dir.parent, "groups", "export", "feed.json")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads((runtime.settings.data_dir.parent / "feed.json").read_text(encoding="utf-8"))
    assert entry["name"] == "Nhóm Thanh Trì" and entry["day"] == [6] and entry["region"] == "Hà Nội"
    assert entry["slug"] == "nhom-thanh-tri-1"
    # Renamed in storage: the feed keeps the slug (readers' favourites) and says when it changed.
    async with runtime.unit_of_work() as uow:
        (group_id,) = [g.id for g, _ in await uow.groups.all_groups()]
        await uow.groups.update(group_id, datetime(2026, 11, 25, 3, 0, tzinfo=UTC), name="Nhóm Thanh Trì mới")
        await uow.commit()
    assert bot(runtime.settings.data_dir.parent, "groups", "export", "feed.json").returncode == 0
    (entry,) = json.loads((runtime.settings.data_dir.parent / "feed.json").read_text(encoding="utf-8"))
    assert (entry["name"], entry["slug"]) == ("Nhóm Thanh Trì mới", "nhom-thanh-tri-1")
    assert entry["updated"] == "2026-11-25 03:00:00"


def test_groups_are_created_listed_and_exported_from_the_cli(tmp_path: Path) -> None:
    assert bot(tmp_path, "points", "load-sample").returncode == 0
    made = bot(
        tmp_path,
        "groups",
        "create",
        "--name",
        "Nhóm Vũng Tàu",
        "--kind",
        "relapse_prevention",
        "--days",
        "T3,T7",
        "--at",
        "19:00",
        "--point",
        "sample-vt-01",
    )
    assert made.returncode == 0, made.stderr
    assert "mã tham gia" in made.stdout and "buổi đầu tiên" in made.stdout
    for wrong in (["--kind", "party"], ["--days", "T9"], ["--at", "7pm"], ["--point", "nowhere"], ["--every", "day"]):
        args = ["--name", "X", "--kind", "other", "--days", "T2", "--at", "08:00", *wrong]
        refused = bot(tmp_path, "groups", "create", *args)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, wrong
    listed = bot(tmp_path, "groups", "list", COLUMNS="200")
    assert "Nhóm Vũng Tàu" in listed.stdout and "relapse_prevention" in listed.stdout
    assert bot(tmp_path, "groups", "export", "feed.json").returncode == 0
    (entry,) = json.loads((tmp_path / "feed.json").read_text(encoding="utf-8"))
    assert entry["day"] == [2, 6] and entry["region"] == "TP Hồ Chí Minh" and entry["types"] == ["C", "D"]


def tsml_ui_reads(entry: dict[str, object], *, four_part_rule: bool) -> dict[str, object]:
    """How tsml-ui's loadMeetingData reads one entry (code4recovery/tsml-ui, src/helpers/load-meeting-data.ts),
    written from its source, not from ours: an entry without a slug or any address is dropped; ``approximate``
    is the string's "yes" or, when absent, whether formatAddress finds no street part (older versions: fewer than
    four comma parts); an approximate meeting is not in person, and a meeting neither in person nor online is
    inactive; the end is ``end_time`` on the same weekday, so one before the start gives a negative length."""
    if not entry.get("slug") or not entry.get("formatted_address"):
        return {"dropped": True}
    parts = str(entry["formatted_address"]).split(", ")
    street = (parts[0] if len(parts) > 3 else None) if four_part_rule else parts[0]
    given = entry.get("approximate")
    approximate = given.lower() == "yes" if isinstance(given, str) else not street
    online = bool(entry.get("conference_url"))
    in_person = "TC" not in (entry.get("types") or []) and not approximate  # type: ignore[operator]
    start = [int(x) for x in str(entry["time"]).split(":")]
    end = [int(x) for x in str(entry["end_time"]).split(":")] if entry.get("end_time") else [start[0] + 1, start[1]]
    return {
        "dropped": False,
        "active": online or in_person,
        "in_person": in_person,
        "minutes": (end[0] * 60 + end[1]) - (start[0] * 60 + start[1]),
    }


@pytest.mark.parametrize("four_part_rule", [False, True])
def test_tsml_ui_shows_every_exported_meeting_as_active_and_never_negative_length(four_part_rule: bool) -> None:
    short_address = replace(POINT, address="Số 1", commune="")  # "Số 1, Hà Nội, Việt Nam": three parts
    late = Schedule(Repeat.WEEKLY, time(22, 30), frozenset({4}), date(2026, 11, 1), minutes=120)
    weekly = Schedule(Repeat.WEEKLY, time(19, 0), frozenset({1}), date(2026, 11, 1))
    made = feed(
        [
            (group(1, "Điểm", "relapse_prevention", weekly, 7), UPDATED),
            (group(2, "Địa chỉ ngắn", "other", weekly, 8), UPDATED),
            (group(3, "Khuya", "other", late, 7), UPDATED),
        ],
        {7: POINT, 8: replace(short_address, id=8)},
        {"ha-noi": "Hà Nội"},
    )
    for entry in made.entries:
        read = tsml_ui_reads(entry, four_part_rule=four_part_rule)
        assert read["dropped"] is False and read["active"] is True and read["in_person"] is True, entry
        assert int(read["minutes"]) > 0, entry  # type: ignore[call-overload]
