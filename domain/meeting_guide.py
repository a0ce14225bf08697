"""Groups as a Meeting Guide JSON feed (the open meeting-list format of code4recovery/spec).

The spec lists weekly meetings: ``day`` counts from Sunday = 0, ``time`` and ``end_time`` are "HH:MM".
Groups meeting every other week or monthly are listed on their weekday with the frequency in ``notes``.
Meeting types are the spec's reserved codes: a relapse-prevention group is for people in recovery
("C", closed), a family support group is open to relatives ("O"); all are discussion meetings ("D").
Nothing about any member is in the feed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from core.ports import GroupRecord
from core.text import fold
from domain.directory import ServicePoint
from domain.recurrence import Repeat

TYPES: dict[str, list[str]] = {
    "relapse_prevention": ["C", "D"],
    "family_support": ["O", "D"],
    "other": ["O", "D"],
}
TIMEZONE = "Asia/Ho_Chi_Minh"
COUNTRY = "Việt Nam"  # part of the address, as the feed's geocoders expect (noqa: i18n)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
ORDINALS = {1: "đầu tiên", 2: "thứ hai", 3: "thứ ba", 4: "thứ tư", -1: "cuối cùng"}  # (noqa: i18n)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")  # (noqa: i18n)


def slug(name: str, group_id: int) -> str:
    base = _NOT_SLUG.sub("-", fold(name)).strip("-")[:48] or "nhom"
    return f"{base}-{group_id}"


def frequency_note(group: GroupRecord) -> str:
    """The feed's data language is Vietnamese: how often the group meets, when not every week."""
    schedule = group.schedule
    if schedule.repeat is Repeat.FORTNIGHTLY:
        return "Hai tuần một lần."  # (noqa: i18n)
    if schedule.repeat is Repeat.MONTHLY:
        (weekday,) = schedule.weekdays
        return f"Mỗi tháng một lần, vào {WEEKDAYS[weekday]} {ORDINALS[schedule.ordinal]} của tháng."  # (noqa: i18n)
    return ""


def meeting_entry(
    group: GroupRecord,
    point: ServicePoint | None,
    province_names: Mapping[str, str],
    updated: datetime,
) -> dict[str, Any]:
    schedule = group.schedule
    end = (datetime.combine(schedule.starts_on, schedule.at) + timedelta(minutes=schedule.minutes)).time()
    entry: dict[str, Any] = {
        "name": group.name,
        "slug": slug(group.name, group.id),
        "day": sorted((weekday + 1) % 7 for weekday in schedule.weekdays),
        "time": schedule.at.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "timezone": TIMEZONE,
        "types": TYPES.get(group.kind, TYPES["other"]),
        "group": group.name,
        "updated": updated.strftime("%Y-%m-%d %H:%M:%S"),
    }
    notes = frequency_note(group)
    if notes:
        entry["notes"] = notes
    if point is not None:
        province = province_names.get(point.province, "")
        entry["location"] = point.name
        entry["formatted_address"] = ", ".join(p for p in (point.address, point.commune, province, COUNTRY) if p)
        entry["latitude"] = round(point.lat, 5)
        entry["longitude"] = round(point.lon, 5)
        entry["region"] = province
    elif group.place.startswith(("https://", "http://")):
        entry["conference_url"] = group.place
        entry["formatted_address"] = COUNTRY
        entry["approximate"] = "yes"
    elif group.place:
        entry["formatted_address"] = f"{group.place}, {COUNTRY}"
    return entry


def feed(
    groups: Sequence[tuple[GroupRecord, datetime]],
    points: Mapping[int, ServicePoint],
    province_names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Every group as one Meeting Guide entry, ordered by slug."""
    entries = [
        meeting_entry(group, points.get(group.point_id) if group.point_id else None, province_names, updated)
        for group, updated in groups
    ]
    return sorted(entries, key=lambda e: str(e["slug"]))
