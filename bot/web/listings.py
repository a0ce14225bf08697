"""The directory as the console's lists read it, kept between requests."""

from __future__ import annotations

from collections.abc import Sequence

from core.ports import PointSummary
from core.text import fold
from core.threads import off_loop
from storage.repositories import SqlUnitOfWork


def _indexed(summaries: Sequence[PointSummary]) -> list[tuple[PointSummary, str]]:
    """Each point with its folded text (name first), in the order of that text: by name, accents aside."""
    rows = [(p, fold(f"{p.name} {p.external_id} {p.address} {p.commune}")) for p in summaries]
    rows.sort(key=lambda row: (row[1], row[0].id))
    return rows


class Listings:
    """The directory as the console's list shows it, sorted by name, with each point's folded text for search; read
    again only when the directory's version has changed (by any worker), so a list of 100,000 points is not rebuilt
    per page, and folded and sorted off the event loop when it is."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._rows: list[tuple[PointSummary, str]] = []

    async def current(self, uow: SqlUnitOfWork) -> list[tuple[PointSummary, str]]:
        version = await uow.directory.version()
        if version != self._version:
            self._rows = await off_loop(_indexed, await uow.directory.summaries())
            self._version = version
        return self._rows
