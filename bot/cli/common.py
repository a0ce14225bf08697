"""What every command-line command shares: settings with logging configured, and a runtime that exits
cleanly (code 2) when the database is not migrated."""

from __future__ import annotations

import functools

import typer
from rich.console import Console

from bot.config import SecretProblem, Settings
from bot.logsetup import configure_logging
from bot.runtime import DatabaseNotMigrated, Runtime, open_runtime
from core.i18n import Translator, load_translator

err = Console(stderr=True)


@functools.cache
def _operator() -> Translator:
    return load_translator("vi")


def error(text: str) -> None:
    """An error for the operator, on standard error, in red (the text is not read as markup)."""
    err.print(text, style="red", markup=False)


def _(msgid: str) -> str:
    """What an operator reads, in Vietnamese (an English msgid, as everywhere); help texts stay English."""
    return _operator().gettext(msgid)


def cli_settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level)
    return settings


async def open_or_exit(settings: Settings) -> Runtime:
    try:
        return await open_runtime(settings)
    except (DatabaseNotMigrated, SecretProblem) as exc:
        error(str(exc))
        raise typer.Exit(2) from exc
