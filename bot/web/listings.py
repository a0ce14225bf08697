"""The directory as the console's lists read it, kept between requests."""

from __future__ import annotations

from core.ports import PointSummary
from core.text import fold
from storage.repositories import SqlUnitOfWork


class Listings:
    """The directory as the console's list shows it, with each point's folded text for search; read again only
    when the directory's version has changed (by any worker), so a list of 100,000 points is not rebuilt per page."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._rows: list[tuple[PointSummary, str]] = []

    async def current(self, uow: SqlUnitOfWork) -> list[tuple[PointSummary, str]]:
        version = await uow.directory.version()
        if version != self._version:
            summaries = await uow.directory.summaries()
            self._rows = [(p, fold(f"{p.name} {p.external_id} {p.address} {p.commune}")) for p in summaries]
            self._version = version
        return self._rows
