"""Benchmark: nearest-5 service points among N (default 100,000), the k-d tree against a plain Python
loop computing haversine over every point.  Every measured query is also checked to give exactly the
scan's ranking.

With ``--database``, also times importing the points into a fresh SQLite database and loading them back
into a worker's in-memory snapshot (what happens once after every directory change).

Usage: python -m bench.nearest [--points N] [--queries Q] [--scan-queries S] [--seed X] [--database]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime

from domain.directory import KINDS, DirectorySnapshot, ServicePoint
from domain.geo import NearestIndex, nearest_by_scan
from storage import migrate
from storage.db import create_engine, session_factory
from storage.repositories import SqlUnitOfWork
from storage.sealing import Sealer

SOUTH, WEST, NORTH, EAST = 8.6, 102.2, 23.3, 109.4


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def database_round_trip(points: list[ServicePoint]) -> tuple[float, float]:
    """Seconds to import ``points`` into a fresh SQLite database, and to load them back as a snapshot."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await migrate.upgrade(engine)
        sessions, sealer = session_factory(engine), Sealer(b"benchmark-secret-0123456789abcdef")
        started = time.perf_counter()
        async with SqlUnitOfWork(sessions, sealer) as uow:
            await uow.directory.upsert(points, datetime.now(UTC))
            await uow.commit()
        imported = time.perf_counter() - started
        started = time.perf_counter()
        async with SqlUnitOfWork(sessions, sealer) as uow:
            DirectorySnapshot(await uow.directory.all_points(), await uow.directory.version())
        loaded = time.perf_counter() - started
        await engine.dispose()
    return imported, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument("--scan-queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", action="store_true", help="also time import and snapshot load on SQLite")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    points = [(i, rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for i in range(1, args.points + 1)]
    origins = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(args.queries)]

    started = time.perf_counter()
    index = NearestIndex([p[0] for p in points], [p[1] for p in points], [p[2] for p in points])
    build_ms = (time.perf_counter() - started) * 1000

    tree_ms = []
    for lat, lon in origins:
        started = time.perf_counter()
        index.nearest(lat, lon, 5)
        tree_ms.append((time.perf_counter() - started) * 1000)

    scan_ms = []
    for lat, lon in origins[: args.scan_queries]:
        started = time.perf_counter()
        expected = nearest_by_scan(points, lat, lon, 5)
        scan_ms.append((time.perf_counter() - started) * 1000)
        if index.nearest(lat, lon, 5) != expected:
            raise SystemExit(f"ranking differs from the scan at {lat}, {lon}")

    # The whole in-memory path a search takes, with a filter (a quarter of the points offer methadone).
    kinds = list(KINDS)
    listed = [
        ServicePoint(
            external_id=str(i),
            name=str(i),
            kinds=("methadone",) if i % 4 == 0 else (rng.choice(kinds),),
            address="",
            province="ha-noi",
            commune="",
            lat=lat,
            lon=lon,
            id=i,
        )
        for i, lat, lon in points
    ]
    snapshot = DirectorySnapshot(listed)
    snapshot.nearest(21.0, 105.8, "opioid_treatment", 5)  # build the filter's index once
    filtered_ms = []
    for lat, lon in origins:
        started = time.perf_counter()
        snapshot.nearest(lat, lon, "opioid_treatment", 5)
        filtered_ms.append((time.perf_counter() - started) * 1000)

    def line(name: str, values: list[float]) -> str:
        return (
            f"{name}: n={len(values)} p50={statistics.median(values):.4f}ms "
            f"p99={percentile(values, 0.99):.4f}ms max={max(values):.4f}ms"
        )

    print(f"points={args.points} index_build_ms={build_ms:.1f}")
    print(line("kd-tree nearest-5", tree_ms))
    print(line("kd-tree nearest-5, filtered (methadone or buprenorphine)", filtered_ms))
    print(line("python haversine scan nearest-5", scan_ms))
    print(f"speed-up at the median: {statistics.median(scan_ms) / statistics.median(tree_ms):.0f}x")
    print(f"rankings checked against the scan: {len(scan_ms)} queries, all identical")
    if args.database:
        imported, loaded = asyncio.run(database_round_trip(listed))
        print(f"sqlite: import {imported:.2f}s, load into a snapshot {loaded:.2f}s")


if __name__ == "__main__":
    main()
