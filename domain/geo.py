"""Distances on the Earth and the nearest-points index.

Ranking is exact: points are placed on the unit sphere, where the straight-line (chord) distance grows
strictly with the great-circle angle, so a k-d tree over those 3-D vectors returns exactly the order the
haversine formula gives; the reported distance is then the haversine distance itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from scipy.spatial import KDTree

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

# Viet Nam's mainland and near-shore islands (Phú Quốc, Côn Đảo, Cát Bà ...), generously rounded.
VIETNAM_BOUNDS = (8.0, 102.0, 23.5, 110.0)  # south, west, north, east


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """ "21.028 105.854", "21.028, 105.854" or "21,028 105,854": (latitude, longitude) as typed, unchecked;
    None unless there are exactly two numbers."""
    if "." not in text:
        text = re.sub(r"(\d),(\d)", r"\1.\2", text)  # decimal commas
    numbers = re.findall(r"[-+]?\d+(?:\.\d+)?", text)
    if len(numbers) != 2 or re.sub(r"[-+]?\d+(?:\.\d+)?|[\s,;]", "", text):
        return None
    return float(numbers[0]), float(numbers[1])


def on_earth(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def in_vietnam(lat: float, lon: float) -> bool:
    south, west, north, east = VIETNAM_BOUNDS
    return south <= lat <= north and west <= lon <= east


def _unit_vectors(lats: NDArray[np.float64], lons: NDArray[np.float64]) -> NDArray[np.float64]:
    import numpy as np

    phi, lam = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


@dataclass(frozen=True, slots=True)
class Hit:
    key: int  # the caller's key for the point (its database id)
    km: float


class NearestIndex:
    """Nearest points to a location, exactly as haversine ranks them, in well under a millisecond."""

    def __init__(self, keys: Sequence[int], lats: Sequence[float], lons: Sequence[float]) -> None:
        if not len(keys) == len(lats) == len(lons):
            raise ValueError("keys, latitudes and longitudes differ in length")
        import numpy as np  # with the first index, not with the process, like scipy below

        self._keys = np.asarray(keys, dtype=np.int64)
        self._lats = np.asarray(lats, dtype=np.float64)
        self._lons = np.asarray(lons, dtype=np.float64)
        self._tree: KDTree | None = None
        if len(keys):
            from scipy.spatial import KDTree  # imported with the first index, not with the process (0.25 s)

            self._tree = KDTree(_unit_vectors(self._lats, self._lons))

    def __len__(self) -> int:
        return len(self._keys)

    def nearest(self, lat: float, lon: float, k: int) -> list[Hit]:
        """The ``k`` nearest points, nearest first; ties broken by key, so the order is stable."""
        if self._tree is None or k <= 0:
            return []
        import numpy as np

        k = min(k, len(self._keys))
        origin = _unit_vectors(np.array([lat]), np.array([lon]))[0]
        chords, _ = self._tree.query(origin, k=k)
        # Everything as close as the k-th point, then ranked by haversine and key: ties and rounding at the
        # edge come out exactly as a full scan's.
        reach = float(np.atleast_1d(chords)[-1]) * (1 + 1e-9) + 1e-12
        rows = self._tree.query_ball_point(origin, reach)
        hits = [
            Hit(int(self._keys[i]), haversine_km(lat, lon, float(self._lats[i]), float(self._lons[i]))) for i in rows
        ]
        hits.sort(key=lambda hit: (hit.km, hit.key))
        return hits[:k]


def nearest_by_scan(points: Sequence[tuple[int, float, float]], lat: float, lon: float, k: int) -> list[Hit]:
    """The same answer as :class:`NearestIndex`, by computing every distance: the reference and baseline."""
    hits = [Hit(key, haversine_km(lat, lon, plat, plon)) for key, plat, plon in points]
    hits.sort(key=lambda hit: (hit.km, hit.key))
    return hits[:k]
