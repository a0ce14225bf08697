"""The programme report as the console and /baocao build it.

Two years of a whole country is ~120,000 tallies: they are read in parts (the event loop gets a turn between
them) and summed on a worker thread, so the people talking to the bot meanwhile are not kept waiting
(``bench/report.py``).  The console reads through a unit of work that does not take SQLite's writer's turn
(``Runtime.reading``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.ports import UnitOfWork
from core.threads import off_loop
from domain.indicators import Report, build_report


async def programme_report(uow: UnitOfWork, weeks: Sequence[date], *, province: str | None = None) -> Report:
    tallies = await uow.tallies.between(weeks[0], weeks[-1], province=province)
    return await off_loop(build_report, tallies, weeks, province=province)
