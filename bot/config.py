"""Configuration from environment variables, also read from a ``.env`` file.

| variable | default |
|---|---|
| DIEMTUA_DATA_DIR | ./data |
| DIEMTUA_DATABASE_URL | SQLite file ``diemtua.sqlite3`` in the data dir |
| DIEMTUA_SECRET_KEY | unset: read from DIEMTUA_SECRET_FILE (with SQLite, generated there once, mode 0600) |
| DIEMTUA_SECRET_FILE | ``secrets/secret.key`` beside the data dir (never inside it); refused if others can read it |
| DIEMTUA_TIMEZONE | Asia/Ho_Chi_Minh |
| DIEMTUA_LOG_LEVEL | INFO |
| TELEGRAM_BOT_TOKEN | unset: no Telegram channel |
| TELEGRAM_API_URL | https://api.telegram.org |
| DIEMTUA_TELEGRAM_PER_SECOND | 30 (messages a second this process sends to Telegram at most) |
| DIEMTUA_TELEGRAM_LIBRARY | aiogram (or ptb: python-telegram-bot) |
| ZALO_BOT_TOKEN | unset: no Zalo channel |
| ZALO_API_URL | https://bot-api.zaloplatforms.com |
| DIEMTUA_SEAL_KEYS | unset: sealing keys, newest first, comma-separated (see ``keys rotate``) |
| DIEMTUA_INBOUND_BURST / DIEMTUA_INBOUND_PER_MINUTE | 20 / 30: one person's messages taken in at once / a minute |
| DIEMTUA_WEBHOOK_KEY | unset: the key webhook secrets derive from (rotatable; unset: the deployment secret) |
| DIEMTUA_PUBLIC_URL | unset: in webhook mode, the https address the platforms post to (webhooks are registered) |
| DIEMTUA_CONSOLE | true: ``run`` also serves the web console (false: it does not) |
| DIEMTUA_CONSOLE_HOST / DIEMTUA_CONSOLE_PORT | 127.0.0.1 / 8081: where ``run`` serves it (0: any free port) |
| DIEMTUA_CONSOLE_URL | unset: the console's address in sign-in links (unset: DIEMTUA_PUBLIC_URL + /web, else local) |
| DIEMTUA_CLOCK_START | unset: **tests only**, the instant (ISO 8601 with offset) the bot's clock starts at |
| DIEMTUA_CLOCK_RATE | 1: **tests only**, how many times faster than real time the bot's clock runs |
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.clock import Clock, ShiftedClock, SystemClock
from storage.db import sqlite_url

log = logging.getLogger(__name__)
SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_CHARS = 32


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(Path("data"), validation_alias=_env("DIEMTUA_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("DIEMTUA_DATABASE_URL"))
    secret_key: SecretStr | None = Field(None, validation_alias=_env("DIEMTUA_SECRET_KEY"))
    secret_file: Path | None = Field(None, validation_alias=_env("DIEMTUA_SECRET_FILE"))
    timezone: str = Field("Asia/Ho_Chi_Minh", validation_alias=_env("DIEMTUA_TIMEZONE"))
    log_level: str = Field("INFO", validation_alias=_env("DIEMTUA_LOG_LEVEL"))
    state_ttl_hours: float = Field(24.0, gt=0, validation_alias=_env("DIEMTUA_STATE_TTL_HOURS"))
    telegram_bot_token: SecretStr | None = Field(None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias=_env("TELEGRAM_API_URL"))
    # Telegram allows about 30 messages a second (1,000 with paid broadcasts); each process keeps to this.
    telegram_per_second: float = Field(30.0, gt=0, validation_alias=_env("DIEMTUA_TELEGRAM_PER_SECOND"))
    telegram_library: Literal["aiogram", "ptb"] = Field("aiogram", validation_alias=_env("DIEMTUA_TELEGRAM_LIBRARY"))
    zalo_bot_token: SecretStr | None = Field(None, validation_alias=_env("ZALO_BOT_TOKEN"))
    zalo_api_url: str = Field("https://bot-api.zaloplatforms.com", validation_alias=_env("ZALO_API_URL"))
    public_url: str | None = Field(None, validation_alias=_env("DIEMTUA_PUBLIC_URL"))
    seal_keys: SecretStr | None = Field(None, validation_alias=_env("DIEMTUA_SEAL_KEYS"))
    # One person's messages taken in: a burst, then so many a minute; beyond, dropped at the door.
    inbound_burst: int = Field(20, ge=1, validation_alias=_env("DIEMTUA_INBOUND_BURST"))
    inbound_per_minute: float = Field(30.0, gt=0, validation_alias=_env("DIEMTUA_INBOUND_PER_MINUTE"))
    webhook_key: SecretStr | None = Field(None, min_length=16, validation_alias=_env("DIEMTUA_WEBHOOK_KEY"))
    # The web console for staff (bot.web): served by `run` too, unless turned off; its address in sign-in links.
    console: bool = Field(True, validation_alias=_env("DIEMTUA_CONSOLE"))
    console_host: str = Field("127.0.0.1", validation_alias=_env("DIEMTUA_CONSOLE_HOST"))
    console_port: int = Field(8081, ge=0, le=65535, validation_alias=_env("DIEMTUA_CONSOLE_PORT"))
    console_url: str | None = Field(None, validation_alias=_env("DIEMTUA_CONSOLE_URL"))
    # Tests of the running process only: a clock that starts at an instant and/or runs faster.
    clock_start: datetime | None = Field(None, validation_alias=_env("DIEMTUA_CLOCK_START"))
    clock_rate: float = Field(1.0, gt=0, le=100_000, validation_alias=_env("DIEMTUA_CLOCK_RATE"))

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("DIEMTUA_CLOCK_START needs a UTC offset, e.g. 2026-12-01T08:00:00+07:00")
        return value

    @property
    def shifted_clock(self) -> bool:
        return self.clock_start is not None or self.clock_rate != 1.0

    def clock(self) -> Clock:
        """The system clock; for tests of the running process, a shifted or faster one."""
        if not self.shifted_clock:
            return SystemClock()
        return ShiftedClock(self.clock_start or SystemClock().now(), self.clock_rate)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator(
        "telegram_bot_token",
        "zalo_bot_token",
        "secret_key",
        "seal_keys",
        "clock_start",
        "webhook_key",
        "console_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("console_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("DIEMTUA_CONSOLE_URL must start with http:// or https://")
        return value.rstrip("/") if value else value

    def console_address(self) -> str | None:
        """The console's address as configured: DIEMTUA_CONSOLE_URL, else DIEMTUA_PUBLIC_URL + /web (None: known
        only once it listens)."""
        if self.console_url:
            return self.console_url
        return self.public_url.rstrip("/") + "/web" if self.public_url else None

    @property
    def db_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir.resolve() / "diemtua.sqlite3")

    @property
    def state_ttl(self) -> timedelta:
        return timedelta(hours=self.state_ttl_hours)

    def secret(self) -> bytes:
        """The secret behind pseudonyms and encryption (see :func:`load_or_create_secret`)."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if len(value) < MIN_SECRET_CHARS:
                raise SecretProblem(f"DIEMTUA_SECRET_KEY must be at least {MIN_SECRET_CHARS} characters")
            return value.encode()
        return load_or_create_secret(
            self.secret_path,
            create=self.database_url is None or self.database_url.startswith("sqlite"),
            legacy=self.data_dir / SECRET_FILE if self.secret_file is None else None,
        )

    @property
    def secret_path(self) -> Path:
        """Where the secret file is: ``DIEMTUA_SECRET_FILE``, else ``secrets/secret.key`` beside the data folder."""
        return self.secret_file or self.data_dir.resolve().parent / "secrets" / SECRET_FILE

    def sealing_keys(self) -> tuple[bytes, list[bytes]]:
        """(the key that seals, the older ones that still open): ``DIEMTUA_SEAL_KEYS`` newest first, then the
        deployment secret (what sealed everything before the first rotation)."""
        secret = self.secret()
        if self.seal_keys is None:
            return secret, []
        keys = [k.strip().encode() for k in self.seal_keys.get_secret_value().split(",") if k.strip()]
        if not keys or any(len(k) < MIN_SECRET_CHARS for k in keys):
            raise ValueError(f"each DIEMTUA_SEAL_KEYS key must be at least {MIN_SECRET_CHARS} characters")
        return keys[0], [*keys[1:], secret]


