"""Importing and exporting the directory in the browser: the same parsing and validation as
``python -m bot points import`` (CSV or GeoJSON, every rejected row with its reasons), a dry run that imports
nothing, an all-or-nothing choice, and the export in either format."""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.auth import Refused
from bot.web.console import OPERATOR, PARTS, Console, Page, console_of, staff_of
from bot.web.pages.audit import record
from core.threads import off_loop
from domain.pointfile import FileError, Parsed, explain, parse_csv, parse_geojson, to_csv, to_geojson

MAX_FILE = 32 * 1024 * 1024  # bytes: 100,000 points as CSV are about 25 MB
MAX_PARTS = 8


def _format(name: str, text: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".geojson", ".json")):
        return "geojson"
    return "geojson" if text.lstrip("\ufeff \r\n\t").startswith("{") else "csv"


async def _bounded(part: BodyPartReader) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > MAX_FILE:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_FILE, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_parts(request: web.Request) -> tuple[str, bytes, dict[str, str]]:
    """The file (its name and bytes, at most :data:`MAX_FILE`) and the other fields of the import form; a body that
    is not a well-formed form is refused (400)."""
    try:
        return await _parts(request)
    except (ValueError, HttpProcessingError):
        raise Refused(console_of(request).i18n.gettext("The form could not be read."), 400) from None


async def _parts(request: web.Request) -> tuple[str, bytes, dict[str, str]]:
    reader = request.get(PARTS)
    if reader is None:
        raise Refused(console_of(request).i18n.gettext("Choose a file to import."), 400)
    name, content, fields = "", b"", {}
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            name = part.filename or ""
            content = await _bounded(part)
        elif part.name:
            fields[part.name] = (await part.read(decode=True))[:100].decode("utf-8", "replace")
    return name, content, fields


def _parse(console: Console, name: str, content: bytes) -> Parsed:
    _ = console.i18n.gettext
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(_("The file is not UTF-8 text. Save it as CSV UTF-8 or GeoJSON and try again."), 400) from None
    fmt = _format(name, text)
    try:
        return parse_csv(text, console.gazetteer) if fmt == "csv" else parse_geojson(text, console.gazetteer)
    except FileError as exc:
        raise Refused(_("The file cannot be read: {reason}").format(reason=str(exc)), 400) from None


async def import_form(request: web.Request) -> web.StreamResponse:
    return console_of(request).renderer.page(request, "import.html", {"result": None})


async def import_file(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    name, content, fields = await _read_parts(request)
    if not content:
        raise Refused(console.i18n.gettext("Choose a file to import."), 400)
    parsed = await off_loop(_parse, console, name, content)  # a large file: off the event loop
    dry_run = fields.get("action") != "import"
    strict = fields.get("strict") == "true"
    result: dict[str, Any] = {
        "name": name,
        "rows": parsed.rows,
        "valid": len(parsed.accepted),
        "rejected": [
            {
                "row": r.row,
                "external_id": r.external_id,
                "reasons": [explain(x, console.i18n.gettext) for x in r.reasons],
            }
            for r in parsed.rejected
        ],
        "dry_run": dry_run,
        "held_back": strict and bool(parsed.rejected),
        "counts": None,
    }
    if not dry_run and not result["held_back"] and parsed.accepted:
        now = console.clock.now()
        async with console.unit_of_work() as uow:
            counts = await uow.directory.upsert([point for _, point in parsed.accepted], now)
            subject = f"{name[:60]}: +{counts.inserted} ~{counts.updated} ={counts.unchanged}"
            await record(uow, staff_of(request), "points.import", subject, now)
            await uow.commit()
        result["counts"] = counts
    status = 200 if not parsed.rejected else 422
    return console.renderer.page(request, "import.html", {"result": result}, status=status)


async def export(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    fmt = request.query.get("format", "csv")
    if fmt not in ("csv", "geojson"):
        raise web.HTTPBadRequest()
    now = console.clock.now()
    async with console.unit_of_work() as uow:
        points = sorted(await uow.directory.all_points(), key=lambda p: p.external_id)
        await record(uow, staff_of(request), "points.export", f"{fmt}: {len(points)}", now)
        await uow.commit()
    body = to_csv(points) if fmt == "csv" else to_geojson(points)
    kind = "text/csv" if fmt == "csv" else "application/geo+json"
    stamp = now.astimezone(console.i18n.timezone).strftime("%Y-%m-%d")
    return web.Response(
        text=body,
        content_type=kind,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="diemtua-points-{stamp}.{fmt}"'},
    )


PAGES = (
    Page("GET", "/points/import", import_form, OPERATOR),
    Page("POST", "/points/import", import_file, OPERATOR),
    Page("GET", "/points/export", export, OPERATOR),
)
