"""The directory for operators: search and filter the service points, see them on a map, add, edit and close one
(with the import's own validation, each reason shown beside its field), and work through the listings people
reported as wrong ("verified today", or fix)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDict

from bot.web.console import OPERATOR, Console, Page, console_of, form_of, page_number, staff_of
from bot.web.pages.audit import record
from core.ports import PointSummary
from core.text import fold
from domain.directory import FEES, KINDS, REPORT_REASONS, STATUSES, ServicePoint
from domain.pointfile import COLUMNS, Reason, explain, point_record, validate

PER_PAGE = 50
MAPPED = 2000  # points drawn on the map at most (the first of those found)
OLD_AFTER = timedelta(days=180)  # a listing not checked for this long is shown as old


Listed = ServicePoint | PointSummary


def is_old(point: Listed, today: date) -> bool:
    return point.verified_on is None or today - point.verified_on > OLD_AFTER


def _status(point: Listed) -> str:
    return point.status if isinstance(point, PointSummary) else point.about.status


def matches(point: PointSummary, haystack: str, words: Sequence[str], province: str, kind: str, status: str) -> bool:
    if province and point.province != province:
        return False
    if kind and kind not in point.kinds:
        return False
    if status and point.status != status:
        return False
    return all(word in haystack for word in words)


def _choices(console: Console) -> dict[str, Any]:
    _ = console.i18n.gettext
    provinces = sorted(console.gazetteer.provinces.values(), key=lambda p: fold(p.name))
    return {
        "provinces": [(p.id, p.name) for p in provinces],
        "kinds": [(k, _(label)) for k, label in KINDS.items()],
        "statuses": [(k, _(label)) for k, label in STATUSES.items()],
        "fees": [(k, _(label) if label else _("Not known")) for k, label in FEES.items()],
    }


def _row(console: Console, point: Listed, today: date) -> dict[str, Any]:
    _ = console.i18n.gettext
    province = console.gazetteer.provinces.get(point.province)
    return {
        "id": point.id,
        "name": point.name,
        "external_id": point.external_id,
        "province": province.name if province else point.province,
        "kinds": ", ".join(_(KINDS[k]) for k in point.kinds if k in KINDS),
        "status": _status(point),
        "status_label": _(STATUSES.get(_status(point), _status(point))),
        "verified_on": point.verified_on,
        "old": is_old(point, today),
        "sample": point.sample,
        "lat": point.lat,
        "lon": point.lon,
    }


async def list_points(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    query = request.query
    q, province, kind, status = (query.get(k, "")[:200] for k in ("q", "province", "kind", "status"))
    words = fold(q).split()
    async with console.unit_of_work() as uow:
        points = await console.listings.current(uow)
    found = [p for p, text in points if matches(p, text, words, province, kind, status)]  # already by name
    page = page_number(request)
    today = console.today()
    shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    values = {
        **_choices(console),
        "rows": [_row(console, p, today) for p in shown],
        "mapped": [
            {"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon, "status": p.status} for p in found[:MAPPED]
        ],
        "total": len(points),
        "count": len(found),
        "page": page,
        "pages": max(1, -(-len(found) // PER_PAGE)),
        "filters": {"q": q, "province": province, "kind": kind, "status": status},
        "saved": query.get("saved", "")[:64],
    }
    return console.renderer.page(request, "points.html", values)


def _record_from(form: MultiDict[str]) -> dict[str, str]:
    record = {column: form.get(column, "").strip() for column in COLUMNS}
    record["kinds"] = ";".join(form.getall("kinds", []))
    record["sample"] = "true" if form.get("sample") == "true" else "false"
    return record


def _errors(console: Console, reasons: Sequence[str]) -> dict[str, list[str]]:
    """Each reason under its field ('' for those about the whole record)."""
    errors: dict[str, list[str]] = {}
    for reason in reasons:
        field = reason.field if isinstance(reason, Reason) else None
        errors.setdefault(field or "", []).append(explain(reason, console.i18n.gettext))
    return errors


def _form_page(
    request: web.Request,
    values: Mapping[str, str],
    *,
    point: ServicePoint | None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> web.StreamResponse:
    console = console_of(request)
    context = {
        **_choices(console),
        "values": values,
        "selected_kinds": set(values.get("kinds", "").split(";")),
        "point": point,
        "errors": errors or {},
        "fix": request.query.get("fix") == "1" or values.get("fixed") == "1",
    }
    return console.renderer.page(request, "point_form.html", context, status=status)


async def _point(request: web.Request) -> ServicePoint:
    text = request.match_info["point"]
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPNotFound()
    async with console_of(request).unit_of_work() as uow:
        point = await uow.directory.get(int(text))
    if point is None:
        raise web.HTTPNotFound()
    return point


async def new_point(request: web.Request) -> web.StreamResponse:
    today = console_of(request).today()
    return _form_page(request, {"status": "active", "fee": "unknown", "verified_on": today.isoformat()}, point=None)


async def edit_point(request: web.Request) -> web.StreamResponse:
    point = await _point(request)
    return _form_page(request, point_record(point), point=point)


async def save_point(request: web.Request) -> web.StreamResponse:
    """Add (``/points/new``) or edit a point: the form checked as an import row is; a point keeps its external id."""
    console = console_of(request)
    form = form_of(request)
    existing = await _point(request) if "point" in request.match_info else None
    values = _record_from(form)
    if existing is not None:
        values["external_id"] = existing.external_id
    outcome = validate(values, console.gazetteer)
    if not isinstance(outcome, ServicePoint):
        values["fixed"] = form.get("fixed", "")
        return _form_page(request, values, point=existing, errors=_errors(console, outcome), status=422)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        listed = await console.listings.current(uow)
        if existing is None and any(p.external_id == outcome.external_id for p, _ in listed):
            errors = {"external_id": [console.i18n.gettext("Another point already has this external id.")]}
            return _form_page(request, values, point=None, errors=errors, status=422)
        await uow.directory.upsert([outcome], now)
        if existing is not None and existing.id is not None and form.get("fixed") == "1":
            await uow.directory.clear_reports(existing.id)
        await record(uow, staff_of(request), "point.edit" if existing else "point.add", outcome.external_id, now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/points?" + urlencode({"saved": outcome.external_id}))


async def close_point(request: web.Request) -> web.StreamResponse:
    """Close a point for a while or for good (kept, but a defunct point is never shown to people)."""
    console = console_of(request)
    point = await _point(request)
    status = form_of(request).get("status", "")
    if status not in STATUSES:
        raise web.HTTPBadRequest()
    closed = dataclasses.replace(point, about=dataclasses.replace(point.about, status=status))
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        await uow.directory.upsert([closed], now)
        await record(uow, staff_of(request), "point.close", f"{point.external_id}: {status}", now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/points?" + urlencode({"saved": point.external_id}))


async def reported(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    _ = console.i18n.gettext
    async with console.unit_of_work() as uow:
        found = await uow.directory.reports()
    today = console.today()
    rows = [
        {
            **_row(console, item.point, today),
            "reasons": [(_(REPORT_REASONS.get(r, r)), n) for r, n in sorted(item.counts.items())],
            "last_reported": item.last_reported,
        }
        for item in found
    ]
    return console.renderer.page(request, "reported.html", {"rows": rows})


async def verified(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    point = await _point(request)
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        assert point.id is not None
        await uow.directory.verify(point.id, now.astimezone(console.i18n.timezone).date())
        await record(uow, staff_of(request), "point.verify", point.external_id, now)
        await uow.commit()
    raise web.HTTPSeeOther("/web/points/reported")


PAGES = (
    Page("GET", "/points", list_points, OPERATOR),
    Page("GET", "/points/new", new_point, OPERATOR),
    Page("POST", "/points/new", save_point, OPERATOR),
    Page("GET", "/points/reported", reported, OPERATOR),
    Page("GET", r"/points/{point:\d+}", edit_point, OPERATOR),
    Page("POST", r"/points/{point:\d+}", save_point, OPERATOR),
    Page("POST", r"/points/{point:\d+}/close", close_point, OPERATOR),
    Page("POST", r"/points/{point:\d+}/verified", verified, OPERATOR),
)
