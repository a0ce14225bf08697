"""Configuration and the secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.channels.webhook import derive_secret, webhook_secret
from bot.config import SecretProblem, Settings, load_or_create_secret


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
    path = tmp_path / "d" / "secret.key"
    first = load_or_create_secret(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_secret(path) == first
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
    (tmp_path / "secret.key").chmod(0o600)
    with pytest.raises(SecretProblem, match="shorter"):
        load_or_create_secret(tmp_path / "secret.key")


def test_the_secret_is_kept_apart_from_the_database_and_an_old_one_is_moved_out(tmp_path: Path) -> None:
    settings = Settings()  # the data folder is ./data
    assert settings.secret_path == tmp_path / "secrets" / "secret.key"
    old = tmp_path / "data" / "secret.key"  # where versions before kept it, beside the database
    old.parent.mkdir()
    old.write_text("o" * 48 + "\n", encoding="ascii")
    old.chmod(0o600)
    assert settings.secret() == b"o" * 48
    assert not old.exists() and settings.secret_path.exists()


def test_a_secret_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("r" * 48 + "\n", encoding="ascii")
    path.chmod(0o640)
    with pytest.raises(SecretProblem, match="chmod 600"):
        load_or_create_secret(path)


def test_a_shared_database_never_gets_a_secret_made_up_by_one_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIEMTUA_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    with pytest.raises(SecretProblem, match="DIEMTUA_SECRET_KEY"):
        Settings().secret()
    assert not Settings().secret_path.exists()


def test_webhook_secrets_come_from_a_key_of_their_own_that_can_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIEMTUA_SECRET_KEY", "s" * 40)
    before = webhook_secret(Settings(), "telegram")
    assert before == derive_secret(b"s" * 40, "telegram")  # unset: from the deployment secret, as before
    monkeypatch.setenv("DIEMTUA_WEBHOOK_KEY", "w" * 32)
    rotated = Settings()
    assert webhook_secret(rotated, "telegram") == derive_secret(b"w" * 32, "telegram") != before
    assert webhook_secret(rotated, "zalo") != webhook_secret(rotated, "telegram")
    assert rotated.secret() == b"s" * 40  # pseudonyms and sealing do not move
