"""The console's application: its pages (each behind :func:`bot.web.auth.guarded`), its static files, and one
middleware that adds the security headers to every answer and turns every failure into a page that says what to do
(a 4xx for what the request did wrong; never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiohttp import web

from bot.web import auth
from bot.web.console import CONSOLE, STAFF, Console, Handler, Page
from bot.web.pages import (
    audit,
    counsellor,
    directory,
    groups,
    home,
    imports,
    reports,
    roster,
    staff,
    staff_admin,
)
from bot.web.render import STATIC
from core.logsafe import describe_exception
from core.ports import StorageUnavailable

log = logging.getLogger(__name__)

TILES = "https://tile.openstreetmap.org"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {TILES}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

SIGN_IN = (
    Page("GET", "/in/{token}", auth.sign_in_page, None),
    Page("POST", "/in/{token}", auth.sign_in, None),
    Page("GET", "/signed-out", auth.signed_out, None),
    Page("POST", "/out", auth.sign_out, STAFF),
)


def pages() -> tuple[Page, ...]:
    """Every page of the console."""
    return (
        *SIGN_IN,
        *home.PAGES,
        *directory.PAGES,
        *imports.PAGES,
        *staff.PAGES,
        *audit.PAGES,
        *counsellor.PAGES,
        *reports.PAGES,
        *roster.PAGES,
        *groups.PAGES,
        *staff_admin.PAGES,
    )


def _status_message(console: Console, status: int) -> str:
    _ = console.i18n.gettext
    if status == 404:
        return _("There is no such page.")
    if status == 405:
        return _("This page cannot be used that way.")
    if status == 413:
        return _("What was sent is too large.")
    return _("The request could not be read.")


@web.middleware
async def safe(request: web.Request, handler: Handler) -> web.StreamResponse:
    console = request.app[CONSOLE]
    try:
        response = await handler(request)
    except auth.Refused as refused:
        response = console.renderer.page(request, "error.html", {"message": refused.message}, status=refused.status)
    except web.HTTPException as exc:
        if exc.status < 400:
            exc.headers.update(HEADERS)
            raise
        response = console.renderer.page(
            request, "error.html", {"message": _status_message(console, exc.status)}, status=exc.status
        )
    except StorageUnavailable:
        message = console.i18n.gettext("The database is busy. Please try again in a moment.")
        response = console.renderer.page(request, "error.html", {"message": message}, status=503)
    except Exception as exc:
        log.error("a console page failed: %s", describe_exception(exc))
        message = console.i18n.gettext("Something went wrong on our side. Please try again.")
        response = console.renderer.page(request, "error.html", {"message": message}, status=500)
    response.headers.update(HEADERS)
    return response


def create_console(console: Console, routes: Iterable[Page] | None = None) -> web.Application:
    """The application, to mount at ``/web`` (``web.Application.add_subapp``)."""
    app = web.Application(middlewares=[safe])
    app[CONSOLE] = console
    for page in routes if routes is not None else pages():
        app.router.add_route(page.method, page.path, auth.guarded(page))
    app.router.add_static("/static", STATIC)
    return app
