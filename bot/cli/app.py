"""Command line: ``diemtua`` or ``python -m bot``.

* ``run``: every channel that has a token, by polling, plus the scheduler; with no token, the console chat.
* ``webhook --host --port``: the same channels by webhook, from one aiohttp application.
* ``web --host --port``: the web console for staff on its own (``run`` and ``webhook`` serve it too).
* ``chat``: the console chat.
* ``db upgrade`` / ``db current``: schema migrations.
* ``points import|export|load-sample|reports``: the service-point directory (see ``bot.cli.points``).
* ``staff invite|list|availability``: counsellors and peer leaders (see ``bot.cli.staff``).
* ``keys new|rotate``: sealing keys (see ``bot.cli.keys``).
* ``groups export``: self-help groups as a Meeting Guide JSON feed (see ``bot.cli.groups``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import _, cli_settings, err, error, open_or_exit
from bot.cli.groups import groups_app
from bot.cli.keys import keys_app
from bot.cli.points import points_app
from bot.cli.report import report
from bot.cli.staff import staff_app
from bot.config import Settings
from core.hotlines import SHIPPED_DATA
from core.i18n import BOT_NAME
from domain.understanding import best_intent, load_understanding
from storage import schema_version
from storage.db import create_engine

if TYPE_CHECKING:
    from bot.jobs.scheduler import Scheduler
    from bot.runtime import Runtime

out = Console()
app = typer.Typer(help=f"{BOT_NAME}: a privacy-first support chatbot.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(points_app, name="points")
app.add_typer(staff_app, name="staff")
app.add_typer(groups_app, name="groups")
app.add_typer(keys_app, name="keys")
app.command("report")(report)
log = logging.getLogger("bot")


_settings = cli_settings
_open = open_or_exit


async def _chat(settings: Settings, user: str, greet: bool, *, console: bool = False) -> None:
    from bot.channels.console import ConsoleChannel

    async with await _open(settings) as runtime, _web_console(settings, runtime, console) as address:
        if address:
            err.print(
                _("Web console: {address} (staff send /web in the chat for a sign-in link)").format(address=address),
                markup=False,
            )
        await ConsoleChannel(runtime.conversation, runtime.pseudonyms, user_id=user).run(greet=greet)


@contextlib.asynccontextmanager
async def _web_console(settings: Settings, runtime: Runtime, wanted: bool) -> AsyncIterator[str | None]:
    """The web console beside the chat (``run``), on DIEMTUA_CONSOLE_HOST:PORT; its address, or None."""
    if not (wanted and settings.console):
        yield None
        return
    from bot.web.serve import start_console

    runner = await start_console(runtime, settings.console_host, settings.console_port)
    try:
        yield runtime.console.url if runner is not None else None
    finally:
        if runner is not None:
            await runner.cleanup()


async def _serve(settings: Settings, *, webhook: tuple[str, int] | None = None) -> None:
    from bot.channels.registry import open_channels, poll, serve_webhooks
    from bot.jobs.leadership import lead
    from bot.jobs.scheduler import create_scheduler

    console = webhook is None  # by webhook, the console is mounted in the webhook application
    async with (
        await _open(settings) as runtime,
        open_channels(settings, runtime) as channels,
        _web_console(settings, runtime, console),
    ):
        running: list[Scheduler] = []

        async def start() -> None:  # a fresh scheduler each time this process comes to lead
            scheduler = create_scheduler(runtime, senders=channels.senders())
            scheduler.start()
            running.append(scheduler)
            log.info("the scheduler has started")

        async def stop() -> None:
            while running:
                await running.pop().stop()

        if settings.shifted_clock:
            log.warning(
                "TEST CLOCK: the bot's clock starts at %s and runs %g times real time (DIEMTUA_CLOCK_START/RATE)",
                runtime.clock.now().isoformat(timespec="seconds"),
                settings.clock_rate,
            )
        settle_heap()
        leading = asyncio.create_task(lead(runtime.engine, start, stop))
        try:
            if webhook is None:
                log.info("serving %s by polling, with the scheduler", ", ".join(channels.names()))
                await poll(channels)
            else:
                log.info("serving %s by webhook, with the scheduler", ", ".join(channels.names()))
                await serve_webhooks(settings, runtime, channels, *webhook)
        finally:
            leading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await leading


def settle_heap() -> None:
    """Keep what start-up built (modules, models, schemas, translations: it lives as long as the process) out
    of the garbage collector's full collections, which then scan only what requests leave behind.  Measured
    on the pipeline benchmark: one full collection of the start-up heap paused the worker for 194 ms."""
    gc.collect()
    gc.freeze()


@app.command()
def run() -> None:
    """Serve every channel that has a token, plus the scheduler; with no token, open the console chat."""
    settings = _settings()
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        err.print(_("No TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN: opening the console chat (type /quit to leave)."))
        asyncio.run(_chat(settings, "local", greet=True, console=True))
    else:
        asyncio.run(_serve(settings))


@app.command()
def webhook(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    """Serve the Telegram and Zalo webhooks (and /healthz) from one web application, plus the scheduler.

    With DIEMTUA_PUBLIC_URL set, the webhooks are registered with each platform, with a secret derived from
    the deployment's secret key; behind it, a TLS-terminating proxy forwards to HOST:PORT."""
    settings = _settings()
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        error(_("webhook mode needs TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN"))
        raise typer.Exit(2)
    asyncio.run(_serve(settings, webhook=(host, port)))


