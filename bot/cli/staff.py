"""``python -m bot staff ...``: invitations for counsellors and peer leaders, and availability.

* ``invite --role counsellor --point EXTERNAL_ID``: prints a one-time code (valid 7 days); the person
  sends ``/staff CODE`` to the bot.  Only a hash of the code is stored.
* ``invite --role operator``: an operator keeps the directory and staff in the web console (``/web`` in the chat).
* ``list``: staff members by id, role and service point (never who they are).
* ``revoke STAFF_ID``: ends a role (signed out everywhere, off duty, no more notifications or hours).
* ``availability STAFF_ID --pattern "Mo-Fr 08:00-11:30,13:30-16:30" [--slot 45] [--buffer 15]
  [--notice-hours 2] [--horizon-days 14] [--modes in_person,phone] [--day-off 2026-12-24 ...]``
* ``roster [--province ha-noi] --hours "Mo-Fr 08:00-17:00"`` (or ``--clear``): when counsellors are usually on duty
  for live talks; without options, the list.
* ``blocks [--lift "#K7Q2"]``: who is blocked from live talks, by alias only.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import _, cli_settings, error, open_or_exit
from core.codes import new_code, show_code
from core.ports.talks import TALKS
from domain.hours import EMPTY, HoursError, format_hours, parse_hours
from domain.slots import Availability
from services.staff import ROLE_NAMES, ROLES, revoke

staff_app = typer.Typer(help="Counsellors and peer leaders.", no_args_is_help=True)
out = Console()
INVITE_DAYS = 7


@staff_app.command("invite")
def invite(
    role: Annotated[
        str, typer.Option(help="counsellor, leader, manager (programme figures) or operator (directory, staff)")
    ],
    point: Annotated[str | None, typer.Option(help="The service point's external id (counsellors).")] = None,
) -> None:
    """Print a one-time invitation code for a counsellor, a peer leader, a programme manager or an operator."""
    if role not in ROLES:
        error(_("--role is one of {roles}").format(roles=", ".join(ROLES)))
        raise typer.Exit(2)

    async def go() -> str:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            point_id = None
            if point is not None:
                found = [p for p in await uow.directory.all_points() if p.external_id == point]
                if not found:
                    error(_("no service point has the external id {point}").format(point=point))
                    raise typer.Exit(2)
                point_id = found[0].id
            code = new_code(10)
            now = runtime.clock.now()
            await uow.staff.create_invite(code, role, point_id, now, now + timedelta(days=INVITE_DAYS))
            await uow.commit()
            return code

    code = asyncio.run(go())
    out.print(
        _("Invitation for a {role}, valid {days} days. In the chat, send:").format(
            role=_(ROLE_NAMES[role]), days=INVITE_DAYS
        )
    )
    out.print(f"/staff {show_code(code)}", soft_wrap=True)  # on a line of its own, to copy whole


@staff_app.command("list")
def list_staff() -> None:
    """Staff members: id, role, service point."""

    async def go() -> None:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            points = {p.id: p for p in await uow.directory.all_points()}
            table = Table(title=_("Staff"))
            for column in (_("id"), _("role"), _("service point"), _("availability")):
                table.add_column(column)
            for role in (*ROLES, "revoked"):
                for member in await uow.staff.members(role):
                    available = await uow.staff.availability(member.id)
                    where = points[member.point_id].name if member.point_id in points else "-"
                    table.add_row(
                        str(member.id), _(ROLE_NAMES[member.role]), where, _("set") if available else _("not set")
                    )
        out.print(table)

    asyncio.run(go())


@staff_app.command("revoke")
def revoke_command(staff_id: Annotated[int, typer.Argument(help="From `staff list`.")]) -> None:
    """End a staff member's role: signed out of the web console, off duty (their talks back in the queue), no more
    notifications or weekly hours.  Bookings already made stay."""

    async def go() -> bool:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            if await revoke(uow, staff_id, runtime.clock.now()) is None:
                return False
            await uow.commit()
            return True

    if not asyncio.run(go()):
        error(_("no staff member has the id {id}").format(id=staff_id))
        raise typer.Exit(2)
    out.print(_("Staff member {id}: role revoked.").format(id=staff_id))


@staff_app.command("availability")
def set_availability(
    staff_id: Annotated[int, typer.Argument(help="From `staff list`.")],
    pattern: Annotated[str, typer.Option(help='Weekly hours, e.g. "Mo-Fr 08:00-11:30,13:30-16:30".')],
    slot: Annotated[int, typer.Option(help="Slot length in minutes.")] = 45,
    buffer: Annotated[int, typer.Option(help="Minutes between slots.")] = 15,
    notice_hours: Annotated[float, typer.Option(help="Earliest booking, in hours from now.")] = 2,
    horizon_days: Annotated[int, typer.Option(help="How many days ahead people can book.")] = 14,
    modes: Annotated[str, typer.Option(help="in_person, phone, online, separated by commas.")] = "in_person",
    day_off: Annotated[list[str] | None, typer.Option(help="A date off (YYYY-MM-DD); repeat as needed.")] = None,
) -> None:
    """Set a counsellor's weekly availability, slot length, buffer, notice, horizon, modes and days off."""
    try:
        hours = parse_hours(pattern)
        if hours is None:
            raise HoursError(EMPTY)
        availability = Availability(
            hours,
            slot_minutes=slot,
            buffer_minutes=buffer,
            notice=timedelta(hours=notice_hours),
            horizon_days=horizon_days,
            modes=tuple(m.strip() for m in modes.split(",") if m.strip()),
            days_off=frozenset(date.fromisoformat(d) for d in day_off or ()),
        )
    except HoursError as exc:
        error(exc.explain(_))
        raise typer.Exit(2) from None
    except ValueError as exc:
        error(str(exc))
        raise typer.Exit(2) from None

    async def go() -> bool:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            member = await uow.staff.get(staff_id)
            if member is None or member.role != "counsellor":
                return False
            await uow.staff.set_availability(staff_id, availability)
            await uow.commit()
            return True

    if not asyncio.run(go()):
        error(
            _(
                "no counsellor has the id {id}. A counsellor appears in `staff list` only after sending "
                "/staff CODE in the chat with their invitation code: check the id there."
            ).format(id=staff_id)
        )
        raise typer.Exit(2)
    out.print(_("Hours of counsellor {id} saved: {hours}").format(id=staff_id, hours=format_hours(hours)))