class SecretProblem(ValueError):
    """The deployment secret is missing where it must be given, or kept where others can read it."""


def load_or_create_secret(path: Path, *, create: bool = True, legacy: Path | None = None) -> bytes:
    """Read the secret file at ``path``, creating it (mode 0600, in a folder of mode 0700) the first time.

    The file is kept apart from the database (a copy of the data folder is not a copy of the key); one left
    in the data folder by an older version (``legacy``) is moved there.  A file others can read is refused.
    ``create=False`` (a shared database server) refuses to make a new one: every worker must use the same.
    Two processes starting together agree: only one can create the file (O_EXCL), the other reads it."""
    if legacy is not None and legacy.exists() and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.replace(legacy, path)
        except OSError as exc:
            raise SecretProblem(
                f"{legacy} must not stay beside the database: move it to {path} (or set DIEMTUA_SECRET_FILE)"
            ) from exc
        log.warning("moved the secret key out of the data folder, to %s", path)
    if path.exists():
        mode = path.stat().st_mode
        if mode & 0o077:
            raise SecretProblem(f"{path} can be read by others (mode {oct(mode & 0o777)}): run  chmod 600 {path}")
        value = path.read_text(encoding="ascii").strip()
        if len(value) < MIN_SECRET_CHARS:
            raise SecretProblem(f"{path} is shorter than {MIN_SECRET_CHARS} characters")
        return value.encode()
    if not create:
        raise SecretProblem(
            "with a shared database every process must use the same secret: set DIEMTUA_SECRET_KEY (or "
            f"DIEMTUA_SECRET_FILE to an existing file); {path} does not exist"
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_secret(path, create=False)
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value.encode()
