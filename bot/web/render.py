"""Pages from Jinja2 templates: autoescaped everywhere, text through the bot's gettext catalog, and what every page
needs (who is signed in, the form token, the menu of their role)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.i18n import N_, Translator
from core.ports import StaffRecord

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str  # msgid
    roles: frozenset[str]


NAV = (
    NavItem("/web/", N_("Home"), frozenset({"operator", "manager", "counsellor", "leader"})),
    NavItem("/web/points", N_("Directory"), frozenset({"operator"})),
    NavItem("/web/points/reported", N_("Reported listings"), frozenset({"operator"})),
    NavItem("/web/staff", N_("Staff"), frozenset({"operator"})),
    NavItem("/web/blocks", N_("Blocked from live talks"), frozenset({"operator"})),
    NavItem("/web/audit", N_("Audit log"), frozenset({"operator"})),
    NavItem("/web/talks", N_("Live talks"), frozenset({"operator", "manager"})),
    NavItem("/web/reports", N_("Programme figures"), frozenset({"manager"})),
    NavItem("/web/groups", N_("My groups"), frozenset({"leader"})),
    NavItem("/web/bookings", N_("My bookings"), frozenset({"counsellor"})),
    NavItem("/web/hours", N_("My weekly hours"), frozenset({"counsellor"})),
    NavItem("/web/days-off", N_("My days off"), frozenset({"counsellor"})),
)


SIGNED_IN = web.RequestKey("staff", StaffRecord)
CSRF_TOKEN = web.RequestKey("csrf", str)


class Renderer:
    def __init__(self, i18n: Translator) -> None:
        self.i18n = i18n
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            _=i18n.gettext,
            ngettext=i18n.ngettext,
            number=i18n.number,
            day=lambda value: i18n.date(value, "dd/MM/yyyy") if value else "",
        )

    def page(
        self, request: web.Request, template: str, values: Mapping[str, Any] | None = None, *, status: int = 200
    ) -> web.Response:
        staff = request.get(SIGNED_IN)
        role = staff.role if staff is not None else None
        context = {
            "staff": staff,
            "csrf": request.get(CSRF_TOKEN, ""),
            "nav": [item for item in NAV if role in item.roles],
            "here": request.path,
            **(values or {}),
        }
        html = self.env.get_template(template).render(context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
