"""``python -m bot keys ...``: the keys that seal personal values at rest.

* ``new``: print a fresh random key, to put first in ``DIEMTUA_SEAL_KEYS`` (keep the old ones after it).
* ``rotate``: seal every sealed value again under the first key; afterwards the older keys can be removed.

Pseudonyms do not change: they come from ``DIEMTUA_SECRET_KEY``, which must stay the same.
"""

from __future__ import annotations

import asyncio
import secrets

import typer
from rich.console import Console

from bot.cli.common import _, cli_settings, open_or_exit
from storage.db import FOLD_WAL, is_sqlite
from storage.rekey import reseal_all

keys_app = typer.Typer(help="Keys that seal personal values at rest.", no_args_is_help=True)
out = Console()


@keys_app.command("new")
def new() -> None:
    """Print a fresh random sealing key."""
    typer.echo(secrets.token_urlsafe(48))


@keys_app.command("rotate")
def rotate() -> None:
    """Seal every sealed value again under the first key of DIEMTUA_SEAL_KEYS."""

    async def go() -> tuple[int, int]:
        async with await open_or_exit(cli_settings()) as runtime:
            report = await reseal_all(runtime.sessions, runtime.sealer)
            if is_sqlite(runtime.engine):  # the old ciphertexts must not linger in the write-ahead log
                async with runtime.engine.connect() as connection:
                    await connection.execute(FOLD_WAL)
            return report.resealed, report.unreadable

    resealed, unreadable = asyncio.run(go())
    out.print(_("{count} values sealed again under the current key").format(count=resealed))
    if unreadable:
        out.print(
            "[yellow]"
            + _("{count} values could not be opened with any configured key; left as they were").format(
                count=unreadable
            )
            + "[/yellow]"
        )
