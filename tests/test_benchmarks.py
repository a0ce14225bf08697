"""Every benchmark in ``bench/`` runs briefly here, so none can rot unnoticed (``bench.talks``, ``bench.console``
and ``bench.broadcast_crash`` have their own tests beside what they measure).  These check that a short run works
and that its answers are right (nothing lost or doubled); the figures themselves are measured by running the
benchmarks in full, never in tests."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


async def bench(*args: str, timeout: float = 240) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIEMTUA_", "TELEGRAM_", "ZALO_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, f"{' '.join(args)} exited {process.returncode}: {err.decode()[-2000:]}"
    return out.decode()


async def test_the_conversation_benchmark_runs() -> None:
    printed = await bench("bench.conversation", "--people", "5")
    assert "people=5 events=40" in printed and "latency_ms p50=" in printed


async def test_the_nearest_benchmark_runs_and_checks_its_rankings() -> None:
    printed = await bench("bench.nearest", "--points", "2000", "--queries", "20", "--scan-queries", "5", "--database")
    assert "rankings checked against the scan: 5 queries, all identical" in printed
    assert "sqlite: import" in printed


async def test_the_understanding_benchmark_runs() -> None:
    printed = await bench("bench.understanding")
    assert "accuracy" in printed.lower()


async def test_the_pipeline_benchmark_runs_against_the_echo_bot_and_the_bot() -> None:
    printed = await bench("bench.pipeline", "--updates", "40", "--rate", "40", "--seconds", "1", timeout=300)
    assert "aiogram echo bot: throughput=" in printed and "Điểm Tựa, SQLite, 1 worker: throughput=" in printed
    assert "CPU per update" in printed and "load generator" in printed
    assert re.search(r"Điểm Tựa, SQLite, 1 worker: CPU per update \d+\.\d\dx the echo bot's", printed)


async def test_the_startup_benchmark_runs() -> None:
    printed = await bench("bench.startup", "--runs", "1", "--library", "ptb", "--no-echo", timeout=300)
    for phase in ("first", "later"):
        found = re.search(rf"webhook \(ptb\), {phase} start: healthy after ([\d.]+) s; RSS idle (\d+) MB", printed)
        assert found and float(found[1]) > 0 and int(found[2]) > 0, printed


async def test_the_fanout_benchmark_delivers_each_reminder_once() -> None:
    from bench.fanout import run

    counts = await run(40, None)
    assert counts["planned"] == counts["sent"] == 40
    assert counts["lost"] == counts["doubled"] == 0 and counts["replies"] >= 1  # the probe was answered meanwhile


def test_the_places_benchmark_runs() -> None:
    from bench.places import run

    figures = run(communes=300, lookups=50, seed=1)
    assert figures["p50"] > 0 and figures["first"] > 0


async def test_the_reload_benchmark_runs() -> None:
    from bench.reload import run

    figures = await run(points=500, communes=50, seed=1)
    assert figures["reload"] > 0 and figures["max_gap"] > 0


async def test_the_planning_benchmark_writes_each_reminder_once_and_nothing_the_second_time() -> None:
    from bench.planning import run

    first, second, outbox = await run(members=60, groups=3, database_url=None)
    assert first["written"] == 120 == outbox["rows"]  # a day and an hour ahead, for every member
    assert second["written"] == 0 and first["p50_write"] > 0


async def test_the_report_benchmark_runs() -> None:
    printed = await bench("bench.report", "--weeks", "4", "--provinces", "3")
    assert "engine=sqlite weeks=4 provinces=3 tally_rows=" in printed
    assert "national report: took=" in printed and "province report: took=" in printed
