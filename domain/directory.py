"""The service directory's vocabulary: what a service point is, the kinds of service, and the filters a
person chooses from (a filter may cover several kinds: "methadone or buprenorphine")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.i18n import N_
from domain.gazetteer import Place, commune_places
from domain.geo import Hit, NearestIndex
from domain.hours import OpeningHours

# Kind id -> label msgid.  Ids are stable: they are in import files and in button data.
KINDS: dict[str, str] = {
    "counselling_point": N_("Community counselling and support point"),
    "methadone": N_("Methadone"),
    "buprenorphine": N_("Buprenorphine"),
    "hiv_testing": N_("HIV testing"),
    "prep": N_("PrEP (HIV prevention)"),
    "arv": N_("HIV treatment (ARV)"),
    "detox": N_("Detox"),
    "mental_health": N_("Mental health"),
    "hepatitis": N_("Hepatitis testing and care"),
    "tb": N_("Tuberculosis (TB)"),
    "needle_syringe": N_("Needle and syringe programme"),
    "vocational": N_("Vocational training"),
    "legal_aid": N_("Legal aid"),
    "social_support": N_("Social support"),
    "self_help_venue": N_("Self-help group meetings"),
    "family_support": N_("Family support"),
}


@dataclass(frozen=True, slots=True)
class Filter:
    id: str
    label: str  # msgid
    kinds: frozenset[str]


_GROUPS = (
    Filter("opioid_treatment", N_("Methadone or buprenorphine"), frozenset({"methadone", "buprenorphine"})),
    Filter("testing", N_("HIV and hepatitis testing"), frozenset({"hiv_testing", "hepatitis"})),
    Filter(
        "mental_health_counselling",
        N_("Counselling and mental health"),
        frozenset({"counselling_point", "mental_health"}),
    ),
)
# Filter id -> filter: every kind on its own, and the groups the self-check and the family path use.
FILTERS: dict[str, Filter] = {f.id: f for f in _GROUPS} | {
    kind: Filter(kind, label, frozenset({kind})) for kind, label in KINDS.items()
}
# What the "choose a service" list offers, in order.
PICKER = (
    "counselling_point",
    "opioid_treatment",
    "testing",
    "prep",
    "arv",
    "detox",
    "mental_health",
    "tb",
    "needle_syringe",
    "vocational",
    "legal_aid",
    "social_support",
    "self_help_venue",
    "family_support",
)

# Reasons a person can give for a wrong listing.
REPORT_REASONS: dict[str, str] = {
    "closed": N_("It has closed"),
    "wrong_phone": N_("The phone number is wrong"),
    "wrong_place": N_("The address or map position is wrong"),
    "wrong_hours": N_("The opening hours are wrong"),
    "wrong_services": N_("It does not offer these services"),
    "other": N_("Something else is wrong"),
}


# A listing's status (Open Referral HSDS ``service.status``); a defunct point is kept but never shown.
STATUSES: dict[str, str] = {
    "active": N_("Open"),
    "temporarily_closed": N_("Temporarily closed"),
    "defunct": N_("Closed for good"),
}
# Whether the service costs anything (HSDS ``cost_options`` reduced to what a person asks first).
FEES: dict[str, str] = {"free": N_("Free of charge"), "paid": N_("There is a fee"), "unknown": ""}


@dataclass(frozen=True, slots=True)
class About:
    """What Open Referral's HSDS adds to a listing that a programme's directory uses; all of it optional."""

    status: str = "active"  # a key of STATUSES
    description: str = ""
    url: str = ""
    email: str = ""
    eligibility: str = ""  # who it is for, in words (noqa: i18n: "người đang điều trị methadone")
    min_age: int | None = None
    max_age: int | None = None
    fee: str = "unknown"  # a key of FEES
    languages: tuple[str, ...] = ()  # ISO 639 codes: "vi", "en", "km"
    accessibility: str = ""  # in words (noqa: i18n: "lối đi cho xe lăn")


@dataclass(frozen=True, slots=True)
class ServicePoint:
    external_id: str
    name: str
    kinds: tuple[str, ...]
    address: str
    province: str  # province-level unit id (since 2025-07-01)
    commune: str
    lat: float
    lon: float
    phone: str = ""
    hours: OpeningHours | None = None
    notes: str = ""
    source: str = ""
    verified_on: date | None = None
    sample: bool = False
    about: About = About()
    id: int | None = field(default=None, compare=False)  # the database id, once stored


class DirectorySnapshot:
    """The directory as one worker holds it in memory: points by id, an index per filter, communes."""

    def __init__(self, points: Sequence[ServicePoint], version: int = 0) -> None:
        self.version = version
        self.points = {p.id: p for p in points if p.id is not None and p.about.status != "defunct"}
        self.communes: list[Place] = commune_places(
            [(p.province, p.commune, p.lat, p.lon) for p in self.points.values() if p.commune]
        )
        self._indexes: dict[str, NearestIndex] = {}

    def warm(self) -> None:
        """Build every filter's index now (off the event loop, when a worker loads a new snapshot), so the first
        search of each kind does not build one while a person waits."""
        for key in ("", *FILTERS):
            self._index(key)

    def _index(self, filter_id: str | None) -> NearestIndex:
        key = filter_id if filter_id in FILTERS else ""
        index = self._indexes.get(key)
        if index is None:
            kinds = FILTERS[key].kinds if key else None
            chosen = [p for p in self.points.values() if kinds is None or kinds.intersection(p.kinds)]
            index = NearestIndex([p.id or 0 for p in chosen], [p.lat for p in chosen], [p.lon for p in chosen])
            self._indexes[key] = index
        return index

    def nearest(self, lat: float, lon: float, filter_id: str | None, k: int) -> list[Hit]:
        """The ``k`` nearest points offering what ``filter_id`` names (every point for None)."""
        return self._index(filter_id).nearest(lat, lon, k)
