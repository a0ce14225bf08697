"""Benchmark: the web console's directory pages over a directory of N points (default 10,000) on SQLite, as an
operator's browser sees them through HTTP: the list (the map's points included), a search, a point's form, a save,
and an import of the whole directory as CSV (a dry run, then for real: every row unchanged).  While the import's
dry run parses the file, another request is timed, to show whether parsing holds up the process.

Usage: python -m bench.console [--points N] [--requests R] [--seed X]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from bot.config import Settings
from bot.runtime import open_runtime
from bot.web.serve import console_app
from core.ports.web import WEB
from core.web_tokens import new_token
from domain.directory import KINDS, ServicePoint
from domain.pointfile import to_csv

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def line(name: str, values: list[float]) -> str:
    return f"{name}: n={len(values)} p50={statistics.median(values):.1f}ms p99={percentile(values, 0.99):.1f}ms"


def synthetic(count: int, provinces: list[tuple[str, float, float]], rng: random.Random) -> list[ServicePoint]:
    kinds = list(KINDS)
    made = []
    for i in range(count):
        pid, lat, lon = rng.choice(provinces)
        made.append(
            ServicePoint(
                external_id=f"bench-{i:06d}",
                name=f"Điểm hỗ trợ số {i}",  # synthetic data (noqa: i18n)
                kinds=(rng.choice(kinds),),
                address=f"Số {i}",  # synthetic data (noqa: i18n)
                province=pid,
                commune="",
                lat=round(lat + rng.uniform(-0.05, 0.05), 6),
                lon=round(lon + rng.uniform(-0.05, 0.05), 6),
                phone="024 3825 2143",
            )
        )
    return made


async def timed(session: aiohttp.ClientSession, method: str, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    async with session.request(method, url, allow_redirects=False, **kwargs) as answer:  # type: ignore[arg-type]
        await answer.read()
        if answer.status >= 400:
            raise SystemExit(f"{method} {url}: {answer.status}")
    return (time.perf_counter() - started) * 1000


async def run(points: int, requests: int, seed: int) -> dict[str, list[float]]:
    """Time the pages; print the figures and return them (milliseconds by name)."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", secret_key=SecretStr("bench-" + "s" * 40))
        async with await open_runtime(settings) as runtime:
            provinces = [(p.id, p.lat, p.lon) for p in runtime.gazetteer.provinces.values()]
            listed = synthetic(points, provinces, rng)
            now = runtime.clock.now()
            token = new_token()
            async with runtime.unit_of_work() as uow:
                await uow.directory.upsert(listed, now)
                await uow.users.touch("o" * 64, now.date())
                await uow.staff.create_invite("BENCH12345", "operator", None, now, now + timedelta(days=1))
                operator = await uow.staff.redeem("BENCH12345", "o" * 64, now)
                assert operator is not None
                await uow.get(WEB).add_link(runtime.console.keys.link_hash(token), operator.id, now)
                await uow.commit()
            runner = web.AppRunner(console_app(runtime), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            base = f"http://127.0.0.1:{port}/web"
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
                await timed(browser, "POST", f"{base}/in/{token}")
                async with browser.get(f"{base}/") as home:
                    csrf = CSRF.search(await home.text()).group(1)  # type: ignore[union-attr]
                listing = [await timed(browser, "GET", f"{base}/points") for _ in range(requests)]
                search = [
                    await timed(browser, "GET", f"{base}/points?q=so+{rng.randrange(points)}") for _ in range(requests)
                ]
                async with runtime.unit_of_work() as uow:
                    ids = [p.id for p in (await uow.directory.all_points())[:requests]]
                form = [await timed(browser, "GET", f"{base}/points/{i}") for i in ids]
                body = to_csv(listed).encode()
                saves = []
                for i in ids[: max(1, requests // 4)]:
                    data = {
                        "csrf": csrf, "name": f"Point {i} (edited)", "kinds": "hiv_testing", "province": "ha-noi",
                        "latitude": "21.02", "longitude": "105.85",
                    }  # fmt: skip
                    saves.append(await timed(browser, "POST", f"{base}/points/{i}", data=data))

                def upload(action: str) -> aiohttp.FormData:
                    made = aiohttp.FormData()
                    made.add_field("csrf", csrf)
                    made.add_field("file", body, filename="points.csv", content_type="text/csv")
                    made.add_field("action", action)
                    return made

                dry = asyncio.create_task(timed(browser, "POST", f"{base}/points/import", data=upload("check")))
                await asyncio.sleep(0.05)
                beside = [await timed(browser, "GET", f"{base}/signed-out") for _ in range(20)]
                dry_ms = await dry
                real_ms = await timed(browser, "POST", f"{base}/points/import", data=upload("import"))
            await runner.cleanup()
    print(f"points={points} csv_bytes={len(body)}")
    print(line("GET /web/points (page 1, the map's 2,000 points)", listing))
    print(line("GET /web/points?q= (a search)", search))
    print(line("GET /web/points/<id> (the form)", form))
    print(line("POST /web/points/<id> (a save)", saves))
    print(f"import dry run of {points} rows: {dry_ms:.0f}ms; the real import (all unchanged): {real_ms:.0f}ms")
    print(line("another page while the dry run parses", beside))
    return {"list": listing, "search": search, "form": form, "save": saves, "import": [dry_ms, real_ms]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    asyncio.run(run(args.points, args.requests, args.seed))


if __name__ == "__main__":
    main()