@app.command()
def web(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8081,
) -> None:
    """Serve the web console for staff (and /healthz) on its own, behind a TLS-terminating proxy in production.

    The bot's processes put its address in sign-in links: set DIEMTUA_CONSOLE_URL (e.g. https://example.org/web)
    for them when the console runs apart."""
    asyncio.run(_web(_settings(), host, port))


async def _web(settings: Settings, host: str, port: int) -> None:
    from bot.channels.registry import until_signalled
    from bot.web.serve import start_console

    async with await _open(settings) as runtime:
        runner = await start_console(runtime, host, port)
        if runner is None:
            error(_("the web console cannot listen on {host}:{port}").format(host=host, port=port))
            raise typer.Exit(2)
        try:
            await until_signalled()
        finally:
            await runner.cleanup()


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Who is chatting (only its keyed pseudonym is stored).")] = "local",
    greet: Annotated[bool, typer.Option(help="Start with /start.")] = True,
) -> None:
    """Chat with the bot in this terminal (also works with piped input)."""
    asyncio.run(_chat(_settings(), user, greet))


@app.command()
def understand(text: Annotated[str, typer.Argument(help="What a person might type.")]) -> None:
    """Show which intent a typed message matches, and why (the phrase and how it matched)."""
    understanding = load_understanding(SHIPPED_DATA / "intents")
    matches = understanding.rank(text)
    out.print(_("Read as: {text}").format(text=understanding.normalize(text)), markup=False)
    table = Table(title=_("Intents that matched"))
    for column in (_("intent"), _("phrase"), _("how"), _("score")):
        table.add_column(column)
    for match in matches:
        table.add_row(match.intent, match.phrase, match.how, f"{match.score:g}")
    out.print(table)
    out.print(_("Chosen: {intent}").format(intent=best_intent(matches) or _("none (the kind fallback answers)")))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database schema (to the newest revision by default)."""
    settings = _settings()

    async def go() -> None:
        from storage import migrate  # Alembic, imported by this command only

        engine = create_engine(settings.db_url)
        try:
            await migrate.upgrade(engine, revision)
            err.print(
                _("database at revision {revision}").format(revision=await schema_version.current_revision(engine))
            )
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
            typer.echo(await schema_version.current_revision(engine) or "empty")
        finally:
            await engine.dispose()

    asyncio.run(go())


def main() -> None:
    app()
