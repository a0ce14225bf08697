"""``python -m bot groups ...``: self-help groups from the command line.

* ``create --name N --kind relapse_prevention|family_support|other --days T3,T7 --at 19:00 [--every week|
  fortnight|month] [--ordinal 1..4|-1] [--minutes 90] [--point EXTERNAL_ID | --place TEXT_OR_LINK]
  [--leader STAFF_ID] [--reminders 1440,60]``: prints the group's join code.
* ``list``: groups with their code, schedule, member count (never who) and leader, or NONE: a leader who erased
  their data leaves the group running without one (no command hands it to a new leader yet).
* ``export FILE.json``: every group as a Meeting Guide JSON feed (code4recovery/spec), with nothing about
  any member.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import _, cli_settings, error, open_or_exit
from core.codes import new_code, show_code
from domain.hours import DAYS, VI_DAYS
from domain.meeting_guide import TYPES, Feed, feed
from domain.recurrence import Repeat, Schedule, next_meeting

EVERY = {"week": Repeat.WEEKLY, "fortnight": Repeat.FORTNIGHTLY, "month": Repeat.MONTHLY}


def parse_days(text: str) -> frozenset[int]:
    """ "T3,T7" or "Tu,Sa" -> {1, 5}."""
    index = {d.lower(): i for i, d in enumerate(DAYS)} | VI_DAYS
    days = set()
    for part in text.replace(" ", "").lower().split(","):
        if part not in index:
            raise ValueError(f"{part!r} is not a day (T2 ... T7, CN, or Mo ... Su)")
        days.add(index[part])
    return frozenset(days)


groups_app = typer.Typer(help="Self-help groups.", no_args_is_help=True)
out = Console()


@groups_app.command("export")
def export(file: Annotated[Path, typer.Argument(help="Where to write the Meeting Guide JSON feed.")]) -> None:
    """Write every group as a Meeting Guide JSON feed."""

    async def go() -> Feed:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            groups = await uow.groups.all_groups()
            points = {p.id: p for p in await uow.directory.all_points() if p.id is not None}
        names = {pid: province.name for pid, province in runtime.gazetteer.provinces.items()}
        made = feed(groups, points, names)
        file.write_text(json.dumps(made.entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return made

    made = asyncio.run(go())
    out.print(_("{count} groups written to {file}").format(count=len(made.entries), file=file))
    for group, reason in made.left_out:
        out.print(_("Left out: group {id} ({name}): {reason}").format(id=group.id, name=group.name, reason=_(reason)))


@groups_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="The group's name.")],
    kind: Annotated[str, typer.Option(help="relapse_prevention, family_support or other")],
    days: Annotated[str, typer.Option(help='Meeting days, e.g. "T3,T7" or "Tu,Sa".')],
    at: Annotated[str, typer.Option(help="Local time, HH:MM.")],
    every: Annotated[str, typer.Option(help="week, fortnight or month")] = "week",
    ordinal: Annotated[int, typer.Option(help="For monthly groups: 1-4, or -1 for the last.")] = 1,
    minutes: Annotated[int, typer.Option(help="How long a meeting lasts.")] = 90,
    point: Annotated[str | None, typer.Option(help="Meets at this service point (external id).")] = None,
    place: Annotated[str, typer.Option(help="Or: an address, or an online meeting link.")] = "",
    leader: Annotated[int | None, typer.Option(help="The peer leader's staff id.")] = None,
    reminders: Annotated[str, typer.Option(help="Reminder offsets in minutes before a meeting.")] = "1440,60",
) -> None:
    """Create a group and print its join code."""
    try:
        if kind not in TYPES:
            raise ValueError(_("--kind is one of {kinds}").format(kinds=", ".join(TYPES)))
        if every not in EVERY:
            raise ValueError(_("--every is week, fortnight or month"))
        offsets = tuple(sorted({int(m) for m in reminders.split(",") if m.strip()}, reverse=True))
        if any(not 5 <= m <= 10080 for m in offsets):
            raise ValueError(_("reminders are 5 minutes to 7 days before"))
        schedule_time = datetime.strptime(at.strip(), "%H:%M").time()
    except ValueError as exc:
        error(str(exc))
        raise typer.Exit(2) from None

    async def go() -> tuple[str, str]:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            try:
                schedule = Schedule(
                    EVERY[every],
                    schedule_time,
                    parse_days(days),
                    runtime.clock.now().astimezone(runtime.i18n.timezone).date(),
                    ordinal=ordinal,
                    minutes=minutes,
                )
            except ValueError as exc:
                error(str(exc))
                raise typer.Exit(2) from None
            point_id = None
            if point is not None:
                found = [p for p in await uow.directory.all_points() if p.external_id == point]
                if not found:
                    error(_("no service point has the external id {point}").format(point=point))
                    raise typer.Exit(2)
                point_id = found[0].id
            if leader is not None:
                member = await uow.staff.get(leader)
                if member is None or member.role != "leader":
                    error(_("no peer leader has the id {leader}").format(leader=leader))
                    raise typer.Exit(2)
            group = await uow.groups.create(
                code=new_code(),
                name=name.strip(),
                kind=kind,
                leader_id=leader,
                point_id=point_id,
                place=place.strip(),
                schedule=schedule,
                reminder_minutes=offsets,
                now=runtime.clock.now(),
            )
            await uow.commit()
            upcoming = next_meeting(group.schedule, runtime.clock.now(), runtime.i18n.timezone)
            first = runtime.i18n.datetime(upcoming.start) if upcoming else "-"
            return show_code(group.code), first

    code, first = asyncio.run(go())
    out.print(_("Group created; join code {code}; first meeting {first}").format(code=code, first=first))


@groups_app.command("list")
def list_groups() -> None:
    """Groups: code, kind, next meeting and how many members (never who)."""

    async def go() -> Table:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            table = Table(title=_("Groups"))
            for column in (_("id"), _("code"), _("name"), _("kind"), _("next meeting"), _("members"), _("leader")):
                table.add_column(column)
            for group, _changed in await uow.groups.all_groups():
                upcoming = next_meeting(group.schedule, runtime.clock.now(), runtime.i18n.timezone)
                table.add_row(
                    str(group.id),
                    show_code(group.code),
                    group.name,
                    group.kind,
                    runtime.i18n.datetime(upcoming.start) if upcoming else "-",
                    str(await uow.groups.member_count(group.id)),
                    _("staff {id}").format(id=group.leader_id) if group.leader_id is not None else _("NONE"),
                )
            return table

    out.print(asyncio.run(go()))
