"""What every page of the console is given: storage, the clock, the catalog, the gazetteer, the keys of its
tokens, its renderer; and the declaration of a page (its method, path and the roles that may open it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from aiohttp import MultipartReader, web
from multidict import MultiDict

from bot.web.listings import Listings
from bot.web.render import SIGNED_IN, Renderer
from core.clock import Clock
from core.i18n import Translator
from core.ports import StaffRecord
from core.web_tokens import WebKeys
from domain.gazetteer import Gazetteer
from storage.repositories import SqlUnitOfWork

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

OPERATOR = frozenset({"operator"})
MANAGER = frozenset({"manager"})
COUNSELLOR = frozenset({"counsellor"})
LEADER = frozenset({"leader"})
STAFF = OPERATOR | MANAGER | COUNSELLOR | LEADER


@dataclass(frozen=True, slots=True)
class Console:
    unit_of_work: Callable[[], SqlUnitOfWork]
    reading: Callable[[], SqlUnitOfWork]  # for long reads: reports (bot.runtime)
    clock: Clock
    i18n: Translator
    gazetteer: Gazetteer
    keys: WebKeys
    renderer: Renderer
    secure: bool  # served over https: the cookie is Secure
    listings: Listings = field(default_factory=Listings)  # the directory's list, per directory version

    def today(self) -> date:
        """Today where the programme is (its time zone)."""
        return self.clock.now().astimezone(self.i18n.timezone).date()


CONSOLE = web.AppKey("console", Console)
# What the checks of :func:`bot.web.auth.guarded` leave on a request for its page.
TOKEN = web.RequestKey("token", str)
FORM = web.RequestKey("form", MultiDict[str])
PARTS = web.RequestKey("parts", MultipartReader)


@dataclass(frozen=True, slots=True)
class Page:
    """A route of the console: ``roles`` may open it (checked on the server for every request); ``None`` for the
    few pages open before signing in."""

    method: str
    path: str  # below /web
    handler: Handler
    roles: frozenset[str] | None


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def staff_of(request: web.Request) -> StaffRecord:
    return request[SIGNED_IN]


def staff_alias(staff: StaffRecord) -> str:
    """How the console names a staff member: by number only."""
    return f"#{staff.id}"


def form_of(request: web.Request) -> MultiDict[str]:
    """The submitted form's text fields (read, and its token checked, before the page's handler runs)."""
    form: MultiDict[str] = request.get(FORM, MultiDict())
    return form


def page_number(request: web.Request, *, last: int = 10_000) -> int:
    """The ``page`` of a listing asked for (1 when missing or not a number)."""
    text = request.query.get("page", "1")
    return max(1, min(last, int(text))) if text.isdigit() and len(text) < 6 else 1
