"""Anonymous weekly counts for the programme's figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.indicators import Tally as IndicatorTally
from storage.dialect import upsert_insert as _insert
from storage.models import (
    Tally,
)

PART = 2_000  # rows read at a time


class SqlTallyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        week: date,
        kind: str,
        *,
        instrument: str = "",
        subject: str = "",
        level: str = "",
        province: str = "",
        amount: int = 1,
    ) -> None:
        cell = {"week": week, "kind": kind, "instrument": instrument, "subject": subject, "level": level}
        cell["province"] = province
        statement = (
            _insert(self._session, Tally)
            .values(**cell, count=max(amount, 0))
            .on_conflict_do_update(
                index_elements=list(cell),
                set_={"count": case((Tally.count + amount < 0, 0), else_=Tally.count + amount)},
            )
        )
        await self._session.execute(statement)

    async def between(self, first: date, last: date, *, province: str | None = None) -> list[IndicatorTally]:
        query = select(Tally.week, Tally.kind, Tally.subject, Tally.level, Tally.province, Tally.count).where(
            Tally.week >= first, Tally.week <= last
        )
        if province is not None:
            query = query.where(Tally.province == province)
        # In parts: the event loop gets a turn between them (two years of a whole country: ~120,000 rows).
        found = []
        async for part in (await self._session.stream(query.execution_options(yield_per=PART))).partitions():
            found += [
                IndicatorTally(week, kind, subject, level, where, n) for week, kind, subject, level, where, n in part
            ]
        return found
