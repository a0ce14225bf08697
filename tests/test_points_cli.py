"""``python -m bot points ...`` as an operator meets it: import with a report of every rejected row,
export in both formats, the sample data, and nothing half-imported when storing fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.points import SAMPLE, parse_file, store
from bot.runtime import Runtime
from domain.pointfile import parse_csv
from storage.models import ServicePointRow
from storage.repositories import SqlDirectoryRepository
from tests.test_cli import bot

HEADER = "external_id,name,kinds,province,latitude,longitude,hours"
FILE = "\n".join(
    [
        HEADER,
        "ok-1,Điểm tốt,methadone,Hải Dương,20.94,106.31,Mo-Fr 08:00-17:00",
        "bad-1,Tọa độ hỏng,methadone,Hà Nội,abc,105.85,",
        "bad-2,Ngoài Việt Nam,methadone,Hà Nội,48.85,2.35,",
        "bad-3,Tỉnh lạ,methadone,Atlantis,21.03,105.85,",
        "bad-4,Dịch vụ lạ,rehab,Hà Nội,21.03,105.85,",
        "bad-5,Giờ hỏng,methadone,Hà Nội,21.03,105.85,sáng T2",
        "ok-2,Điểm tốt 2,detox,Vũng Tàu,10.35,107.08,24/7",
    ]
)


def count_points(tmp_path: Path) -> int:
    result = bot(tmp_path, "points", "export", "all.csv")
    assert result.returncode == 0, result.stderr
    return len((tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()) - 1


def test_import_names_every_rejected_row_and_keeps_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_text(FILE, encoding="utf-8")
    result = bot(tmp_path, "points", "import", "points.csv", COLUMNS="200")
    assert result.returncode == 1, result.stderr
    report = " ".join(result.stdout.split())
    for row, reason in [
        ("3", "latitude 'abc' không phải là số"),
        ("4", "nằm ngoài Việt Nam"),
        ("5", "không rõ tỉnh 'Atlantis'"),
        ("6", "loại dịch vụ rehab không rõ"),
        ("7", 'giờ mở cửa: "sáng" không phải là một ngày'),
    ]:
        assert f"│ {row} │" in report and reason in report, (row, reason, result.stdout)
    assert "7 dòng: 2 hợp lệ, 5 bị từ chối; 2 mới, 0 cập nhật, 0 không đổi" in report
    assert count_points(tmp_path) == 2


def test_strict_and_dry_run_import_nothing(tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_text(FILE, encoding="utf-8")
    strict = bot(tmp_path, "points", "import", "points.csv", "--strict", COLUMNS="200")
    assert strict.returncode == 1 and "--strict: không nhập gì" in strict.stdout
    dry = bot(tmp_path, "points", "import", "points.csv", "--dry-run", COLUMNS="200")
    assert dry.returncode == 1 and "chạy thử: không nhập gì" in dry.stdout
    assert count_points(tmp_path) == 0


def test_unreadable_files_are_refused_cleanly(tmp_path: Path) -> None:
    (tmp_path / "points.txt").write_text(FILE, encoding="utf-8")
    (tmp_path / "broken.geojson").write_text("{not json", encoding="utf-8")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00garbage")
    for name in ("points.txt", "broken.geojson", "binary.csv", "missing.csv"):
        result = bot(tmp_path, "points", "import", name)
        assert result.returncode == 2, (name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr


def test_export_then_import_changes_nothing(tmp_path: Path) -> None:
    assert bot(tmp_path, "points", "load-sample").returncode == 0
    assert bot(tmp_path, "points", "export", "points.geojson").returncode == 0
    data = json.loads((tmp_path / "points.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == count_points(tmp_path)
    again = bot(tmp_path, "points", "import", "points.geojson")
    assert again.returncode == 0
    assert f"{len(data['features'])} không đổi" in again.stdout


def test_sample_data_loads_only_into_an_empty_directory(tmp_path: Path) -> None:
    first = bot(tmp_path, "points", "load-sample")
    assert first.returncode == 0 and "điểm mẫu" in first.stdout
    second = bot(tmp_path, "points", "load-sample")
    assert "danh bạ đã có" in second.stdout and "không nạp" in second.stdout


async def test_a_failure_while_storing_leaves_nothing_half_imported(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SqlDirectoryRepository, "CHUNK", 5)
    parsed = parse_file(runtime, SAMPLE, "csv")
    assert len(parsed.accepted) > 10
    calls = 0

    def progress(n: int) -> None:  # the second chunk fails after the first was written
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")

    async def failing_store() -> None:
        async with runtime.unit_of_work() as uow:
            await uow.directory.upsert([p for _, p in parsed.accepted], runtime.clock.now(), progress=progress)
            await uow.commit()

    with pytest.raises(OSError, match="disk full"):
        await failing_store()
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ServicePointRow)) == 0
    counts = await store(runtime, parse_csv(SAMPLE.read_text(encoding="utf-8"), runtime.gazetteer))
    assert counts.inserted == len(parsed.accepted)
