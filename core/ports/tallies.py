"""Anonymous weekly counts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.indicators import Tally


class TallyRepository(Protocol):
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
        """Count anonymous events in their weekly cell (``amount`` of them; negative to correct a count)."""
        ...

    async def between(self, first: date, last: date, *, province: str | None = None) -> list[Tally]:
        """Every weekly counter of the weeks starting ``first`` to ``last`` (Mondays); only one province's with
        ``province`` (what its report reads), every province's and those without one by default."""
        ...
