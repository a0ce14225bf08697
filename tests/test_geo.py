"""Distances and the nearest-points index: the index's ranking equals a full haversine scan."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.geo import NearestIndex, haversine_km, in_vietnam, nearest_by_scan


def test_haversine_known_distances() -> None:
    assert haversine_km(21.0285, 105.8542, 21.0285, 105.8542) == 0
    # Hà Nội to TP Hồ Chí Minh, centre to centre: about 1,140 km as the crow flies.
    assert 1130 < haversine_km(21.0285, 105.8542, 10.7769, 106.7009) < 1150
    # One degree of latitude is about 111.2 km everywhere.
    assert math.isclose(haversine_km(10, 106, 11, 106), 111.2, abs_tol=0.1)
    # Antipodes: half the circumference.
    assert math.isclose(haversine_km(0, 0, 0, 180), math.pi * 6371.0088, rel_tol=1e-9)


def test_vietnam_bounds_include_the_far_corners_and_exclude_neighbours() -> None:
    assert in_vietnam(23.36, 105.32)  # Lũng Cú, the northern tip
    assert in_vietnam(8.6, 104.72)  # Cà Mau cape
    assert in_vietnam(10.22, 103.96)  # Phú Quốc
    assert not in_vietnam(13.75, 100.5)  # Bangkok
    assert not in_vietnam(48.85, 2.35)  # Paris
    assert not in_vietnam(105.85, 21.03)  # latitude and longitude swapped


coordinates = st.tuples(st.floats(8.0, 23.5), st.floats(102.0, 110.0))


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(coordinates, min_size=0, max_size=60),
    duplicates=st.integers(0, 10),
    origin=coordinates,
    k=st.integers(0, 12),
)
def test_index_ranks_exactly_like_a_full_scan(
    points: list[tuple[float, float]], duplicates: int, origin: tuple[float, float], k: int
) -> None:
    # Exact ties (several points at one place) must come out in the same order as well.
    if points:
        points = points + [points[0]] * duplicates
    keyed = [(key, lat, lon) for key, (lat, lon) in enumerate(points, start=100)]
    random.Random(len(points)).shuffle(keyed)
    index = NearestIndex([p[0] for p in keyed], [p[1] for p in keyed], [p[2] for p in keyed])
    assert index.nearest(*origin, k) == nearest_by_scan(keyed, *origin, k)


def test_index_on_many_points_agrees_with_the_scan() -> None:
    rng = random.Random(7)
    keyed = [(i, rng.uniform(8.5, 23.3), rng.uniform(102.2, 109.5)) for i in range(20_000)]
    index = NearestIndex([p[0] for p in keyed], [p[1] for p in keyed], [p[2] for p in keyed])
    for _ in range(25):
        lat, lon = rng.uniform(8.5, 23.3), rng.uniform(102.2, 109.5)
        assert index.nearest(lat, lon, 5) == nearest_by_scan(keyed, lat, lon, 5)


def test_empty_index_finds_nothing() -> None:
    assert NearestIndex([], [], []).nearest(21.0, 105.8, 5) == []
