"""What every command-line command shares: settings with logging configured, and a runtime that exits
cleanly (code 2) when the database is not migrated."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.config import SecretProblem, Settings
from bot.logsetup import configure_logging
from bot.runtime import DatabaseNotMigrated, Runtime, open_runtime

err = Console(stderr=True)


def cli_settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level)
    return settings


async def open_or_exit(settings: Settings) -> Runtime:
    try:
        return await open_runtime(settings)
    except (DatabaseNotMigrated, SecretProblem) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
