"""The programme indicators Điểm Tựa reports, built from anonymous weekly tallies (pure).

Every capability counts anonymous events in weekly cells (week, kind, subject, level, province; see
``docs/indicators.md``).  An indicator selects some of those cells; a few indicators are sums of others (all
self-checks, all referrals).  :func:`build_report` lays the indicators out by week, with the small-cell
protection of :mod:`domain.disclosure`: per province, or for the whole country.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.i18n import N_
from domain.disclosure import Cell, count, total


@dataclass(frozen=True, slots=True)
class Tally:
    """One weekly counter as stored: no person, nothing finer than the week."""

    week: date
    kind: str
    subject: str = ""
    level: str = ""
    province: str = ""
    count: int = 0


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    label: str  # msgid; the Vietnamese is the programmes' own vocabulary
    section: str  # msgid
    kind: str = ""
    subjects: frozenset[str] = frozenset()  # empty: any subject
    levels: frozenset[str] = frozenset()  # empty: any level
    parts: tuple[str, ...] = ()  # a sum of other indicators (then kind is empty)

    def selects(self, tally: Tally) -> bool:
        return (
            tally.kind == self.kind
            and (not self.subjects or tally.subject in self.subjects)
            and (not self.levels or tally.level in self.levels)
        )


REACH = N_("Reach")
SCREENING = N_("Screening and counselling")
REFERRAL = N_("Referral")
GROUPS = N_("Self-help groups")
TALKS = N_("Live talks with counsellors")
# The wait before a counsellor took a talk, by domain.talks.wait_band.
WAIT_BANDS = {
    "0": N_("– taken within 5 minutes"),
    "1": N_("– taken within 15 minutes"),
    "2": N_("– taken within an hour"),
    "3": N_("– taken after an hour or more"),
}

# Referral groups: the service kinds of a chosen point, in the programmes' terms.  A referral counts once,
# in the first group that the person's search and the point have in common.
REFERRAL_GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    "hiv_testing": (N_("– to HIV testing"), frozenset({"hiv_testing"})),
    "prep": (N_("– to PrEP"), frozenset({"prep"})),
    "arv": (N_("– to HIV treatment (ARV)"), frozenset({"arv"})),
    "methadone": (N_("– to methadone treatment"), frozenset({"methadone", "buprenorphine"})),
    "detox": (N_("– to detox"), frozenset({"detox"})),
    "mental_health": (N_("– to counselling or mental health care"), frozenset({"counselling_point", "mental_health"})),
    "vocational": (N_("– to vocational training"), frozenset({"vocational"})),
    "other": (
        N_("– to other services"),
        frozenset(
            {
                "hepatitis",
                "tb",
                "needle_syringe",
                "legal_aid",
                "social_support",
                "self_help_venue",
                "family_support",
            }
        ),
    ),
}
UNSPECIFIED = "unspecified"  # the person looked for every service, then chose a point


def referral_subject(searched: frozenset[str] | None, offered: Iterable[str]) -> str:
    """The referral group of a point chosen from a search (``searched`` None: every service)."""
    if searched is None:
        return UNSPECIFIED
    common = searched & frozenset(offered)
    for key, (_, kinds) in REFERRAL_GROUPS.items():
        if common & kinds:
            return key
    return UNSPECIFIED


SELF_CHECK_LEVELS = {
    "high": N_("– high risk"),
    "moderate": N_("– moderate risk"),
    "low": N_("– lower risk"),
    "none": N_("– no substance use in the past 3 months"),
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator("reached", N_("People reached for the first time"), REACH, kind="reached"),
    Indicator("family", N_("Family members seeking support"), REACH, kind="family"),
    Indicator(
        "selfcheck",
        N_("Self-checks completed (screening)"),
        SCREENING,
        parts=tuple(f"selfcheck_{level}" for level in SELF_CHECK_LEVELS),
    ),
    *(
        Indicator(f"selfcheck_{level}", label, SCREENING, kind="selfcheck_done", levels=frozenset({level}))
        for level, label in SELF_CHECK_LEVELS.items()
    ),
    Indicator("booked", N_("Counselling appointments booked"), SCREENING, kind="booking"),
    Indicator("counselled", N_("People counselled (appointment kept)"), SCREENING, kind="booking_attended"),
    Indicator("missed", N_("Counselling appointments missed"), SCREENING, kind="booking_missed"),
    Indicator("searched", N_("Searches for a service point"), REFERRAL, kind="find"),
    Indicator(
        "referred",
        N_("Referrals (a service point chosen)"),
        REFERRAL,
        parts=(*(f"referral_{key}" for key in REFERRAL_GROUPS), f"referral_{UNSPECIFIED}"),
    ),
    *(
        Indicator(f"referral_{key}", label, REFERRAL, kind="referral", subjects=frozenset({key}))
        for key, (label, _) in REFERRAL_GROUPS.items()
    ),
    Indicator(
        f"referral_{UNSPECIFIED}",
        N_("– service not specified"),
        REFERRAL,
        kind="referral",
        subjects=frozenset({UNSPECIFIED}),
    ),
    Indicator("listing_reports", N_("Wrong listings reported"), REFERRAL, kind="listing_report"),
    Indicator("joined", N_("Members joining a self-help group"), GROUPS, kind="group_joined"),
    Indicator("reminders", N_("Meeting reminders sent"), GROUPS, kind="reminder_sent"),
    Indicator("meetings", N_("Group meetings held"), GROUPS, kind="meeting_held"),
    Indicator("attendance", N_("Attendances at group meetings"), GROUPS, kind="meeting_attendance"),
    Indicator("talks_requested", N_("Live talks asked for"), TALKS, kind="talk_requested"),
    Indicator(
        "talks_started",
        N_("Live talks taken by a counsellor"),
        TALKS,
        parts=tuple(f"talks_wait_{b}" for b in WAIT_BANDS),
    ),
    *(
        Indicator(f"talks_wait_{band}", label, TALKS, kind="talk_started", subjects=frozenset({band}))
        for band, label in WAIT_BANDS.items()
    ),
    Indicator("talks_not_taken", N_("Live talks ended before a counsellor took them"), TALKS, kind="talk_cancelled"),
    Indicator(
        "talks_ended_person",
        N_("Live talks ended by the person"),
        TALKS,
        kind="talk_ended",
        subjects=frozenset({"person"}),
    ),
    Indicator(
        "talks_ended_counsellor",
        N_("Live talks ended by the counsellor"),
        TALKS,
        kind="talk_ended",
        subjects=frozenset({"counsellor"}),
    ),
    Indicator(
        "talks_handed_back", N_("Live talks handed back to the queue (no answer)"), TALKS, kind="talk_handed_back"
    ),
    Indicator(
        "talks_helped",
        N_("Live talks the person found helpful"),
        TALKS,
        kind="talk_helpful",
        subjects=frozenset({"yes"}),
    ),
    Indicator(
        "talks_not_helped",
        N_("Live talks the person did not find helpful"),
        TALKS,
        kind="talk_helpful",
        subjects=frozenset({"no"}),
    ),
)


def whole_weeks(first: date, last: date, today: date) -> list[date]:
    """The Mondays of the whole weeks a report covers: every week that ``first``..``last`` touches, but only
    weeks that have ended by ``today`` (a week still running would let two reports a day apart be
    subtracted)."""
    week = first - timedelta(days=first.weekday())
    end = min(last + timedelta(days=6 - last.weekday()), today - timedelta(days=today.weekday() + 1))
    weeks = []
    while week + timedelta(days=6) <= end:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


@dataclass(frozen=True, slots=True)
class Row:
    indicator: Indicator
    weeks: tuple[Cell, ...]
    total: Cell


@dataclass(frozen=True, slots=True)
class Report:
    weeks: tuple[date, ...]
    province: str | None  # None: the whole country
    rows: tuple[Row, ...] = field(default=())

    def row(self, indicator_id: str) -> Row:
        return next(r for r in self.rows if r.indicator.id == indicator_id)


Values = dict[tuple[str, date], int]  # (indicator id, week) -> count


def _values(tallies: Iterable[Tally], weeks: Sequence[date], indicators: Sequence[Indicator]) -> Values:
    wanted = set(weeks)
    by_kind: dict[str, list[Indicator]] = defaultdict(list)  # each tally is read by its own kind's indicators only
    for indicator in indicators:
        if indicator.kind:
            by_kind[indicator.kind].append(indicator)
    values: Values = defaultdict(int)
    for tally in tallies:
        if tally.week in wanted:
            for indicator in by_kind.get(tally.kind, ()):
                if indicator.selects(tally):
                    values[indicator.id, tally.week] += tally.count
    return values


def build_report(
    tallies: Sequence[Tally],
    weeks: Sequence[date],
    *,
    province: str | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> Report:
    """The report of ``weeks`` for one province, or for the whole country (``province`` None).

    Every published number is built from the same smallest cells: one indicator, one week, one province (or
    no province), each a :func:`~domain.disclosure.count`.  A national figure is the sum of its provinces'
    cells and of the events without a province, so it is exact only when each of them is: the province
    reports can never be subtracted from it to find a hidden cell.
    """
    by_province: dict[str, list[Tally]] = defaultdict(list)
    for tally in tallies:
        by_province[tally.province].append(tally)
    slices = sorted(by_province) if province is None else [province]
    values = {p: _values(by_province.get(p, ()), weeks, indicators) for p in slices}
    cells: dict[tuple[str, date], Cell] = {}
    for indicator in indicators:
        if not indicator.parts:
            for week in weeks:
                key = (indicator.id, week)
                cells[key] = total([count(values[p].get(key, 0)) for p in slices])
    for indicator in indicators:
        if indicator.parts:
            for week in weeks:
                cells[indicator.id, week] = total([cells[part, week] for part in indicator.parts])
    rows = []
    for indicator in indicators:
        week_cells = tuple(cells[indicator.id, week] for week in weeks)
        rows.append(Row(indicator, week_cells, total(week_cells)))
    return Report(tuple(weeks), province, tuple(rows))
