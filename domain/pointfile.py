"""Service points in and out of files: CSV and GeoJSON, with a validation that names the row and the
reason for every record it rejects.

CSV columns (a header row; UTF-8, with or without BOM)::

    external_id, name, kinds, address, province, commune, latitude, longitude, phone, hours, notes,
    source, verified_on, sample,
    status, description, url, email, eligibility, min_age, max_age, fee, languages, accessibility

The last ten are optional fields of the Open Referral Human Services Data Specification (HSDS): ``status`` is
active, temporarily_closed or defunct (a defunct point is kept but never shown); ``fee`` free, paid or unknown;
``languages`` ISO 639 codes separated by ";"; ages in whole years.  Written CSV follows RFC 4180 (CRLF) and
neutralises cells a spreadsheet would run as formulas (a leading "'", removed again on import).

``kinds`` is a list of kind ids separated by ";"; ``province`` a province name, new or pre-2025 (resolved
to the unit in force since 2025-07-01); ``hours`` follows :mod:`domain.hours`; ``verified_on`` is
YYYY-MM-DD; ``sample`` is true/false.  GeoJSON: a FeatureCollection of Point features whose properties
are the same columns (``kinds`` and ``languages`` may be lists), coordinates in the geometry ([longitude,
latitude]; an altitude is refused), the feature's ``id`` (RFC 7946 §3.2) standing for a missing ``external_id``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.i18n import N_
from domain.directory import FEES, KINDS, STATUSES, About, ServicePoint
from domain.gazetteer import Gazetteer, Province
from domain.geo import haversine_km, in_vietnam
from domain.hours import HoursError, OpeningHours, format_hours, parse_hours

COLUMNS = (
    "external_id",
    "name",
    "kinds",
    "address",
    "province",
    "commune",
    "latitude",
    "longitude",
    "phone",
    "hours",
    "notes",
    "source",
    "verified_on",
    "sample",
    # Open Referral HSDS fields (optional)
    "status",
    "description",
    "url",
    "email",
    "eligibility",
    "min_age",
    "max_age",
    "fee",
    "languages",
    "accessibility",
)
REQUIRED = ("external_id", "name", "kinds", "province", "latitude", "longitude")
FAR_FROM_PROVINCE_KM = 250.0
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{5,23}$")
_TRUE, _FALSE = {"true", "yes", "1", "có", "x"}, {"false", "no", "0", "không", ""}  # (noqa: i18n)
LIMITS = {
    "name": 200,
    "address": 300,
    "commune": 100,
    "notes": 1000,
    "source": 200,
    "phone": 24,
    "description": 1000,
    "url": 300,
    "email": 200,
    "eligibility": 300,
    "accessibility": 300,
}
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): exported cells that do
# are prefixed with "'", which spreadsheets show as text and the import removes again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


ONE_OF = N_("{column} {value} is not one of {known}")


class Reason(str):
    """Why a record is refused: the English text (what ``str`` gives), and its msgid and values, so the
    operator reads it in Vietnamese (``reason.explain(_)``)."""

    msgid: str
    values: dict[str, object]
    field: str | None  # the column it is about, where there is one (a form shows the reason beside it)

    def __new__(cls, msgid: str, *, field: str | None = None, **values: object) -> Reason:
        made = super().__new__(cls, msgid.format(**values))
        column = values.get("column")
        made.msgid, made.values, made.field = msgid, values, field or (column if isinstance(column, str) else None)
        return made

    def explain(self, translate: Callable[[str], str]) -> str:
        values = {k: v.explain(translate) if isinstance(v, HoursError | Reason) else v for k, v in self.values.items()}
        return translate(self.msgid).format(**values)


def explain(reason: str, translate: Callable[[str], str]) -> str:
    """A reason in the operator's language (a plain string is shown as it is)."""
    return reason.explain(translate) if isinstance(reason, Reason) else reason


