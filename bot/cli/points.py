"""``python -m bot points ...``: the service-point directory from the command line.

* ``import FILE``: CSV or GeoJSON, upserted by external id in one transaction; every rejected row is
  reported with its reasons.  Exit 0 when every row was accepted, 1 when some were rejected (the good
  ones are still imported, unless ``--strict``), 2 when the file cannot be read at all.
* ``export FILE``: every point, as CSV or GeoJSON (by the file's extension, or ``--format``).
* ``load-sample``: the shipped sample points, only into an empty directory.
* ``reports``: listings people reported as wrong.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bot.cli.common import _, cli_settings, err, error, open_or_exit
from bot.config import Settings
from bot.runtime import Runtime
from core.hotlines import SHIPPED_DATA
from core.ports import UpsertCounts
from domain.pointfile import FileError, Parsed, explain, parse_csv, parse_geojson, to_csv, to_geojson

SAMPLE = SHIPPED_DATA / "sample" / "points.csv"
FORMATS = ("csv", "geojson")

points_app = typer.Typer(help="The service-point directory.", no_args_is_help=True)
out = Console()


def _format(path: Path, given: str | None) -> str:
    if given:
        if given not in FORMATS:
            error(_("unknown format {format}: use csv or geojson").format(format=given))
            raise typer.Exit(2)
        return given
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".geojson", ".json"):
        return "geojson"
    error(_("cannot tell the format of {name}: name it .csv or .geojson, or pass --format").format(name=path.name))
    raise typer.Exit(2)


def parse_file(runtime: Runtime, path: Path, fmt: str) -> Parsed:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        error(_("cannot read {path}: {error}").format(path=path, error=type(exc).__name__))
        raise typer.Exit(2) from None
    try:
        return parse_csv(text, runtime.gazetteer) if fmt == "csv" else parse_geojson(text, runtime.gazetteer)
    except FileError as exc:
        error(f"{path.name}: {exc}")
        raise typer.Exit(2) from None


def report(parsed: Parsed) -> None:
    if not parsed.rejected:
        return
    table = Table(title=_("Rejected rows ({count})").format(count=len(parsed.rejected)), show_lines=False)
    table.add_column(_("row"), justify="right")
    table.add_column(_("external id"))
    table.add_column(_("reason"), overflow="fold")
    for rejection in parsed.rejected:
        table.add_row(
            str(rejection.row), rejection.external_id or "-", "; ".join(explain(r, _) for r in rejection.reasons)
        )
    out.print(table)


async def store(runtime: Runtime, parsed: Parsed) -> UpsertCounts:
    """Every accepted point in one transaction: all of them or, on any error, none."""
    points = [point for _, point in parsed.accepted]
    with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), console=err, transient=True) as progress:
        task = progress.add_task("import", total=len(points))
        async with runtime.unit_of_work() as uow:
            counts = await uow.directory.upsert(
                points, runtime.clock.now(), progress=lambda n: progress.advance(task, n)
            )
            await uow.commit()
    return counts


async def import_points(settings: Settings, path: Path, fmt: str, *, dry_run: bool, strict: bool) -> int:
    async with await open_or_exit(settings) as runtime:
        parsed = parse_file(runtime, path, fmt)
        report(parsed)
        summary = _("{rows} rows: {valid} valid, {rejected} rejected").format(
            rows=parsed.rows, valid=len(parsed.accepted), rejected=len(parsed.rejected)
        )
        if dry_run:
            out.print(summary + " " + _("(dry run: nothing imported)"))
        elif strict and parsed.rejected:
            out.print(summary + " " + _("(--strict: nothing imported)"))
        else:
            counts = await store(runtime, parsed)
            out.print(
                summary
                + "; "
                + _("{new} new, {updated} updated, {unchanged} unchanged").format(
                    new=counts.inserted, updated=counts.updated, unchanged=counts.unchanged
                )
            )
    return 1 if parsed.rejected else 0


@points_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A .csv or .geojson file.")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or geojson (default: from the name).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Check the file; import nothing.")] = False,
    strict: Annotated[bool, typer.Option(help="Import nothing if any row is rejected.")] = False,
) -> None:
    """Import service points (upsert by external id); report every rejected row and why."""
    code = asyncio.run(import_points(cli_settings(), file, _format(file, fmt), dry_run=dry_run, strict=strict))
    raise typer.Exit(code)


@points_app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="Where to write: .csv or .geojson.")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or geojson (default: from the name).")] = None,
) -> None:
    """Write every service point to a CSV or GeoJSON file (the same columns the import reads)."""
    chosen = _format(file, fmt)

    async def go() -> int:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            points = sorted(await uow.directory.all_points(), key=lambda p: p.external_id)
        file.write_text(to_csv(points) if chosen == "csv" else to_geojson(points), encoding="utf-8")
        return len(points)

    out.print(_("{count} points written to {file}").format(count=asyncio.run(go()), file=file))


@points_app.command("load-sample")
def load_sample() -> None:
    """Load the shipped sample points (marked as samples) if the directory is empty."""

    async def go() -> str:
        async with await open_or_exit(cli_settings()) as runtime:
            async with runtime.unit_of_work() as uow:
                existing = len(await uow.directory.all_points())
            if existing:
                return _("the directory already has {count} points: sample data not loaded").format(count=existing)
            parsed = parse_file(runtime, SAMPLE, "csv")
            counts = await store(runtime, parsed)
            return _("loaded {count} sample points (marked as samples, not real services)").format(
                count=counts.inserted
            )

    out.print(asyncio.run(go()))


@points_app.command("reports")
def reports_command() -> None:
    """Listings that people reported as wrong, most reported first."""

    async def go() -> None:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            found = await uow.directory.reports()
        if not found:
            out.print(_("no listing has been reported"))
            return
        table = Table(title=_("Reported listings"))
        for column in (_("external id"), _("name"), _("reports"), _("last reported"), _("last verified")):
            table.add_column(column)
        for item in found:
            counts = ", ".join(f"{reason} {n}" for reason, n in sorted(item.counts.items()))
            verified = item.point.verified_on.isoformat() if item.point.verified_on else _("never")
            table.add_row(item.point.external_id, item.point.name, counts, item.last_reported.isoformat(), verified)
        out.print(table)

    asyncio.run(go())
