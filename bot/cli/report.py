"""``python -m bot report --from DATE --to DATE [--province P] [--out DIR]``: programme figures per week.

Prints the table (rich) and writes it as CSV and as a PNG chart (matplotlib).  The period is widened to
whole weeks (Monday to Sunday) and stops at the last week that has ended.  Every output shows the same
protected cells: "<5" for 1 to 4, "≥ n" for a withheld sum (see ``docs/indicators.md``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.charts import chart_png
from bot.cli.common import _, cli_settings, error, open_or_exit
from bot.config import Settings
from core.i18n import Translator
from domain.indicators import Report, whole_weeks
from handlers.report import Line, csv_text, period_text, place_name, report_lines, week_label
from services.reports import programme_report

if TYPE_CHECKING:
    pass

out = Console()


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        error(_("{option} takes a date such as 2026-10-01").format(option=option))
        raise typer.Exit(2) from None


def report(
    first: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD); its whole week is included.")],
    last: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD); its whole week is included.")],
    province: Annotated[str | None, typer.Option(help="One province (name or id); all of them if left out.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the CSV and PNG files.")] = Path("."),
) -> None:
    """Programme figures per week: a table here, a CSV file and a PNG chart."""
    settings = cli_settings()
    start, end = _day(first, "--from"), _day(last, "--to")
    if end < start:
        error(_("--to is before --from"))
        raise typer.Exit(2)
    made = asyncio.run(_build(settings, start, end, province))
    lines = report_lines(made.report, made.i18n)
    for grid in tables(made.report, lines, made.i18n, made.where, out.width):
        out.print(grid)
    if made.stopped is not None:
        out.print(
            _(
                "The report stops on {day}: figures are by whole weeks (Monday to Sunday), and the week of {today} "
                "has not ended yet."
            ).format(day=made.stopped.strftime("%d/%m/%Y"), today=made.today.strftime("%d/%m/%Y"))
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    weeks = made.report.weeks
    stem = f"diemtua-{weeks[0].isoformat()}-{weeks[-1].isoformat()}" + (
        f"-{made.report.province}" if made.report.province else ""
    )
    write_csv(out_dir / f"{stem}.csv", made.report, lines, made.i18n)
    write_chart(out_dir / f"{stem}.png", made.report, lines, made.i18n, made.where)
    out.print(_("Wrote {csv} and {png}").format(csv=out_dir / f"{stem}.csv", png=out_dir / f"{stem}.png"))


@dataclass(frozen=True, slots=True)
class Made:
    report: Report
    i18n: Translator
    where: str
    today: date
    stopped: date | None  # the last day reported, when it is before the last day asked for


async def _build(settings: Settings, first: date, last: date, province: str | None) -> Made:
    async with await open_or_exit(settings) as runtime:
        province_id = None
        if province:
            found = runtime.gazetteer.province(province)
            if found is None:
                error(_("unknown province {province}: use its name or id, e.g. ha-noi").format(province=repr(province)))
                raise typer.Exit(2)
            province_id = found.id
        today = runtime.clock.now().astimezone(runtime.i18n.timezone).date()
        weeks = whole_weeks(first, last, today)
        if not weeks:
            error(_("no whole week of that period has ended yet"))
            raise typer.Exit(2)
        async with runtime.reading() as uow:
            result = await programme_report(uow, weeks, province=province_id)
        asked_end = last + timedelta(days=6 - last.weekday())  # the Sunday of the last day's week
        reported_end = weeks[-1] + timedelta(days=6)
        stopped = reported_end if reported_end < asked_end else None
        where = place_name(runtime.i18n, runtime.gazetteer, province_id)
        return Made(result, runtime.i18n, where, today, stopped)


LABEL_WIDTH = 34  # the indicator column; week columns ("<5", "1.234", "dd/MM") take about 8


def tables(report: Report, lines: list[Line], i18n: Translator, where: str, width: int) -> list[Table]:
    """The figures as tables that fit ``width`` columns: as many weeks side by side as fit, the next weeks in
    the next table, the total in the last one."""
    _ = i18n.gettext
    per_table = max(1, (width - LABEL_WIDTH - 10) // 9)
    chunks = [report.weeks[i : i + per_table] for i in range(0, len(report.weeks), per_table)] or [()]
    made = []
    for number, weeks in enumerate(chunks):
        last = number == len(chunks) - 1
        title = f"{_('Programme figures')}, {where}, {period_text(i18n, report.weeks)}"
        if len(chunks) > 1:
            title += f" ({number + 1}/{len(chunks)})"
        grid = Table(title=title)
        grid.add_column(_("Indicator"), max_width=LABEL_WIDTH, overflow="fold")
        for week in weeks:
            grid.add_column(week_label(i18n, week), justify="right", no_wrap=True)
        if last:
            grid.add_column(_("Total"), justify="right", style="bold", no_wrap=True)
        first = report.weeks.index(weeks[0]) if weeks else 0
        section = ""
        for line in lines:
            if line.section != section:
                if section:
                    grid.add_section()
                section = line.section
                grid.add_row(f"[bold]{section}[/bold]")
            cells = list(line.weeks[first : first + len(weeks)])
            grid.add_row(line.label, *cells, *([line.total] if last else []))
        if last:
            grid.caption = _(
                "“<5”: 1 to 4, hidden. “≥ n”: at least n, exact number withheld. Whole weeks, Monday to Sunday."
            )
        made.append(grid)
    return made


def write_csv(path: Path, report: Report, lines: list[Line], i18n: Translator) -> None:
    path.write_text(csv_text(report, lines, i18n), encoding="utf-8", newline="")


def write_chart(path: Path, report: Report, lines: list[Line], i18n: Translator, where: str) -> None:
    path.write_bytes(chart_png(report, lines, i18n, where, dpi=110))
