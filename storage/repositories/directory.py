"""The directory of service points, and people's reports of wrong listings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import (
    ListingReports,
    PointSummary,
    UpsertCounts,
)
from core.threads import off_loop
from domain.directory import About, ServicePoint
from domain.hours import HoursError, format_hours, parse_hours
from storage.dialect import upsert_insert as _insert
from storage.models import (
    DirectoryVersion,
    ListingReport,
    ServicePointRow,
)

_POINT_FIELDS = (
    "name",
    "kinds",
    "address",
    "province",
    "commune",
    "lat",
    "lon",
    "phone",
    "hours",
    "notes",
    "source",
    "verified_on",
    "sample",
    *(f.name for f in fields(About)),
)


def _point_values(point: ServicePoint) -> dict[str, Any]:
    return {
        "external_id": point.external_id,
        "name": point.name,
        "kinds": ";".join(point.kinds),
        "address": point.address,
        "province": point.province,
        "commune": point.commune,
        "lat": point.lat,
        "lon": point.lon,
        "phone": point.phone,
        "hours": format_hours(point.hours),
        "notes": point.notes,
        "source": point.source,
        "verified_on": point.verified_on,
        "sample": point.sample,
        **{f.name: getattr(point.about, f.name) for f in fields(About)},
        "languages": ";".join(point.about.languages),
    }


def _point(row: ServicePointRow | Row[Any]) -> ServicePoint:
    try:
        hours = parse_hours(row.hours)
    except HoursError:  # stored by an older version with other rules: treat as unknown
        hours = None
    return ServicePoint(
        external_id=row.external_id,
        name=row.name,
        kinds=tuple(k for k in row.kinds.split(";") if k),
        address=row.address,
        province=row.province,
        commune=row.commune,
        lat=row.lat,
        lon=row.lon,
        phone=row.phone,
        hours=hours,
        notes=row.notes,
        source=row.source,
        verified_on=row.verified_on,
        sample=row.sample,
        about=About(
            status=row.status,
            description=row.description,
            url=row.url,
            email=row.email,
            eligibility=row.eligibility,
            min_age=row.min_age,
            max_age=row.max_age,
            fee=row.fee,
            languages=tuple(x for x in row.languages.split(";") if x),
            accessibility=row.accessibility,
        ),
        id=row.id,
    )


class SqlDirectoryRepository:
    CHUNK = 1000

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def version(self) -> int:
        return int(await self._session.scalar(select(DirectoryVersion.version).where(DirectoryVersion.id == 1)) or 0)

    async def _bump(self) -> None:
        statement = (
            _insert(self._session, DirectoryVersion)
            .values(id=1, version=1)
            .on_conflict_do_update(index_elements=[DirectoryVersion.id], set_={"version": DirectoryVersion.version + 1})
        )
        await self._session.execute(statement)

    async def all_points(self) -> list[ServicePoint]:
        """Every point: read as plain rows, and made into points (opening hours parsed) in a thread, so a directory
        of 100,000 points does not hold up the event loop while it loads."""
        columns = [c for c in ServicePointRow.__table__.columns if c.name != "updated_at"]
        rows: list[Row[Any]] = []
        streamed = await self._session.stream(select(*columns).order_by(ServicePointRow.id))
        async for part in streamed.partitions(self.CHUNK):  # read a thousand at a time, the loop free in between
            rows.extend(part)
        return await off_loop(lambda: [_point(row) for row in rows])

    async def summaries(self) -> list[PointSummary]:
        r = ServicePointRow
        columns = (r.id, r.external_id, r.name, r.kinds, r.address, r.province, r.commune, r.lat, r.lon, r.status)
        rows = await self._session.execute(select(*columns, r.verified_on, r.sample).order_by(r.id))
        return [
            PointSummary(i, ext, name, tuple(k for k in kinds.split(";") if k), *rest)
            for i, ext, name, kinds, *rest in rows
        ]

    async def get(self, point_id: int) -> ServicePoint | None:
        row = await self._session.get(ServicePointRow, point_id)
        return _point(row) if row else None

    async def upsert(
        self, points: Sequence[ServicePoint], now: datetime, progress: Callable[[int], None] | None = None
    ) -> UpsertCounts:
        existing: dict[str, tuple[Any, ...]] = {}
        columns = [ServicePointRow.id, ServicePointRow.external_id] + [
            getattr(ServicePointRow, name) for name in _POINT_FIELDS
        ]
        query = select(*columns)
        if len(points) <= self.CHUNK:  # an edit or a small file: only the rows it may change, not the directory
            query = query.where(ServicePointRow.external_id.in_([p.external_id for p in points]))
        for row in await self._session.execute(query):
            existing[row[1]] = tuple(row)
        inserted = updated = unchanged = 0
        for start in range(0, len(points), self.CHUNK):
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for point in points[start : start + self.CHUNK]:
                values = _point_values(point)
                old = existing.get(point.external_id)
                if old is None:
                    inserts.append(values | {"updated_at": now})
                elif tuple(old[2:]) != tuple(values[name] for name in _POINT_FIELDS):
                    updates.append(values | {"id": old[0], "updated_at": now})
                else:
                    unchanged += 1
            if inserts:
                await self._session.execute(insert(ServicePointRow), inserts)
            if updates:
                await self._session.execute(update(ServicePointRow), updates)
            inserted += len(inserts)
            updated += len(updates)
            if progress is not None:
                progress(len(points[start : start + self.CHUNK]))
        if inserted or updated:
            await self._bump()
        return UpsertCounts(inserted, updated, unchanged)

    async def report(self, point_id: int, reason: str, day: date) -> bool:
        if await self._session.get(ServicePointRow, point_id) is None:
            return False
        self._session.add(ListingReport(point_id=point_id, reason=reason, reported_on=day))
        await self._session.flush()
        return True

    async def reports(self) -> list[ListingReports]:
        rows = await self._session.execute(
            select(
                ListingReport.point_id,
                ListingReport.reason,
                func.count(),
                func.max(ListingReport.reported_on),
            ).group_by(ListingReport.point_id, ListingReport.reason)
        )
        grouped: dict[int, tuple[dict[str, int], date]] = {}
        for point_id, reason, count, last in rows:
            counts, latest = grouped.get(point_id, ({}, last))
            counts[reason] = int(count)
            grouped[point_id] = (counts, max(latest, last))
        out = []
        for point_id, (counts, last) in grouped.items():
            point = await self.get(point_id)
            if point is not None:
                out.append(ListingReports(point, counts, last))
        out.sort(key=lambda r: (-sum(r.counts.values()), r.point.name))
        return out

    async def verify(self, point_id: int, day: date) -> bool:
        row = await self._session.get(ServicePointRow, point_id)
        if row is None:
            return False
        row.verified_on = day
        await self.clear_reports(point_id)
        await self._bump()
        await self._session.flush()
        return True

    async def clear_reports(self, point_id: int) -> None:
        await self._session.execute(delete(ListingReport).where(ListingReport.point_id == point_id))
