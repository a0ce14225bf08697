"""Configuration and the secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, load_or_create_secret


def test_defaults(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.data_dir == Path("data")
    assert settings.db_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'diemtua.sqlite3'}"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"


def test_environment_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DIEMTUA_TIMEZONE=Asia/Bangkok\nTELEGRAM_BOT_TOKEN=1:abc\n", encoding="utf-8")
    monkeypatch.setenv("DIEMTUA_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    settings = Settings()
    assert settings.timezone == "Asia/Bangkok"
    assert settings.db_url == "postgresql+asyncpg://u@h/db"
    assert settings.telegram_bot_token is not None and "abc" not in repr(settings)


def test_blank_token_means_no_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert Settings().telegram_bot_token is None


def test_unknown_time_zone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIEMTUA_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings()


def test_secret_is_generated_once_with_mode_0600_and_reused(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path / "d")
    path = tmp_path / "d" / "secret.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_secret(tmp_path / "d") == first
    assert len(first) >= 32


def test_secret_from_environment_wins_and_must_be_long(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIEMTUA_SECRET_KEY", "s" * 40)
    assert Settings().secret() == b"s" * 40
    assert not (tmp_path / "data" / "secret.key").exists()
    monkeypatch.setenv("DIEMTUA_SECRET_KEY", "short")
    with pytest.raises(ValueError, match="at least"):
        Settings().secret()


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("tiny\n", encoding="ascii")
    with pytest.raises(ValueError):
        load_or_create_secret(tmp_path)
