"""Service points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from domain.directory import ServicePoint


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class PointSummary:
    """What a list of the directory shows of a point (the staff console's), read without building whole points."""

    id: int
    external_id: str
    name: str
    kinds: tuple[str, ...]
    address: str
    province: str
    commune: str
    lat: float
    lon: float
    status: str
    verified_on: date | None
    sample: bool


@dataclass(frozen=True, slots=True)
class ListingReports:
    """What people reported about one listing."""

    point: ServicePoint
    counts: dict[str, int]  # reason -> how many
    last_reported: date


class DirectoryRepository(Protocol):
    async def version(self) -> int:
        """A number that changes whenever the directory does (cheap: read before every search)."""
        ...

    async def all_points(self) -> list[ServicePoint]: ...

    async def get(self, point_id: int) -> ServicePoint | None: ...

    async def summaries(self) -> list[PointSummary]:
        """Every point, as a list shows it: plain rows, ordered by id."""
        ...

    async def upsert(
        self, points: Sequence[ServicePoint], now: datetime, progress: Callable[[int], None] | None = None
    ) -> UpsertCounts:
        """Insert or update by external id, in the caller's transaction."""
        ...

    async def report(self, point_id: int, reason: str, day: date) -> bool:
        """Record an anonymous report; False if there is no such point."""
        ...

    async def reports(self) -> list[ListingReports]: ...

    async def verify(self, point_id: int, day: date) -> bool:
        """Mark a listing checked on ``day`` and clear what people reported about it; False if there is none."""
        ...

    async def clear_reports(self, point_id: int) -> None:
        """Forget the reports on a listing (it was fixed)."""
        ...
