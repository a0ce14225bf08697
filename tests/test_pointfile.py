"""Import files: every kind of bad row is rejected with its row and reason; good rows survive a round
trip through both formats unchanged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from domain.pointfile import COLUMNS, FileError, parse_csv, parse_geojson, to_csv, to_geojson
from tests.test_gazetteer import GAZETTEER

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "external_id,name,kinds,address,province,commune,latitude,longitude,phone,hours,notes,source,verified_on,sample"
)
GOOD = (
    "p-1,Điểm A,methadone;hiv_testing,Số 1,Hải Dương,Phường X,20.94,106.31,024 3826 1234,Mo-Fr 08:00-17:00,,,"
    "2026-10-01,false"
)


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_a_good_row_becomes_a_point_in_the_new_province() -> None:
    parsed = parse_csv(csv_of(GOOD), GAZETTEER)
    assert parsed.rejected == []
    ((row, point),) = parsed.accepted
    assert row == 2
    assert point.province == "hai-phong"  # Hải Dương merged into Hải Phòng
    assert point.kinds == ("methadone", "hiv_testing")
    assert point.hours is not None and point.verified_on is not None and not point.sample


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("b,Bad,methadone,,Hà Nội,,abc,105.8,,,,,,", "latitude 'abc' is not a number"),
        ("b,Bad,methadone,,Hà Nội,,95,105.8,,,,,,", "latitude 95.0 is out of range"),
        ("b,Bad,methadone,,Hà Nội,,48.85,2.35,,,,,,", "outside Viet Nam"),
        ("b,Bad,methadone,,Hà Nội,,105.85,21.03,,,,,,", "look swapped"),
        ("b,Bad,methadone,,Hà Nội,,10.77,106.70,,,,,,", "km from Hà Nội"),
        ("b,Bad,methadone,,Atlantis,,21.03,105.85,,,,,,", "unknown province 'Atlantis'"),
        ("b,Bad,rehab;methadone,,Hà Nội,,21.03,105.85,,,,,,", "unknown service kind rehab"),
        ("b,Bad,,,Hà Nội,,21.03,105.85,,,,,,", "kinds is missing"),
        ("b,Bad,methadone,,Hà Nội,,21.03,105.85,,sáng thứ hai,,,,", 'opening hours: "sáng"'),
        ("b,Bad,methadone,,Hà Nội,,21.03,105.85,,,,,2026-13-01,", "not a date"),
        ("b,Bad,methadone,,Hà Nội,,21.03,105.85,call us,,,,,", "is not a phone number"),
        ("b,Bad,methadone,,Hà Nội,,21.03,105.85,,,,,,maybe", "is not true or false"),
        (",Bad,methadone,,Hà Nội,,21.03,105.85,,,,,,", "external_id is missing"),
        ("b b,Bad,methadone,,Hà Nội,,21.03,105.85,,,,,,", "external_id 'b b' must be"),
        ("b,,methadone,,Hà Nội,,21.03,105.85,,,,,,", "name is missing"),
        ("b,Bad,methadone,,,,21.03,105.85,,,,,,", "province is missing"),
        ("b,Bad,methadone,,Hà Nội,,,105.85,,,,,,", "latitude is missing"),
        ("b,Bad,methadone,,Hà Nội,,21.03,105.85,,,,,,,extra", "more cells than columns"),
    ],
)
def test_each_bad_row_is_rejected_with_its_row_and_reason(row: str, reason: str) -> None:
    parsed = parse_csv(csv_of(GOOD, row), GAZETTEER)
    assert [r for r, _ in parsed.accepted] == [2]  # the good row is still accepted
    (rejection,) = parsed.rejected
    assert rejection.row == 3
    assert any(reason in text for text in rejection.reasons), rejection.reasons


def test_all_reasons_of_one_row_are_given_together() -> None:
    parsed = parse_csv(csv_of("b,,rehab,,Atlantis,,abc,105.85,,8h,,,,"), GAZETTEER)
    (rejection,) = parsed.rejected
    assert len(rejection.reasons) == 5  # name, kind, province, latitude, hours


def test_a_repeated_external_id_is_rejected_pointing_at_the_first() -> None:
    parsed = parse_csv(csv_of(GOOD, GOOD.replace("Điểm A", "Điểm B")), GAZETTEER)
    assert len(parsed.accepted) == 1
    assert parsed.rejected[0].reasons == ("external_id 'p-1' appears again (first in row 2)",)


def test_a_header_without_the_required_columns_rejects_the_file() -> None:
    with pytest.raises(FileError, match="latitude, longitude"):
        parse_csv("external_id,name,kinds,province\nx,y,methadone,Hà Nội\n", GAZETTEER)


def test_a_bom_and_a_quoted_comma_are_fine() -> None:
    row = 'p-2,"Điểm B, cơ sở 2",methadone,"Số 2, ngõ 3",Hà Nội,,21.03,105.85,,,,,,'
    parsed = parse_csv("\ufeff" + csv_of(row), GAZETTEER)
    assert [p.name for _, p in parsed.accepted] == ["Điểm B, cơ sở 2"]


def test_geojson_features_are_checked_like_rows() -> None:
    good = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [105.85, 21.03]},
        "properties": {"external_id": "g-1", "name": "G", "kinds": ["detox"], "province": "Hà Nội"},
    }
    no_geometry = {"type": "Feature", "geometry": None, "properties": {**good["properties"], "external_id": "g-2"}}  # type: ignore[dict-item]
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105, 21], [106, 21]]}}
    text = json.dumps({"type": "FeatureCollection", "features": [good, no_geometry, line, "junk"]})
    parsed = parse_geojson(text, GAZETTEER)
    assert [(r, p.external_id) for r, p in parsed.accepted] == [(1, "g-1")]
    assert [r.row for r in parsed.rejected] == [2, 3, 4]
    assert any("latitude is missing" in reason for reason in parsed.rejected[0].reasons)


@pytest.mark.parametrize("text", ["not json", "[]", '{"type": "Feature"}'])
def test_geojson_that_is_not_a_feature_collection_rejects_the_file(text: str) -> None:
    with pytest.raises(FileError):
        parse_geojson(text, GAZETTEER)


def test_the_sample_data_round_trips_through_both_formats() -> None:
    parsed = parse_csv((ROOT / "data" / "sample" / "points.csv").read_text(encoding="utf-8"), GAZETTEER)
    assert parsed.rejected == [] and len(parsed.accepted) >= 30
    points = [p for _, p in parsed.accepted]
    assert all(p.sample and p.name.startswith("[Mẫu]") for p in points)
    assert [p for _, p in parse_csv(to_csv(points), GAZETTEER).accepted] == points
    assert [p for _, p in parse_geojson(to_geojson(points), GAZETTEER).accepted] == points
    assert to_csv(points).splitlines()[0] == ",".join(COLUMNS)


FULL_HEADER = HEADER + ",status,description,url,email,eligibility,min_age,max_age,fee,languages,accessibility"


def test_hsds_fields_are_read_checked_and_round_trip() -> None:
    row = (
        GOOD + ",temporarily_closed,Tư vấn và cấp phát methadone,https://example.org/diem-a,diem-a@example.org,"
        "Người đang điều trị,18,,free,vi;en,Lối đi cho xe lăn"
    )
    parsed = parse_csv(FULL_HEADER + "\n" + row + "\n", GAZETTEER)
    assert parsed.rejected == []
    ((_, point),) = parsed.accepted
    about = point.about
    assert (about.status, about.url, about.email, about.min_age, about.max_age) == (
        "temporarily_closed",
        "https://example.org/diem-a",
        "diem-a@example.org",
        18,
        None,
    )
    assert about.fee == "free" and about.languages == ("vi", "en") and about.accessibility == "Lối đi cho xe lăn"
    assert [p for _, p in parse_csv(to_csv([point]), GAZETTEER).accepted] == [point]
    assert [p for _, p in parse_geojson(to_geojson([point]), GAZETTEER).accepted] == [point]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("closed,,,,,,,,,", "status 'closed' is not one of active"),
        ("active,,ftp://x,,,,,,,", "is not a web address"),
        ("active,,,not-an-email,,,,,,", "is not an email address"),
        ("active,,,,,18,16,,,", "min_age 18 is above max_age 16"),
        ("active,,,,,abc,,,,", "min_age 'abc' is not an age"),
        ("active,,,,,,,maybe,,", "fee 'maybe' is not one of free"),
        ("active,,,,,,,,Vietnamese,", "languages vietnamese: use ISO 639 codes"),
    ],
)
def test_bad_hsds_fields_are_rejected_with_the_reason(extra: str, reason: str) -> None:
    parsed = parse_csv(FULL_HEADER + "\n" + GOOD + "," + extra + "\n", GAZETTEER)
    assert parsed.accepted == []
    assert any(reason in r for r in parsed.rejected[0].reasons), parsed.rejected[0].reasons


def test_written_csv_ends_rows_in_crlf_and_neutralises_formulas() -> None:
    hostile = (
        'p-9,=HYPERLINK("http://evil.example"),methadone,@SUM(A1),Hà Nội,-cmd,21.03,105.85,+84 24 3826 1234,'
        ",+1+1,,,false"
    )
    ((_, point),) = parse_csv(csv_of(hostile), GAZETTEER).accepted
    written = to_csv([point])
    assert written.count("\r\n") == 2 and "\n" not in written.replace("\r\n", "")  # RFC 4180
    cells = dict(zip(COLUMNS, next(csv.reader(io.StringIO(written.splitlines()[1]))), strict=True))
    assert cells["name"] == '\'=HYPERLINK("http://evil.example")'
    assert cells["address"] == "'@SUM(A1)" and cells["commune"] == "'-cmd" and cells["notes"] == "'+1+1"
    assert cells["phone"] == "'+84 24 3826 1234"
    assert cells["latitude"] == "21.030000"  # plain numbers are left alone (a negative one would be too)
    # and the import takes the values back as they were
    assert [p for _, p in parse_csv(written, GAZETTEER).accepted] == [point]


def test_geojson_feature_id_and_altitude() -> None:
    feature = {
        "type": "Feature",
        "id": "osm-node-123",
        "geometry": {"type": "Point", "coordinates": [105.85, 21.03]},
        "properties": {"name": "G", "kinds": ["detox"], "province": "Hà Nội"},
    }
    with_altitude = {**feature, "id": "osm-node-124", "geometry": {"type": "Point", "coordinates": [105.85, 21.03, 12]}}
    parsed = parse_geojson(json.dumps({"type": "FeatureCollection", "features": [feature, with_altitude]}), GAZETTEER)
    assert [p.external_id for _, p in parsed.accepted] == ["osm-node-123"]
    assert parsed.rejected[0].reasons == ("coordinates have an altitude: give [longitude, latitude] only",)
    exported = json.loads(to_geojson([p for _, p in parsed.accepted]))
    assert exported["features"][0]["id"] == "osm-node-123"
