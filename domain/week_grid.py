"""A week drawn as a grid of half hours, for people who should not have to learn a syntax: the cells open in a
week of hours, and the hours (OpenStreetMap syntax, as the rest of the bot keeps them) from the cells ticked.

A cell is (weekday, slot): Monday is 0, slot ``n`` covers ``n * 30`` to ``(n + 1) * 30`` minutes after midnight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.hours import OpeningHours, parse_hours

SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
FIRST_SHOWN, LAST_SHOWN = 6 * 2, 21 * 2  # 06:00 to 21:00 unless the hours go beyond
Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Grid:
    cells: frozenset[Cell]
    holidays_off: bool  # closed on public holidays ("PH off")

    def rows(self) -> range:
        """The slots to show: 06:00 to 21:00, widened to every open cell."""
        slots = [slot for _, slot in self.cells]
        return range(min([FIRST_SHOWN, *slots]), max([LAST_SHOWN, *(s + 1 for s in slots)]))


def clock(slot: int) -> str:
    minutes = slot * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def grid_of(hours: OpeningHours | None, today: date) -> Grid:
    """The half hours open in a typical week of ``hours`` (a partly open half hour counts as open)."""
    if hours is None:
        return Grid(frozenset(), holidays_off=False)
    cells: set[Cell] = set()
    for weekday, spans in enumerate(hours.typical_week(today)):
        for start, end in spans:
            first, last = start // SLOT_MINUTES, -(-end // SLOT_MINUTES)
            cells.update((weekday, slot) for slot in range(first, min(last, SLOTS)))
    return Grid(frozenset(cells), holidays_off=re.search(r"\bPH (off|closed)\b", hours.expression) is not None)


def _ranges(slots: list[int]) -> list[str]:
    ranges: list[str] = []
    start = previous = None
    for slot in [*sorted(slots), None]:
        if slot is not None and previous is not None and slot == previous + 1:
            previous = slot
            continue
        if start is not None and previous is not None:
            ranges.append(f"{clock(start)}-{clock(previous + 1)}")
        start = previous = slot
    return ranges


def hours_of(cells: Iterable[Cell], *, holidays_off: bool) -> OpeningHours | None:
    """The hours the ticked ``cells`` make (days with the same times share a rule); None when none is ticked."""
    by_day: dict[int, list[int]] = {}
    for weekday, slot in cells:
        if 0 <= weekday < 7 and 0 <= slot < SLOTS:
            by_day.setdefault(weekday, []).append(slot)
    rules = [f"{DAYS[day]} {','.join(_ranges(slots))}" for day, slots in sorted(by_day.items())]
    if not rules:
        return None
    if holidays_off:
        rules.append("PH off")
    return parse_hours("; ".join(rules))


def cell_name(cell: Cell) -> str:
    """A cell as a form's value: ``"2-17"`` (Wednesday, 08:30)."""
    return f"{cell[0]}-{cell[1]}"


def read_cells(values: Iterable[str]) -> set[Cell]:
    """The cells a form sent; anything that is not a cell is left out."""
    cells: set[Cell] = set()
    for value in values:
        day, _, slot = value.partition("-")
        if day.isdigit() and slot.isdigit() and len(value) <= 5 and int(day) < 7 and int(slot) < SLOTS:
            cells.add((int(day), int(slot)))
    return cells