class FileError(ValueError):
    """The file as a whole cannot be read (not CSV/GeoJSON, missing columns)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int  # CSV: the line's row number (the header is row 1); GeoJSON: the feature's number from 1
    external_id: str
    reasons: tuple[str, ...]


@dataclass
class Parsed:
    accepted: list[tuple[int, ServicePoint]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.accepted) + len(self.rejected)


def _text(value: Any) -> str:
    text = "" if value is None else " ".join(str(value).split())
    if text.startswith("'") and text[1:2] and text[1] in _FORMULA_START:
        return text[1:]  # neutralised on export (see _cell)
    return text


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run: a text starting like a formula gets a leading "'"."""
    if value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _number(name: str, value: Any, low: float, high: float, reasons: list[str]) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        reasons.append(Reason(N_("{column} {value} is not a number"), column=name, value=repr(_text(value))))
        return None
    if not low <= number <= high or number != number:  # NaN
        reasons.append(
            Reason(
                N_("{column} {value} is out of range ({low} to {high})"), column=name, value=number, low=low, high=high
            )
        )
        return None
    return number


def _looks_swapped(lat_text: str, lon_text: str) -> bool:
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        return False
    return in_vietnam(lon, lat) and not in_vietnam(lat, lon)


class _Checks:
    """One record's fields, checked one rule at a time; each rule adds what is wrong to ``reasons``."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record
        self.values = {column: _text(record.get(column)) for column in COLUMNS if column != "kinds"}
        self.reasons: list[str] = []

    def required(self) -> None:
        for column in REQUIRED:
            if column != "kinds" and not self.values[column]:
                self.reasons.append(Reason(N_("{column} is missing"), column=column))

    def external_id(self) -> str:
        external_id = self.values["external_id"]
        if external_id and not _EXTERNAL_ID.match(external_id):
            self.reasons.append(
                Reason(
                    N_("external_id {value} must be 1-64 letters, digits or . _ : / -"),
                    field="external_id",
                    value=repr(external_id),
                )
            )
        return external_id

    def lengths(self) -> None:
        for column, limit in LIMITS.items():
            if len(self.values[column]) > limit:
                self.reasons.append(
                    Reason(N_("{column} is longer than {limit} characters"), column=column, limit=limit)
                )

    def kinds(self) -> tuple[str, ...]:
        raw = self.record.get("kinds")
        items = raw if isinstance(raw, list) else re.split(r"[;,|]", _text(raw))
        kinds = tuple(dict.fromkeys(_text(k).lower() for k in items if _text(k)))
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            self.reasons.append(
                Reason(
                    N_("unknown service kind {kinds} (known: {known})"),
                    field="kinds",
                    kinds=", ".join(unknown),
                    known=", ".join(KINDS),
                )
            )
        elif not kinds:
            self.reasons.append(Reason(N_("{column} is missing"), column="kinds"))
        return kinds

    def province(self, gazetteer: Gazetteer) -> Province | None:
        name = self.values["province"]
        province = gazetteer.province(name) if name else None
        if name and province is None:
            self.reasons.append(Reason(N_("unknown province {value}"), field="province", value=repr(name)))
        return province

    def coordinates(self, province: Province | None) -> tuple[float, float] | None:
        lat_text, lon_text = self.values["latitude"], self.values["longitude"]
        if not (lat_text and lon_text):
            return None
        if _looks_swapped(lat_text, lon_text):
            self.reasons.append(
                Reason(
                    N_("latitude {lat} and longitude {lon} look swapped"), field="latitude", lat=lat_text, lon=lon_text
                )
            )
            return None
        lat = _number("latitude", lat_text, -90, 90, self.reasons)
        lon = _number("longitude", lon_text, -180, 180, self.reasons)
        if lat is None or lon is None:
            return None
        if not in_vietnam(lat, lon):
            self.reasons.append(
                Reason(N_("coordinates {lat}, {lon} are outside Viet Nam"), field="latitude", lat=lat, lon=lon)
            )
        elif province is not None:
            distance = min(haversine_km(lat, lon, plat, plon) for plat, plon in province.former_points)
            if distance > FAR_FROM_PROVINCE_KM:
                self.reasons.append(
                    Reason(
                        N_("coordinates {lat}, {lon} are {km} km from {province}"),
                        field="latitude",
                        lat=lat,
                        lon=lon,
                        km=f"{distance:.0f}",
                        province=province.name,
                    )
                )
        return lat, lon

    def hours(self) -> OpeningHours | None:
        try:
            return parse_hours(self.values["hours"])
        except HoursError as exc:
            self.reasons.append(Reason(N_("opening hours: {reason}"), field="hours", reason=exc))
            return None

    def verified_on(self) -> date | None:
        text = self.values["verified_on"]
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.reasons.append(
                Reason(N_("verified_on {value} is not a date (YYYY-MM-DD)"), field="verified_on", value=repr(text))
            )
            return None

    def phone(self) -> str:
        phone = self.values["phone"]
        if phone and not _PHONE.match(phone):
            self.reasons.append(Reason(N_("phone {value} is not a phone number"), field="phone", value=repr(phone)))
        return phone

    def about(self) -> About:
        values = self.values
        status = values["status"].lower() or "active"
        if status not in STATUSES:
            self.reasons.append(
                Reason(ONE_OF, column="status", value=repr(values["status"]), known=", ".join(STATUSES))
            )
        fee = values["fee"].lower() or "unknown"
        if fee not in FEES:
            self.reasons.append(Reason(ONE_OF, column="fee", value=repr(values["fee"]), known=", ".join(FEES)))
        if values["url"] and not _URL.match(values["url"]):
            self.reasons.append(
                Reason(
                    N_("url {value} is not a web address (http:// or https://)"), field="url", value=repr(values["url"])
                )
            )
        if values["email"] and not _EMAIL.match(values["email"]):
            self.reasons.append(
                Reason(N_("email {value} is not an email address"), field="email", value=repr(values["email"]))
            )
        languages = tuple(
            dict.fromkeys(x.strip().lower() for x in re.split(r"[;,|]", values["languages"]) if x.strip())
        )
        wrong = [x for x in languages if not _LANGUAGE.match(x)]
        if wrong:
            self.reasons.append(
                Reason(
                    N_("languages {value}: use ISO 639 codes such as vi, en"), field="languages", value=", ".join(wrong)
                )
            )
        ages = [self._age(name) for name in ("min_age", "max_age")]
        if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
            self.reasons.append(
                Reason(N_("min_age {low} is above max_age {high}"), field="min_age", low=ages[0], high=ages[1])
            )
        return About(
            status=status,
            description=values["description"],
            url=values["url"],
            email=values["email"],
            eligibility=values["eligibility"],
            min_age=ages[0],
            max_age=ages[1],
            fee=fee,
            languages=languages,
            accessibility=values["accessibility"],
        )

    def _age(self, column: str) -> int | None:
        text = self.values[column]
        if not text:
            return None
        if not text.isdigit() or int(text) > 120:
            self.reasons.append(
                Reason(N_("{column} {value} is not an age in years (0 to 120)"), column=column, value=repr(text))
            )
            return None
        return int(text)

    def sample(self) -> bool:
        text = self.values["sample"].lower()
        if text not in _TRUE | _FALSE:
            self.reasons.append(
                Reason(N_("sample {value} is not true or false"), field="sample", value=repr(self.values["sample"]))
            )
        return text in _TRUE


def validate(record: Mapping[str, Any], gazetteer: Gazetteer) -> ServicePoint | list[str]:
    """One record as a service point, or the list of what is wrong with it (every rule is checked)."""
    check = _Checks(record)
    check.required()
    external_id = check.external_id()
    check.lengths()
    kinds = check.kinds()
    province = check.province(gazetteer)
    where = check.coordinates(province)
    hours, verified_on, phone, sample = check.hours(), check.verified_on(), check.phone(), check.sample()
    about = check.about()
    if check.reasons or province is None or where is None:
        return check.reasons or [Reason(N_("incomplete record"))]
    values = check.values
    return ServicePoint(
        external_id=external_id,
        name=values["name"],
        kinds=kinds,
        address=values["address"],
        province=province.id,
        commune=values["commune"],
        lat=where[0],
        lon=where[1],
        phone=phone,
        hours=hours,
        notes=values["notes"],
        source=values["source"],
        verified_on=verified_on,
        sample=sample,
        about=about,
    )


_ROW_ERROR = "__row_error"


def _collect(records: Iterable[tuple[int, Mapping[str, Any]]], gazetteer: Gazetteer) -> Parsed:
    parsed = Parsed()
    first_row: dict[str, int] = {}
    for row, record in records:
        external_id = _text(record.get("external_id"))
        if _ROW_ERROR in record:
            outcome: ServicePoint | list[str] = [record[_ROW_ERROR]]
        else:
            outcome = validate(record, gazetteer)
        if isinstance(outcome, ServicePoint) and external_id in first_row:
            outcome = [
                Reason(
                    N_("external_id {value} appears again (first in row {row})"),
                    value=repr(external_id),
                    row=first_row[external_id],
                )
            ]
        if isinstance(outcome, ServicePoint):
            first_row[external_id] = row
            parsed.accepted.append((row, outcome))
        else:
            parsed.rejected.append(Rejection(row, external_id, tuple(outcome)))
    return parsed


def parse_csv(text: str, gazetteer: Gazetteer) -> Parsed:
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or ()]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileError(f"the CSV header lacks the column(s) {', '.join(missing)}")
    reader.fieldnames = header

    def records() -> Iterable[tuple[int, Mapping[str, Any]]]:
        for record in reader:
            if None in record:
                yield (
                    reader.line_num,
                    {"external_id": record.get("external_id"), _ROW_ERROR: Reason(N_("more cells than columns"))},
                )
            else:
                yield reader.line_num, record

    try:
        return _collect(records(), gazetteer)
    except csv.Error as exc:
        raise FileError(f"the CSV cannot be read near line {reader.line_num}: {exc}") from None


def parse_geojson(text: str, gazetteer: Gazetteer) -> Parsed:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FileError(f"not valid JSON: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise FileError("not a GeoJSON FeatureCollection")

    def records() -> Iterable[tuple[int, Mapping[str, Any]]]:
        for number, feature in enumerate(data["features"], start=1):
            properties = feature.get("properties") if isinstance(feature, dict) else None
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            record: dict[str, Any] = dict(properties) if isinstance(properties, dict) else {}
            feature_id = feature.get("id") if isinstance(feature, dict) else None
            if not _text(record.get("external_id")) and isinstance(feature_id, str | int):
                record["external_id"] = str(feature_id)  # RFC 7946 §3.2: the feature's own identifier
            if isinstance(record.get("languages"), list):
                record["languages"] = ";".join(map(str, record["languages"]))
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                isinstance(geometry, dict)
                and geometry.get("type") == "Point"
                and isinstance(coordinates, list)
                and len(coordinates) == 2
            ):
                record["longitude"], record["latitude"] = coordinates[0], coordinates[1]
            elif isinstance(coordinates, list) and len(coordinates) > 2:
                record[_ROW_ERROR] = Reason(N_("coordinates have an altitude: give [longitude, latitude] only"))
            else:
                record["longitude"] = record["latitude"] = ""
            yield number, record

    return _collect(records(), gazetteer)


def _row(point: ServicePoint) -> dict[str, str]:
    return {
        "external_id": point.external_id,
        "name": point.name,
        "kinds": ";".join(point.kinds),
        "address": point.address,
        "province": point.province,
        "commune": point.commune,
        "latitude": f"{point.lat:.6f}",
        "longitude": f"{point.lon:.6f}",
        "phone": point.phone,
        "hours": format_hours(point.hours),
        "notes": point.notes,
        "source": point.source,
        "verified_on": point.verified_on.isoformat() if point.verified_on else "",
        "sample": "true" if point.sample else "false",
        "status": point.about.status,
        "description": point.about.description,
        "url": point.about.url,
        "email": point.about.email,
        "eligibility": point.about.eligibility,
        "min_age": "" if point.about.min_age is None else str(point.about.min_age),
        "max_age": "" if point.about.max_age is None else str(point.about.max_age),
        "fee": point.about.fee,
        "languages": ";".join(point.about.languages),
        "accessibility": point.about.accessibility,
    }


def point_record(point: ServicePoint) -> dict[str, str]:
    """A point as the record an import reads (the columns, as text): what a form to edit it starts from."""
    return _row(point)


def to_csv(points: Iterable[ServicePoint]) -> str:
    """RFC 4180: rows end in CRLF; cells that a spreadsheet would run as a formula are neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for point in points:
        writer.writerow({column: _cell(value) for column, value in _row(point).items()})
    return out.getvalue()


def to_geojson(points: Iterable[ServicePoint]) -> str:
    features = []
    for point in points:
        properties: dict[str, Any] = {
            k: v
            for k, v in _row(point).items()
            if k not in ("latitude", "longitude", "kinds", "sample", "languages", "min_age", "max_age")
        }
        properties["kinds"] = list(point.kinds)
        properties["sample"] = point.sample
        properties["languages"] = list(point.about.languages)
        properties["min_age"], properties["max_age"] = point.about.min_age, point.about.max_age
        features.append(
            {
                "type": "Feature",
                "id": point.external_id,  # RFC 7946 §3.2
                "geometry": {"type": "Point", "coordinates": [round(point.lon, 6), round(point.lat, 6)]},
                "properties": properties,
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n"
