"""Groups as a Meeting Guide JSON feed (the open meeting-list format of code4recovery/spec).

The spec lists weekly meetings: ``day`` counts from Sunday = 0, ``time`` and ``end_time`` are "HH:MM" on that
day.  What it cannot express is left out rather than told wrongly, and :func:`feed` says which and why: groups
meeting every other week or monthly (a reader would show them every week), and groups with no place at all (no
address, point or link: readers drop them).  An ``end_time`` past midnight is left out too (it is optional).
A meeting at a service point has its coordinates and ``"approximate": "no"`` (readers otherwise judge an
address of fewer than four comma-separated parts approximate and mark the meeting inactive).  The ``slug``, the
readers' key for favourites, is made from the name when the group is created and kept when it is renamed;
``updated`` is the last change to the group or one of its meetings.

Meeting types are the spec's reserved codes: a relapse-prevention group is for people in recovery
("C", closed), a family support group is open to relatives ("O"); all are discussion meetings ("D").
Nothing about any member is in the feed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.i18n import N_
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


def slug(name: str, group_id: int) -> str:
    base = _NOT_SLUG.sub("-", fold(name)).strip("-")[:48] or "nhom"
    return f"{base}-{group_id}"


# Why a group is not in the feed (for the operator who exports it).
NOT_WEEKLY = N_("it meets every other week or monthly, and the Meeting Guide format is for weekly meetings")
NO_PLACE = N_("it has no place (service point, address or link), and readers drop such a meeting")


@dataclass
class Feed:
    entries: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[tuple[GroupRecord, str]] = field(default_factory=list)


def why_left_out(group: GroupRecord, point: ServicePoint | None) -> str | None:
    if group.schedule.repeat is not Repeat.WEEKLY:
        return NOT_WEEKLY
    if point is None and not group.place.strip():
        return NO_PLACE
    return None


def meeting_entry(
    group: GroupRecord,
    point: ServicePoint | None,
    province_names: Mapping[str, str],
    updated: datetime,
) -> dict[str, Any]:
    schedule = group.schedule
    start = datetime.combine(schedule.starts_on, schedule.at)
    end = start + timedelta(minutes=schedule.minutes)
    entry: dict[str, Any] = {
        "name": group.name,
        "slug": group.slug or slug(group.name, group.id),
        "day": sorted((weekday + 1) % 7 for weekday in schedule.weekdays),
        "time": schedule.at.strftime("%H:%M"),
        "timezone": TIMEZONE,
        "types": TYPES.get(group.kind, TYPES["other"]),
        "group": group.name,
        "updated": updated.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if end.date() == start.date():  # an end on the next day cannot be said in "HH:MM"
        entry["end_time"] = end.strftime("%H:%M")
    if point is not None:
        province = province_names.get(point.province, "")
        entry["location"] = point.name
        entry["formatted_address"] = ", ".join(p for p in (point.address, point.commune, province, COUNTRY) if p)
        entry["latitude"] = round(point.lat, 5)
        entry["longitude"] = round(point.lon, 5)
        entry["approximate"] = "no"
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
) -> Feed:
    """Every group the format can describe as one Meeting Guide entry, ordered by slug; the others, with why."""
    result = Feed()
    for group, updated in groups:
        point = points.get(group.point_id) if group.point_id else None
        reason = why_left_out(group, point)
        if reason is not None:
            result.left_out.append((group, reason))
        else:
            result.entries.append(meeting_entry(group, point, province_names, updated))
    result.entries.sort(key=lambda e: str(e["slug"]))
    return result
