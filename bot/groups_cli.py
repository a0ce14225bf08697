"""``python -m bot groups ...``: self-help groups from the command line.

* ``export FILE.json``: every group as a Meeting Guide JSON feed (code4recovery/spec), with nothing about
  any member.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli_common import cli_settings, open_or_exit
from domain.meeting_guide import feed

groups_app = typer.Typer(help="Self-help groups.", no_args_is_help=True)
out = Console()


@groups_app.command("export")
def export(file: Annotated[Path, typer.Argument(help="Where to write the Meeting Guide JSON feed.")]) -> None:
    """Write every group as a Meeting Guide JSON feed."""

    async def go() -> int:
        async with await open_or_exit(cli_settings()) as runtime, runtime.unit_of_work() as uow:
            groups = await uow.groups.all_groups()
            points = {p.id: p for p in await uow.directory.all_points() if p.id is not None}
        names = {pid: province.name for pid, province in runtime.gazetteer.provinces.items()}
        entries = feed(groups, points, names)
        file.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return len(entries)

    out.print(f"{asyncio.run(go())} groups written to {file}")
