"""Command line: ``diemtua`` or ``python -m bot``.

* ``run``: every channel that has a token, plus the scheduler; with no token, the console chat.
* ``chat``: the console chat.
* ``db upgrade`` / ``db current``: schema migrations.
* ``points import|export|load-sample|reports``: the service-point directory (see ``bot.points_cli``).
* ``staff invite|list|availability``: counsellors and peer leaders (see ``bot.staff_cli``).
* ``groups export``: self-help groups as a Meeting Guide JSON feed (see ``bot.groups_cli``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from bot.cli_common import cli_settings, err, open_or_exit
from bot.config import Settings
from bot.groups_cli import groups_app
from bot.points_cli import points_app
from bot.staff_cli import staff_app
from core.i18n import BOT_NAME
from storage import migrate
from storage.db import create_engine

app = typer.Typer(help=f"{BOT_NAME}: a privacy-first support chatbot.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(points_app, name="points")
app.add_typer(staff_app, name="staff")
app.add_typer(groups_app, name="groups")
log = logging.getLogger("bot")


_settings = cli_settings
_open = open_or_exit


async def _chat(settings: Settings, user: str, greet: bool) -> None:
    from bot.console import ConsoleChannel

    async with await _open(settings) as runtime:
        await ConsoleChannel(runtime.conversation, runtime.pseudonyms, user_id=user).run(greet=greet)


async def _serve(settings: Settings) -> None:
    from bot.scheduler import create_scheduler
    from bot.telegram.aiogram_channel import AiogramTelegram

    assert settings.telegram_bot_token is not None
    async with await _open(settings) as runtime:
        telegram = AiogramTelegram(
            runtime.conversation,
            runtime.pseudonyms,
            token=settings.telegram_bot_token.get_secret_value(),
            api_url=settings.telegram_api_url,
        )
        scheduler = create_scheduler(runtime, senders={"telegram": telegram})
        scheduler.start()
        log.info("serving Telegram (aiogram) with the scheduler")
        try:
            await telegram.run_polling()
        finally:
            scheduler.shutdown(wait=False)


@app.command()
def run() -> None:
    """Serve every channel that has a token, plus the scheduler; with no token, open the console chat."""
    settings = _settings()
    if settings.telegram_bot_token is None:
        err.print("No TELEGRAM_BOT_TOKEN: opening the console chat (type /quit to leave).")
        asyncio.run(_chat(settings, "local", greet=True))
    else:
        asyncio.run(_serve(settings))


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Who is chatting (only its keyed pseudonym is stored).")] = "local",
    greet: Annotated[bool, typer.Option(help="Start with /start.")] = True,
) -> None:
    """Chat with the bot in this terminal (also works with piped input)."""
    asyncio.run(_chat(_settings(), user, greet))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database schema (to the newest revision by default)."""
    settings = _settings()

    async def go() -> None:
        engine = create_engine(settings.db_url)
        try:
            await migrate.upgrade(engine, revision)
            err.print(f"database at revision {await migrate.current_revision(engine)}")
        finally:
            await engine.dispose()

    asyncio.run(go())


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision."""
    settings = _settings()

    async def go() -> None:
        engine = create_engine(settings.db_url)
        try:
            typer.echo(await migrate.current_revision(engine) or "empty")
        finally:
            await engine.dispose()

    asyncio.run(go())


def main() -> None:
    app()
