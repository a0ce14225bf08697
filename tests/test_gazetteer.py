"""The shipped gazetteer: 34 units since 2025-07-01, the 63 they replaced, and typed place names."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.gazetteer import AREA, COMMUNE, FORMER, PROVINCE, commune_places, load_gazetteer, place_key
from domain.geo import haversine_km, in_vietnam

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = load_gazetteer(ROOT / "data" / "gazetteer" / "vietnam.toml")

# The mergers, written out independently of the data file (new unit: pre-2025 provinces).
MERGERS = {
    "Tuyên Quang": {"Hà Giang", "Tuyên Quang"},
    "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Bắc Kạn", "Thái Nguyên"},
    "Phú Thọ": {"Vĩnh Phúc", "Phú Thọ", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Giang", "Bắc Ninh"},
    "Hưng Yên": {"Thái Bình", "Hưng Yên"},
    "Hải Phòng": {"Hải Dương", "Hải Phòng"},
    "Ninh Bình": {"Hà Nam", "Nam Định", "Ninh Bình"},
    "Quảng Trị": {"Quảng Bình", "Quảng Trị"},
    "Đà Nẵng": {"Quảng Nam", "Đà Nẵng"},
    "Quảng Ngãi": {"Kon Tum", "Quảng Ngãi"},
    "Gia Lai": {"Gia Lai", "Bình Định"},
    "Khánh Hòa": {"Ninh Thuận", "Khánh Hòa"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Phú Yên", "Đắk Lắk"},
    "TP Hồ Chí Minh": {"TP Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"},
    "Đồng Nai": {"Bình Phước", "Đồng Nai"},
    "Tây Ninh": {"Long An", "Tây Ninh"},
    "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Bến Tre", "Vĩnh Long", "Trà Vinh"},
    "Đồng Tháp": {"Tiền Giang", "Đồng Tháp"},
    "Cà Mau": {"Bạc Liêu", "Cà Mau"},
    "An Giang": {"Kiên Giang", "An Giang"},
}
UNCHANGED = {
    "Hà Nội": "Hà Nội",
    "Huế": "Thừa Thiên Huế",
    "Lai Châu": "Lai Châu",
    "Điện Biên": "Điện Biên",
    "Sơn La": "Sơn La",
    "Lạng Sơn": "Lạng Sơn",
    "Quảng Ninh": "Quảng Ninh",
    "Thanh Hóa": "Thanh Hóa",
    "Nghệ An": "Nghệ An",
    "Hà Tĩnh": "Hà Tĩnh",
    "Cao Bằng": "Cao Bằng",
}


def test_34_units_made_of_the_63_former_provinces_as_the_law_merged_them() -> None:
    assert len(GAZETTEER.provinces) == 34
    formers = {p.id.removeprefix("former:"): p for p in GAZETTEER.places if p.kind == FORMER}
    assert len(formers) == 63
    actual = {province.name: {formers[m].name for m in province.former} for province in GAZETTEER.provinces.values()}
    expected = MERGERS | {new: {old} for new, old in UNCHANGED.items()}
    assert actual == expected


def test_every_coordinate_is_in_vietnam_and_areas_are_near_their_province() -> None:
    for place in GAZETTEER.places:
        assert in_vietnam(place.lat, place.lon), place.name
        if place.kind == AREA:
            province = GAZETTEER.provinces[place.province]
            nearest = min(haversine_km(place.lat, place.lon, lat, lon) for lat, lon in province.former_points)
            assert nearest < 60, f"{place.name} is {nearest:.0f} km from {province.name}"


@pytest.mark.parametrize(
    ("typed", "province"),
    [
        ("Bà Rịa - Vũng Tàu", "ho-chi-minh"),
        ("ba ria vung tau", "ho-chi-minh"),
        ("BR-VT", "ho-chi-minh"),
        ("Bình Dương", "ho-chi-minh"),
        ("Bắc Giang", "bac-ninh"),
        ("Hải Dương", "hai-phong"),
        ("Thừa Thiên Huế", "hue"),
        ("tỉnh Quảng Nam", "da-nang"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("TP.HCM", "ho-chi-minh"),
        ("ha noi", "ha-noi"),
        ("HÀ NỘI", "ha-noi"),
        ("Đắc Lắc", "dak-lak"),
        ("ho-chi-minh", "ho-chi-minh"),
        ("Vũng Tàu", "ho-chi-minh"),  # a town people use as if it were the province
        ("Hoàn Kiếm", "ha-noi"),
    ],
)
def test_old_and_new_province_names_resolve_to_the_unit_in_force(typed: str, province: str) -> None:
    found = GAZETTEER.province(typed)
    assert found is not None and found.id == province


@pytest.mark.parametrize("typed", ["Atlantis", "", "Paris", "Thanh"])
def test_what_is_not_a_province_is_not_one(typed: str) -> None:
    assert GAZETTEER.province(typed) is None


@pytest.mark.parametrize(
    ("typed", "name", "kind"),
    [
        ("hoan kiem", "Hoàn Kiếm", AREA),
        ("Hoàn Kiếm", "Hoàn Kiếm", AREA),
        ("quận Hoàn Kiếm", "Hoàn Kiếm", AREA),
        ("Vũng Tàu", "Vũng Tàu", AREA),
        ("vung tau", "Vũng Tàu", AREA),
        ("quận 8", "Quận 8", AREA),
        ("quan 8", "Quận 8", AREA),
        ("Q8", "Quận 8", AREA),
        ("q.8", "Quận 8", AREA),
        ("Q. 8", "Quận 8", AREA),
        ("district 8", "Quận 8", AREA),
        ("Bắc Giang", "Bắc Giang", FORMER),
        ("sai gon", "TP Hồ Chí Minh", PROVINCE),
        ("toi o long bien ha noi", "Long Biên", AREA),
        ("phường Hoàn Kiếm, Hà Nội", "Hoàn Kiếm", AREA),
    ],
)
def test_a_typed_place_is_found_whatever_the_accents_case_and_admin_words(typed: str, name: str, kind: str) -> None:
    (place,) = GAZETTEER.lookup(typed)
    assert (place.name, place.kind) == (name, kind)


def test_quan_1_is_not_quan_10_or_12() -> None:
    assert [p.name for p in GAZETTEER.lookup("quận 1")] == ["Quận 1"]
    assert [p.name for p in GAZETTEER.lookup("Q10")] == ["Quận 10"]


def test_ambiguous_names_offer_each_place_most_specific_first() -> None:
    names = [(p.name, p.kind) for p in GAZETTEER.lookup("thanh")]
    assert ("Thanh Xuân", AREA) in names and ("Thanh Khê", AREA) in names and ("Thanh Hóa", PROVINCE) in names
    assert names.index(("Thanh Xuân", AREA)) < names.index(("Thanh Hóa", PROVINCE))
    assert ("Thanh Hóa", FORMER) not in names  # the old province of the same name is the same place


def test_unknown_and_too_short_text_finds_nothing() -> None:
    assert GAZETTEER.lookup("xyz") == []
    assert GAZETTEER.lookup("th") == []
    assert GAZETTEER.lookup("!!!") == []


def test_communes_from_the_directory_are_places_too_and_win_over_a_same_named_district() -> None:
    communes = commune_places(
        [("ha-noi", "Phường Long Biên", 21.04, 105.89), ("ha-noi", "phường long biên", 21.03, 105.90)]
    )
    assert len(communes) == 1 and communes[0].kind == COMMUNE
    assert (communes[0].lat, communes[0].lon) == pytest.approx((21.035, 105.895))
    (place,) = GAZETTEER.lookup("long bien", extra=communes)
    assert place.kind == COMMUNE


def test_place_keys() -> None:
    assert place_key("Thành phố Hồ Chí Minh") == "ho chi minh"
    assert place_key("  Quận   10 ") == "quan 10"
    assert place_key("Xã Thanh Trì") == "thanh tri"
    assert place_key("Thanh Xuân") == "thanh xuan"  # "thanh" alone is not an administrative word


def test_the_extra_places_index_is_built_once_per_list_and_follows_a_new_list() -> None:
    """The finder passes a snapshot's communes on every search: their keys are merged once for that list, and a new
    snapshot (another list) is looked up with its own communes, never the old ones."""
    gazetteer = load_gazetteer(ROOT / "data" / "gazetteer" / "vietnam.toml")
    old = commune_places([("ha-noi", "Phường Cũ Xưa", 21.03, 105.85)])  # (noqa: i18n)
    new = commune_places([("ha-noi", "Phường Mới Tinh", 21.03, 105.85)])  # (noqa: i18n)
    assert [p.name for p in gazetteer.lookup("phuong cu xua", extra=old)] == ["Phường Cũ Xưa"]  # (noqa: i18n)
    assert gazetteer._keys_with(old) is gazetteer._keys_with(old)  # built once for that list
    assert gazetteer.lookup("phuong cu xua", extra=new) == []
    assert [p.name for p in gazetteer.lookup("phuong moi tinh", extra=new)] == ["Phường Mới Tinh"]  # (noqa: i18n)
    assert gazetteer.lookup("phuong moi tinh") == []  # the shipped places alone are untouched
