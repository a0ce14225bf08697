"""Service points in and out of files: CSV and GeoJSON, with a validation that names the row and the
reason for every record it rejects.

CSV columns (a header row; UTF-8, with or without BOM)::

    external_id, name, kinds, address, province, commune, latitude, longitude, phone, hours, notes,
    source, verified_on, sample

``kinds`` is a list of kind ids separated by ";"; ``province`` a province name, new or pre-2025 (resolved
to the unit in force since 2025-07-01); ``hours`` follows :mod:`domain.hours`; ``verified_on`` is
YYYY-MM-DD; ``sample`` is true/false.  GeoJSON: a FeatureCollection of Point features whose properties
are the same columns (``kinds`` may be a list), coordinates in the geometry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.directory import KINDS, ServicePoint
from domain.gazetteer import Gazetteer
from domain.geo import haversine_km, in_vietnam
from domain.hours import HoursError, format_hours, parse_hours

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
)
REQUIRED = ("external_id", "name", "kinds", "province", "latitude", "longitude")
FAR_FROM_PROVINCE_KM = 250.0
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{5,23}$")
_TRUE, _FALSE = {"true", "yes", "1", "có", "x"}, {"false", "no", "0", "không", ""}  # noqa: i18n
LIMITS = {"name": 200, "address": 300, "commune": 100, "notes": 1000, "source": 200, "phone": 24}


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
    return "" if value is None else " ".join(str(value).split())


def _number(name: str, value: Any, low: float, high: float, reasons: list[str]) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        reasons.append(f"{name} {_text(value)!r} is not a number")
        return None
    if not low <= number <= high or number != number:  # NaN
        reasons.append(f"{name} {number} is out of range ({low} to {high})")
        return None
    return number


def _looks_swapped(lat_text: str, lon_text: str) -> bool:
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        return False
    return in_vietnam(lon, lat) and not in_vietnam(lat, lon)


def validate(record: Mapping[str, Any], gazetteer: Gazetteer) -> ServicePoint | list[str]:
    """One record as a service point, or the list of what is wrong with it."""
    reasons: list[str] = []
    values = {column: _text(record.get(column)) for column in COLUMNS if column != "kinds"}
    for column in REQUIRED:
        if column != "kinds" and not values[column]:
            reasons.append(f"{column} is missing")
    external_id = values["external_id"]
    if external_id and not _EXTERNAL_ID.match(external_id):
        reasons.append(f"external_id {external_id!r} must be 1-64 letters, digits or . _ : / -")
    for column, limit in LIMITS.items():
        if len(values[column]) > limit:
            reasons.append(f"{column} is longer than {limit} characters")

    raw_kinds = record.get("kinds")
    items = raw_kinds if isinstance(raw_kinds, list) else re.split(r"[;,|]", _text(raw_kinds))
    kinds = tuple(dict.fromkeys(_text(k).lower() for k in items if _text(k)))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        reasons.append(f"unknown service kind {', '.join(unknown)} (known: {', '.join(KINDS)})")
    elif not kinds:
        reasons.append("kinds is missing")

    province = gazetteer.province(values["province"]) if values["province"] else None
    if values["province"] and province is None:
        reasons.append(f"unknown province {values['province']!r}")

    lat = lon = None
    if values["latitude"] and values["longitude"]:
        swapped = _looks_swapped(values["latitude"], values["longitude"])
        if swapped:
            reasons.append(f"latitude {values['latitude']} and longitude {values['longitude']} look swapped")
        else:
            lat = _number("latitude", values["latitude"], -90, 90, reasons)
            lon = _number("longitude", values["longitude"], -180, 180, reasons)
    if lat is not None and lon is not None:
        if not in_vietnam(lat, lon):
            reasons.append(f"coordinates {lat}, {lon} are outside Viet Nam")
        elif province is not None:
            distance = min(haversine_km(lat, lon, plat, plon) for plat, plon in province.former_points)
            if distance > FAR_FROM_PROVINCE_KM:
                reasons.append(f"coordinates {lat}, {lon} are {distance:.0f} km from {province.name}")

    try:
        hours = parse_hours(values["hours"])
    except HoursError as exc:
        reasons.append(f"opening hours: {exc}")
        hours = None

    verified_on = None
    if values["verified_on"]:
        try:
            verified_on = date.fromisoformat(values["verified_on"])
        except ValueError:
            reasons.append(f"verified_on {values['verified_on']!r} is not a date (YYYY-MM-DD)")

    phone = values["phone"]
    if phone and not _PHONE.match(phone):
        reasons.append(f"phone {phone!r} is not a phone number")

    sample_text = values["sample"].lower()
    if sample_text not in _TRUE | _FALSE:
        reasons.append(f"sample {values['sample']!r} is not true or false")

    if reasons or province is None or lat is None or lon is None:
        return reasons or ["incomplete record"]
    return ServicePoint(
        external_id=external_id,
        name=values["name"],
        kinds=kinds,
        address=values["address"],
        province=province.id,
        commune=values["commune"],
        lat=lat,
        lon=lon,
        phone=phone,
        hours=hours,
        notes=values["notes"],
        source=values["source"],
        verified_on=verified_on,
        sample=sample_text in _TRUE,
    )


_ROW_ERROR = "__row_error"


def _collect(records: Iterable[tuple[int, Mapping[str, Any]]], gazetteer: Gazetteer) -> Parsed:
    parsed = Parsed()
    first_row: dict[str, int] = {}
    for row, record in records:
        external_id = _text(record.get("external_id"))
        if _ROW_ERROR in record:
            outcome: ServicePoint | list[str] = [str(record[_ROW_ERROR])]
        else:
            outcome = validate(record, gazetteer)
        if isinstance(outcome, ServicePoint) and external_id in first_row:
            outcome = [f"external_id {external_id!r} appears again (first in row {first_row[external_id]})"]
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
                yield reader.line_num, {"external_id": record.get("external_id"), _ROW_ERROR: "more cells than columns"}
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
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                isinstance(geometry, dict)
                and geometry.get("type") == "Point"
                and isinstance(coordinates, list)
                and len(coordinates) >= 2
            ):
                record["longitude"], record["latitude"] = coordinates[0], coordinates[1]
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
    }


def to_csv(points: Iterable[ServicePoint]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for point in points:
        writer.writerow(_row(point))
    return out.getvalue()


def to_geojson(points: Iterable[ServicePoint]) -> str:
    features = []
    for point in points:
        properties: dict[str, Any] = {
            k: v for k, v in _row(point).items() if k not in ("latitude", "longitude", "kinds", "sample")
        }
        properties["kinds"] = list(point.kinds)
        properties["sample"] = point.sample
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(point.lon, 6), round(point.lat, 6)]},
                "properties": properties,
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n"
