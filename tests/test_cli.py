"""The command line, as an operator meets it: subprocesses, piped stdin, a real token against the fake
Telegram server."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from bot.channels.webhook import derive_secret
from bot.channels.zalo.channel import HEADER as ZALO_HEADER
from bot.channels.zalo.channel import PATH as ZALO_PATH
from fakes.telegram_server import FakeTelegram
from fakes.zalo_server import FakeZalo
from storage import schema_version
from tests.conftest import TEST_TOKEN, ZALO_TOKEN
from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DIEMTUA_", "TELEGRAM_", "ZALO_"))}
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
    assert current.returncode == 0 and current.stdout.strip() == schema_version.head_revision()


def test_chat_over_piped_stdin(tmp_path: Path) -> None:
    result = bot(tmp_path, "chat", stdin="1\n6\n/privacy\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Chào mừng bạn đến với Điểm Tựa" in out
    assert "1. Tự đánh giá" in out and "(Gõ số để chọn.)" in out
    assert "115" in out and "mã ẩn danh" in out
    secret = tmp_path / "secrets" / "secret.key"  # apart from the data folder, which holds the database
    assert secret.exists() and oct(secret.stat().st_mode)[-3:] == "600"
    assert oct(secret.parent.stat().st_mode)[-3:] == "700"
    assert not (tmp_path / "data" / "secret.key").exists()


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secrets" / "secret.key"
    secret.parent.mkdir()
    secret.write_text("s" * 48 + "\n")
    secret.chmod(0o644)
    result = bot(tmp_path, "chat", stdin="/quit\n")
    assert result.returncode == 2
    assert "can be read by others" in result.stderr and "chmod 600" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_token_opens_the_console(tmp_path: Path) -> None:
    result = bot(tmp_path, "run", stdin="/quit\n", DIEMTUA_CONSOLE_PORT="0")
    assert result.returncode == 0, result.stderr
    assert "bao nhiêu tuổi" in result.stdout
    assert "khung chat trên màn hình" in result.stderr
    assert re.search(r"Bảng điều khiển web: http://127\.0\.0\.1:\d+/web", result.stderr), result.stderr


async def test_run_without_token_serves_the_web_console_beside_the_chat(tmp_path: Path) -> None:
    """The README's first command: the console chat in the terminal, and the web console answering at the printed
    address (its pages, headers and sign-in are tested in tests/test_console.py)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env(tmp_path, DIEMTUA_CONSOLE_PORT="0"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stderr is not None and process.stdout is not None
    try:
        address = ""
        while not address:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            assert line, "the bot exited before printing the console's address"
            found = re.search(r"(http://127\.0\.0\.1:\d+/web)", line)
            address = found.group(1) if found else ""
        async with httpx.AsyncClient(timeout=10) as http:
            page = await http.get(address + "/signed-out")
            assert (
                page.status_code == 200
                and "/web" in page.text
                and "frame-ancestors" in page.headers["Content-Security-Policy"]
            )
            assert (await http.get(address + "/points", follow_redirects=False)).status_code == 303
    finally:
        process.stdin.write(b"/quit\n")
        await process.stdin.drain()
        process.stdin.close()
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0


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
        messages = await fake_telegram.wait_for(4242, 1, timeout=30)
        assert "Điểm Tựa" in messages[0].text and "bao nhiêu tuổi" in messages[0].text
        assert [c["command"] for c in fake_telegram.commands][:2] == ["start", "menu"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    logs = stderr.decode()
    assert TEST_TOKEN not in logs
    assert "4242" not in logs
    assert process.returncode == 0, logs


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


async def start(tmp_path: Path, *args: str, **extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env(tmp_path, **extra),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_until(check: object, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_run_serves_telegram_on_python_telegram_bot_and_zalo_together(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    process = await start(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=fake_telegram.url,
        DIEMTUA_TELEGRAM_LIBRARY="ptb",
        ZALO_BOT_TOKEN=ZALO_TOKEN,
        ZALO_API_URL=fake_zalo.url,
    )
    try:
        fake_telegram.user_sends(4343, "/start")
        fake_zalo.user_sends("a1b2c3d4e5f6a7b8c9d0", "/start")
        telegram = await fake_telegram.wait_for(4343, 1, timeout=30)
        assert "bao nhiêu tuổi" in telegram[0].text
        await wait_until(lambda: len(fake_zalo.messages("a1b2c3d4e5f6a7b8c9d0")) >= 1)
        assert "bao nhiêu tuổi" in fake_zalo.messages("a1b2c3d4e5f6a7b8c9d0")[-1].text
    finally:
        logs = await stop(process)
    assert TEST_TOKEN not in logs and ZALO_TOKEN not in logs and "a1b2c3d4e5f6a7b8c9d0" not in logs
    assert "python-telegram-bot" in logs and process.returncode == 0, logs


async def test_webhook_mode_registers_both_webhooks_and_rejects_forgeries(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo, unused_tcp_port: int
) -> None:
    key = "k" * 48
    process = await start(
        tmp_path,
        "webhook",
        "--port",
        str(unused_tcp_port),
        TELEGRAM_BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=fake_telegram.url,
        ZALO_BOT_TOKEN=ZALO_TOKEN,
        ZALO_API_URL=fake_zalo.url,
        DIEMTUA_PUBLIC_URL="https://bot.example.org",
        DIEMTUA_SECRET_KEY=key,
    )
    secret = derive_secret(key.encode(), "zalo")
    base = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        await wait_until(lambda: fake_zalo.webhook is not None)
        assert fake_zalo.webhook is not None and fake_zalo.webhook["url"] == "https://bot.example.org/webhook/zalo"
        assert fake_zalo.webhook["secret_token"] == secret
        registered = [params for method, params in fake_telegram.calls if method == "setWebhook"]
        assert registered[0]["url"] == "https://bot.example.org/webhook/telegram"
        assert registered[0]["secret_token"] == derive_secret(key.encode(), "telegram")
        async with httpx.AsyncClient() as http:
            assert (await http.get(base + "/healthz")).status_code == 200
            update = fake_zalo.update("f0e1d2c3b4a5968778695", "message.text.received", text="/start")
            forged = await http.post(base + ZALO_PATH, json=update, headers={ZALO_HEADER: "guess"})
            assert forged.status_code == 401
            answered = await http.post(base + ZALO_PATH, json=update, headers={ZALO_HEADER: secret})
            assert answered.status_code == 200
        await wait_until(lambda: bool(fake_zalo.messages("f0e1d2c3b4a5968778695")))  # after the answer
        assert "bao nhiêu tuổi" in fake_zalo.messages("f0e1d2c3b4a5968778695")[-1].text
    finally:
        logs = await stop(process)
    assert secret not in logs and TEST_TOKEN not in logs and ZALO_TOKEN not in logs
    assert "rejected a Zalo webhook request" in logs and process.returncode == 0, logs


async def test_web_serves_the_console_on_its_own_and_stops_cleanly(tmp_path: Path) -> None:
    """``python -m bot web``: the console and /healthz, no channel; SIGTERM stops it with exit code 0."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "web", "--port", str(port), cwd=tmp_path,
        env=env(tmp_path, DIEMTUA_SECRET_KEY="s" * 40),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(300):
                try:
                    health = await http.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            assert health.json() == {"ok": True, "console": True}
            page = await http.get(f"http://127.0.0.1:{port}/web/signed-out")
            assert page.status_code == 200 and "gửi /web" in page.text
            assert (await http.get(f"http://127.0.0.1:{port}/web/staff", follow_redirects=False)).status_code == 303
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, errors.decode()[-2000:]
    assert f"the web console is at http://127.0.0.1:{port}/web" in errors.decode()
