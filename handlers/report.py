"""Programme figures: ``/baocao`` for staff with the manager role, and the table both the chat and
``python -m bot report`` print.

The figures come from anonymous weekly counts only (``domain.indicators``); small cells are protected by
``domain.disclosure``.  The chat shows the last four whole weeks, for the whole country or, with
``/baocao <province>``, for one province.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from core.capability import Capability, Wiring
from core.conversation import Context, Routes
from core.events import Choice, CommandMessage
from core.i18n import Translator
from domain.disclosure import Cell, shown
from domain.gazetteer import Gazetteer
from domain.indicators import Report, whole_weeks
from handlers.services import Services
from services.reports import programme_report

CHAT_WEEKS = 4


@dataclass(frozen=True, slots=True)
class Line:
    section: str
    label: str
    weeks: tuple[str, ...]
    total: str
    indicator: str


def cell_text(i18n: Translator, cell: Cell) -> str:
    return shown(cell, lambda n: i18n.number(n))


def period_text(i18n: Translator, weeks: tuple[date, ...]) -> str:
    if not weeks:
        return ""
    first, last = weeks[0], weeks[-1] + timedelta(days=6)
    return f"{i18n.date(first, 'dd/MM/yyyy')}–{i18n.date(last, 'dd/MM/yyyy')}"


def week_label(i18n: Translator, week: date) -> str:
    return i18n.date(week, "dd/MM")


def report_lines(report: Report, i18n: Translator) -> list[Line]:
    return [
        Line(
            section=i18n.gettext(row.indicator.section),
            label=i18n.gettext(row.indicator.label),
            weeks=tuple(cell_text(i18n, c) for c in row.weeks),
            total=cell_text(i18n, row.total),
            indicator=row.indicator.id,
        )
        for row in report.rows
    ]


def csv_text(report: Report, lines: list[Line], i18n: Translator) -> str:
    """The figures as CSV (the same protected cells as every other output): the CLI's file, the console's download."""
    _ = i18n.gettext
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", _("Section"), _("Indicator"), *(w.isoformat() for w in report.weeks), _("Total")])
    for line in lines:
        writer.writerow([line.indicator, line.section, line.label, *line.weeks, line.total])
    return out.getvalue()


def place_name(i18n: Translator, gazetteer: Gazetteer, province: str | None) -> str:
    if province is None:
        return i18n.gettext("the whole country")
    found = gazetteer.provinces.get(province)
    return found.name if found else province


def chat_text(report: Report, i18n: Translator, where: str) -> str:
    _ = i18n.gettext
    head = _("Programme figures, {weeks} whole weeks {period}, {place}.").format(
        weeks=len(report.weeks), period=period_text(i18n, report.weeks), place=where
    )
    weeks = _("Weeks starting: {weeks}.").format(weeks=" · ".join(week_label(i18n, w) for w in report.weeks))
    blocks = [head + "\n" + weeks]
    in_all = _("total")
    section = ""
    for line in report_lines(report, i18n):
        if line.section != section:
            section = line.section
            blocks.append(f"\n{section.upper()}")
        blocks.append(f"{line.label}: {' · '.join(line.weeks)} ({in_all} {line.total})")
    blocks.append(
        "\n"
        + _(
            "“<5”: between 1 and 4, not shown so that no one can be recognised. “≥ n”: at least n; the exact "
            "number is withheld so that a hidden small number cannot be worked out from it. The figures are "
            "anonymous weekly counts: they never say who did what."
        )
    )
    return "\n".join(blocks)


def create_router(gazetteer: Gazetteer) -> Routes:
    router = Routes("report")

    async def is_manager(ctx: Context) -> bool:
        member = await ctx.uow.staff.of(ctx.user.pseudonym)
        if member is not None and member.role == "manager":
            return True
        ctx.say(
            ctx._("Programme figures are for programme managers, who receive an invitation code from the programme."),
            choices=[Choice("menu", ctx._("Main menu"))],
        )
        return False

    @router.command("baocao", "report")
    async def figures(ctx: Context) -> None:
        if not await is_manager(ctx):
            return
        args = ctx.event.args.strip() if isinstance(ctx.event, CommandMessage) else ""
        province = None
        if args:
            found = gazetteer.province(args)
            if found is None:
                example = "/baocao Hà Nội"  # a command with a place name (noqa: i18n)
                ctx.say(
                    ctx._("I do not know the province “{name}”. Type its name, for example {example}.").format(
                        name=args[:60], example=example
                    ),
                    choices=[Choice("rp", ctx._("Whole country")), Choice("menu", ctx._("Main menu"))],
                )
                return
            province = found.id
        await show(ctx, province)

    @router.choice("rp")
    async def whole_country(ctx: Context) -> None:
        if await is_manager(ctx):
            await show(ctx, None)

    async def show(ctx: Context, province: str | None) -> None:
        today = ctx.now.astimezone(ctx.i18n.timezone).date()
        last_sunday = today - timedelta(days=today.weekday() + 1)
        weeks = whole_weeks(last_sunday - timedelta(days=7 * CHAT_WEEKS - 1), last_sunday, today)
        report = await programme_report(ctx.uow, weeks, province=province)
        ctx.say(
            chat_text(report, ctx.i18n, place_name(ctx.i18n, gazetteer, province)),
            title=ctx._("Programme figures"),
            choices=[Choice("menu", ctx._("Main menu"))],
        )

    return router


def _setup(services: Services) -> Wiring:
    return Wiring((create_router(services.gazetteer),))


capability = Capability("report", _setup)
