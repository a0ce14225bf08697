"""Serving the console: mounted at ``/web`` in any aiohttp application (the webhook server's, or its own), and
started beside the chat by ``run``.  Its address, once known, goes into the sign-in links the chat hands out."""

from __future__ import annotations

import logging
import socket

from aiohttp import web

from bot.runtime import Runtime
from bot.web.app import create_console
from bot.web.console import Console
from bot.web.render import Renderer

log = logging.getLogger(__name__)
MAX_BODY = 32 * 1024 * 1024 + 64 * 1024  # an import file and its form


def console_of_runtime(runtime: Runtime) -> Console:
    url = runtime.console.url or ""
    return Console(
        unit_of_work=runtime.unit_of_work,
        reading=runtime.reading,
        clock=runtime.clock,
        i18n=runtime.i18n,
        gazetteer=runtime.gazetteer,
        keys=runtime.console.keys,
        renderer=Renderer(runtime.i18n),
        secure=url.startswith("https://"),
    )


def mount(app: web.Application, runtime: Runtime) -> None:
    """Serve the console at ``/web`` in ``app``."""
    app.add_subapp("/web", create_console(console_of_runtime(runtime)))


def console_app(runtime: Runtime) -> web.Application:
    """An application of its own: the console and ``/healthz``."""
    app = web.Application(client_max_size=MAX_BODY)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "console": True})

    app.router.add_get("/healthz", healthz)
    mount(app, runtime)
    return app


def _bound_port(site: web.TCPSite) -> int:
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    for sock in sockets:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            return int(sock.getsockname()[1])
    raise RuntimeError("the console is not listening")


async def start_console(runtime: Runtime, host: str, port: int) -> web.AppRunner | None:
    """Listen on ``host:port`` (0: any free port); the address goes into sign-in links unless one is configured.
    None, with a warning, when the port is taken: the chat goes on without the console."""
    from bot.channels.webhook import create_runner

    runner = create_runner(console_app(runtime))
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        log.warning("the web console could not listen on %s:%d (%s): going on without it", host, port, exc.strerror)
        return None
    if runtime.console.url is None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - an address to show, not bind
        runtime.console.url = f"http://{shown}:{_bound_port(site)}/web"
    log.info("the web console is at %s (send /web in the chat for a sign-in link)", runtime.console.url)
    return runner
