"""Place names of Viet Nam: the 34 province-level units since 2025-07-01, the 63 provinces they replaced,
former districts and towns people still name, and (from the directory) communes and wards.

Matching ignores case and diacritics, and words such as "tỉnh", "thành phố", "quận", "phường"; an  (noqa: i18n)
old name resolves to its new unit.  Data: ``data/gazetteer/vietnam.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.text import fold

PROVINCE, FORMER, AREA, COMMUNE = "province", "former_province", "area", "commune"

_PUNCTUATION = re.compile(r"[^\w\s]")
_NUMBERED_DISTRICT = re.compile(r"^(?:q|quan|district)\s*(\d{1,2})$")
_ADMIN_WORDS = (
    "thanh pho",
    "tp",
    "tinh",
    "quan",
    "huyen",
    "thi xa",
    "tx",
    "thi tran",
    "phuong",
    "xa",
    "p",
    "q",
)


def place_key(text: str) -> str:
    """The matching key of a place name: folded, no punctuation, no administrative words."""
    key = " ".join(_PUNCTUATION.sub(" ", fold(text)).replace("_", " ").split())
    if match := _NUMBERED_DISTRICT.match(key.replace(" ", "") if len(key) <= 12 else key):
        return f"quan {int(match.group(1))}"
    for word in _ADMIN_WORDS:
        if key.startswith(word + " ") and not key[len(word) + 1 :].isdecimal():
            return key[len(word) + 1 :]
    return key


@dataclass(frozen=True, slots=True)
class Place:
    id: str  # "province:<id>", "former:<id>", "area:<id>", "commune:<province>:<key>"
    name: str
    kind: str
    province: str  # the id of the province-level unit (since 2025) it lies in
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()
    former_province: str | None = None  # the pre-2025 province's name, for areas and former provinces

    def name_keys(self) -> set[str]:
        return {place_key(name) for name in (self.name, *self.aliases)} - {""}


@dataclass(frozen=True, slots=True)
class Province:
    id: str
    name: str
    lat: float
    lon: float
    former: tuple[str, ...]  # ids of the pre-2025 provinces that form it
    former_points: tuple[tuple[float, float], ...] = ()  # their centres


@dataclass
class Gazetteer:
    provinces: dict[str, Province]
    places: list[Place]
    _by_key: dict[str, list[Place]] = field(default_factory=dict, init=False, repr=False)
    # The shipped places' keys with one list of extra places' (a directory snapshot's communes), built once for
    # that list: a snapshot lives until the directory changes, and a typed place is looked up on every search.
    _extended: tuple[Sequence[Place], dict[str, list[Place]]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for place in self.places:
            for key in place.name_keys():
                self._by_key.setdefault(key, []).append(place)

    # ---------------------------------------------------------------- provinces (import, staff)

    def province(self, text: str) -> Province | None:
        """The province-level unit a typed name means: a province's new or pre-2025 name, or a town or former
        district that lies in exactly one province; None if unknown or ambiguous."""
        key = place_key(text)
        found = {p.province for p in self._by_key.get(key, ()) if p.kind in (PROVINCE, FORMER)}
        if not found:  # a town or former district used as if it were the province ("Vũng Tàu")  (noqa: i18n)
            found = {p.province for p in self._by_key.get(key, ())}
        if key in self.provinces:  # an id such as "ho-chi-minh" works too
            found.add(key)
        return self.provinces[found.pop()] if len(found) == 1 else None

    # ---------------------------------------------------------------- typed places (finder)

    def prepare(self, extra: Sequence[Place]) -> None:
        """Build the index of the shipped places with ``extra`` now (a new snapshot's communes, in the thread that
        builds it), so the first typed search after a reload does not."""
        self._keys_with(extra)

    def _keys_with(self, extra: Sequence[Place]) -> dict[str, list[Place]]:
        if not extra:
            return self._by_key
        if self._extended is not None and self._extended[0] is extra:
            return self._extended[1]
        by_key = {name_key: list(places) for name_key, places in self._by_key.items()}
        for place in extra:
            for name_key in place.name_keys():
                by_key.setdefault(name_key, []).append(place)
        self._extended = (extra, by_key)
        return by_key

    def lookup(self, text: str, extra: Sequence[Place] = (), limit: int = 8) -> list[Place]:
        """Places a person may mean by ``text``: one if clear, several to choose from, none if unknown.

        Tried in turn: the whole text is a name; the text contains names ("phường X, Hà Nội": the most  (noqa: i18n)
        specific wins); the text starts a name ("thanh" -> Thanh Xuân, Thanh Trì ...).
        """
        key = place_key(text)
        if not key:
            return []
        by_key = self._keys_with(extra)  # computed once per list of extra places, not per lookup

        exact = by_key.get(key, [])
        if exact:
            return _one_per_province(_most_specific(_unique(exact)))[:limit]

        folded = f" {' '.join(_PUNCTUATION.sub(' ', fold(text)).split())} "
        contained = [(len(k), p) for k, places in by_key.items() if f" {k} " in folded for p in places]
        if contained:
            found = _unique(p for _, p in sorted(contained, key=lambda item: -item[0]))
            return _narrowed(found)[:limit]

        if len(key) >= 3:
            starts: dict[str, list[Place]] = {}
            for name_key, places in by_key.items():
                if _starts_words(name_key, key):
                    starts.setdefault(name_key, []).extend(places)
            found = [p for same in starts.values() for p in _one_per_province(_most_specific(_unique(same)))]
            return sorted(_unique(found), key=_specificity_order)[:limit]
        return []


_RANK = {COMMUNE: 0, AREA: 1, FORMER: 2, PROVINCE: 3}


def _specificity_order(place: Place) -> tuple[int, str]:
    return (_RANK[place.kind], place.name)


def _unique(places: Iterable[Place]) -> list[Place]:
    seen: dict[str, Place] = {}
    for place in places:
        seen.setdefault(place.id, place)
    return list(seen.values())


def _starts_words(name_key: str, typed: str) -> bool:
    return name_key.startswith(typed) and (len(name_key) == len(typed) or name_key[len(typed)] == " ")


def _most_specific(places: list[Place]) -> list[Place]:
    """A pre-2025 province named like the new unit it became is the same place: keep the new unit."""
    provinces = {p.province for p in places if p.kind == PROVINCE}
    return [p for p in places if not (p.kind == FORMER and p.province in provinces)]


def _one_per_province(places: list[Place]) -> list[Place]:
    """Places of one name in one province are one place to a person ("Long Biên" the former district and  (noqa: i18n)
    "Phường Long Biên"): keep the most specific of each province, in their order.  (noqa: i18n)"""
    best: dict[str, Place] = {}
    for place in places:
        if place.province not in best or _RANK[place.kind] < _RANK[best[place.province].kind]:
            best[place.province] = place
    return [p for p in places if best[p.province] is p]


def _narrowed(found: list[Place]) -> list[Place]:
    """From several names in one text, the most specific places, within any province also named."""
    provinces = {p.province for p in found if p.kind in (PROVINCE, FORMER)}
    specific = [p for p in found if p.kind in (COMMUNE, AREA)]
    if specific and provinces:
        inside = [p for p in specific if p.province in provinces]
        specific = inside or specific
    return specific or _most_specific(found)


def load_gazetteer(path: Path) -> Gazetteer:
    return parse_gazetteer(path.read_text(encoding="utf-8"))


def parse_gazetteer(text: str) -> Gazetteer:
    data = tomllib.loads(text)
    formers = {entry["id"]: entry for entry in data.get("former", [])}
    provinces: dict[str, Province] = {}
    places: list[Place] = []
    new_of: dict[str, str] = {}
    for entry in data.get("province", []):
        members = tuple(entry["former"])
        for member in members:
            if member not in formers:
                raise ValueError(f"province {entry['id']}: unknown former province {member}")
            if member in new_of:
                raise ValueError(f"former province {member} belongs to two provinces")
            new_of[member] = entry["id"]
        namesake = next(
            (formers[m] for m in members if place_key(formers[m]["name"]) == place_key(entry["name"])), None
        )
        centre = namesake or formers[members[0]]
        province = Province(
            entry["id"],
            entry["name"],
            float(centre["lat"]),
            float(centre["lon"]),
            members,
            tuple((float(formers[m]["lat"]), float(formers[m]["lon"])) for m in members),
        )
        provinces[province.id] = province
        places.append(
            Place(
                f"province:{province.id}",
                province.name,
                PROVINCE,
                province.id,
                province.lat,
                province.lon,
                tuple(entry.get("aliases", ())),
            )
        )
    missing = set(formers) - set(new_of)
    if missing:
        raise ValueError(f"former provinces in no province: {sorted(missing)}")
    for entry in formers.values():
        places.append(
            Place(
                f"former:{entry['id']}",
                entry["name"],
                FORMER,
                new_of[entry["id"]],
                float(entry["lat"]),
                float(entry["lon"]),
                tuple(entry.get("aliases", ())),
                former_province=entry["name"],
            )
        )
    for entry in data.get("area", []):
        former = formers[entry["former"]]
        places.append(
            Place(
                f"area:{entry['id']}",
                entry["name"],
                AREA,
                new_of[entry["former"]],
                float(entry["lat"]),
                float(entry["lon"]),
                tuple(entry.get("aliases", ())),
                former_province=former["name"],
            )
        )
    return Gazetteer(provinces, places)


def commune_places(communes: Sequence[tuple[str, str, float, float]]) -> list[Place]:
    """Places for the communes and wards named in the directory: (province id, name, lat, lon) per point,
    one place per commune at the mean of its points."""
    by_province: dict[str, dict[str, list[tuple[str, float, float]]]] = {}
    for province, name, lat, lon in communes:
        key = place_key(name)
        if key:
            by_province.setdefault(province, {}).setdefault(key, []).append((name, lat, lon))
    out = []
    # Sorted one province at a time: one sort of every commune of a large directory held the GIL for 0.15 s, which
    # the event loop then waited through while a worker thread built a new snapshot.
    for province in sorted(by_province):
        groups = by_province[province]
        for key in sorted(groups):
            members = groups[key]
            lat = sum(m[1] for m in members) / len(members)
            lon = sum(m[2] for m in members) / len(members)
            out.append(Place(f"commune:{province}:{key}", members[0][0], COMMUNE, province, lat, lon))
    return out