@staff_app.command("roster")
def roster(
    hours: Annotated[
        str | None,
        typer.Option(help='Usual duty hours for live talks, OSM syntax: "Mo-Fr 08:00-17:00; Sa 08:00-12:00"'),
    ] = None,
    province: Annotated[str | None, typer.Option(help="A province id (ha-noi); nationwide without it.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove these usual hours.")] = False,
) -> None:
    """When counsellors are usually on duty for live talks (told to people when nobody is); lists them without
    --hours or --clear."""

    async def go() -> None:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            repo = uow.get(TALKS)
            if province is not None and province not in runtime.gazetteer.provinces:
                error(_("no province has the id {province}").format(province=province))
                raise typer.Exit(2)
            if hours is not None or clear:
                parsed = None
                if hours is not None:
                    try:
                        parsed = parse_hours(hours)
                    except HoursError as exc:
                        error(exc.explain(_))
                        raise typer.Exit(2) from None
                if not clear and parsed is None:
                    error(_(EMPTY))
                    raise typer.Exit(2)
                await repo.set_roster(province, None if clear else format_hours(parsed))
                await uow.commit()
            table = Table(title=_("Usual duty hours for live talks"))
            table.add_column(_("where"))
            table.add_column(_("hours"))
            for where, expression in sorted((await repo.rosters()).items(), key=lambda kv: kv[0] or ""):
                table.add_row(_("nationwide") if where is None else where, expression)
        out.print(table)

    asyncio.run(go())


@staff_app.command("blocks")
def blocks(
    lift: Annotated[str | None, typer.Option(help="Lift the block of the talk with this alias (#K7Q2).")] = None,
) -> None:
    """People a counsellor blocked from live talks, by the alias of the talk only, and until when."""

    async def go() -> None:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            repo = uow.get(TALKS)
            if lift is not None:
                if not await repo.lift(lift):
                    error(_("no block for {alias}").format(alias=lift))
                    raise typer.Exit(2)
                await uow.commit()
            table = Table(title=_("Blocked from live talks"))
            table.add_column(_("talk"))
            table.add_column(_("until"))
            for alias, until in await repo.blocks(runtime.clock.now()):
                table.add_row(alias, runtime.i18n.date(until.astimezone(runtime.i18n.timezone).date()))
        out.print(table)

    asyncio.run(go())
