"""Benchmark: a typed place ("quan 8", "phuong ben thanh", "thanh") looked up among the shipped gazetteer and the
communes of a directory (default 3,321 synthetic ones, as many as Viet Nam has communes and wards since 2025), the
way the finder does on every typed search.

Usage: python -m bench.places [--communes N] [--lookups L] [--seed X]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from core.hotlines import SHIPPED_DATA
from domain.gazetteer import commune_places, load_gazetteer

TYPED = ("quan 8", "phuong ben thanh", "thanh", "ha noi", "xa tan phu 12", "phuong 7 quan 3", "vung tau", "bac giang")
WORDS = ("An", "Bình", "Tân", "Phú", "Hòa", "Thành", "Đông", "Tây", "Nam", "Bắc", "Long", "Mỹ")  # (noqa: i18n)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(communes: int, lookups: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    gazetteer = load_gazetteer(SHIPPED_DATA / "gazetteer" / "vietnam.toml")
    provinces = list(gazetteer.provinces.values())
    rows = []
    for n in range(communes):
        province = rng.choice(provinces)
        name = f"{rng.choice(('Phường', 'Xã'))} {rng.choice(WORDS)} {rng.choice(WORDS)} {n}"  # (noqa: i18n)
        rows.append((province.id, name, province.lat + rng.uniform(-0.3, 0.3), province.lon + rng.uniform(-0.3, 0.3)))
    extra = commune_places(rows)
    started = time.perf_counter()
    gazetteer.lookup(TYPED[0], extra=extra)
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for n in range(lookups):
        started = time.perf_counter()
        gazetteer.lookup(TYPED[n % len(TYPED)], extra=extra)
        times.append((time.perf_counter() - started) * 1000)
    figures = {"first": first_ms, "p50": statistics.median(times), "p99": percentile(times, 0.99)}
    print(f"communes={len(extra)} lookups={lookups}")
    print(f"first lookup (builds the index for these communes): {first_ms:.1f}ms")
    print(f"typed place lookup: p50={figures['p50']:.2f}ms p99={figures['p99']:.2f}ms max={max(times):.2f}ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    run(args.communes, args.lookups, args.seed)


if __name__ == "__main__":
    main()
