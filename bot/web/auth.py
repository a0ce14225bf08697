"""Signing in, sessions, form tokens and roles: every page of the console passes through :func:`guarded`.

A link from ``/web`` opens a page with a sign-in button (a link preview fetching the page does not use the link
up); pressing it uses the link once, in one conditional UPDATE, and sets a fresh session token in a cookie that is
HttpOnly, SameSite=Strict, limited to ``/web``, and Secure over https.  A token the browser brought is never kept
(no session fixation).  Every request finds its session by a keyed hash of the token; every POST carries the form
token derived from it; every page names the roles that may open it."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict, MultiDictProxy

from bot.web.console import FORM, PARTS, TOKEN, Page, console_of, staff_alias
from bot.web.render import CSRF_TOKEN, SIGNED_IN
from core.ports import StaffRecord
from core.ports.web import WEB
from core.web_tokens import new_token

log = logging.getLogger(__name__)
COOKIE = "dt_session"
MAX_TOKEN = 100
MAX_FORM_FIELD = 20_000  # characters of a text field (a point's description is at most 2,000)
SIGNED_OUT = "/web/signed-out"


class Refused(Exception):
    """A request turned away with a page saying why (403 by default)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


async def signed_in(request: web.Request) -> StaffRecord | None:
    """The staff member of the request's session, if it is alive and their role is still a staff role."""
    token = request.cookies.get(COOKIE, "")
    if not token or len(token) > MAX_TOKEN:
        return None
    console = console_of(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        session = await uow.get(WEB).session(console.keys.session_hash(token), now)
        staff = await uow.staff.get(session.staff_id) if session is not None else None
        await uow.commit()
    if staff is None or staff.role == "revoked":
        return None
    request[TOKEN] = token
    request[CSRF_TOKEN] = console.keys.csrf(token)
    return staff


async def _form(request: web.Request) -> tuple[str | None, MultiDict[str]]:
    """The form token and the text fields of a POST; a multipart form must send its token first, and its other
    parts are left for the page to read (``request[PARTS]``)."""
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != "csrf":
            return None, MultiDict()
        given = (await part.read(decode=True))[:MAX_TOKEN].decode("utf-8", "replace")
        request[PARTS] = reader
        return given, MultiDict()
    if request.content_type != "application/x-www-form-urlencoded":
        return None, MultiDict()
    posted: MultiDictProxy[Any] = await request.post()
    fields = MultiDict((k, v[:MAX_FORM_FIELD]) for k, v in posted.items() if isinstance(v, str))
    given = fields.pop("csrf", "")
    return given or None, fields


def guarded(page: Page) -> Any:
    """The page's handler behind its checks: signed in (else to the sign-in help), a role it names (else 403), and
    for a POST the session's form token (else 403)."""

    async def serve(request: web.Request) -> web.StreamResponse:
        if page.roles is None:
            return await page.handler(request)
        staff = await signed_in(request)
        if staff is None:
            raise web.HTTPSeeOther(SIGNED_OUT)
        request[SIGNED_IN] = staff
        if staff.role not in page.roles:
            log.info("refused a console page to a staff member of another role")
            raise Refused(console_of(request).i18n.gettext("This page is not for your role."))
        if request.method == "POST":
            try:
                given, fields = await _form(request)
            except (ValueError, HttpProcessingError):
                raise Refused(console_of(request).i18n.gettext("The form could not be read."), 400) from None
            if not console_of(request).keys.csrf_ok(request[TOKEN], given):
                raise Refused(
                    console_of(request).i18n.gettext(
                        "This form was not accepted: it is too old or did not come from the console. Go back, "
                        "reload the page and try again."
                    )
                )
            request[FORM] = fields
        return await page.handler(request)

    return serve


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    return console.renderer.page(request, "signin.html", {"token": request.match_info["token"]})


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Use the link once; a fresh session, whatever cookie the browser brought."""
    console = console_of(request)
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        # Another site submitting a link for the visitor (to sign them in as someone else): refused.
        raise Refused(console.i18n.gettext("Open the link from the bot, then press the button on that page."))
    token = request.match_info["token"]
    now = console.clock.now()
    old = request.cookies.get(COOKIE, "")
    async with console.unit_of_work() as uow:
        web_records = uow.get(WEB)
        staff_id = await web_records.use_link(console.keys.link_hash(token), now) if len(token) <= MAX_TOKEN else None
        staff = await uow.staff.get(staff_id) if staff_id is not None else None
        if staff is None or staff.role == "revoked":
            await uow.commit()
            raise Refused(
                console.i18n.gettext(
                    "This sign-in link does not work: it has been used, or more than 10 minutes have passed. Send "
                    "/web to the bot for a new one."
                )
            )
        if old and len(old) <= MAX_TOKEN:
            await web_records.close_session(console.keys.session_hash(old))
        session = new_token()
        await web_records.open_session(console.keys.session_hash(session), staff.id, now)
        await web_records.audit(staff.id, staff.role, "signin", staff_alias(staff), now)
        await web_records.purge(now)
        await uow.commit()
    response = web.HTTPSeeOther("/web/")
    response.set_cookie(COOKIE, session, path="/web", httponly=True, samesite="Strict", secure=console.secure)
    raise response


async def sign_out(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    async with console.unit_of_work() as uow:
        await uow.get(WEB).close_session(console.keys.session_hash(request[TOKEN]))
        await uow.commit()
    response = web.HTTPSeeOther(SIGNED_OUT)
    response.del_cookie(COOKIE, path="/web")
    raise response


async def signed_out(request: web.Request) -> web.StreamResponse:
    return console_of(request).renderer.page(request, "signed_out.html", status=200)
