"""The weekly grid: cells to hours and back, the same hours the chat's typed syntax gives."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.hours import format_hours, parse_hours
from domain.week_grid import SLOTS, Grid, cell_name, grid_of, hours_of, read_cells

MONDAY = date(2026, 11, 30)


def test_ticked_cells_make_the_hours_a_counsellor_would_type() -> None:
    mornings = {(d, s) for d in range(5) for s in range(16, 23)}  # Mo-Fr 08:00-11:30
    afternoons = {(d, s) for d in range(5) for s in range(27, 33)}  # 13:30-16:30
    saturday = {(5, s) for s in range(16, 22)}  # Sa 08:00-11:00
    hours = hours_of(mornings | afternoons | saturday, holidays_off=True)
    assert hours == parse_hours("Mo-Fr 08:00-11:30,13:30-16:30; Sa 08:00-11:00; PH off")
    assert grid_of(hours, MONDAY) == Grid(frozenset(mornings | afternoons | saturday), holidays_off=True)


def test_no_cell_is_no_hours_and_the_rows_widen_to_what_is_open() -> None:
    assert hours_of([], holidays_off=True) is None
    assert grid_of(None, MONDAY).cells == frozenset()
    assert grid_of(None, MONDAY).rows() == range(12, 42)
    late = grid_of(parse_hours("Fr 20:00-23:30"), MONDAY)
    assert late.rows() == range(12, 47)


def test_a_half_hour_partly_open_shows_as_open() -> None:
    grid = grid_of(parse_hours("Tu 08:15-09:00"), MONDAY)
    assert grid.cells == frozenset({(1, 16), (1, 17)})


def test_forged_cells_are_left_out() -> None:
    assert read_cells(["0-16", "6-47", "7-1", "0-48", "x-1", "-1", "1-", "00000-1", "2-17"]) == {
        (0, 16),
        (6, 47),
        (2, 17),
    }


@given(st.sets(st.tuples(st.integers(0, 6), st.integers(0, SLOTS - 1)), max_size=60), st.booleans())
def test_cells_survive_the_round_trip_through_hours(cells: set[tuple[int, int]], off: bool) -> None:
    hours = hours_of(cells, holidays_off=off)
    grid = grid_of(hours, MONDAY)
    assert grid.cells == frozenset(cells)
    assert read_cells(cell_name(c) for c in cells) == cells
    if hours is not None:
        assert parse_hours(format_hours(hours)) == hours
