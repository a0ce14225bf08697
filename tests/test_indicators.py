"""Programme indicators and their small-cell protection (pure: no database, no chat)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.disclosure import Cell, count, shown, total
from domain.indicators import (
    INDICATORS,
    UNSPECIFIED,
    Indicator,
    Report,
    Tally,
    build_report,
    referral_subject,
    whole_weeks,
)

MONDAY = date(2026, 10, 5)
WEEKS = [MONDAY + timedelta(days=7 * n) for n in range(3)]


def text(cell: Cell) -> str:
    return shown(cell, str)


def test_a_count_of_one_to_four_is_hidden_and_zero_is_not() -> None:
    assert [text(count(n)) for n in (0, 1, 4, 5, 17)] == ["0", "<5", "<5", "5", "17"]


def test_a_sum_is_exact_only_when_every_part_is() -> None:
    assert text(total([count(5), count(0), count(12)])) == "17"
    assert text(total([count(5), count(3), count(12)])) == "≥18"  # 5 + 12 + at least 1
    assert text(total([count(2), count(3)])) == "≥2"  # never "<5": with many hidden parts it could pin them
    assert total([count(5), count(3)]).value == 8  # the true value is kept, only not shown


def test_reports_cover_whole_weeks_that_have_ended() -> None:
    today = date(2026, 11, 26)  # a Thursday
    weeks = whole_weeks(date(2026, 11, 4), date(2026, 11, 30), today)
    assert weeks == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]  # not the week of the 23rd
    assert whole_weeks(date(2026, 11, 23), date(2026, 11, 26), today) == []
    assert whole_weeks(date(2026, 11, 16), date(2026, 11, 22), today) == [date(2026, 11, 16)]


def test_a_referral_counts_once_in_the_programmes_terms() -> None:
    assert referral_subject(frozenset({"methadone", "buprenorphine"}), ["buprenorphine", "detox"]) == "methadone"
    assert referral_subject(frozenset({"hiv_testing", "hepatitis"}), ["hepatitis", "hiv_testing"]) == "hiv_testing"
    assert referral_subject(frozenset({"hiv_testing", "hepatitis"}), ["hepatitis"]) == "other"
    assert referral_subject(None, ["methadone"]) == UNSPECIFIED


def test_every_kind_of_service_has_a_referral_group_and_every_indicator_a_unique_id() -> None:
    from domain.directory import KINDS
    from domain.indicators import REFERRAL_GROUPS

    grouped = set().union(*(kinds for _, kinds in REFERRAL_GROUPS.values()))
    assert grouped == set(KINDS)
    ids = [i.id for i in INDICATORS]
    assert len(ids) == len(set(ids))
    for indicator in INDICATORS:
        assert all(part in ids for part in indicator.parts)


def test_the_table_adds_up_per_indicator_and_week() -> None:
    tallies = [
        Tally(WEEKS[0], "reached", "adult", count=7),
        Tally(WEEKS[0], "reached", "child", count=2),
        Tally(WEEKS[1], "reached", "adult", count=12),
        Tally(WEEKS[0], "selfcheck_done", level="high", count=6),
        Tally(WEEKS[0], "selfcheck_done", level="low", count=5),
        Tally(WEEKS[1], "selfcheck_done", level="low", count=2),
        Tally(WEEKS[0], "referral", "methadone", province="ha-noi", count=8),
        Tally(WEEKS[0] - timedelta(days=7), "reached", count=50),  # before the period: not counted
    ]
    report = build_report(tallies, WEEKS)
    assert [text(c) for c in report.row("reached").weeks] == ["9", "12", "0"]
    assert text(report.row("reached").total) == "21"
    assert [text(c) for c in report.row("selfcheck").weeks] == ["11", "<5", "0"]  # its only part is hidden
    assert text(report.row("selfcheck").total) == "≥12"
    assert [text(c) for c in report.row("selfcheck_low").weeks] == ["5", "<5", "0"]
    assert [text(c) for c in report.row("referral_methadone").weeks] == ["8", "0", "0"]
    hanoi = build_report(tallies, WEEKS, province="ha-noi")
    assert [text(c) for c in hanoi.row("referral_methadone").weeks] == ["8", "0", "0"]
    assert text(hanoi.row("reached").total) == "0"


def test_a_national_figure_is_exact_only_when_every_province_in_it_is() -> None:
    tallies = [
        Tally(WEEKS[0], "find", "all", province="ha-noi", count=9),
        Tally(WEEKS[0], "find", "all", province="hue", count=3),
        Tally(WEEKS[1], "find", "all", province="ha-noi", count=9),
        Tally(WEEKS[1], "find", "all", province="hue", count=6),
        Tally(WEEKS[1], "find", "all", count=2),  # no province: a part of its own
        Tally(WEEKS[2], "find", "all", province="hue", count=7),
    ]
    national = build_report(tallies, WEEKS)
    assert [text(c) for c in national.row("searched").weeks] == ["≥10", "≥16", "7"]  # 12 - 9 would give Huế's 3
    assert [text(c) for c in build_report(tallies, WEEKS, province="hue").row("searched").weeks] == ["<5", "6", "7"]


# ------------------------------------------------------------------------------------------------ the audit

SMALL_SET = (
    Indicator("a", "a", "s", kind="a"),
    Indicator("b", "b", "s", kind="b"),
    Indicator("sum", "sum", "s", parts=("a", "b")),
)
PROVINCES = ("p1", "p2", "")


def displays(tallies: Sequence[Tally], weeks: Sequence[date]) -> list[tuple[str, ...]]:
    """Everything a reader of every report (the country and each province) sees."""
    reports: list[Report] = [build_report(tallies, weeks, indicators=SMALL_SET)]
    reports += [build_report(tallies, weeks, province=p, indicators=SMALL_SET) for p in PROVINCES if p]
    return [tuple(text(c) for c in (*row.weeks, row.total)) for r in reports for row in r.rows]


cells = st.dictionaries(
    st.tuples(st.sampled_from(("a", "b")), st.integers(0, 1), st.sampled_from(PROVINCES)),
    st.sampled_from((0, 1, 2, 3, 4, 5, 6, 9)),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(cells)
def test_no_hidden_cell_can_be_worked_out_from_the_published_figures(values: dict[tuple[str, int, str], int]) -> None:
    """Brute force: every world that prints the same reports (the country's and each province's).  A hidden
    cell (1 to 4, in a province or among the events without one) must still be able to take any value from 1
    to 4: the published figures, totals included, tell nothing more about it."""
    weeks = WEEKS[:2]

    def tallies_of(world: dict[tuple[str, int, str], int]) -> list[Tally]:
        return [Tally(weeks[w], kind, province=p, count=n) for (kind, w, p), n in world.items() if n]

    seen = displays(tallies_of(values), weeks)
    hidden = [key for key, n in values.items() if 0 < n < 5]
    if len(hidden) > 5:
        hidden = hidden[:5]  # keeps the search small; the others stay at their true values
    possible: dict[tuple[str, int, str], set[int]] = {key: set() for key in hidden}
    for guess in itertools.product(range(1, 5), repeat=len(hidden)):
        world = dict(values) | dict(zip(hidden, guess, strict=True))
        if displays(tallies_of(world), weeks) == seen:
            for key, value in zip(hidden, guess, strict=True):
                possible[key].add(value)
    for key, values_left in possible.items():
        assert values_left == {1, 2, 3, 4}, f"{key} = {values[key]} is narrowed to {values_left}"
