"""Logging that carries no ids, phone numbers, message text or tokens.

* httpx/httpcore log request URLs (which hold bot tokens): they are held at WARNING;
* aiogram's per-update INFO lines are held at WARNING too;
* database drivers log statements with their parameters (pseudonyms) at DEBUG: held at WARNING;
* every record, exception text included, passes through a formatter that masks anything shaped like a
  bot token, in case a library puts one in an exception message.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

# Telegram and Zalo tokens look like "123456:AAE...": digits, a colon, 20+ URL-safe characters.
TOKEN_PATTERN = re.compile(r"(?<!\d)\d{3,}:[A-Za-z0-9_-]{20,}")
QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "hpack",
    "aiogram.event",
    "telegram.ext.Updater",
    "aiosqlite",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "asyncpg",
    "alembic",
    "asyncio",
)
# APScheduler logs a failed job with its traceback (which may quote SQL parameters); bot.jobs.scheduler reports it
# instead, in words that carry nothing personal.
SILENCED_LOGGERS = ("apscheduler.executors",)


# pydantic's validation errors quote the input (a message's text, a user id): "N validation error(s) for X",
# then the details.  Only the first line is kept.
VALIDATION = re.compile(r"(\d+ validation errors? for \S+).*", re.DOTALL)


def redact(text: str) -> str:
    text = VALIDATION.sub(r"\1 [details withheld: they quote the update]", text)
    return TOKEN_PATTERN.sub("<token>", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatException(self, ei: Any) -> str:
        exc = ei[1]
        if exc is not None and type(exc).__name__ == "ValidationError":
            return f"{type(exc).__module__}.{type(exc).__name__} (details withheld: they quote the update)"
        return super().formatException(ei)


def configure_logging(level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old.formatter, RedactingFormatter):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in SILENCED_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.captureWarnings(True)  # a coroutine never awaited, say, is a warning in the log, not lost on stderr
    return handler
