"""The command line, as an operator meets it: subprocesses, piped stdin, a real token against the fake
Telegram server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from storage import migrate
from tests.conftest import TEST_TOKEN
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DIEMTUA_", "TELEGRAM_"))}
    return {**base, "DIEMTUA_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), **extra}


def bot(tmp_path: Path, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env(tmp_path, **extra),
        timeout=60,
        check=False,
    )


def test_db_upgrade_then_current(tmp_path: Path) -> None:
    assert bot(tmp_path, "db", "upgrade").returncode == 0
    current = bot(tmp_path, "db", "current")
    assert current.returncode == 0 and current.stdout.strip() == migrate.head_revision()


def test_chat_over_piped_stdin(tmp_path: Path) -> None:
    result = bot(tmp_path, "chat", stdin="1\n6\n/privacy\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Chào mừng bạn đến với Điểm Tựa" in out
    assert "1. Tự đánh giá" in out and "(Gõ số để chọn.)" in out
    assert "115" in out and "mã ẩn danh" in out
    secret = tmp_path / "data" / "secret.key"
    assert secret.exists() and oct(secret.stat().st_mode)[-3:] == "600"


def test_run_without_token_opens_the_console(tmp_path: Path) -> None:
    result = bot(tmp_path, "run", stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "bao nhiêu tuổi" in result.stdout
    assert "console" in result.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "diemtua"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "chat" in result.stdout


async def test_run_with_token_serves_telegram(tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env(tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, TELEGRAM_API_URL=fake_telegram.url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        fake_telegram.user_sends(4242, "/start")
        messages = await fake_telegram.wait_for(4242, 2, timeout=30)
        assert "Điểm Tựa" in messages[0].text and "bao nhiêu tuổi" in messages[1].text
        assert [c["command"] for c in fake_telegram.commands][:2] == ["start", "menu"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    logs = stderr.decode()
    assert TEST_TOKEN not in logs
    assert "4242" not in logs
    assert process.returncode == 0, logs
