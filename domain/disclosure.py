"""Small-cell protection for published counts (pure).

A count of 1 to 4 people could point at someone in a small place, so it is published as "<5" (primary
suppression).  Zero is published: it names no one.  A number that is the sum of other published numbers (a
total over weeks, a total over kinds, a national figure over provinces) could give a suppressed one away by
subtraction, so a sum is published exactly only if every part of it is published exactly; otherwise only what
a reader could work out anyway is shown: "≥ n", n being the sum of the parts' lower bounds, or "<5" when the
parts allow no more than 4.

Every published number is therefore either the sum of exact smallest cells or a bound that follows from
what is already public, and whether it is exact depends only on what is public (which parts are exact), not
on the hidden values: a reader learns nothing about a hidden cell beyond "1 to 4", whatever reports of
whatever periods and places they put side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

SMALL = 5  # counts below this (and above 0) are not published


@dataclass(frozen=True, slots=True)
class Cell:
    """One published number: its true value (never printed unless exact) and what a reader can deduce."""

    value: int
    exact: bool
    low: int
    high: int | None  # None: no upper bound can be deduced

    @property
    def small(self) -> bool:
        """Primary suppression: a count of 1 to 4."""
        return not self.exact and self.high is not None and self.high < SMALL


def count(value: int) -> Cell:
    """A count of events: exact unless 1 to 4."""
    if value < 0:
        raise ValueError("a count cannot be negative")
    if 0 < value < SMALL:
        return Cell(value, False, 1, SMALL - 1)
    return Cell(value, True, value, value)


def total(parts: Sequence[Cell]) -> Cell:
    """The sum of published cells: exact only if every part is exact."""
    value = sum(p.value for p in parts)
    if all(p.exact for p in parts):  # each part is 0 or at least 5, and so is their sum
        return Cell(value, True, value, value)
    low = sum(p.low for p in parts)
    highs = [p.high for p in parts]
    high = None if any(h is None for h in highs) else sum(h for h in highs if h is not None)
    return Cell(value, False, low, high)


def shown(cell: Cell, number: Callable[[int], str]) -> str:
    """How a cell is printed: the number; "<5" for 1 to 4; "≥ n" for a withheld sum (n >= 1: each hidden part
    is at least 1)."""
    if cell.exact:
        return number(cell.value)
    if cell.small:
        return f"<{SMALL}"
    return f"≥{number(cell.low)}"
